package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qdecode report}: output, options and one-line errors. */
class ReportCommandTest {

    private static Path run(Path dir, String... metricsLines) throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("metrics.jsonl"), List.of(metricsLines));
        return dir;
    }

    @Test
    void writesTheReportIntoTheRunDirOrOut(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), "{\"episode\":10,\"mean_reward\":0.1,\"kl\":1.0}",
                "{\"episode\":20,\"mean_reward\":0.3,\"kl\":2.0}");
        Path b = run(tmp.resolve("b"), "{\"episode\":10,\"mean_reward\":0.2,\"kl\":0.5}");
        CliRunner.Result r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("report: " + a.resolve("report").resolve("report.html")), r.out());
        assertTrue(r.out().contains("charts: 2 PNG files"), r.out());
        assertTrue(Files.exists(a.resolve("report/reward.png")));
        assertTrue(Files.exists(a.resolve("report/kl.png")));

        Path out = tmp.resolve("cmp");
        CliRunner.Result c = CliRunner.run("report", a.toString(), "--compare", b.toString(), "--out", out.toString());
        assertEquals(ExitCodes.OK, c.code(), c.err());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Runs overlaid: a, b."), html);
    }

    @Test
    void badRunDirsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        CliRunner.Result none = CliRunner.run("report", tmp.toString());
        assertEquals(ExitCodes.BAD_INPUT, none.code());
        assertEquals("qdecode: error: " + tmp + ": not a run directory (no metrics.jsonl)", none.err().strip());

        Path bad = run(tmp.resolve("bad"), "{\"episode\":10,\"kl\":1.0}", "{\"episode\":20,\"kl\":");
        CliRunner.Result r = CliRunner.run("report", bad.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + bad.resolve("metrics.jsonl") + ":2: malformed JSON: "), r.err());

        CliRunner.Result cmp = CliRunner.run("report", bad.toString(), "--compare", tmp.resolve("missing").toString());
        assertEquals(ExitCodes.BAD_INPUT, cmp.code());
        CliRunner.Result usage = CliRunner.run("report");
        assertEquals(ExitCodes.USAGE, usage.code());
        assertTrue(usage.err().contains("RUN_DIR"), usage.err());
    }

    @Test
    void comparingRunsOfAnotherTaskIsAUsageErrorAndOtherModelsAWarning(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), "{\"episode\":10,\"mean_reward\":0.1}");
        Path b = run(tmp.resolve("b"), "{\"episode\":10,\"mean_reward\":20.5}");
        Files.writeString(a.resolve("summary.json"), "{\"provenance\": {\"task\": \"continuation\", "
                + "\"model_dir\": \"/m/TinyStories-656K\", \"reward\": \"[\\\"vader\\\"]\"}}");
        Files.writeString(b.resolve("summary.json"), "{\"provenance\": {\"task\": \"translation\", "
                + "\"model_dir\": \"/m/TinyStories-656K\", \"reward\": \"[\\\"bleu\\\"]\"}}");
        CliRunner.Result r = CliRunner.run("report", a.toString(), "--compare", b.toString(), "--out",
                tmp.resolve("out").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --compare " + b + ": a translation run, but " + a + " is a continuation run "
                + "(expected runs of the same task: their rewards and metrics are not comparable)", r.err().strip());
        assertFalse(Files.exists(tmp.resolve("out")));

        Files.writeString(b.resolve("summary.json"), "{\"provenance\": {\"task\": \"continuation\", "
                + "\"model_dir\": \"/m/stories15M\", \"reward\": \"[\\\"vader\\\"]\"}}");
        r = CliRunner.run("report", a.toString(), "--compare", b.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("qdecode: warning: the compared runs use different models (a: TinyStories-656K; b: stories15M); "
                + "their curves are overlaid as they are", r.err().strip());
    }

    @Test
    void aMetricsFileGivenAsTheRunIsNamed(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), "{\"episode\":10,\"mean_reward\":0.1}");
        CliRunner.Result r = CliRunner.run("report", a.resolve("metrics.jsonl").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("qdecode: error: " + a.resolve("metrics.jsonl") + ": is a file, not a run directory (expected "
                + "the directory that holds metrics.jsonl, here " + a.toAbsolutePath().normalize() + ")", r.err().strip());
        Files.write(a.resolve("metrics.jsonl"), new byte[] {'{', '"', 'e', '"', ':', (byte) 0xc3, '}', '\n'});
        r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("qdecode: error: " + a.resolve("metrics.jsonl") + ":1: not valid UTF-8 text (expected the UTF-8 "
                + "JSON that qdecode train writes)", r.err().strip());
    }
}
