package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --policy RUN} and {@code evaluate --policy RUN} of a run whose training was stopped (Ctrl-C) used to
 * decode its checkpoint's head without a word, as if it were the trained policy; they now warn, in one line naming
 * the run, how far it got and how to finish it. A finished run gets no warning.
 */
class UnfinishedPolicyWarningTest {

    private static final Pattern EPISODES = Pattern.compile("interrupted after (\\d+)/640 episodes");

    @Test
    void anUnfinishedRunIsNamedAndAFinishedOneIsNot(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("stopped");
        String log = CliRunner.interruptedAfterCheckpoint(run, tmp.resolve("stopped.log"), List.of("train", "--model",
                CliRunner.model("stories260K"), "--episodes", "640", "--rollout-episodes", "16", "--max-new-tokens",
                "4", "--min-new-tokens", "1", "--batch-size", "16", "--updates-per-rollout", "1", "--eval-every", "0",
                "--checkpoint-every", "16", "--eval-limit", "2", "--eval-samples", "1", "--seed", "3", "--out",
                run.toString()));
        Matcher m = EPISODES.matcher(log);
        assertTrue(m.find(), log);
        String done = m.group(1);
        assertFalse(Files.exists(run.resolve(DqnTrainer.SUMMARY_FILE)));
        String expected = "qdecode: warning: --policy " + run + ": an unfinished run (" + done + " of 640 episodes, "
                + "as its checkpoint was written): its head is the one of episode " + done + ", not the run's trained "
                + "head (finish it with: qdecode train --resume --out " + run.toAbsolutePath() + ")";

        CliRunner.Result g = CliRunner.run("generate", "--policy", run.toString(), "--prompt", "Once upon a time,",
                "--max-new-tokens", "2");
        assertEquals(ExitCodes.OK, g.code(), g.err());
        assertTrue(g.err().contains(expected), g.err());

        CliRunner.Result e = CliRunner.run("evaluate", "--policy", run.toString(), "--limit", "1", "--samples", "1",
                "--out", tmp.resolve("eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.err().contains(expected), e.err());

        Path finished = CliRunner.tinyRun(tmp.resolve("finished"));
        CliRunner.Result f = CliRunner.run("generate", "--policy", finished.toString(), "--ensemble", run.toString(),
                "--prompt", "Once upon a time,", "--max-new-tokens", "2");
        assertEquals(ExitCodes.OK, f.code(), f.err());
        assertFalse(f.err().contains("--policy " + finished + ": an unfinished run"), f.err());
        assertTrue(f.err().contains("qdecode: warning: --ensemble " + run + ": an unfinished run (" + done + " of 640"),
                f.err());
    }
}
