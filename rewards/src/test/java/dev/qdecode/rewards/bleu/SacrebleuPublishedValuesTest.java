package dev.qdecode.rewards.bleu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values published by sacreBLEU itself (inputs and expected numbers ported from its test-suite
 * and README; the code under test is ours):
 * <ul>
 *   <li>test/test_bleu.py (mjpost/sacrebleu @785d26bb)
 *   <li>test/test_sentence_bleu.py (@ad62c9b5)
 *   <li>test/test_chrf.py (@27bec349)
 *   <li>README.md, "Using SacreBLEU from Python" (@078c4401)
 * </ul>
 * sacreBLEU's {@code raw_corpus_bleu(h, r, v)} is corpus BLEU with tokenize=none, floor
 * smoothing (value v) and effective order.
 */
class SacrebleuPublishedValuesTest {
    private static final double EPS = 1e-6;

    // README / test_bleu.py corpus: reference streams as sacreBLEU takes them.
    private static final List<List<String>> REF_STREAMS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.",
                    "The man had bitten the dog."));
    private static final List<String> HYPS = List.of(
            "The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    /** sacreBLEU's reference streams (refs[k][i]) to our per-segment lists (refs[i][k]). */
    static List<List<String>> bySegment(List<List<String>> streams) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < streams.get(0).size(); i++) {
            List<String> seg = new ArrayList<>();
            for (List<String> s : streams) {
                seg.add(s.get(i));
            }
            out.add(seg);
        }
        return out;
    }

    private static BleuConfig raw(double floor) {
        return new BleuConfig(BleuTokenizer.NONE, false, BleuSmoothing.FLOOR, floor, true, 4);
    }

    private static double rawCorpusBleu(List<String> hyps, List<List<String>> streams, double v) {
        return new Bleu(raw(v)).corpusScore(hyps, bySegment(streams)).score() / 100;
    }

    // ------------------------------------------------------------------ test_bleu.py

    @Test
    void rawBleuCases() {
        assertEquals(0.0, rawCorpusBleu(List.of("this is a test", "another test"),
                List.of(List.of("ref1", "ref2")), .01), 1e-8);
        assertEquals(1.0, rawCorpusBleu(List.of("this is a test"),
                List.of(List.of("this is a test")), .01), 1e-8);
        assertEquals(0.223606797749979, rawCorpusBleu(List.of("this is a fest"),
                List.of(List.of("this is a test")), .01), 1e-8);
    }

    @ParameterizedTest
    @CsvSource({"13a, exp, 48.530827", "none, exp, 49.1919566", "intl, exp, 43.91623493",
        "13a, none, 48.530827"})
    void corpusBleuCases(String tok, String smooth, double expected) {
        BleuConfig cfg = BleuConfig.corpusDefaults().withTokenizer(BleuTokenizer.fromName(tok))
                .withSmoothing(BleuSmoothing.fromName(smooth));
        assertEquals(expected, new Bleu(cfg).corpusScore(HYPS, bySegment(REF_STREAMS)).score(), EPS);
    }

    @Test
    void emptyHypothesesAreScoredNotRemoved() {
        BleuScore s = Bleu.corpusLevel().corpusScore(List.of("", "", ""), bySegment(REF_STREAMS));
        assertEquals(0.0, s.score());
        assertEquals(0, s.sysLen());
    }

    @Test
    void offsetOfFloorSmoothing() {
        List<String> h = List.of("am I am a character sequence");
        List<List<String>> r = List.of(List.of("I am a symbol string sequence a a"));
        assertEquals(0.0, rawCorpusBleu(h, r, 0.0), 1e-8);
        assertEquals(0.1555722182, rawCorpusBleu(h, r, Double.NaN), 1e-8); // default 0.1
        assertEquals(0.1555722182, rawCorpusBleu(h, r, 0.1), 1e-8);
    }

    @Test
    void statistics() {
        BleuScore s = new Bleu(raw(.01)).corpusScore(List.of("am I am a character sequence"),
                List.of(List.of("I am a symbol string sequence a a")));
        assertArrayEquals(new long[] {4, 2, 1, 0}, s.counts());
        assertArrayEquals(new long[] {6, 5, 4, 3}, s.totals());
    }

    @Test
    void scoringFromStatistics() {
        // BLEU.compute_bleu defaults: smooth_method='none', no effective order.
        Bleu b = new Bleu(BleuConfig.corpusDefaults().withSmoothing(BleuSmoothing.NONE));
        BleuScore s = b.fromStatistics(new long[] {9, 7, 5, 3}, new long[] {10, 8, 6, 4}, 11, 11, "1");
        assertEquals(0.8375922397, s.score() / 100, 1e-8);
    }

    @Test
    void effectiveOrder() {
        assertEquals(0.3678794411714425, rawCorpusBleu(List.of("test"),
                List.of(List.of("a test")), .01), 1e-8);
        assertEquals(1.0, rawCorpusBleu(List.of("a test"), List.of(List.of("a test")), .01), 1e-8);
        assertEquals(0.03218297948685433, rawCorpusBleu(List.of("a little test"),
                List.of(List.of("a test")), .01), 1e-8);
    }

    @ParameterizedTest
    @CsvSource({
        "'0,0,0,0', '4,4,2,1', 0, 1, 0.0",
        "'0,0,0,0', '10,11,12,0', 14, 10, 0.0",
        "'0,0,0,0', '0,0,0,0', 0, 0, 0.0",
        "'6,5,4,0', '6,5,4,3', 6, 6, 0.0",
        "'0,0,0,0', '0,0,0,0', 0, 0, 0.1",
        "'0,0,0,0', '0,0,0,0', 1, 5, 0.01"})
    void degenerateStatistics(String correct, String total, long sys, long ref, double offset) {
        Bleu b = new Bleu(BleuConfig.corpusDefaults().withSmoothing(BleuSmoothing.FLOOR, offset));
        assertEquals(0.0, b.fromStatistics(longs(correct), longs(total), sys, ref, "1").score());
    }

    private static long[] longs(String csv) {
        String[] p = csv.split(",");
        long[] out = new long[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = Long.parseLong(p[i].trim());
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"1, 77.65", "2, 60.50", "3, 53.93", "4, 48.53", "5, 46.14", "6, 43.28"})
    void maxNgramOrder(int order, String expected) {
        BleuScore s = new Bleu(BleuConfig.corpusDefaults().withMaxNgramOrder(order))
                .corpusScore(HYPS, bySegment(REF_STREAMS));
        assertEquals(expected, PyText.fixed(s.score(), 2));
    }

    // ------------------------------------------------------------------ test_sentence_bleu.py

    private static final String REF = "producţia de zahăr brut se exprimă în zahăr alb;";
    private static final String SYS =
            "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

    @ParameterizedTest
    @CsvSource({
        "exp, NaN, false, 13a, 8.493",
        "none, NaN, false, 13a, 0.0",
        "floor, NaN, false, 13a, 4.51688",
        "floor, 0.1, false, 13a, 4.51688",
        "floor, 0.5, false, 13a, 10.10",
        "add-k, NaN, false, 13a, 14.882",
        "add-k, 1, false, 13a, 14.882",
        "add-k, 2, false, 13a, 21.389",
        "exp, NaN, false, none, 7.347",
        "exp, NaN, false, intl, 8.493",
        "exp, NaN, false, char, 40.8759",
        "exp, NaN, true, char, 42.0267"})
    void sentenceBleu(String smooth, double value, boolean lowercase, String tok, double expected) {
        BleuConfig cfg = new BleuConfig(BleuTokenizer.fromName(tok), lowercase,
                BleuSmoothing.fromName(smooth), value, true, 4);
        Bleu bleu = new Bleu(cfg);
        assertEquals(expected, bleu.sentenceScore(SYS, List.of(REF)).score(), 1e-3);
        assertEquals(bleu.sentenceScore(SYS, List.of(REF)).score(),
                bleu.sentenceValue(SYS, List.of(REF)));
    }

    @ParameterizedTest
    @CsvSource({"exp, NaN", "none, NaN", "floor, NaN", "floor, 0.1", "add-k, NaN", "add-k, 1"})
    void sentenceBleuWithoutAnyMatchIsZero(String smooth, double value) {
        BleuConfig cfg = BleuConfig.sentenceDefaults().withSmoothing(BleuSmoothing.fromName(smooth), value);
        assertEquals(0.0, new Bleu(cfg).sentenceScore("this is a cat", List.of("okay thanks")).score(),
                1e-3);
    }

    // ------------------------------------------------------------------ README.md

    @Test
    void readmeCorpusExample() {
        Bleu bleu = Bleu.corpusLevel();
        BleuScore s = bleu.corpusScore(HYPS, bySegment(REF_STREAMS));
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 "
                + "ref_len = 18)", s.toString());
        assertEquals("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", s.signature());
        ChrfScore c = Chrf.defaults().corpusScore(HYPS, bySegment(REF_STREAMS));
        assertEquals("chrF2 = 59.73", c.toString());
        assertEquals("nrefs:2|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0", c.signature());
    }

    @Test
    void readmeVariableNumberOfReferences() {
        List<List<String>> streams = List.of(
                List.of("", "It was not unexpected.", "The man bit him first."),
                REF_STREAMS.get(1));
        BleuScore s = Bleu.corpusLevel().corpusScore(HYPS, bySegment(streams));
        assertEquals("BLEU = 29.44 82.4/42.9/27.3/12.5 (BP = 0.889 ratio = 0.895 hyp_len = 17 "
                + "ref_len = 19)", s.toString());
        assertEquals("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", s.signature());
    }

    // ------------------------------------------------------------------ test_chrf.py

    private static double corpusChrf(ChrfConfig cfg, List<String> hyps, List<String> refStream) {
        return new Chrf(cfg).corpusScore(hyps, bySegment(List.of(refStream))).score();
    }

    private static final ChrfConfig BETA3 = new ChrfConfig(6, 0, 3, false, false, false);

    @Test
    void chrfEpsSmoothingCases() {
        ChrfConfig eps = BETA3.withEpsSmoothing(true);
        assertEquals(0.0, corpusChrf(eps, List.of("abcdefg"), List.of("hijklmnop")), 1e-4);
        assertEquals(0.0, corpusChrf(eps, List.of("a"), List.of("b")), 1e-4);
        assertEquals(0.0, corpusChrf(eps, List.of(""), List.of("b")), 1e-4);
        assertEquals(0.0, corpusChrf(eps, List.of(""), List.of("ref")), 1e-4);
        assertEquals(0.0, corpusChrf(eps, List.of(""), List.of("reference")), 1e-4);
        assertEquals(8.3333, corpusChrf(eps, List.of("aa"), List.of("ab")), 1e-4);
        assertEquals(8.3333, corpusChrf(eps, List.of("a", "b"), List.of("a", "c")), 1e-4);
        assertEquals(16.6667, corpusChrf(eps, List.of("a"), List.of("a")), 1e-4);
        assertEquals(50.0, corpusChrf(eps, List.of("a b c"), List.of("a b c")), 1e-4);
        assertEquals(50.0, corpusChrf(eps, List.of("a b c"), List.of("abc")), 1e-4);
        assertEquals(63.361730, corpusChrf(eps, List.of(" risk assessment must be made of those "
                + "who are qualified and expertise in the sector - these are the scientists ."),
                List.of("risk assessment has to be undertaken by those who are qualified and "
                        + "expert in that area - that is the scientists .")), 1e-4);
        assertEquals(64.1302698, corpusChrf(eps, List.of(" Die    Beziehung zwischen  Obama und "
                + "Netanjahu ist nicht gerade  freundlich. "),
                List.of("Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade "
                        + "freundschaftlich.")), 1e-4);
        assertEquals(100.0, corpusChrf(eps, List.of("Niemand hat die Absicht, eine Mauer zu "
                + "errichten"), List.of("Niemand hat die Absicht, eine Mauer zu errichten")), 1e-4);
    }

    @Test
    void chrfEffectiveOrderCases() {
        assertEquals(100.0, corpusChrf(BETA3, List.of("a"), List.of("a")), 1e-4);
        assertEquals(0.0, corpusChrf(BETA3, List.of(""), List.of("reference")), 1e-4);
        assertEquals(100.0, corpusChrf(BETA3, List.of("a b c"), List.of("a b c")), 1e-4);
        assertEquals(100.0, corpusChrf(BETA3, List.of("a b c"), List.of("abc")), 1e-4);
        assertEquals(0.0, corpusChrf(BETA3, List.of(""), List.of("c")), 1e-4);
        assertEquals(50.0, corpusChrf(BETA3, List.of("a", "b"), List.of("a", "c")), 1e-4);
        assertEquals(25.0, corpusChrf(BETA3, List.of("aa"), List.of("ab")), 1e-4);
    }

    @Test
    void chrfKeepWhitespace() {
        ChrfConfig ws = BETA3.withWhitespace(true);
        assertEquals(67.3481606, corpusChrf(ws, List.of("Die Beziehung zwischen Obama und "
                + "Netanjahu ist nicht gerade freundlich."), List.of("Das Verhältnis zwischen "
                + "Obama und Netanyahu ist nicht gerade freundschaftlich.")), 1e-4);
        assertEquals(65.2414427, corpusChrf(ws, List.of("risk assessment must be made of those "
                + "who are qualified and expertise in the sector - these are the scientists ."),
                List.of("risk assessment has to be undertaken by those who are qualified and "
                        + "expert in that area - that is the scientists .")), 1e-4);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.|"
            + "Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.|"
            + "39.14078509",
        "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.|"
            + "A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.|"
            + "31.22557079",
        "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.|"
            + "Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, "
            + "připomněli.|57.15704367"})
    void chrfSentenceLevel(String hyp, String ref, double expected) {
        Chrf chrf = new Chrf(ChrfConfig.defaults().withEpsSmoothing(true));
        assertEquals(expected, chrf.sentenceScore(hyp, List.of(ref)).score(), 1e-4);
        assertEquals(expected, chrf.sentenceValue(hyp, List.of(ref)), 1e-4);
    }
}
