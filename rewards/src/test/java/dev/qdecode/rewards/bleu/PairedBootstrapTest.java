package dev.qdecode.rewards.bleu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Paired bootstrap of corpus BLEU and chrF on real Multi30k sentences, and of exact-match accuracy. */
class PairedBootstrapTest {
    private static List<String> de;
    private static List<List<String>> refs;
    /** A degraded system: every third reference with its last word dropped, every fifth shuffled by words. */
    private static List<String> worse;

    @BeforeAll
    static void load() throws IOException {
        Path tsv = Path.of(System.getProperty("qdecode.shared"), "data/multi30k/en-de.val.tsv");
        de = SacrebleuGoldenTest.column(tsv, "de").subList(0, 300);
        refs = de.stream().map(List::of).toList();
        worse = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < de.size(); i++) {
            List<String> words = new ArrayList<>(List.of(de.get(i).split(" ")));
            if (i % 3 == 0 && words.size() > 1) {
                words.remove(words.size() - 1);
            }
            if (i % 5 == 0) {
                Collections.shuffle(words, r);
            }
            worse.add(String.join(" ", words));
        }
    }

    private static List<CorpusMetric> metrics() {
        return List.of(Bleu.corpusLevel(), Chrf.defaults());
    }

    @Test
    void segmentStatisticsSumToTheCorpusScore() {
        assertEquals(Bleu.corpusLevel().corpusScore(worse, refs).score(),
                PairedBootstrap.compare(Bleu.corpusLevel(), worse, worse, refs, 10, 1).system(), 1e-9);
        assertEquals(Chrf.defaults().corpusScore(worse, refs).score(),
                PairedBootstrap.compare(Chrf.defaults(), worse, worse, refs, 10, 1).system(), 1e-9);
    }

    @Test
    void aSystemAgainstItselfIsNotBetter() {
        for (CorpusMetric m : metrics()) {
            PairedBootstrap.Result r = PairedBootstrap.compare(m, worse, worse, refs, 200, 3);
            assertEquals(0, r.delta());
            assertEquals(0, r.lower());
            assertEquals(0, r.upper());
            assertEquals(1.0, r.pValue());
        }
    }

    @Test
    void aClearlyBetterSystemHasAPositiveIntervalAndTheSmallestPValue() {
        for (CorpusMetric m : metrics()) {
            PairedBootstrap.Result up = PairedBootstrap.compare(m, worse, de, refs, 500, 5);
            assertTrue(up.delta() > 0 && up.lower() > 0 && up.lower() <= up.delta() && up.delta() <= up.upper(),
                    up.toString());
            assertEquals(1.0 / 501, up.pValue(), 1e-12);
            // Swapping the roles mirrors the interval; the reverse claim gets p = 1.
            PairedBootstrap.Result down = PairedBootstrap.compare(m, de, worse, refs, 500, 5);
            assertEquals(-up.delta(), down.delta(), 1e-9);
            assertEquals(-up.upper(), down.lower(), 1e-9);
            assertEquals(-up.lower(), down.upper(), 1e-9);
            assertEquals(1.0, down.pValue());
            assertEquals(up, PairedBootstrap.compare(m, worse, de, refs, 500, 5), "same seed, same result");
        }
    }

    @Test
    void aSmallDifferenceHasAnIntervalAcrossZero() {
        // Only 3 of 300 segments differ: the interval covers 0 and p is far from significance.
        List<String> close = new ArrayList<>(worse);
        for (int i = 1; i < 300; i += 100) {
            close.set(i, de.get(i));
        }
        PairedBootstrap.Result r = PairedBootstrap.compare(Bleu.corpusLevel(), worse, close, refs, 1000, 12345);
        assertTrue(r.delta() >= 0 && r.lower() <= 0 && r.upper() >= r.delta(), r.toString());
        assertTrue(r.pValue() > 0.01, r.toString());
    }

    @Test
    void exactMatchComparesTwoClassifiersInPoints() {
        List<List<String>> gold = new ArrayList<>();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            gold.add(List.of(i % 2 == 0 ? "pos" : "neg"));
            // a is right on 150 examples, b on those and 20 more: b is 10 points better.
            a.add(i < 150 ? gold.get(i).get(0) : "other");
            b.add(i < 170 ? gold.get(i).get(0) : "other");
        }
        PairedBootstrap.Result r = PairedBootstrap.compare(new ExactMatch(), a, b, gold, 1000, 12345);
        assertEquals("accuracy", r.metric());
        assertEquals(75.0, r.baseline(), 1e-12);
        assertEquals(85.0, r.system(), 1e-12);
        assertTrue(r.lower() > 0 && r.lower() < 10 && r.upper() > 10, r.toString());
        assertEquals(1.0 / 1001, r.pValue(), 1e-12, "b is never worse on a resample");
        assertThrows(IllegalArgumentException.class,
                () -> new ExactMatch().segmentStatistics(List.of("x"), List.of(List.of())));
    }

    @Test
    void mismatchedInputsAreOneLineErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PairedBootstrap.compare(Bleu.corpusLevel(), worse, worse.subList(0, 5), refs, 10, 1));
        assertTrue(e.getMessage().contains("300 baseline but 5 system hypotheses"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PairedBootstrap.compare(Bleu.corpusLevel(), worse, worse, refs, 0, 1));
        assertTrue(e.getMessage().contains("resamples"), e.getMessage());
    }
}
