package dev.qdecode.rewards.bleu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Properties of BLEU and chrF on real Multi30k sentences (German and English). */
class BleuPropertiesTest {
    private static List<String> de;
    private static List<String> en;

    @BeforeAll
    static void load() throws IOException {
        Path tsv = Path.of(System.getProperty("qdecode.shared"), "data/multi30k/en-de.val.tsv");
        de = SacrebleuGoldenTest.column(tsv, "de");
        en = SacrebleuGoldenTest.column(tsv, "en");
    }

    private static List<Bleu> bleus() {
        List<Bleu> out = new ArrayList<>();
        for (BleuTokenizer t : BleuTokenizer.values()) {
            for (BleuSmoothing s : BleuSmoothing.values()) {
                out.add(new Bleu(BleuConfig.sentenceDefaults().withTokenizer(t).withSmoothing(s)));
            }
        }
        out.add(Bleu.corpusLevel());
        return out;
    }

    private static List<Chrf> chrfs() {
        return List.of(Chrf.defaults(), new Chrf(ChrfConfig.chrfPlusPlus()),
                new Chrf(ChrfConfig.defaults().withEpsSmoothing(true)),
                new Chrf(ChrfConfig.defaults().withWhitespace(true)));
    }

    @Test
    void identicalHypothesisScores100() {
        for (Bleu b : bleus()) {
            for (int i = 0; i < de.size(); i += 7) {
                assertEquals(100.0, b.sentenceValue(de.get(i), List.of(de.get(i))), 1e-9,
                        b.config() + " row " + i);
            }
            assertEquals(100.0, b.corpusScore(en, en.stream().map(List::of).toList()).score(),
                    1e-9);
        }
        for (Chrf c : chrfs()) {
            for (int i = 0; i < de.size(); i += 7) {
                assertEquals(100.0, c.sentenceValue(de.get(i), List.of(de.get(i))), 1e-9);
            }
        }
        // even one- to three-token sentences reach 100 with effective order
        assertEquals(100.0, Bleu.sentenceLevel().sentenceValue("Hallo", List.of("Hallo")), 1e-9);
        assertEquals(100.0, Bleu.sentenceLevel().sentenceValue("Ein Hund .", List.of("Ein Hund .")),
                1e-9);
    }

    @Test
    void emptyHypothesisScoresZero() {
        for (Bleu b : bleus()) {
            assertEquals(0.0, b.sentenceValue("", List.of(de.get(3))));
            assertEquals(0.0, b.sentenceValue("   ", List.of(de.get(3))));
            BleuScore s = b.corpusScore(Collections.nCopies(5, ""), de.subList(0, 5).stream()
                    .map(List::of).toList());
            assertEquals(0.0, s.score());
            assertEquals(0.0, s.bp());
        }
        for (Chrf c : chrfs()) {
            assertEquals(0.0, c.sentenceValue("", List.of(de.get(3))));
        }
    }

    @Test
    void corpusStatisticsAreInvariantUnderReordering() {
        List<Integer> order = new ArrayList<>(IntStream.range(0, de.size()).boxed().toList());
        Collections.shuffle(order, new Random(42));
        List<String> hyps = new ArrayList<>();
        List<List<String>> refs = new ArrayList<>();
        List<String> hypsShuffled = new ArrayList<>();
        List<List<String>> refsShuffled = new ArrayList<>();
        for (int i = 0; i < de.size(); i++) {
            hyps.add(en.get(i).toLowerCase(Locale.ROOT));
            refs.add(List.of(en.get(i), en.get((i + 1) % en.size())));
            int j = order.get(i);
            hypsShuffled.add(en.get(j).toLowerCase(Locale.ROOT));
            refsShuffled.add(List.of(en.get(j), en.get((j + 1) % en.size())));
        }
        for (Bleu b : List.of(Bleu.corpusLevel(), new Bleu(BleuConfig.corpusDefaults()
                .withLowercase(true).withTokenizer(BleuTokenizer.INTL)))) {
            BleuScore a = b.corpusScore(hyps, refs);
            BleuScore s = b.corpusScore(hypsShuffled, refsShuffled);
            assertArrayEquals(a.counts(), s.counts());
            assertArrayEquals(a.totals(), s.totals());
            assertEquals(a.sysLen(), s.sysLen());
            assertEquals(a.refLen(), s.refLen());
            assertEquals(a.score(), s.score(), 1e-12);
            assertTrue(a.score() > 10, a.toString());
        }
        for (Chrf c : chrfs()) {
            assertEquals(c.corpusScore(hyps, refs).score(),
                    c.corpusScore(hypsShuffled, refsShuffled).score(), 1e-9);
        }
    }

    @Test
    void repeatedIdenticalReferencesEqualOneReference() {
        Bleu bleu = Bleu.sentenceLevel();
        Chrf chrfpp = new Chrf(ChrfConfig.chrfPlusPlus());
        for (int i = 0; i < de.size(); i += 13) {
            String hyp = de.get((i + 5) % de.size());
            List<String> one = List.of(de.get(i));
            List<String> three = List.of(de.get(i), de.get(i), de.get(i));
            assertEquals(bleu.sentenceValue(hyp, one), bleu.sentenceValue(hyp, three), 0.0);
            assertEquals(chrfpp.sentenceValue(hyp, one), chrfpp.sentenceValue(hyp, three), 0.0);
        }
        List<List<String>> one = de.stream().map(List::of).toList();
        List<List<String>> two = de.stream().map(r -> List.of(r, r)).toList();
        List<String> hyps = new ArrayList<>(de);
        Collections.rotate(hyps, 1);
        BleuScore a = Bleu.corpusLevel().corpusScore(hyps, one);
        BleuScore b = Bleu.corpusLevel().corpusScore(hyps, two);
        assertEquals(a.score(), b.score(), 0.0);
        assertEquals(a.signature().replace("nrefs:1", "nrefs:2"), b.signature());
    }

    @Test
    void scoresStayInRangeAndLowercaseIgnoresCase() {
        Bleu lc = new Bleu(BleuConfig.sentenceDefaults().withLowercase(true));
        for (int i = 0; i < de.size(); i += 3) {
            String hyp = de.get(i);
            List<String> refs = List.of(de.get((i + 1) % de.size()));
            double v = Bleu.sentenceLevel().sentenceValue(hyp, refs);
            assertTrue(v >= 0 && v <= 100);
            // flip ASCII case only ("ß".toUpperCase() is "SS", which lower-cases to "ss")
            StringBuilder flipped = new StringBuilder();
            hyp.chars().forEach(c -> flipped.append((char) (c >= 'a' && c <= 'z' ? c - 32
                    : c >= 'A' && c <= 'Z' ? c + 32 : c)));
            assertEquals(lc.sentenceValue(hyp, refs), lc.sentenceValue(flipped.toString(), refs),
                    1e-12);
        }
    }

    @Test
    void parallelScoringEqualsSequential() {
        Bleu bleu = Bleu.sentenceLevel();
        double[] seq = new double[de.size()];
        for (int i = 0; i < seq.length; i++) {
            seq[i] = bleu.sentenceValue(en.get(i), List.of(en.get((i * 7) % en.size()), en.get(i)));
        }
        double[] par = new double[de.size()];
        IntStream.range(0, par.length).parallel().forEach(i ->
                par[i] = bleu.sentenceValue(en.get(i), List.of(en.get((i * 7) % en.size()), en.get(i))));
        assertArrayEquals(seq, par, 0.0);
    }

    @Test
    void badInputIsReportedOnOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Bleu.corpusLevel().corpusScore(List.of("a", "b"), List.of(List.of("a"),
                        List.of(""))));
        assertEquals("segment 1: no non-blank reference (empty and whitespace-only references are "
                + "skipped)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Chrf.defaults().corpusScore(List.of("a"), List.of(List.of(" \t "))));
        assertEquals("segment 0: no non-blank reference (empty and whitespace-only references are "
                + "skipped)", e.getMessage());
        // whitespace as the tokenizers have it (Python's): a no-break or narrow space alone is blank too
        for (String blank : List.of("\u00a0", "\u202f", "\u2007", "\u0085", " \u00a0\t")) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> Chrf.defaults().sentenceScore("a b", List.of(blank)), blank);
            assertEquals("no non-blank reference (empty and whitespace-only references are skipped)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Bleu.sentenceLevel().sentenceScore("a b", List.of(blank)), blank);
            assertEquals("no non-blank reference (empty and whitespace-only references are skipped)", e.getMessage());
            assertEquals(Bleu.corpusLevel().corpusScore(List.of("a b"), List.of(List.of("a b"))),
                    Bleu.corpusLevel().corpusScore(List.of("a b"), List.of(List.of("a b", blank))));
            assertEquals(Chrf.defaults().corpusScore(List.of("a b"), List.of(List.of("a b"))),
                    Chrf.defaults().corpusScore(List.of("a b"), List.of(List.of(blank, "a b"))));
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> Chrf.defaults().corpusScore(List.of("a"), List.of()));
        assertEquals("1 hypotheses but 0 reference lists", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BleuTokenizer.fromName("moses"));
        assertThrows(IllegalArgumentException.class, () -> new ChrfConfig(0, 0, 2, false, false, false));
    }

    @Test
    void aNullSegmentInACorpusIsNamedByItsIndex() {
        List<String> hyps = Arrays.asList("a", "b", "c", null);
        List<List<String>> refs = List.of(List.of("a"), List.of("b"), List.of("c"), List.of("d"));
        List<String> fourHyps = List.of("a", "b", "c", "d");
        List<List<String>> nullRef = Arrays.asList(List.of("a"), null, List.of("c"), List.of("d"));
        for (CorpusMetric m : List.of(Bleu.corpusLevel(), Bleu.sentenceLevel(), Chrf.defaults())) {
            java.util.function.BiConsumer<List<String>, List<List<String>>> corpusScore = m instanceof Bleu b
                    ? b::corpusScore : ((Chrf) m)::corpusScore;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> corpusScore.accept(hyps, refs), m.name());
            assertEquals("hypotheses[3] is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.segmentStatistics(hyps, refs), m.name());
            assertEquals("hypotheses[3] is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> corpusScore.accept(fourHyps, nullRef), m.name());
            assertEquals("references[1] is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.segmentStatistics(fourHyps, nullRef), m.name());
            assertEquals("references[1] is null", e.getMessage());
        }
    }

    @Test
    void aNullReferenceInsideAListIsNamedByItsIndices() {
        List<String> hyps = List.of("a b", "c d", "e f");
        // Segment 1 has a real reference beside the null one: before, the null was skipped as blank.
        List<List<String>> refs = List.of(List.of("a b"), Arrays.asList("c d", null),
                List.of("e f"));
        for (CorpusMetric m : List.of(Bleu.corpusLevel(), Bleu.sentenceLevel(), Chrf.defaults(), new ExactMatch())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.segmentStatistics(hyps, refs), m.name());
            assertEquals("references[1][1] is null", e.getMessage(), m.name());
            if (m instanceof Bleu b) {
                e = assertThrows(IllegalArgumentException.class, () -> b.corpusScore(hyps, refs));
                assertEquals("references[1][1] is null", e.getMessage());
            } else if (m instanceof Chrf c) {
                e = assertThrows(IllegalArgumentException.class, () -> c.corpusScore(hyps, refs));
                assertEquals("references[1][1] is null", e.getMessage());
            }
        }
        List<String> sentenceRefs = Arrays.asList("c d", null);
        for (Bleu b : List.of(Bleu.corpusLevel(), Bleu.sentenceLevel())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> b.sentenceScore("c d", sentenceRefs));
            assertEquals("references[1] is null", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> b.sentenceValue("c d", sentenceRefs));
            assertEquals("references[1] is null", e.getMessage());
        }
        Chrf c = Chrf.defaults();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.sentenceScore("c d", sentenceRefs));
        assertEquals("references[1] is null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.sentenceValue("c d", sentenceRefs));
        assertEquals("references[1] is null", e.getMessage());
    }
}
