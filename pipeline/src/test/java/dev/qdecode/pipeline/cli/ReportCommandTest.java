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
    void rewritesOnlyItsOwnReportAndRefusesOtherOutputWithoutOverwrite(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), "{\"episode\":10,\"mean_reward\":0.1,\"kl\":1.0}");
        Path b = run(tmp.resolve("b"), "{\"episode\":10,\"mean_reward\":0.2}");
        // its own report, in the default place or in an --out it wrote, is rewritten
        for (int i = 0; i < 2; i++) {
            assertEquals(ExitCodes.OK, CliRunner.run("report", a.toString()).code());
            assertEquals(ExitCodes.OK, CliRunner.run("report", a.toString(), "--out", tmp.resolve("mine").toString())
                    .code());
        }
        assertEquals(ExitCodes.OK, CliRunner.run("report", a + "/", "--out", a.resolve("report").toString()).code());

        // another run's report is refused, and left as it was
        byte[] klChart = Files.readAllBytes(a.resolve("report/kl.png"));
        CliRunner.Result other = CliRunner.run("report", b.toString(), "--out", a.resolve("report").toString());
        assertEquals(ExitCodes.USAGE, other.code(), other.err());
        assertEquals("qdecode: error: --out " + a.resolve("report") + ": already holds the report of " + a.toRealPath()
                + " (report-run.json); choose another --out or add --overwrite to replace it", other.err().strip());
        assertTrue(java.util.Arrays.equals(klChart, Files.readAllBytes(a.resolve("report/kl.png"))));
        assertTrue(Files.readString(a.resolve("report/report-run.json")).contains(a.toRealPath().toString()));
        // with --overwrite it is replaced whole: the earlier report's charts that this one lacks go too
        CliRunner.Result replaced = CliRunner.run("report", b.toString(), "--out", a.resolve("report").toString(),
                "--overwrite");
        assertEquals(ExitCodes.OK, replaced.code(), replaced.err());
        assertFalse(Files.exists(a.resolve("report/kl.png")), "a's KL chart is not mixed into b's report");
        assertTrue(Files.exists(a.resolve("report/reward.png")));
        assertTrue(Files.readString(a.resolve("report/report-run.json")).contains(b.toRealPath().toString()));

        // files that are no report are refused, and kept
        Path docs = Files.createDirectories(tmp.resolve("mydocs"));
        Files.writeString(docs.resolve("report.html"), "keep");
        Files.writeString(docs.resolve("reward.png"), "important");
        CliRunner.Result mine = CliRunner.run("report", a.toString(), "--out", docs.toString());
        assertEquals(ExitCodes.USAGE, mine.code(), mine.err());
        assertEquals("qdecode: error: --out " + docs + ": already holds report.html, reward.png (choose another --out, "
                + "or add --overwrite to write the report of " + a + " over them)", mine.err().strip());
        assertEquals("keep", Files.readString(docs.resolve("report.html")));
        assertEquals("important", Files.readString(docs.resolve("reward.png")));
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        CliRunner.Result onFile = CliRunner.run("report", a.toString(), "--out", file.toString(), "--overwrite");
        assertEquals(ExitCodes.USAGE, onFile.code(), onFile.err());
        assertEquals("qdecode: error: --out " + file + ": is a file (expected a directory for the report of " + a + ")",
                onFile.err().strip());
    }

    /**
     * A metrics.jsonl of {@code {}} lines is bad input (exit 3, one line naming the file, nothing written); with a
     * summary.json the report is written, with a warning. Before, both wrote a report of 0 charts and exited 0.
     */
    @Test
    void metricsWithoutAMetricAreBadInputUnlessThereIsASummary(@TempDir Path tmp) throws Exception {
        Path a = run(tmp.resolve("a"), "{}", "{}", "{}");
        CliRunner.Result r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + a.resolve("metrics.jsonl") + ": no metric on any of its 3 lines (expected "
                + "numeric fields such as mean_reward, kl or train_loss, as qdecode train and qdecode sft write; no "
                + "summary.json or checkpoint.qdq either, so the report would be empty)", r.err().strip());
        assertEquals("", r.out());
        assertFalse(Files.exists(a.resolve("report")), "nothing written");

        Files.writeString(a.resolve("summary.json"), "{\"trained\": {\"mean_reward\": 0.4}}");
        r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("qdecode: warning: " + a.resolve("metrics.jsonl") + ": no metric on any of its 3 lines (expected "
                + "numeric fields such as mean_reward, kl or train_loss, as qdecode train and qdecode sft write; the "
                + "report of a shows only its summary.json)", r.err().strip());
        assertTrue(r.out().contains("charts: 0 PNG files"), r.out());
        assertTrue(Files.exists(a.resolve("report/report.html")));
    }

    @Test
    void badRunDirsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        CliRunner.Result none = CliRunner.run("report", tmp.toString());
        assertEquals(ExitCodes.BAD_INPUT, none.code());
        assertEquals("qdecode: error: " + tmp + ": not a run directory (no metrics.jsonl; expected the output "
                + "directory of qdecode train or qdecode sft, which holds metrics.jsonl)", none.err().strip());

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

    /**
     * The README's quick tour runs {@code qdecode report runs/vader --compare runs/other}: a --compare directory
     * that does not exist (or holds no run) was refused as "DIR: not a run directory (no such directory)", which
     * did not say what was expected there.
     */
    @Test
    void aCompareDirectoryThatIsNoRunSaysWhatWasExpected(@TempDir Path tmp) throws Exception {
        Path good = run(tmp.resolve("good"), "{\"episode\":10,\"mean_reward\":0.1}");
        Path missing = tmp.resolve("other");
        CliRunner.Result r = CliRunner.run("report", good.toString(), "--compare", missing.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertEquals("qdecode: error: " + missing + ": not a run directory (no such directory; expected the output "
                + "directory of qdecode train or qdecode sft, which holds metrics.jsonl)", r.err().strip());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CliRunner.Result e = CliRunner.run("report", good.toString(), "--compare", empty.toString());
        assertEquals(ExitCodes.BAD_INPUT, e.code());
        assertEquals("qdecode: error: " + empty + ": not a run directory (no metrics.jsonl; expected the output "
                + "directory of qdecode train or qdecode sft, which holds metrics.jsonl)", e.err().strip());
        assertFalse(Files.exists(good.resolve("report")), "nothing written");
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
    void aClassificationRunsReportShowsItsAccuraciesNotBaseVsTrained(@TempDir Path tmp) throws Exception {
        StringBuilder data = new StringBuilder("sentence\tlabel\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 80; i++) {
            boolean good = r.nextBoolean();
            data.append(good ? "The day was nice." : "The day was sad.").append('\t').append(good ? 1 : 0).append('\n');
        }
        Path train = Files.writeString(tmp.resolve("train.tsv"), data);
        Path dev = Files.writeString(tmp.resolve("dev.tsv"), data.substring(0, data.indexOf("\n", data.length() / 2) + 1));
        Path out = tmp.resolve("cls");
        CliRunner.Result t = CliRunner.run("train", "--task", "classification", "--model",
                CliRunner.model("TinyStories-656K"), "--data", train.toString(), "--dev", dev.toString(), "--episodes",
                "128", "--eval-every", "64", "--seed", "3", "--out", out.toString());
        assertEquals(ExitCodes.OK, t.code(), t.err());
        String html = Files.readString(out.resolve("report/report.html"));
        assertTrue(html.contains("<h2 id=\"summary\">Summary: accuracy on the held-out examples</h2>"), html);
        assertTrue(html.contains("<td>DQN head</td>") && html.contains("<td>logistic probe on the same embeddings</td>")
                && html.contains("<td>majority label</td>"), html);
        assertTrue(html.contains("DQN head − probe: "), html);
        assertFalse(html.contains("base/trained") || html.contains("base vs trained"), html);
        assertFalse(html.toLowerCase().contains("dashed"), html);
        assertTrue(html.contains("One point per evaluation on the held-out examples."), html);
        // no KL (always 0) or diversity chart: a classification episode is one label's tokens, without a KL penalty
        assertFalse(Files.exists(out.resolve("report/kl.png")));
        assertFalse(Files.exists(out.resolve("report/diversity.png")));
        assertFalse(html.contains("chart-kl") || html.contains("chart-diversity"), html);
        assertTrue(Files.exists(out.resolve("report/accuracy.png")));
        assertFalse(html.contains("held-out prompts"), html); // its charts are on held-out examples
        // the provenance names the task (as a table, or as a grid when it has many keys)
        assertTrue(html.contains("<tr><td>task</td><td>classification</td></tr>")
                || html.contains("<div><code>task</code><span>classification</span></div>"), html);
    }

    /**
     * A metrics.jsonl or summary.json that is a directory is named as one. Before, a directory metrics.jsonl was
     * "DIR: not a run directory (no metrics.jsonl)" and a directory summary.json was left out unsaid.
     */
    @Test
    void aRunFileThatIsADirectoryIsNamedAsOne(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Files.createDirectories(a.resolve("metrics.jsonl"));
        CliRunner.Result r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + a.resolve("metrics.jsonl") + ": is a directory (expected a file: the run's "
                + "evaluations, one JSON line each, as qdecode train writes)", r.err().strip());
        // also beside a checkpoint, where a run without metrics.jsonl is reported as unfinished
        Files.write(a.resolve("checkpoint.qdq"), new byte[] {1, 2, 3});
        r = CliRunner.run("report", a.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + a.resolve("metrics.jsonl") + ": is a directory"), r.err());

        Path b = run(tmp.resolve("b"), "{\"episode\":10,\"mean_reward\":0.1}");
        Files.createDirectories(b.resolve("summary.json"));
        r = CliRunner.run("report", b.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + b.resolve("summary.json") + ": is a directory (expected a file: the run's "
                + "summary, a JSON object, as qdecode train writes)", r.err().strip());
        assertFalse(Files.exists(b.resolve("report")), "no report written");
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
