package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run started without {@code --save-replay} resumes from an empty replay buffer, so it does not end as an
 * uninterrupted run would: Ctrl-C and {@code train --resume} say so (both used to say nothing, the interrupt
 * only "continue with: qdecode train --resume").
 */
class ResumeWithoutReplayTest {

    private static List<String> trainArgs(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--model", CliRunner.model("stories260K"), "--episodes",
                "640", "--rollout-episodes", "16", "--max-new-tokens", "4", "--min-new-tokens", "1", "--batch-size",
                "16", "--updates-per-rollout", "1", "--eval-every", "0", "--checkpoint-every", "16", "--eval-limit",
                "2", "--eval-samples", "1", "--seed", "3", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    /** Starts the run in its own JVM, sends it SIGINT after its first checkpoint, and returns its output. */
    private static String interrupted(Path tmp, Path out, String... more) throws Exception {
        return CliRunner.interruptedAfterCheckpoint(out, tmp.resolve(out.getFileName() + ".log"), trainArgs(out, more));
    }

    @Test
    void ctrlCAndResumeSayThatTheReplayBufferWasNotSaved(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        String stopped = interrupted(tmp, run);
        assertTrue(stopped.contains("(continue with: qdecode train --resume --out " + run + "; without --save-replay "
                + "its replay buffer is not saved, so the resumed run starts from an empty one and will not equal an "
                + "uninterrupted run)"), stopped);
        CliRunner.Result resumed = CliRunner.run("train", "--resume", "--out", run.toString());
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("qdecode: warning: the run's checkpoints hold no replay buffer (it was "
                + "started without --save-replay): training goes on from an empty one, so the result differs from an "
                + "uninterrupted run's"), resumed.err());

        // with --save-replay the resume is exact: neither is said
        Path saved = tmp.resolve("saved");
        String stoppedSaved = interrupted(tmp, saved, "--save-replay");
        assertTrue(stoppedSaved.contains("(continue with: qdecode train --resume --out " + saved + ")"), stoppedSaved);
        CliRunner.Result resumedSaved = CliRunner.run("train", "--resume", "--out", saved.toString());
        assertEquals(ExitCodes.OK, resumedSaved.code(), resumedSaved.err());
        assertFalse(resumedSaved.err().contains("replay"), resumedSaved.err());
    }

    /**
     * The PyTorch thread count changes the order of float sums: TinyStories-656K trained with seed 7 gave other
     * metrics and another head with QDECODE_THREADS=2 than with 1, and the same with the same count. A run
     * records its count, and a resume with another one says that the result differs (it said nothing).
     */
    @Test
    void aResumeWithAnotherThreadCountSaysTheResultDiffers(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("two");
        CliRunner.interruptedAfterCheckpoint(run, tmp.resolve("two.log"), List.of("-Dai.djl.pytorch.num_threads=2",
                "-Dai.djl.pytorch.num_interop_threads=1"), trainArgs(run, "--save-replay"));
        assertEquals("2", DqnTrainer.checkpointHeader(run).get("threads"));
        String before = System.getProperty("ai.djl.pytorch.num_threads");
        System.setProperty("ai.djl.pytorch.num_threads", "1"); // as the launcher gives without QDECODE_THREADS
        try {
            CliRunner.Result resumed = CliRunner.run("train", "--resume", "--out", run.toString());
            assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
            assertTrue(resumed.err().contains("qdecode: warning: the run was started with 2 PyTorch threads and goes "
                    + "on with 1 (QDECODE_THREADS): another count sums in another order, so the result differs from an "
                    + "uninterrupted run's (resume with QDECODE_THREADS=2 to continue it exactly; the run records "
                    + "threads '2 then 1')"), resumed.err());
            // the finished run records both sessions' counts, not only the last one's (it recorded "1")
            com.google.gson.JsonObject summary = com.google.gson.JsonParser.parseString(java.nio.file.Files.readString(
                    run.resolve("summary.json"))).getAsJsonObject();
            assertEquals("2 then 1", summary.getAsJsonObject("provenance").get("threads").getAsString());
            assertEquals("2 then 1", DqnTrainer.checkpointHeader(run).get("threads"));
            assertTrue(java.nio.file.Files.readString(run.resolve("report").resolve("report.html"))
                    .contains("2 then 1"), "the report shows the counts");
        } finally {
            if (before == null) {
                System.clearProperty("ai.djl.pytorch.num_threads");
            } else {
                System.setProperty("ai.djl.pytorch.num_threads", before);
            }
        }
    }
}
