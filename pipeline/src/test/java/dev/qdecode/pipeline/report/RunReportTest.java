package dev.qdecode.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RunReport} on synthetic run directories and on a copy of a real {@code qdecode train} run. */
class RunReportTest {

    /** File names of the written PNGs, in order. */
    private static List<String> pngNames(List<Path> written) {
        return written.subList(1, written.size()).stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Every written PNG decodes at the chart size and is inlined in the page byte for byte. */
    private static String checkFiles(List<Path> written, Path outDir) throws IOException {
        assertEquals(outDir.resolve(RunReport.HTML), written.get(0));
        String html = Files.readString(written.get(0), StandardCharsets.UTF_8);
        for (Path png : written.subList(1, written.size())) {
            assertEquals(outDir, png.getParent());
            BufferedImage img = ImageIO.read(png.toFile());
            assertNotNull(img, png + " does not decode");
            assertEquals(Charts.WIDTH, img.getWidth(), png.toString());
            // Taller only when the legend needs a row per series; the page states the real size.
            assertTrue(img.getHeight() >= Charts.HEIGHT, png.toString());
            assertTrue(html.contains("width=\"" + img.getWidth() + "\" height=\"" + img.getHeight() + "\" src=\"data:image/png;base64,"
                    + Base64.getEncoder().encodeToString(Files.readAllBytes(png))), "size attributes of " + png);
            String uri = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
            assertTrue(html.contains(uri), "the page does not inline " + png);
        }
        Matcher m = Pattern.compile("data:image/png;base64,").matcher(html);
        int uris = 0;
        while (m.find()) {
            uris++;
        }
        assertEquals(written.size() - 1, uris, "one data URI per chart");
        // Self-contained: no scripts, no links or fetches anywhere.
        assertFalse(html.toLowerCase().contains("<script"), "no script element");
        assertFalse(html.contains("http://") || html.contains("https://"), "no external address");
        assertFalse(html.contains("<link") || html.contains("@import") || html.contains("url("), "no external resource");
        return html;
    }

    @Test
    void syntheticRunHasEveryChartAnEscapedPageAndTheRatios(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.syntheticRun(tmp.resolve("synthetic"));
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        assertEquals(List.of("reward.png", "kl.png", "perplexity.png", "diversity.png", "repetition.png", "loss.png",
                "throughput.png", "other.png"), pngNames(written));
        String html = checkFiles(written, run.resolve("report"));
        // The markup in examples is text, not markup.
        assertTrue(html.contains("He said &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; left."), html);
        assertTrue(html.contains("Tom went &lt;b&gt;home&lt;/b&gt;."));
        assertFalse(html.contains("<b>home</b>"));
        // Prompt split from the continuations at the marker: shared prompt cell, two continuations.
        assertTrue(html.contains("<td class=\"prompt\">Lily</td><td>smiled.</td><td>laughed.</td>"), html);
        // Ratios trained / base: perplexity 11/10, distinct-2 0.57/0.6, reward 0.5/0.05.
        assertTrue(html.contains("perplexity trained/base: <b>1.10×</b>"), html);
        assertTrue(html.contains("distinct-2 trained/base: <b>0.95×</b>"), html);
        assertTrue(html.contains("<td class=\"num\">0.0500</td><td class=\"num\">0.5000</td><td class=\"num\">10.00×</td>"), html);
        // Config and provenance tables, JSON string values unquoted and escaped.
        assertTrue(html.contains("<tr><td>backup</td><td>soft</td></tr>"), html);
        // the recorded reward (a JSON array of specs) as every command shows it: the specs joined by " + "
        assertTrue(html.contains("<tr><td>reward</td><td>vader</td></tr>"), html);
        assertEquals("vader + 0.1*length:min=3", RunData.rewardText("[\"vader\",\"0.1*length:min=3\"]"));
        assertEquals("not a list", RunData.rewardText("not a list"));
        assertEquals("[1]", RunData.rewardText("[1]"));
        assertTrue(html.contains("episodes: <b>500</b>"), html);
    }

    @Test
    void realRunCopyHasItsChartsAndNumbers(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.realRun(tmp.resolve("readme-check"));
        Path out = tmp.resolve("elsewhere");
        List<Path> written = RunReport.write(run, List.of(), out);
        // No loss/Q fields in this run, and nothing unknown: no loss chart, no "other" chart.
        assertEquals(List.of("reward.png", "kl.png", "perplexity.png", "diversity.png", "repetition.png", "throughput.png"),
                pngNames(written));
        String html = checkFiles(written, out);
        assertFalse(Files.exists(run.resolve("report")), "--out elsewhere leaves the run dir alone");
        // summary.json: perplexity 10.6958 / 10.4735, distinct-2 0.58473 / 0.64840, reward 0.89642 / 0.46875.
        assertTrue(html.contains("perplexity trained/base: <b>1.02×</b>"), html);
        assertTrue(html.contains("distinct-2 trained/base: <b>0.90×</b>"), html);
        assertTrue(html.contains("mean reward trained/base: <b>1.91×</b>"), html);
        assertTrue(html.contains("evaluations: <b>6</b>"), html);
        assertTrue(html.contains("model: <b>TinyStories-656K</b>"), html);
        assertTrue(html.contains("<td>model_sha256</td><td>187d0d5e8360d9625e40e0b35ec57d1ef0eea1a60ddcf09412246bed3484852f</td>"));
        // Examples: the quotes in the stories are escaped.
        assertTrue(html.contains("&quot;I want the shirt, please!&quot;"), html);
    }

    @Test
    void compareModeOverlaysRunsAndTabulatesThemSideBySide(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.syntheticRun(tmp.resolve("synthetic"));
        Path other = ReportFixtures.realRun(tmp.resolve("readme-check"));
        List<Path> written = RunReport.write(run, List.of(other), tmp.resolve("cmp"));
        String html = checkFiles(written, tmp.resolve("cmp"));
        assertTrue(html.contains("<h2 id=\"compare\">Compared runs</h2>"), html);
        assertTrue(html.contains("<th class=\"num\">synthetic</th><th class=\"num\">readme-check</th>"), html);
        // The runs' trained perplexities with each run's own ratio to its base.
        assertTrue(html.contains("<td class=\"num\">11<span class=\"ratio\">1.10× base</span></td>"
                + "<td class=\"num\">10.696<span class=\"ratio\">1.02× base</span></td>"), html);
        assertTrue(html.contains("Runs overlaid: synthetic, readme-check."), html);
        // The union of both runs' metrics is charted; the unknown field of one run still has its chart.
        assertTrue(pngNames(written).containsAll(List.of("reward.png", "loss.png", "other.png")));
    }

    /**
     * The loss chart is titled by the loss the heads were fitted with (the config's valueLoss; a config without it
     * is from before --value-loss, when it was always Huber's), and only generically when compared runs differ.
     */
    @Test
    void theLossChartIsTitledByTheValueLoss(@TempDir Path tmp) throws IOException {
        Path huber = ReportFixtures.syntheticRun(tmp.resolve("huber"));
        assertEquals("TD loss (Huber) and Q-values", lossTitle(huber, List.of()));
        Path ce = ReportFixtures.syntheticRun(tmp.resolve("ce"));
        Path summary = ce.resolve("summary.json");
        JsonObject o = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        o.getAsJsonObject("config").addProperty("valueLoss", "cross-entropy");
        Files.writeString(summary, o.toString());
        assertEquals("Cross-entropy loss (Q = σ(z) vs targets) and Q-values", lossTitle(ce, List.of()));
        assertEquals("Value loss and Q-values", lossTitle(ce, List.of(huber)));
    }

    /** The title of the loss chart of a report of {@code run} compared with {@code others}. */
    private static String lossTitle(Path run, List<Path> others) {
        List<RunData> runs = new ArrayList<>();
        runs.add(RunData.read(run, "a"));
        others.forEach(p -> runs.add(RunData.read(p, "b")));
        return Charts.specs(runs).stream().filter(s -> s.id().equals("loss")).findFirst().orElseThrow().title();
    }

    @Test
    void sameNamedRunsGetDistinctNames() {
        assertEquals(List.of("a/run", "b/run", "c"), RunReport.names(List.of(Path.of("/x/a/run"), Path.of("/x/b/run"),
                Path.of("/x/c"))));
        assertEquals(List.of("a/run", "a/run #2"), RunReport.names(List.of(Path.of("/x/a/run"), Path.of("/x/a/run"))));
    }

    @Test
    void stepIndexedRunWithoutSummaryStillReports(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.sftRun(tmp.resolve("sft"));
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        // each of qdecode sft's fields in its own chart: dev perplexity, seconds and tokens/s used to share one
        // "Other metrics" chart (the dev-quality chart looked for a dev_bleu field that sft never writes)
        assertEquals(List.of("sft-loss.png", "dev-quality.png", "learning-rate.png", "throughput.png"),
                pngNames(written));
        String html = checkFiles(written, run.resolve("report"));
        // an SFT run's own summary, not a DQN run's missing summary.json
        assertTrue(html.contains("Summary: supervised fine-tuning (qdecode sft)"), html);
        assertFalse(html.contains("summary.json not found"), html);
        assertEquals("step", RunData.read(run, "sft").xKey());
    }

    /**
     * A {@code qdecode sft} run's report summarises its first, best and last evaluations, best as sft keeps
     * its model: the first highest dev BLEU (translation), or without BLEU the first lowest dev loss.
     */
    @Test
    void anSftRunsSummaryShowsItsFirstBestAndLastEvaluations(@TempDir Path tmp) throws IOException {
        Path mt = Files.createDirectories(tmp.resolve("mt"));
        Files.write(mt.resolve("metrics.jsonl"), List.of(
                "{\"step\":10,\"epoch\":1,\"lr\":0.001,\"train_loss\":4.5,\"dev_loss\":4.25,\"dev_ppl\":70.1,\"bleu\":2.5,"
                        + "\"best\":true}",
                "{\"step\":20,\"epoch\":1,\"lr\":0.001,\"train_loss\":3.5,\"dev_loss\":3.75,\"dev_ppl\":42.5,\"bleu\":7.25,"
                        + "\"best\":true}",
                "{\"step\":30,\"epoch\":2,\"lr\":0.001,\"train_loss\":2.5,\"dev_loss\":3.5,\"dev_ppl\":33.1,\"bleu\":7.25,"
                        + "\"best\":false}",
                "{\"step\":40,\"epoch\":2,\"lr\":0.001,\"train_loss\":1.5,\"dev_loss\":4.5,\"dev_ppl\":90.0,\"bleu\":6.5,"
                        + "\"best\":false}"), StandardCharsets.UTF_8);
        String html = checkFiles(RunReport.write(mt, List.of(), RunReport.defaultOutDir(mt)), mt.resolve("report"));
        assertTrue(html.contains("<h2 id=\"summary\">Summary: supervised fine-tuning (qdecode sft)</h2>"), html);
        assertTrue(html.contains("<th class=\"num\">first (step 10)</th><th class=\"num\">best (step 20)</th>"
                + "<th class=\"num\">last (step 40)</th>"), html);
        assertTrue(html.contains("<tr class=\"key\"><td>dev BLEU</td><td class=\"num\">2.500</td><td class=\"num\">"
                + "7.250</td><td class=\"num\">6.500</td></tr>"), html);
        assertTrue(html.contains("<tr><td>dev loss</td><td class=\"num\">4.250</td><td class=\"num\">3.750</td>"
                + "<td class=\"num\">4.500</td></tr>"), html);
        assertTrue(html.contains("4 evaluations on the dev set. Best: the highest dev BLEU"), html);
        assertFalse(html.contains("summary.json not found") || html.contains("base vs trained"), html);
        assertTrue(html.contains("One point per evaluation on the dev set."), html); // not "held-out prompts"
        assertFalse(html.contains("held-out prompts"), html);

        Path lm = Files.createDirectories(tmp.resolve("lm"));
        Files.write(lm.resolve("metrics.jsonl"), List.of(
                "{\"step\":5,\"train_loss\":3.0,\"dev_loss\":2.5,\"dev_ppl\":12.2}",
                "{\"step\":10,\"train_loss\":2.0,\"dev_loss\":2.25,\"dev_ppl\":9.5}",
                "{\"step\":15,\"train_loss\":1.0,\"dev_loss\":2.75,\"dev_ppl\":15.6}"), StandardCharsets.UTF_8);
        html = Files.readString(RunReport.write(lm, List.of(), RunReport.defaultOutDir(lm)).get(0));
        assertTrue(html.contains("best (step 10)"), html);
        assertTrue(html.contains("<tr class=\"key\"><td>dev loss</td>"), html);
        assertFalse(html.contains("dev BLEU</td>"), html);
        assertTrue(html.contains("3 evaluations on the dev set. Best: the lowest dev loss"), html);
    }

    @Test
    void oneEvaluationWithConstantValuesRenders(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("one");
        Files.createDirectories(run);
        Files.writeString(run.resolve("metrics.jsonl"),
                "{\"episode\":8,\"policy\":\"trained\",\"mean_reward\":0.0,\"reward_std\":0.0,\"perplexity\":NaN,\"kl\":0.0}\n");
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        // perplexity is NaN only: that chart is left out rather than drawn empty.
        assertEquals(List.of("reward.png", "kl.png"), pngNames(written));
        checkFiles(written, run.resolve("report"));
    }

    @Test
    void anUnreadableCheckpointOfAnUnfinishedRunIsAWarning(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("cut"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"episode\":4,\"policy\":\"trained\",\"mean_reward\":0.5}\n");
        Files.writeString(run.resolve("checkpoint.qdq"), "QDQ"); // a checkpoint cut short, no summary.json
        List<String> warnings = new ArrayList<>();
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run), warnings::add);
        assertEquals(1, warnings.size(), warnings.toString());
        String w = warnings.get(0);
        assertTrue(w.startsWith(run.resolve("checkpoint.qdq") + ": ") && w.contains(": could not be read, so the "
                + "report of unfinished run cut has no settings") && w.indexOf(run.toString()) == w.lastIndexOf(run.toString())
                && !w.contains("\n"), w);
        assertTrue(Files.readString(written.get(0)).contains("could not be read"));
    }

    /** An sft run's provenance that cannot be read leaves its report without settings, and says so once. */
    @Test
    void anUnreadableSftProvenanceIsAWarning(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.sftRun(tmp.resolve("sft"));
        Files.writeString(run.resolve("sft-provenance.json"), "{\"config\": 3}");
        List<String> warnings = new ArrayList<>();
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run), warnings::add);
        assertEquals(List.of(run.resolve("sft-provenance.json") + ": config: expected a JSON object (the sft options) "
                + "but got 3: could not be read, so the report of sft run sft has no settings or provenance (expected "
                + "the sft-provenance.json that qdecode sft writes)"), warnings);
        String html = Files.readString(written.get(0));
        assertTrue(html.contains("Summary: supervised fine-tuning (qdecode sft)"), html);
        assertFalse(html.contains("Configuration and provenance"), html);
    }

    private static String error(Path run) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunReport.write(run, List.of(), run.resolve("report")));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    /**
     * A NaN (or infinite) base or trained value in summary.json, which is accepted as a number, is one: the summary
     * table shows it, and the page says that its chart has no dashed base line. Before, summaryNumbers kept JSON
     * numbers only, so the table showed "–" as for a metric the summary lacks, and the page still said "dashed lines:
     * the base model" with no line drawn and nothing said.
     */
    @Test
    void aNonFiniteSummaryValueIsShownAndItsMissingBaseLineSaid(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("nan"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"episode\":10,\"policy\":\"trained\",\"mean_reward\":0.4,"
                + "\"perplexity\":10.6}\n{\"episode\":20,\"policy\":\"trained\",\"mean_reward\":0.5,\"perplexity\":10.7}\n");
        Files.writeString(run.resolve("summary.json"), "{\"base\": {\"mean_reward\": 0.3, \"perplexity\": NaN}, "
                + "\"trained\": {\"mean_reward\": 0.5, \"perplexity\": Infinity}}");
        RunData data = RunData.read(run, "nan");
        assertTrue(data.summaryNumbers("base").get("perplexity").isNaN(), data.summaryNumbers("base").toString());
        assertEquals(Double.POSITIVE_INFINITY, data.summaryNumbers("trained").get("perplexity"));
        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        String html = checkFiles(written, run.resolve("report"));
        String perplexity = Charts.label("perplexity");
        assertTrue(html.contains("<td>" + perplexity + "</td><td class=\"num\">NaN</td><td class=\"num\">Infinity</td>"
                + "<td class=\"num\"></td>"), html);
        assertTrue(html.contains("One point per evaluation on the held-out prompts; dashed lines: the base model" + Html.esc(
                "; no base line where summary.json's base value is not a finite number: " + perplexity + " (NaN)") + ".</p>"),
                html);
        // the reward's base line is still drawn: only the perplexity chart lacks one
        Map<String, List<String>> series = new java.util.HashMap<>();
        for (Charts.Spec spec : Charts.specs(List.of(data))) {
            series.put(spec.id(), Charts.seriesNames(spec, List.of(data)));
        }
        assertTrue(series.get("reward").stream().anyMatch(n -> n.endsWith(" (base)")), series.toString());
        assertTrue(series.get("perplexity").stream().noneMatch(n -> n.endsWith(" (base)")), series.toString());
        assertFalse(series.get("perplexity").isEmpty(), series.toString());
        // with every base value finite, nothing is said
        Files.writeString(run.resolve("summary.json"), "{\"base\": {\"mean_reward\": 0.3, \"perplexity\": 10.5}, "
                + "\"trained\": {\"mean_reward\": 0.5, \"perplexity\": 10.7}}");
        html = Files.readString(RunReport.write(run, List.of(), RunReport.defaultOutDir(run)).get(0));
        assertTrue(html.contains("One point per evaluation on the held-out prompts; dashed lines: the base model.</p>"),
                html);
    }

    @Test
    void metricsLinesAreCheckedStrictly(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("r"));
        Path m = run.resolve("metrics.jsonl");
        Files.writeString(m, "{\"episode\":1,\"kl\":0.5}\n   \n{\"episode\":2,\"kl\":0.4}\n");
        assertEquals(m + ":2: blank line (expected one JSON object per line, as qdecode train writes)", error(run));
        Files.writeString(m, "{\"episode\":1,\"kl\":0.5}\n{\"episode\":-5,\"kl\":0.4}\n");
        assertEquals(m + ":2: expected a numeric 'episode' field >= 0 (as on the first line) but got -5", error(run));
        Files.writeString(m, "{\"step\":1.5,\"kl\":0.5}\n{\"step\":-0.25}\n");
        assertEquals(m + ":2: expected a numeric 'step' field >= 0 (as on the first line) but got -0.25", error(run));
        Files.writeString(m, "{\"episode\":1,\"kl\":0.5}\n{\"episode\":2,\"kl\":null}\n");
        assertEquals(m + ":2: kl: expected a number (or NaN/Infinity) but got null", error(run));
        Files.writeString(m, "{\"episode\":null,\"kl\":0.5}\n");
        assertEquals(m + ":1: episode: expected a number (or NaN/Infinity) but got null", error(run));
        // a charted metric written as text: refused, not a point silently missing from its chart
        Files.writeString(m, "{\"episode\":1,\"mean_reward\":0.5}\n{\"episode\":2,\"mean_reward\":\"abc\"}\n");
        assertEquals(m + ":2: mean_reward: expected a number (or NaN/Infinity) but got \"abc\"", error(run));
        Files.writeString(m, "{\"episode\":1,\"kl\":true}\n");
        assertEquals(m + ":1: kl: expected a number (or NaN/Infinity) but got true", error(run));
        // NaN and Infinity as the trainer writes them (unquoted) are values, kept as they are
        Files.writeString(m, "{\"episode\":1,\"kl\":NaN,\"loss\":-Infinity,\"mean_reward\":0.5}\n");
        Map<String, Double> values = RunData.read(run, "r").rows().get(0).values();
        assertTrue(values.get("kl").isNaN(), values.toString());
        assertEquals(Double.NEGATIVE_INFINITY, values.get("loss"));
        // so is a charted metric of summary.json's base or trained section (its dashed line would vanish)
        Path summaryFile = run.resolve("summary.json");
        Files.writeString(summaryFile, "{\"base\": {\"mean_reward\": \"abc\"}, \"trained\": {\"mean_reward\": 0.5}}");
        assertEquals(summaryFile + ": base.mean_reward: expected a number (or NaN/Infinity) but got \"abc\"", error(run));
        Files.writeString(summaryFile, "{\"base\": {\"mean_reward\": 0.1, \"kl\": NaN}, \"trained\": {\"kl\": null}}");
        assertEquals(summaryFile + ": trained.kl: expected a number (or NaN/Infinity) but got null", error(run));
        Files.delete(summaryFile);
        // one line after the first is not UTF-8 (Latin-1 é)
        Files.write(m, "{\"episode\":1}\n{\"episode\":2}\n{\"episode\":3,\"examples\":[\"caf\u00e9\"]}\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(m + ":3: not valid UTF-8 text (expected the UTF-8 JSON that qdecode train writes)", error(run));
        Files.writeString(m, "{\"episode\":1}\n");
        Path summary = run.resolve("summary.json");
        Files.write(summary, new byte[] {'{', '\n', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'});
        assertEquals(summary + ":2: not valid UTF-8 text (expected the UTF-8 JSON that qdecode train writes)",
                error(run));
        Files.delete(summary);
        assertEquals(m + ": is a file, not a run directory (expected the directory that holds metrics.jsonl, here "
                + run.toAbsolutePath().normalize() + ")", error(m));
    }

    /** A copy of the real run whose summary's provenance has these values. */
    private static Path realRunWith(Path dir, Map<String, String> provenance) throws IOException {
        ReportFixtures.realRun(dir);
        Path summary = dir.resolve("summary.json");
        JsonObject o = JsonParser.parseString(Files.readString(summary)).getAsJsonObject();
        provenance.forEach(o.getAsJsonObject("provenance")::addProperty);
        Files.writeString(summary, o.toString());
        return dir;
    }

    @Test
    void runsOfAnotherTaskOrKindAreNotCompared(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.realRun(tmp.resolve("stories"));
        Path translation = realRunWith(tmp.resolve("de-en"), Map.of("task", "translation", "reward", "[\"bleu\"]"));
        RunReport.IncomparableRunsException e = assertThrows(RunReport.IncomparableRunsException.class,
                () -> RunReport.write(run, List.of(translation), tmp.resolve("out")));
        assertEquals("--compare " + translation + ": a translation run, but " + run + " is a continuation run "
                + "(expected runs of the same task: their rewards and metrics are not comparable)", e.getMessage());
        Path sft = ReportFixtures.sftRun(tmp.resolve("sft"));
        e = assertThrows(RunReport.IncomparableRunsException.class,
                () -> RunReport.write(run, List.of(sft), tmp.resolve("out")));
        assertEquals("--compare " + sft + ": its metrics are over steps but " + run + "'s are over episodes "
                + "(expected runs of the same kind: their curves cannot share charts)", e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    @Test
    void otherModelsAndRewardsAreComparedWithAWarning(@TempDir Path tmp) throws IOException {
        Path run = ReportFixtures.realRun(tmp.resolve("stories"));
        Path other = realRunWith(tmp.resolve("other"), Map.of("model_dir", "/m/stories15M",
                "model_sha256", "0123456789abcdef", "reward", "[\"afinn\"]"));
        List<String> warnings = new ArrayList<>();
        RunReport.write(run, List.of(other), tmp.resolve("out"), warnings::add);
        assertEquals(List.of("the compared runs use different models (stories: TinyStories-656K sha256 187d0d5e8360; "
                + "other: stories15M sha256 0123456789ab); their curves are overlaid as they are",
                "the compared runs use different rewards (stories: vader; other: afinn); their curves "
                + "are overlaid as they are"), warnings);
        warnings.clear();
        Path same = ReportFixtures.realRun(tmp.resolve("same"));
        RunReport.write(run, List.of(same), tmp.resolve("out2"), warnings::add);
        assertEquals(List.of(), warnings);
        Path unfinished = tmp.resolve("unfinished");
        ReportFixtures.realRun(unfinished);
        Files.delete(unfinished.resolve("summary.json"));
        RunReport.write(run, List.of(unfinished), tmp.resolve("out3"), warnings::add);
        assertEquals(List.of("the task of unfinished is not recorded (no summary.json or checkpoint.qdq with provenance yet), so it is "
                + "compared without checking that it is the same"), warnings);
    }

    /**
     * A metrics.jsonl whose lines hold no metric to chart ({@code {}}, or bookkeeping only) gives a report of
     * nothing: refused, naming the file, when the run has nothing else to show; written with a warning naming the
     * file when it has a summary.json. Before, both wrote a report with no chart and said nothing.
     */
    @Test
    void metricsWithoutAMetricAreRefusedOrWarnedAbout(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("r"));
        Path m = run.resolve("metrics.jsonl");
        Files.writeString(m, "{}\n{}\n");
        String expected = " (expected numeric fields such as mean_reward, kl or train_loss, as qdecode train and "
                + "qdecode sft write";
        assertEquals(m + ": no metric on any of its 2 lines" + expected + "; no summary.json or checkpoint.qdq "
                + "either, so the report would be empty)", error(run));
        assertFalse(Files.exists(run.resolve("report")), "nothing written");
        Files.writeString(m, "{\"episode\":1,\"samples\":40,\"examples\":[\"a\"]}\n");
        assertEquals(m + ": no metric on its one line" + expected + "; no summary.json or checkpoint.qdq either, so "
                + "the report would be empty)", error(run));
        assertFalse(Files.exists(run.resolve("report")), "nothing written");

        // with a summary there is something to show: written, with the warning
        Files.writeString(run.resolve("summary.json"), "{\"base\": {\"mean_reward\": 0.1}, \"trained\": "
                + "{\"mean_reward\": 0.4}}");
        List<String> warnings = new ArrayList<>();
        List<Path> written = RunReport.write(run, List.of(), run.resolve("report"), warnings::add);
        assertEquals(List.of(m + ": no metric on its one line" + expected + "; the report of r shows only its "
                + "summary.json)"), warnings);
        assertEquals(List.of(run.resolve("report/report.html")), written);

        // one metric, even an unknown one, is charted as before, without a warning
        Files.writeString(m, "{\"episode\":1,\"custom\":2.5}\n");
        warnings.clear();
        assertEquals(List.of("other.png"), pngNames(RunReport.write(run, List.of(), run.resolve("report"),
                warnings::add)));
        assertEquals(List.of(), warnings);
    }

    @Test
    void badInputIsOneLineNamingFileAndLine(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("r"));
        assertEquals(run + ": not a run directory (no metrics.jsonl; expected the output directory of qdecode "
                + "train or qdecode sft, which holds metrics.jsonl)", error(run));
        assertEquals(tmp.resolve("none") + ": not a run directory (no such directory; expected the output "
                + "directory of qdecode train or qdecode sft, which holds metrics.jsonl)", error(tmp.resolve("none")));
        Path m = run.resolve("metrics.jsonl");
        Files.writeString(m, "");
        assertTrue(error(run).startsWith(m + ": expected at least one JSON line"), error(run));
        Files.writeString(m, "{\"episode\":1,\"kl\":0.5}\n{\"episode\":2,\"kl\":\n");
        assertTrue(error(run).startsWith(m + ":2: malformed JSON: "), error(run));
        Files.writeString(m, "{\"episode\":1}\n[1,2]\n");
        assertEquals(m + ":2: expected a JSON object but got [1,2]", error(run));
        Files.writeString(m, "{\"episode\":1}\n{\"episode\":2} {\"episode\":3}\n");
        assertTrue(error(run).startsWith(m + ":2: malformed JSON: expected one JSON object"), error(run));
        Files.writeString(m, "{\"episode\":1}\n{\"episode\":\"two\"}\n");
        assertEquals(m + ":2: expected a numeric 'episode' field >= 0 (as on the first line) but got \"two\"", error(run));
        Files.writeString(m, "{\"episode\":1,\"examples\":\"text\"}\n");
        assertEquals(m + ":1: examples: expected an array of strings but got \"text\"", error(run));
        Files.writeString(m, "{\"episode\":1}\n");
        Files.writeString(run.resolve("summary.json"), "{\"base\": {\"kl\": 0,}");
        assertTrue(error(run).startsWith(run.resolve("summary.json") + ": malformed JSON: "), error(run));
        Files.writeString(run.resolve("summary.json"), "{\"trained\": 3}");
        assertEquals(run.resolve("summary.json") + ": trained: expected a JSON object but got 3", error(run));
    }
}
