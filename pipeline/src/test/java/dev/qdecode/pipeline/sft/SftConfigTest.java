package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SftConfigTest {
    static SftConfig base(String template, Path model, Path init, Path tokenizer, double lr) {
        return new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), null, null, template, model, init,
                tokenizer, 1, 0, 32, 0, lr, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("out"));
    }

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void defaultsAndRoundTrip() {
        SftConfig c = base(null, Path.of("m"), null, null, 1e-3);
        assertEquals("{source} <sep>", c.template());
        assertEquals("en", c.effectiveSourceColumn());
        assertEquals("de", c.effectiveTargetColumn());
        assertEquals(c.model(), c.tokenizerDir());
        assertTrue(c.data().isAbsolute());
        SftConfig back = SftConfig.fromJson(c.toJsonString(), "x.json");
        assertEquals(c, back);
        assertEquals(List.of(), c.differences(back));
    }

    @Test
    void differencesNameTheKeys() {
        SftConfig a = base(null, Path.of("m"), null, null, 1e-3);
        SftConfig b = base("{source} =", Path.of("m"), null, null, 2e-3);
        List<String> d = a.differences(b);
        assertEquals(2, d.size(), d.toString());
        assertTrue(d.get(0).startsWith("template ("), d.toString());
        assertTrue(d.get(1).startsWith("lr (0.001 vs 0.002)"), d.toString());
    }

    @Test
    void aColumnGivenAsTheTasksDefaultMatchesARunStartedWithoutIt() {
        // 'sft --resume --source-column en --target-column de' of a translation run started without them
        SftConfig started = base(null, Path.of("m"), null, null, 1e-3);
        SftConfig explicit = new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), "en", "de", null,
                Path.of("m"), null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("o"));
        assertEquals(List.of(), started.differences(explicit));
        assertEquals(List.of(), explicit.differences(started));
        SftConfig other = new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), "de", "en", null,
                Path.of("m"), null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("o"));
        assertEquals(List.of("source-column (en vs de)", "target-column (de vs en)"), started.differences(other));
    }

    @Test
    void theModelDirectoryGivenAsTheTokenizerMatchesARunStartedWithoutIt() {
        // a run from --model reads that directory's tokenizer; naming it with --tokenizer is the same setting
        SftConfig started = base(null, Path.of("m"), null, null, 1e-3);
        assertEquals(List.of(), started.differences(base(null, Path.of("m"), null, Path.of("m"), 1e-3)));
    }

    @Test
    void theOutputDirectoryIsNotASettingSoAMovedRunMatches() {
        SftConfig a = base(null, Path.of("m"), null, null, 1e-3);
        SftConfig moved = new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), null, null, null,
                Path.of("m"), null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1,
                Path.of("elsewhere"));
        assertEquals(List.of(), a.differences(moved));
    }

    @Test
    void movedOrLinkedInputsMatchByContentAndTheModelByFile(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Path m = java.nio.file.Files.createDirectories(tmp.resolve("m"));
        Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link"), m);
        SftConfig a = new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), null, null, null,
                m, null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("o"));
        // data files elsewhere (their bytes are compared by sha256 on a resume), the model through a link
        SftConfig b = new SftConfig("translation", Path.of("moved/train.tsv"), Path.of("moved/dev.tsv"), null, null,
                null, link, null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("o"));
        assertEquals(List.of(), a.differences(b));
        SftConfig other = new SftConfig("translation", Path.of("train.tsv"), Path.of("dev.tsv"), null, null, null,
                java.nio.file.Files.createDirectories(tmp.resolve("m2")), null, null, 1, 0, 32, 0, 1e-3, 10, "cosine",
                0.01, 1.0, 0.1, 100, 0, 50, 1, Path.of("o"));
        assertEquals(1, a.differences(other).size(), a.differences(other).toString());
        assertTrue(a.differences(other).get(0).startsWith("model ("), a.differences(other).toString());
    }

    @Test
    void fromJsonNamesTheSourceAndKeyOfAValueOfTheWrongType() {
        String json = base(null, Path.of("m"), null, null, 1e-3).toJsonString();
        assertEquals("s.json: key 'epochs': expected an integer but got \"three\"",
                error(() -> SftConfig.fromJson(json.replace("\"epochs\": 1,", "\"epochs\": \"three\","), "s.json")));
        assertEquals("s.json: key 'epochs': expected an integer but got 1.5",
                error(() -> SftConfig.fromJson(json.replace("\"epochs\": 1,", "\"epochs\": 1.5,"), "s.json")));
        assertEquals("s.json: missing key 'lr' (expected a number)",
                error(() -> SftConfig.fromJson(json.replace("\"lr\": 0.001,", ""), "s.json")));
        assertEquals("s.json: key 'task': expected a string or null but got 7",
                error(() -> SftConfig.fromJson(json.replace("\"task\": \"translation\"", "\"task\": 7"), "s.json")));
        assertEquals("s.json: --epochs: expected a positive count but got -3",
                error(() -> SftConfig.fromJson(json.replace("\"epochs\": 1,", "\"epochs\": -3,"), "s.json")));
    }

    @Test
    void validationErrorsAreOneLineNamingTheOption() {
        assertEquals("--template 'translate: <sep>': must contain {source} exactly once (expected one {source} where "
                + "each example's source text goes, e.g. '{source} <sep>', the translation default)",
                error(() -> base("translate: <sep>", Path.of("m"), null, null, 1e-3)));
        assertTrue(error(() -> base("{source} {source}", Path.of("m"), null, null, 1e-3)).contains("exactly once"));
        assertTrue(error(() -> base(null, Path.of("m"), Path.of("c.json"), null, 1e-3)).startsWith("--model / --init"));
        assertTrue(error(() -> base(null, null, null, null, 1e-3)).startsWith("--model / --init"));
        assertTrue(error(() -> base(null, null, Path.of("c.json"), null, 1e-3)).startsWith("--tokenizer: required"));
        assertTrue(error(() -> base(null, Path.of("m"), null, null, 0)).startsWith("--lr:"));
        assertTrue(error(() -> new SftConfig("summarize", Path.of("a"), Path.of("b"), null, null, null, Path.of("m"),
                null, null, 1, 0, 32, 0, 1e-3, 0, "cosine", 0, 0, 0, 10, 0, 0, 1, Path.of("o"))).startsWith("--task:"));
        assertTrue(error(() -> new SftConfig("translation", Path.of("a"), Path.of("b"), null, null, null, Path.of("m"),
                null, null, 1, 0, 32, 0, 1e-3, 0, "step", 0, 0, 0, 10, 0, 0, 1, Path.of("o"))).startsWith("--schedule:"));
        assertTrue(error(() -> new SftConfig("translation", Path.of("a"), Path.of("b"), null, null, null, Path.of("m"),
                null, null, 1, 0, 32, 0, 1e-3, 0, "cosine", 0, 0, 1.0, 10, 0, 0, 1, Path.of("o"))).startsWith("--dropout:"));
        for (String msg : new String[] {error(() -> base("x", Path.of("m"), null, null, 1e-3))}) {
            assertTrue(!msg.contains("\n"));
        }
    }

    @Test
    void scheduleWarmsUpThenDecays() {
        assertEquals(0.1, BatchPlan.learningRate(1, 100, 1.0, 10, "cosine"), 1e-12);
        assertEquals(1.0, BatchPlan.learningRate(10, 100, 1.0, 10, "cosine"), 1e-12);
        assertEquals(0.5, BatchPlan.learningRate(55, 100, 1.0, 10, "cosine"), 1e-12);
        assertEquals(0.0, BatchPlan.learningRate(100, 100, 1.0, 10, "cosine"), 1e-12);
        assertEquals(0.5, BatchPlan.learningRate(55, 100, 1.0, 10, "linear"), 1e-12);
        assertEquals(1.0, BatchPlan.learningRate(99, 100, 1.0, 10, "constant"), 1e-12);
    }

    @Test
    void batchPlanCoversEveryExampleOnceWithinLimitsAndIsSeeded() {
        int[] lengths = new int[500];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = 5 + r.nextInt(60);
        }
        List<int[]> a = BatchPlan.epoch(lengths, 16, 400, 3, 0);
        int[] seen = new int[lengths.length];
        long padded = 0;
        for (int[] b : a) {
            assertTrue(b.length <= 16);
            int longest = 0;
            for (int i : b) {
                seen[i]++;
                longest = Math.max(longest, lengths[i]);
            }
            assertTrue(b.length == 1 || longest * b.length <= 400, "batch over the token limit");
            padded += (long) longest * b.length;
        }
        for (int s : seen) {
            assertEquals(1, s);
        }
        long real = java.util.Arrays.stream(lengths).sum();
        assertTrue(padded < real * 1.1, "bucketing keeps padding low: " + padded + " vs " + real);
        List<int[]> again = BatchPlan.epoch(lengths, 16, 400, 3, 0);
        List<int[]> other = BatchPlan.epoch(lengths, 16, 400, 3, 1);
        assertEquals(a.size(), again.size());
        for (int i = 0; i < a.size(); i++) {
            assertTrue(java.util.Arrays.equals(a.get(i), again.get(i)));
        }
        assertTrue(!java.util.Arrays.equals(a.get(0), other.get(0)));
    }
}
