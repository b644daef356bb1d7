package dev.qdecode.rewards.bleu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * chrF (Popović, 2015) and chrF++ (Popović, 2017) computed exactly as sacreBLEU
 * {@value Bleu#SACREBLEU_VERSION} does: character n-grams over code points (whitespace removed by
 * default), optional word n-grams with sacreBLEU's punctuation splitting, the best-F reference per
 * segment, and either effective-order averaging (default, {@code eff:yes}) or chrF++.py-style
 * epsilon smoothing.
 *
 * <p>Empty and whitespace-only reference strings are ignored (see {@link Bleu}); a segment needs at
 * least one non-blank reference.
 * Instances are immutable and thread-safe.
 */
public final class Chrf implements CorpusMetric {
    private static final double EPS = 1e-16;
    private static final String PUNCTS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private final ChrfConfig config;

    /**
     * Creates a scorer.
     *
     * @param config the settings
     */
    public Chrf(ChrfConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * sacreBLEU's default chrF2.
     *
     * @return the scorer
     */
    public static Chrf defaults() {
        return new Chrf(ChrfConfig.defaults());
    }

    /**
     * The settings.
     *
     * @return the configuration
     */
    public ChrfConfig config() {
        return config;
    }

    /**
     * Corpus chrF: statistics summed over segments, then one F-score.
     *
     * @param hypotheses one hypothesis per segment
     * @param references for each segment its references (empty and whitespace-only strings are skipped)
     * @return the score
     * @throws IllegalArgumentException when the lists differ in length, are empty, hold a null
     *     element (the message names it: {@code hypotheses[3] is null}, {@code references[3] is null},
     *     {@code references[3][0] is null}),
     *     or a segment has no non-blank reference (the message names the segment index)
     * @throws NullPointerException naming {@code hypotheses} or {@code references} when it is null
     */
    public ChrfScore corpusScore(List<String> hypotheses, List<? extends List<String>> references) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(references, "references");
        CorpusStats.Sum s = CorpusStats.sum(hypotheses, references, 3 * (config.charOrder() + config.wordOrder()),
                this::segmentStats);
        return result(fScore(s.sums(), config), s.nrefs());
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code hypotheses} or {@code references} when it is null
     */
    @Override
    public long[][] segmentStatistics(List<String> hypotheses, List<? extends List<String>> references) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(references, "references");
        return CorpusStats.perSegment(hypotheses, references, 3 * (config.charOrder() + config.wordOrder()),
                this::segmentStats);
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code summed} when it is null
     */
    @Override
    public double scoreOf(long[] summed) {
        Objects.requireNonNull(summed, "summed");
        return fScore(summed, config);
    }

    /**
     * Sentence chrF.
     *
     * @param hypothesis the hypothesis
     * @param references its references (empty and whitespace-only strings are skipped)
     * @return the score
     * @throws IllegalArgumentException when there is no non-blank reference, or a reference is null
     *     (the message names it: {@code references[1] is null})
     * @throws NullPointerException naming {@code hypothesis} or {@code references} when it is null
     */
    public ChrfScore sentenceScore(String hypothesis, List<String> references) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        Objects.requireNonNull(references, "references");
        long[] seg = new long[3 * (config.charOrder() + config.wordOrder())];
        int n = segmentStats(Workspace.get(), hypothesis, references, seg);
        return result(fScore(seg, config), Integer.toString(n));
    }

    /**
     * The sentence chrF value only (the fast path for rewards).
     *
     * @param hypothesis the hypothesis
     * @param references its references (empty and whitespace-only strings are skipped)
     * @return the score in [0, 100]
     * @throws IllegalArgumentException when there is no non-blank reference, or a reference is null
     *     (the message names it: {@code references[1] is null})
     * @throws NullPointerException naming {@code hypothesis} or {@code references} when it is null
     */
    public double sentenceValue(String hypothesis, List<String> references) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        Objects.requireNonNull(references, "references");
        Workspace ws = Workspace.get();
        long[] seg = ws.chrfSegment(3 * (config.charOrder() + config.wordOrder()));
        segmentStats(ws, hypothesis, references, seg);
        return fScore(seg, config);
    }

    /**
     * The signature sacreBLEU 2.x prints for these settings, e.g.
     * {@code nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0}.
     *
     * @param nrefs the number of references per segment, or {@code var}
     * @return the signature
     * @throws NullPointerException naming {@code nrefs} when it is null
     */
    public String signature(String nrefs) {
        Objects.requireNonNull(nrefs, "nrefs");
        return "nrefs:" + nrefs
                + "|case:" + (config.lowercase() ? "lc" : "mixed")
                + "|eff:" + (config.epsSmoothing() ? "no" : "yes")
                + "|nc:" + config.charOrder()
                + "|nw:" + config.wordOrder()
                + "|space:" + (config.whitespace() ? "yes" : "no")
                + "|version:" + Bleu.SACREBLEU_VERSION;
    }

    /**
     * The metric name, {@code chrF2} or {@code chrF2++}.
     *
     * @return the name
     */
    @Override
    public String name() {
        return "chrF" + config.beta() + "+".repeat(config.wordOrder());
    }

    private ChrfScore result(double score, String nrefs) {
        return new ChrfScore(score, name(), config.charOrder(), config.wordOrder(), config.beta(),
                signature(nrefs));
    }

    private int segmentStats(Workspace ws, String hypothesis, List<String> references, long[] out) {
        if (hypothesis == null) {
            throw new IllegalArgumentException("hypothesis is null");
        }
        if (references == null) {
            throw new IllegalArgumentException("references are null");
        }
        List<String> refChars = new ArrayList<>(references.size());
        List<String> refSents = new ArrayList<>(references.size());
        for (int j = 0; j < references.size(); j++) {
            String ref = references.get(j);
            if (ref == null) {
                throw new IllegalArgumentException("references[" + j + "] is null");
            }
            if (PyText.isBlank(ref)) {
                continue;
            }
            String r = preprocess(ref);
            refSents.add(r);
            refChars.add(config.whitespace() ? r : PyText.removeWhitespace(r));
        }
        if (refChars.isEmpty()) {
            throw new IllegalArgumentException(CorpusStats.NO_REFERENCE);
        }
        String hyp = preprocess(hypothesis);
        TokenBuffer hypWords = null;
        TokenBuffer[] refWords = null;
        if (config.wordOrder() > 0) {
            hypWords = ws.hyp;
            hypWords.clear();
            words(hyp, hypWords);
            refWords = new TokenBuffer[refSents.size()];
            for (int r = 0; r < refSents.size(); r++) {
                refWords[r] = ws.ref(r);
                refWords[r].clear();
                words(refSents.get(r), refWords[r]);
            }
        }
        String hypChars = config.whitespace() ? hyp : PyText.removeWhitespace(hyp);
        ws.chrfStats(hypChars, refChars, hypWords, refWords, config, out,
                ws.chrfScratch(out.length));
        return refChars.size();
    }

    private String preprocess(String s) {
        return config.lowercase() ? s.toLowerCase(Locale.ROOT) : s;
    }

    /**
     * sacreBLEU's {@code _remove_punctuation}: whitespace split, then one ASCII punctuation mark
     * split off the end of a word, or else off its start.
     */
    private static void words(String sentence, TokenBuffer out) {
        TokenBuffer raw = new TokenBuffer();
        raw.addSplit(sentence);
        for (int i = 0; i < raw.count; i++) {
            int s = raw.starts[i];
            int e = raw.ends[i];
            char[] c = raw.chars;
            if (Character.codePointCount(c, s, e - s) == 1) {
                out.add(c, s, e);
            } else if (PUNCTS.indexOf(c[e - 1]) >= 0) {
                out.add(c, s, e - 1);
                out.add(c, e - 1, e);
            } else if (PUNCTS.indexOf(c[s]) >= 0) {
                out.add(c, s, s + 1);
                out.add(c, s + 1, e);
            } else {
                out.add(c, s, e);
            }
        }
    }

    /** sacreBLEU's {@code _compute_f_score} on {@code [hyp, ref, match] * orders}. */
    static double fScore(long[] stats, ChrfConfig cfg) {
        int orders = cfg.charOrder() + cfg.wordOrder();
        double factor = (double) cfg.beta() * cfg.beta();
        double score = 0.0;
        int effectiveOrder = 0;
        double avgPrec = 0.0;
        double avgRec = 0.0;
        for (int i = 0; i < orders; i++) {
            long nHyp = stats[3 * i];
            long nRef = stats[3 * i + 1];
            long nMatch = stats[3 * i + 2];
            double prec = nHyp > 0 ? (double) nMatch / nHyp : EPS;
            double rec = nRef > 0 ? (double) nMatch / nRef : EPS;
            double denom = factor * prec + rec;
            score += denom > 0 ? (1 + factor) * prec * rec / denom : EPS;
            if (nHyp > 0 && nRef > 0) {
                avgPrec += prec;
                avgRec += rec;
                effectiveOrder++;
            }
        }
        if (cfg.epsSmoothing()) {
            return 100 * score / orders;
        }
        if (effectiveOrder == 0) {
            avgPrec = 0.0;
            avgRec = 0.0;
        } else {
            avgPrec /= effectiveOrder;
            avgRec /= effectiveOrder;
        }
        if (avgPrec + avgRec != 0) {
            double s = (1 + factor) * avgPrec * avgRec;
            s /= (factor * avgPrec) + avgRec;
            return 100 * s;
        }
        return 0.0;
    }
}
