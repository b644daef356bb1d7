package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftCommandTest {
    @TempDir Path tmp;

    private Path subset(String file, int rows) throws IOException {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k").resolve(file),
                StandardCharsets.UTF_8);
        return Files.write(tmp.resolve(file), lines.subList(0, rows + 1), StandardCharsets.UTF_8);
    }

    /**
     * {@code sft} on a JSON-array target that repeats a reference trains each distinct pair once, as train's
     * pooling keeps it: sft-provenance.json counts 4 train pairs from 3 rows (it counted 5, the repeated
     * reference twice) and 3 dev pairs.
     */
    @Test
    void aRepeatedReferenceIsOnePairInTheProvenance() throws IOException {
        Path data = Files.writeString(tmp.resolve("repeat.jsonl"),
                "{\"en\": \"A dog runs.\", \"de\": [\"Ein Hund rennt.\", \"Ein Hund rennt.\"]}\n"
                + "{\"en\": \"A cat sleeps.\", \"de\": [\"Eine Katze schläft.\", \"Eine Katze ruht.\"]}\n"
                + "{\"en\": \"A man sits.\", \"de\": \"Ein Mann sitzt.\"}\n");
        Path dev = Files.writeString(tmp.resolve("repeat-dev.jsonl"),
                "{\"en\": \"A dog runs.\", \"de\": [\"Ein Hund rennt.\", \"Ein Hund rennt.\", \"Ein Hund läuft.\"]}\n"
                + "{\"en\": \"A man sits.\", \"de\": \"Ein Mann sitzt.\"}\n");
        Path out = tmp.resolve("repeat");
        CliRunner.Result r = CliRunner.run("sft", "--task", "translation", "--data", data.toString(), "--dev",
                dev.toString(), "--model", CliRunner.model("stories260K"), "--template", "{source} =", "--batch-size",
                "4", "--max-steps", "1", "--eval-every", "1", "--bleu-samples", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        com.google.gson.JsonObject prov = com.google.gson.JsonParser.parseString(
                Files.readString(out.resolve("sft-provenance.json"))).getAsJsonObject();
        assertEquals(4, prov.get("train_examples").getAsInt(), prov.toString());
        assertEquals(3, prov.get("train_rows").getAsInt(), prov.toString());
        assertEquals(3, prov.get("dev_examples").getAsInt(), prov.toString());
        assertEquals(2, prov.get("dev_rows").getAsInt(), prov.toString());
    }

    @Test
    void tinyRunContinuingTinyStoriesWritesAModelThatGenerateLoads() throws IOException {
        Path train = subset("en-de.train.tsv", 32);
        Path dev = subset("en-de.val.tsv", 8);
        Path out = tmp.resolve("run");
        String[] args = {"sft", "--task", "translation", "--data", train.toString(), "--dev", dev.toString(),
            "--model", CliRunner.model("TinyStories-656K"), "--template", "{source} =", "--batch-size", "16",
            "--epochs", "2", "--lr", "1e-3", "--warmup", "1", "--eval-every", "2", "--bleu-samples", "4",
            "--out", out.toString()};
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("done after 4/4 steps"), r.out());
        assertTrue(r.err().contains("eval: step 2  dev loss"), r.err());
        assertTrue(r.err().contains("BLEU"), r.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        CliRunner.Result g = CliRunner.run("generate", "--model", out.toString(), "--prompt", "A dog runs.",
                "--strategy", "greedy", "--max-new-tokens", "6");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().startsWith("A dog runs."), g.out());
        // its report carries the run's settings and provenance (sft-provenance.json), as a train run's does
        CliRunner.Result rep = CliRunner.run("report", out.toString());
        assertEquals(0, rep.code(), rep.err());
        String html = Files.readString(out.resolve("report/report.html"));
        assertTrue(html.contains("<span class=\"chip\">task: <b>translation</b></span>"), html);
        assertTrue(html.contains("<span class=\"chip\">seed: <b>"), html);
        assertTrue(html.contains("<span class=\"chip\">model: <b>TinyStories-656K</b></span>"), html);
        assertTrue(html.contains("<h2 id=\"settings\">Configuration and provenance</h2>\n<p class=\"note\">From the "
                + "run's sft-provenance.json.</p>"), html);
        assertTrue(html.contains("<tr><td>lr</td><td>0.001</td></tr>") || html.contains("<code>lr</code><span>0.001</span>"),
                html);
        assertTrue(html.contains("train_examples"), html);
        assertTrue(html.contains("sha256.data"), html); // one row per hash, not the JSON object
        assertTrue(html.contains("<td>init</td><td>not given</td>") || html.contains("<code>init</code><span>not given</span>"),
                html);
        assertTrue(html.contains("from metrics.jsonl and sft-provenance.json."), html);
        // resuming with another learning rate is refused, naming the key: an option, so bad usage as in train
        String[] other = args.clone();
        other[16] = "2e-3";
        CliRunner.Result bad = CliRunner.run(concat(other, "--resume"));
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("qdecode: error: --resume: "), bad.err());
        assertTrue(bad.err().contains("differing keys: lr (0.001 vs 0.002)"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        // --resume alone takes every option from the checkpoint; the run is complete, so it is refused
        // (as train refuses a finished run), naming where its model is
        CliRunner.Result again = CliRunner.run("sft", "--resume", "--out", out.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertEquals("qdecode: error: --resume: " + out + " already finished its 4 steps (2 epochs; see metrics.jsonl);"
                + " the model (best dev BLEU at step " + Files.readString(out.resolve("checkpoint/state.json"))
                        .replaceAll("(?s).*\"best_step\": (\\d+).*", "$1")
                + ") is in " + out + ": to train it further, start a new run with --model " + out
                + " and another --out", again.err().strip());
    }

    @Test
    void continuingAnSftModelWithoutItsTemplateWarnsNamingTheTemplateItWasTrainedWith() throws IOException {
        List<String> m30k = Files.readAllLines(subset("en-de.train.tsv", 8), StandardCharsets.UTF_8);
        List<String> rows = new java.util.ArrayList<>(List.of("prompt\tcontinuation"));
        for (String line : m30k.subList(1, m30k.size())) {
            String[] f = line.split("\t");
            rows.add(f[1] + "\t" + f[2]);
        }
        Path data = Files.write(tmp.resolve("pairs.tsv"), rows, StandardCharsets.UTF_8);
        Path first = tmp.resolve("first");
        CliRunner.Result r = CliRunner.run("sft", "--task", "continuation", "--data", data.toString(), "--dev",
                data.toString(), "--model", CliRunner.model("stories260K"), "--template", "{source} =", "--batch-size",
                "4", "--max-steps", "1", "--out", first.toString());
        assertEquals(0, r.code(), r.err());
        // 'to train it further, start a new run with --model DIR': without --template, the task's default is used
        CliRunner.Result again = CliRunner.run("sft", "--task", "continuation", "--data", data.toString(), "--dev",
                data.toString(), "--model", first.toString(), "--batch-size", "4", "--max-steps", "1", "--out",
                tmp.resolve("second").toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("qdecode: warning: --model " + first + " was trained with --template '{source} ='"
                + " (sft --task continuation); this run uses the default '{source}' (give --template '{source} =' to"
                + " keep it)\n"), again.err());
        // the same template given: no warning
        CliRunner.Result same = CliRunner.run("sft", "--task", "continuation", "--data", data.toString(), "--dev",
                data.toString(), "--model", first.toString(), "--template", "{source} =", "--batch-size", "4",
                "--max-steps", "1", "--out", tmp.resolve("third").toString());
        assertEquals(0, same.code(), same.err());
        assertTrue(!same.err().contains("warning"), same.err());
    }

    @Test
    void resumeWithoutACheckpointOrDataIsAOneLineError() {
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", tmp.resolve("none").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --resume: no checkpoint in "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        CliRunner.Result noData = CliRunner.run("sft", "--dev", "b.tsv", "--out", tmp.resolve("x").toString());
        assertEquals(ExitCodes.USAGE, noData.code(), noData.err());
        assertTrue(noData.err().startsWith("qdecode: error: Missing required option: '--data=FILE'"), noData.err());
    }

    @Test
    void badTemplateIsAOneLineUsageError() {
        CliRunner.Result r = CliRunner.run("sft", "--data", "a.tsv", "--dev", "b.tsv", "--model", "m",
                "--template", "translate: <sep>", "--out", tmp.resolve("x").toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("qdecode: error: --template 'translate: <sep>': must contain {source} exactly once (expected one "
                + "{source} where each example's source text goes, e.g. '{source} <sep>', the translation default)",
                r.err().lines().findFirst().orElse(""));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
