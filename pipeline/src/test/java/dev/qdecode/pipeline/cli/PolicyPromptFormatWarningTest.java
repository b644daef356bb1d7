package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate}/{@code evaluate --policy RUN --prompt-format X} with a format that is not the one the run was
 * trained with was accepted without a word, although the head learned on the model's states of prompts in the
 * run's format; it is still used (a deliberate comparison), with one warning line naming both formats. The run's
 * own format, given or left out, gets none.
 */
class PolicyPromptFormatWarningTest {

    @Test
    void anotherPromptFormatThanTheRunsIsWarnedOf(@TempDir Path tmp) {
        Path run = CliRunner.tinyDefaultRun(tmp.resolve("run"));
        String warning = "qdecode: warning: --prompt-format '{text};special=true' is not the format --policy " + run
                + " was trained with ('<|start_story|>{text};special=false'): its head learned on the model's states of "
                + "prompts in that format, and another is almost surely a mistake (leave out --prompt-format to use "
                + "the run's)";

        Result g = CliRunner.run("generate", "--policy", run.toString(), "--prompt-format", "{text};special=true",
                "--prompt", "The dog", "--max-new-tokens", "3");
        assertEquals(ExitCodes.OK, g.code(), g.err());
        assertEquals(List.of(warning), g.err().lines().filter(l -> l.startsWith("qdecode:")).toList());
        assertFalse(g.out().isBlank(), g.out());

        Result e = CliRunner.run("evaluate", "--policy", run.toString(), "--prompt-format", "{text};special=true",
                "--limit", "2", "--samples", "1", "--out", tmp.resolve("ev").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertEquals(List.of(warning), e.err().lines().filter(l -> l.startsWith("qdecode:")).toList());

        // the run's own format, given as the run records it or left out: no warning
        for (List<String> format : List.of(List.of("--prompt-format", "<|start_story|>{text};special=false"),
                List.<String>of())) {
            List<String> args = new java.util.ArrayList<>(List.of("generate", "--policy", run.toString(), "--prompt",
                    "The dog", "--max-new-tokens", "3"));
            args.addAll(format);
            Result same = CliRunner.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.OK, same.code(), same.err());
            assertFalse(same.err().contains("qdecode: warning"), same.err());
        }
    }
}
