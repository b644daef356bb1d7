package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark harness runs (one short run each; no timing is asserted). */
class RewardBenchmarksTest {
    private static final Path SHARED = Path.of(System.getProperty("qdecode.shared"));

    @Test
    void theTextBenchmarksRun() {
        List<String> names = RewardBenchmarks.benchmarks().stream().map(RewardBenchmarks.Spec::name)
                .toList();
        assertTrue(names.containsAll(List.of("bleu-sentence", "chrf-sentence", "bleu-reward",
                "bleu-corpus")), names.toString());
        for (String name : List.of("bleu-sentence", "chrf-sentence", "bleu-reward", "bleu-corpus")) {
            RewardBenchmarks.Result r = RewardBenchmarks.run(name, SHARED, 2, 0, 1);
            assertTrue(r.items() >= 1014, r.format());
            assertTrue(r.checksum() > 0 && Double.isFinite(r.checksum()), r.format());
            assertTrue(r.medianPerSecond() > 0, r.format());
            assertTrue(r.format().startsWith(name), r.format());
        }
        // the same work on one or two threads gives the same checksum
        assertEquals(RewardBenchmarks.run("bleu-sentence", SHARED, 1, 0, 1).checksum(),
                RewardBenchmarks.run("bleu-sentence", SHARED, 2, 0, 1).checksum(), 1e-6);
    }

    @Test
    void unknownNamesAndBadDataAreReported() throws Exception {
        RewardException e = assertThrows(RewardException.class,
                () -> RewardBenchmarks.run("bleu-fast", SHARED, 1, 0, 1));
        assertTrue(e.getMessage().startsWith("unknown benchmark 'bleu-fast' (known: bleu-sentence"),
                e.getMessage());
        Path bad = Files.writeString(Files.createTempFile("bad", ".tsv"), "id\ten\tde\n1\tonly two\n");
        try {
            e = assertThrows(RewardException.class, () -> RewardBenchmarks.tsvColumn(bad, "de"));
            assertEquals(bad + ":2: expected 3 tab-separated fields, found 2", e.getMessage());
            e = assertThrows(RewardException.class, () -> RewardBenchmarks.tsvColumn(bad, "fr"));
            assertEquals(bad + ":1: no column 'fr' in header id,en,de", e.getMessage());
        } finally {
            Files.delete(bad);
        }
    }

    @Test
    void aSingleThreadedBenchmarkRunsAndIsReportedOnOneThread() {
        List<String> single = RewardBenchmarks.benchmarks().stream().filter(b -> !b.threaded())
                .map(RewardBenchmarks.Spec::name).toList();
        assertEquals(List.of("bleu-corpus", "classifier-reward", "classifier-reward-q"), single);
        RewardBenchmarks.Result corpus = RewardBenchmarks.run("bleu-corpus", SHARED, 2, 0, 1);
        assertEquals(1, corpus.threads());
        assertTrue(corpus.format().startsWith("bleu-corpus            threads=1  "), corpus.format());
        assertEquals(2, RewardBenchmarks.run("bleu-sentence", SHARED, 2, 0, 1).threads());
    }

    /**
     * The temporary classifier is made in, and asserted on, this test's own directory: the test used to list the
     * {@code qdecode-bench-clf*} folders of the shared system temporary directory before and after, so a benchmark
     * running at the same time in another process made it fail.
     */
    @Test
    void theClassifierBenchmarkDeletesItsTemporaryClassifierAfterARunAndOnFailure(@TempDir Path tmp) throws Exception {
        try (RewardBenchmarks.Workload w = RewardBenchmarks.classifierReward(SHARED, "minilm-q", tmp)) {
            List<Path> made = benchDirs(tmp);
            assertEquals(1, made.size(), made.toString());
            assertTrue(Files.exists(made.get(0).resolve("classifier.json")), "the classifier is saved there");
            assertTrue(w.run() > 0);
        }
        assertEquals(List.of(), benchDirs(tmp), "no qdecode-bench-clf directory left behind");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RewardBenchmarks.classifierReward(SHARED, "no-such-encoder", tmp));
        assertTrue(e.getMessage().startsWith("unknown sentence encoder 'no-such-encoder'"), e.getMessage());
        assertEquals(List.of(), benchDirs(tmp), "none left behind by a failed preparation either");
    }

    /** The benchmark's temporary classifier directories in {@code dir}. */
    private static List<Path> benchDirs(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("qdecode-bench-clf")).toList();
        }
    }
}
