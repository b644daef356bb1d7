package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact resume after a real crash: {@code qdecode train} runs in a separate JVM that is killed with
 * SIGKILL at a random moment after its first checkpoint; {@code train --resume} then finishes the run,
 * and every metrics line and the final summary equal those of an uninterrupted run with the same seed
 * (throughput fields excepted).
 */
class KillResumeTest {

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
    void runKilledAtARandomPointResumesToTheSameResult(@TempDir Path tmp) throws Exception {
        Path reference = tmp.resolve("reference");
        Path prompts = tmp.resolve("prompts.tsv"); // the shared training prompts, moved before the resume
        Files.copy(CliRunner.shared().resolve("data/prompts/story_prompts.train.tsv"), prompts);
        long t0 = System.nanoTime();
        CliRunner.Result ref = CliRunner.run(trainArgs(reference, prompts).toArray(String[]::new));
        assertEquals(ExitCodes.OK, ref.code(), ref.err());
        long refMillis = (System.nanoTime() - t0) / 1_000_000;

        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g", "-Dqdecode.shared=" + System.getProperty("qdecode.shared"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        // The kill lands at a random moment up to half the reference's time after the first checkpoint; on a
        // loaded machine that can be after the end (summary.json written): then again, sooner.
        long bound = Math.max(1, refMillis / 2);
        Path crashed = null;
        long delay = 0;
        for (int attempt = 1; crashed == null; attempt++) {
            Path dir = tmp.resolve("crashed" + attempt);
            List<String> cmd = new ArrayList<>(java);
            cmd.addAll(trainArgs(dir, prompts));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("DJL_OFFLINE", "true");
            Process p = pb.redirectOutput(tmp.resolve("child.log").toFile()).start();
            Path ckpt = dir.resolve("checkpoint.qdq");
            while (!Files.exists(ckpt) && p.isAlive()) {
                Thread.sleep(20);
            }
            assertTrue(Files.exists(ckpt), "the child wrote no checkpoint; log: "
                    + Files.readString(tmp.resolve("child.log")));
            delay = random.nextLong(bound);
            Thread.sleep(delay);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            if (Files.notExists(dir.resolve("summary.json"))) {
                crashed = dir;
            } else {
                assertTrue(attempt < 4, "the child finished before every kill (last " + delay + " ms after its "
                        + "first checkpoint, random seed " + seed + ")");
                bound = Math.max(1, bound / 4);
            }
        }
        String where = "killed " + delay + " ms after the first checkpoint (random seed " + seed + ")";

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
