package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.models.ModelFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench ... --output FILE.json}: the printed results also as JSON, with the machine facts, the options and
 * the peak memory, written only when every measurement is done. Before, the bench commands printed only, and
 * '--output' was an unknown option (exit 2).
 */
class BenchOutputTest {

    private static JsonObject read(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static double median(JsonArray runs) {
        double[] x = new double[runs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = runs.get(i).getAsDouble();
        }
        Arrays.sort(x);
        int n = x.length;
        return n % 2 == 1 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
    }

    /** The environment every record holds, as the first printed line gives it. */
    private static void assertEnvironment(JsonObject record, String command) {
        assertEquals(command, record.get("command").getAsString());
        JsonObject env = record.getAsJsonObject("environment");
        assertEquals(Runtime.getRuntime().availableProcessors(), env.get("cores").getAsInt());
        assertEquals(DqnCli.threads(), env.get("torch_threads").getAsString());
        assertEquals(VersionProvider.version(), env.get("qdecode_version").getAsString());
        assertTrue(record.get("peak_rss_mib").getAsLong() > 0, record.toString());
    }

    @Test
    void benchGenerateWritesEveryRowWithItsRunsTheMachineAndTheWeights(@TempDir Path tmp) throws Exception {
        String model = CliRunner.model("stories260K");
        Path file = tmp.resolve("sub/gen.json");
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1,2",
                "--new-tokens", "2", "--runs", "3", "--warmup", "0", "--output", file.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().endsWith("results written to " + file + System.lineSeparator()), r.out());
        JsonObject o = read(file);
        assertEnvironment(o, "qdecode bench generate");
        assertEquals(ModelFiles.weightsSha256(Path.of(model)), o.getAsJsonObject("model").get("weights_sha256")
                .getAsString());
        assertEquals("[1,2]", o.getAsJsonObject("options").get("--batch-sizes").toString());
        assertEquals(3, o.getAsJsonObject("options").get("--runs").getAsInt());
        JsonArray rows = o.getAsJsonArray("results");
        assertEquals(2, rows.size());
        List<String> printed = r.out().lines().filter(l -> l.matches("\\s+[12] .*")).toList();
        for (int i = 0; i < 2; i++) {
            JsonObject row = rows.get(i).getAsJsonObject();
            assertEquals(i + 1, row.get("batch").getAsInt());
            JsonArray runs = row.getAsJsonArray("tokens_per_s_runs");
            assertEquals(3, runs.size());
            assertEquals(median(runs), row.get("tokens_per_s").getAsDouble(), 0.0);
            assertEquals(row.get("tokens_per_s").getAsDouble() / rows.get(0).getAsJsonObject().get("tokens_per_s")
                    .getAsDouble(), row.get("ratio").getAsDouble(), 1e-9);
            // the printed row is the same measurement
            assertEquals(String.format(java.util.Locale.ROOT, "%,.0f", row.get("tokens_per_s").getAsDouble()),
                    printed.get(i).trim().split("\\s+")[1], printed.get(i));
        }
    }

    @Test
    void benchRewardsAndBenchTrainWriteTheirResults(@TempDir Path tmp) throws Exception {
        Path rewards = tmp.resolve("rewards.json");
        CliRunner.Result r = CliRunner.run("bench", "rewards", "bleu-corpus", "--runs", "2", "--warmup", "0",
                "--output", rewards.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject o = read(rewards);
        assertEnvironment(o, "qdecode bench rewards");
        JsonObject row = o.getAsJsonArray("results").get(0).getAsJsonObject();
        assertEquals("bleu-corpus", row.get("name").getAsString());
        assertEquals(2, row.getAsJsonArray("seconds_runs").size());
        assertEquals(row.get("items").getAsInt() / median(row.getAsJsonArray("seconds_runs")),
                row.get("per_s").getAsDouble(), 1e-6 * row.get("per_s").getAsDouble());

        Path train = tmp.resolve("train.json");
        r = CliRunner.run("bench", "train", "--model", CliRunner.model("stories260K"), "--variants", "soft,hard",
                "--updates", "3", "--runs", "2", "--rollout-episodes", "2", "--max-new-tokens", "2", "--batch-size",
                "4", "--warmup", "1", "--output", train.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        o = read(train);
        assertEnvironment(o, "qdecode bench train");
        assertEquals(2, o.getAsJsonObject("rollouts").getAsJsonArray("tokens_per_s_runs").size());
        assertEquals(1, o.getAsJsonObject("rollouts").get("warmup_batches").getAsInt());
        JsonObject learner = o.getAsJsonObject("learner");
        assertEquals(3, learner.get("warmup_updates").getAsInt());
        JsonArray variants = learner.getAsJsonArray("variants");
        assertEquals("soft", variants.get(0).getAsJsonObject().get("variant").getAsString());
        assertEquals(1.0, variants.get(0).getAsJsonObject().get("ratio").getAsDouble(), 0.0);
        assertEquals(variants.get(1).getAsJsonObject().get("updates_per_s").getAsDouble()
                / variants.get(0).getAsJsonObject().get("updates_per_s").getAsDouble(),
                variants.get(1).getAsJsonObject().get("ratio").getAsDouble(), 1e-9);
    }

    @Test
    void aBadOutputIsRefusedBeforeAnyWorkAndAnExistingFileIsKept(@TempDir Path tmp) throws Exception {
        String model = CliRunner.model("stories260K");
        Path existing = tmp.resolve("old.json");
        Files.writeString(existing, "{}\n");
        CliRunner.assertUsage(CliRunner.run("bench", "generate", "--model", model, "--output", existing.toString()),
                "qdecode: error: --output " + existing + ": exists (expected another file name, or --overwrite to "
                        + "replace it)");
        assertEquals("{}\n", Files.readString(existing));
        CliRunner.assertUsage(CliRunner.run("bench", "train", "--model", model, "--output",
                tmp.resolve("b.tsv").toString()), "--output " + tmp.resolve("b.tsv") + ": not a .json file name "
                        + "(expected e.g. bench.json)");
        CliRunner.assertUsage(CliRunner.run("bench", "rewards", "bleu-corpus", "--output", tmp.toString()),
                "--output " + tmp + ": is a directory (expected a .json file name)");
        CliRunner.assertUsage(CliRunner.run("bench", "rewards", "bleu-corpus", "--overwrite"),
                "--overwrite: not for bench rewards without --output (expected it only with --output FILE.json)");
        CliRunner.assertUsage(CliRunner.run("bench", "rewards", "--list", "--output", tmp.resolve("l.json")
                .toString()), "--output: not for bench rewards --list");
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(existing), files.toList(), "nothing was written");
        }
        // with --overwrite the file is replaced whole
        CliRunner.Result r = CliRunner.run("bench", "rewards", "bleu-corpus", "--runs", "1", "--warmup", "0",
                "--output", existing.toString(), "--overwrite");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("qdecode bench rewards", read(existing).get("command").getAsString());
    }

    /**
     * Ctrl-C before the end writes no file, says so, and exits 130: no partial result is read as a complete one.
     */
    @Test
    void aBenchmarkStoppedBeforeItsEndWritesNoFile(@TempDir Path tmp) throws Exception {
        assumeFalse(CliRunner.sigintIgnored(), "SIGINT is ignored in this process, so the child cannot get it");
        Path file = tmp.resolve("gen.json");
        Path log = tmp.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dqdecode.shared=" + System.getProperty("qdecode.shared"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "bench", "generate", "--model",
                CliRunner.model("stories260K"), "--batch-sizes", "1,2", "--new-tokens", "500", "--runs", "10000",
                "--output", file.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        // Ctrl-C once the first row is printed (a point in the run, not a delay); the deadline only guards a hang
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (p.isAlive() && !Files.readString(log).contains("backbone%")) {
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("no row within 10 minutes: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), Files.readString(log));
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = Files.readString(log);
        assertEquals(ExitCodes.INTERRUPTED, p.exitValue(), text);
        assertTrue(text.contains("qdecode: interrupted: the benchmark did not finish: no results written to " + file
                + "; the rows printed are complete (run it again for the file)"), text);
        assertFalse(Files.exists(file), text);
        try (var left = Files.list(tmp)) {
            assertEquals(List.of(log), left.toList(), "no temporary file is left either");
        }
    }

    /**
     * Without --output, SIGTERM during the measurements keeps what was printed and marks it as partial in one line,
     * exit 143: the table just stopped, with no word, and read as a whole result. A state (the table's header
     * printed) is awaited, not a duration; the measurement then runs until stopped.
     */
    @Test
    void aBenchmarkWithoutOutputStoppedBeforeItsEndSaysItsRowsArePartial(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("child.out");
        Path err = tmp.resolve("child.err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dqdecode.shared=" + System.getProperty("qdecode.shared"), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "bench", "generate", "--model",
                CliRunner.model("stories260K"), "--batch-sizes", "1,2", "--new-tokens", "500", "--runs", "10000"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        try {
            while (p.isAlive() && !Files.readString(out).contains("backbone%")) {
                Thread.sleep(20);
            }
            assertTrue(p.isAlive(), Files.readString(out) + Files.readString(err));
            assertEquals(0, new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        String notice = Files.readString(err);
        assertEquals(ExitCodes.TERMINATED, p.exitValue(), notice);
        assertTrue(Files.readString(out).contains("backbone%"), "what was printed stays");
        assertEquals(List.of("qdecode: interrupted by SIGTERM: " + BenchOutput.PARTIAL),
                notice.lines().filter(l -> l.startsWith("qdecode:")).toList(), notice);
    }
}
