package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch scheduler stops a job with SIGTERM (then SIGKILL after a grace period): {@code train} saves its checkpoint,
 * as on Ctrl-C, says so naming the signal, and exits with 143. It exited 143 at once with no word (the handler of
 * {@code NativeCalls} had SIGTERM), losing the work since the last periodic checkpoint.
 */
class TerminationSignalTest {

    @Test
    void sigtermSavesACheckpointAndSaysHowToResume(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        String text = CliRunner.signalledAfterCheckpoint("TERM", ExitCodes.TERMINATED, run, tmp.resolve("run.log"),
                List.of(), List.of("train", "--model", CliRunner.model("stories260K"), "--episodes", "640",
                        "--rollout-episodes", "16", "--max-new-tokens", "4", "--min-new-tokens", "1", "--batch-size",
                        "16", "--updates-per-rollout", "1", "--eval-every", "0", "--checkpoint-every", "160",
                        "--eval-limit", "2", "--eval-samples", "1", "--seed", "3", "--save-replay", "--out",
                        run.toString()));
        assertTrue(text.contains("qdecode: interrupted by SIGTERM: saving a checkpoint after the current rollout round "
                + "or evaluation batch (SIGTERM or Ctrl-C again to quit without saving)"), text);
        assertTrue(text.contains("episodes; checkpoint saved in " + run + " (continue with: qdecode train --resume --out "
                + run + ")"), text);
        assertTrue(Files.exists(run.resolve("checkpoint.qdq")), text);
    }
}
