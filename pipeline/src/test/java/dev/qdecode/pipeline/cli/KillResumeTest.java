package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume after a real crash: {@code qdecode train} runs in a separate JVM that is killed with
 * SIGKILL once its evaluation at episode 64 is logged (a point set by the run's progress, not by a timer, so the test
 * checks the same thing on a loaded machine); {@code train --resume} then finishes the run,
 * and every metrics line and the final summary equal those of an uninterrupted run with the same seed
 * (throughput fields excepted).
 */
class KillResumeTest {

    /** The episode whose evaluation line in metrics.jsonl sets off the kill (the first one inside the run). */
    private static final long KILL_AT = 64;

    /** Fields that measure speed, not results. */
    private static final Set<String> TIMING = Set.of("updates_per_s", "rollout_tokens_per_s");

    private static List<String> trainArgs(Path out, Path prompts) {
        return List.of("train", "--model", CliRunner.model("TinyStories-656K"), "--prompts", prompts.toString(),
                "--episodes", "192",
                "--rollout-episodes", "16", "--max-new-tokens", "12", "--min-new-tokens", "4", "--batch-size", "32",
                "--updates-per-rollout", "4", "--eval-every", "64", "--checkpoint-every", "16", "--eval-limit", "6",
                "--eval-samples", "1", "--save-replay", "--seed", "11", "--out", out.toString());
    }

    @Test
    void runKilledMidRunResumesToTheSameResult(@TempDir Path tmp) throws Exception {
        Path reference = tmp.resolve("reference");
        Path prompts = tmp.resolve("prompts.tsv"); // the shared training prompts, moved before the resume
        Files.copy(CliRunner.shared().resolve("data/prompts/story_prompts.train.tsv"), prompts);
        CliRunner.Result ref = CliRunner.run(trainArgs(reference, prompts).toArray(String[]::new));
        assertEquals(ExitCodes.OK, ref.code(), ref.err());

        Path crashed = tmp.resolve("crashed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dqdecode.shared=" + System.getProperty("qdecode.shared"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(trainArgs(crashed, prompts));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DJL_OFFLINE", "true");
        Path log = tmp.resolve("child.log");
        Process p = pb.redirectOutput(log.toFile()).start();
        // The kill lands at a point given by the run's own progress, not by a clock: once the evaluation at episode
        // KILL_AT is in metrics.jsonl. The checkpoint of that episode is written just after it, so the child dies
        // either before it (the resume drops that metrics line and redoes the round) or after it, in the next
        // rounds (their work is lost and redone); 128 episodes and the final evaluation are still to come, so the
        // run cannot have finished. The deadline only guards against a child that hangs.
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        try {
            while (!evaluated(crashed, KILL_AT)) {
                assertTrue(p.isAlive(), "the child ended before its evaluation at episode " + KILL_AT + "; log: "
                        + Files.readString(log));
                assertTrue(System.nanoTime() < deadline, "no evaluation at episode " + KILL_AT + " within 10 minutes; "
                        + "log: " + Files.readString(log));
                Thread.sleep(20);
            }
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no final checkpoint
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the killed child ended");
        }
        assertTrue(Files.notExists(crashed.resolve("summary.json")), "the child finished before the kill; log: "
                + Files.readString(log));
        long checkpointed = Long.parseLong(DqnTrainer.checkpointHeader(crashed).get("episodes_done"));
        String where = "killed after the evaluation at episode " + KILL_AT + ", the checkpoint left at episode "
                + checkpointed + ", " + Files.readAllLines(crashed.resolve("metrics.jsonl")).size() + " metrics lines";
        assertTrue(checkpointed >= KILL_AT - 16 && checkpointed < 192, where);

        // The command line that started the run, with --resume: its settings may be repeated, not changed.
        List<String> again = new ArrayList<>(trainArgs(crashed, prompts));
        again.add("--resume");
        List<String> changed = new ArrayList<>(again);
        changed.addAll(List.of("--gamma", "0.9"));
        CliRunner.Result refused = CliRunner.run(changed.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, refused.code(), refused.err());
        assertEquals("qdecode: error: --resume continues with the run's config, but --gamma 0.9 (the run's: 1.0) "
                + "(expected the run's values, or leave them out)", refused.err().lines().findFirst().orElse(""));
        List<String> otherLimit = new ArrayList<>(again);
        otherLimit.set(otherLimit.indexOf("--eval-limit") + 1, "7");
        CliRunner.Result limit = CliRunner.run(otherLimit.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, limit.code(), limit.err());
        assertEquals("qdecode: error: --resume continues with the run's own --eval-limit, but --eval-limit 7 (the "
                + "run's: 6) (expected the run's value, or leave it out)", limit.err().lines().findFirst().orElse(""));
        // The run's prompts moved: named when missing, and accepted from their new place when their content is
        // the run's (another content is refused).
        Path moved = tmp.resolve("moved.tsv");
        Files.move(prompts, moved);
        List<String> runsOwn = new ArrayList<>(again);
        runsOwn.subList(runsOwn.indexOf("--prompts"), runsOwn.indexOf("--prompts") + 2).clear();
        CliRunner.Result gone = CliRunner.run(runsOwn.toArray(String[]::new));
        assertEquals(ExitCodes.BAD_INPUT, gone.code(), gone.err());
        assertTrue(gone.err().startsWith("qdecode: error: --resume: the run's --prompts " + prompts + " is not there "
                + "(expected it, or --prompts FILE with the same content, sha256 "), gone.err());
        Path other = tmp.resolve("other.tsv");
        Files.writeString(other, Files.readString(moved).replace("Once", "Twice"));
        List<String> fromOther = new ArrayList<>(again);
        fromOther.set(fromOther.indexOf("--prompts") + 1, other.toString());
        CliRunner.Result differs = CliRunner.run(fromOther.toArray(String[]::new));
        assertEquals(ExitCodes.BAD_INPUT, differs.code(), differs.err());
        assertTrue(differs.err().contains("--prompts " + other + " is not the run's --prompts " + prompts + " (sha256 "),
                differs.err());
        List<String> fromMoved = new ArrayList<>(again);
        fromMoved.set(fromMoved.indexOf("--prompts") + 1, moved.toString());
        CliRunner.Result resumed = CliRunner.run(fromMoved.toArray(String[]::new));
        assertEquals(ExitCodes.OK, resumed.code(), where + ": " + resumed.err());

        List<JsonObject> want = metrics(reference);
        List<JsonObject> got = metrics(crashed);
        assertEquals(want.size(), got.size(), where + ": metrics lines");
        for (int i = 0; i < want.size(); i++) {
            assertEquals(withoutTiming(want.get(i)), withoutTiming(got.get(i)), where + ": metrics line " + (i + 1));
        }
        JsonObject a = JsonParser.parseString(Files.readString(reference.resolve("summary.json"))).getAsJsonObject();
        JsonObject b = JsonParser.parseString(Files.readString(crashed.resolve("summary.json"))).getAsJsonObject();
        assertEquals(withoutTiming(a.getAsJsonObject("trained")), withoutTiming(b.getAsJsonObject("trained")), where);
        assertEquals(a.get("updates"), b.get("updates"), where);
        assertEquals(a.get("config"), b.get("config"), where);
    }

    /**
     * Whether the run's metrics.jsonl holds a whole line (ended by its newline: the file may be read mid-write) of the
     * evaluation at {@code episode}.
     */
    private static boolean evaluated(Path run, long episode) throws Exception {
        Path file = run.resolve("metrics.jsonl");
        if (Files.notExists(file)) {
            return false;
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        for (String line : text.substring(0, end + 1).split("\n")) {
            if (!line.isBlank() && JsonParser.parseString(line).getAsJsonObject().get("episode").getAsLong() == episode) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonObject> metrics(Path run) throws Exception {
        List<JsonObject> r = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
            r.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return r;
    }

    private static JsonObject withoutTiming(JsonObject o) {
        JsonObject c = o.deepCopy();
        TIMING.forEach(c::remove);
        return c;
    }
}
