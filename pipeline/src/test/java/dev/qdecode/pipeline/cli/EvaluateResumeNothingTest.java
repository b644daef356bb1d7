package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --resume} with an {@code --out} that holds no interrupted evaluation said "expected the --output of
 * an interrupted run", an option evaluate does not have; it now names its own option, {@code --out} ({@code generate}
 * keeps naming {@code --output}).
 */
class EvaluateResumeNothingTest {

    @Test
    void theRefusalNamesTheCommandsOwnOutputOption(@TempDir Path tmp) {
        Path run = CliRunner.tinyRun(tmp.resolve("run"));
        CliRunner.Result r = CliRunner.run("evaluate", "--policy", run.toString(), "--limit", "1", "--samples", "1",
                "--out", tmp.resolve("fresh").toString(), "--resume");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("expected the --out of an interrupted run, or the command without --resume"),
                r.err());
        assertFalse(r.err().contains("--output"), r.err());

        CliRunner.Result g = CliRunner.run("generate", "--policy", run.toString(), "--prompts",
                CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv").toString(), "--limit", "1",
                "--output", tmp.resolve("fresh.tsv").toString(), "--resume");
        assertEquals(ExitCodes.USAGE, g.code(), g.err());
        assertTrue(g.err().contains("expected the --output of an interrupted run, or the command without --resume"),
                g.err());
    }
}
