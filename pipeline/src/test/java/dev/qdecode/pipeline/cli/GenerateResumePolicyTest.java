package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --output FILE --resume} with a {@code --policy} the interrupted run did not have (or without the
 * one it had) used to be refused naming only {@code --top-k 0 (the run's: 50)}, a default that the policy changes
 * and that the user never gave; the refusal now names {@code --policy} first. A {@code --mode} that differs is named
 * as the option spells it.
 */
class GenerateResumePolicyTest {

    private static String[] args(Path prompts, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("generate", "--model", CliRunner.model("stories260K"), "--prompts",
                prompts.toString(), "--max-new-tokens", "2", "--batch-size", "2", "--output", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** Runs to the end, then puts the rows back as an interrupted run leaves them, in FILE.part with its record. */
    private static void interruptedOutput(Path prompts, Path out, String... more) throws IOException {
        CliRunner.Result r = CliRunner.run(args(prompts, out, more));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Files.move(out, RecordWriter.part(out));
        Files.move(ResumableOutput.runFile(out), ResumableOutput.runFile(RecordWriter.part(out)));
    }

    private static void assertRefused(CliRunner.Result r, String named) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(" was started with other settings: " + named), r.err());
    }

    @Test
    void aPolicyAddedOrLeftOutIsNamed(@TempDir Path tmp) throws IOException {
        Path run = CliRunner.tinyRun(tmp.resolve("run"));
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "id\tprompt\n1\tOnce upon a time,\n2\tThe dog\n");

        Path base = tmp.resolve("base.tsv");
        interruptedOutput(prompts, base);
        CliRunner.Result r = CliRunner.run(args(prompts, base, "--resume", "--policy", run.toString()));
        assertRefused(r, "--policy " + run + " (the run's: unset), --top-k 0 (the run's: 50)");

        Path guided = tmp.resolve("guided.tsv");
        interruptedOutput(prompts, guided, "--policy", run.toString());
        r = CliRunner.run(args(prompts, guided, "--resume"));
        assertRefused(r, "--policy unset (the run's: " + run.toAbsolutePath() + ")");

        // the same policy from another path (a moved run) is the same policy: its checkpoint is what is compared
        Path moved = tmp.resolve("moved");
        Files.move(run, moved);
        r = CliRunner.run(args(prompts, guided, "--resume", "--policy", moved.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(Files.exists(RecordWriter.part(guided)));

        Path greedy = tmp.resolve("greedy.tsv");
        interruptedOutput(prompts, greedy, "--policy", moved.toString(), "--mode", "q-greedy");
        r = CliRunner.run(args(prompts, greedy, "--resume", "--policy", moved.toString(), "--strategy", "greedy"));
        assertRefused(r, "--mode guided (the run's: q-greedy), --strategy greedy (the run's: unset)");
        // ... and named so where the settings are alike too: the mode decides the rows
        Path sampled = tmp.resolve("sampled.tsv");
        interruptedOutput(prompts, sampled, "--policy", moved.toString(), "--strategy", "greedy");
        r = CliRunner.run(args(prompts, sampled, "--resume", "--policy", moved.toString(), "--mode", "q-greedy"));
        assertRefused(r, "--mode q-greedy (the run's: guided), --strategy unset (the run's: greedy)");
    }
}
