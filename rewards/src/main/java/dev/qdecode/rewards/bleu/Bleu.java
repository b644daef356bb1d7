package dev.qdecode.rewards.bleu;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * BLEU (Papineni et al., 2002) computed exactly as sacreBLEU {@value #SACREBLEU_VERSION} does:
 * same tokenizers, n-gram clipping against the maximum count over references, closest reference
 * length (ties go to the shorter one), brevity penalty, smoothing, effective order and signature.
 *
 * <p>Hypotheses and references are lower-cased (optionally) and right-stripped before
 * tokenization. Empty reference strings are ignored, as sacreBLEU does for a variable number of
 * references, and so are whitespace-only ones, whitespace as Python's {@code str.isspace()} (which
 * the tokenizers split on) has it, no-break spaces included (sacreBLEU would count them as
 * references of length 0: a blank reference is taken as a missing one, not as one that no
 * hypothesis can match); a segment needs at least one non-blank reference.
 *
 * <p>Instances are immutable and thread-safe (per-thread scratch buffers; no boxing in n-gram
 * counting).
 */
public final class Bleu implements CorpusMetric {
    /** The sacreBLEU release whose behaviour and signature format this class reproduces. */
    public static final String SACREBLEU_VERSION = "2.6.0";

    private static final double LOG_ZERO = -9999999999.0;

    private final BleuConfig config;

    /**
     * Creates a scorer.
     *
     * @param config the settings
     */
    public Bleu(BleuConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * sacreBLEU's {@code sentence_bleu} defaults (13a, exp smoothing, effective order).
     *
     * @return a sentence-level scorer
     */
    public static Bleu sentenceLevel() {
        return new Bleu(BleuConfig.sentenceDefaults());
    }

    /**
     * sacreBLEU's {@code corpus_bleu} / {@code BLEU()} defaults.
     *
     * @return a corpus-level scorer
     */
    public static Bleu corpusLevel() {
        return new Bleu(BleuConfig.corpusDefaults());
    }

    /**
     * The settings.
     *
     * @return the configuration
     */
    public BleuConfig config() {
        return config;
    }

    /**
     * Corpus BLEU: statistics summed over all segments, then one score.
     *
     * @param hypotheses one hypothesis per segment
     * @param references for each segment its references (empty and whitespace-only strings are skipped)
     * @return the score with counts and signature ({@code nrefs:var} when the number of
     *     non-blank references differs between segments)
     * @throws IllegalArgumentException when the lists differ in length, are empty, hold a null
     *     element (the message names it: {@code hypotheses[3] is null}, {@code references[3] is null},
     *     {@code references[3][0] is null}),
     *     or a segment has no non-blank reference (the message names the segment index)
     * @throws NullPointerException naming {@code hypotheses} or {@code references} when it is null
     */
    public BleuScore corpusScore(List<String> hypotheses, List<? extends List<String>> references) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(references, "references");
        CorpusStats.Sum s = CorpusStats.sum(hypotheses, references, 2 + 2 * config.maxNgramOrder(), this::segmentStats);
        return fromStats(s.sums(), s.nrefs());
    }

    @Override
    public String name() {
        return "BLEU";
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
        return CorpusStats.perSegment(hypotheses, references, 2 + 2 * config.maxNgramOrder(), this::segmentStats);
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code summed} when it is null
     */
    @Override
    public double scoreOf(long[] summed) {
        Objects.requireNonNull(summed, "summed");
        return compute(summed, config.maxNgramOrder(), null);
    }

    /**
     * Sentence BLEU of one hypothesis (uses this scorer's settings; sacreBLEU's
     * {@code sentence_bleu} turns effective order on, see {@link #sentenceLevel()}).
     *
     * @param hypothesis the hypothesis
     * @param references its references (empty and whitespace-only strings are skipped)
     * @return the score with counts and signature
     * @throws IllegalArgumentException when there is no non-blank reference, or a reference is null
     *     (the message names it: {@code references[1] is null})
     * @throws NullPointerException naming {@code hypothesis} or {@code references} when it is null
     */
    public BleuScore sentenceScore(String hypothesis, List<String> references) {
        Objects.requireNonNull(hypothesis, "hypothesis");
        Objects.requireNonNull(references, "references");
        long[] seg = new long[2 + 2 * config.maxNgramOrder()];
        int n = segmentStats(Workspace.get(), hypothesis, references, seg);
        return fromStats(seg, Integer.toString(n));
    }

    /**
     * The sentence BLEU value only (no result object): the fast path for rewards.
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
        long[] seg = ws.bleuSegment(2 + 2 * config.maxNgramOrder());
        segmentStats(ws, hypothesis, references, seg);
        int order = config.maxNgramOrder();
        return compute(seg, order, null);
    }

    /**
     * The signature sacreBLEU 2.x prints for these settings, e.g.
     * {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}.
     *
     * @param nrefs the number of references per segment, or {@code var}
     * @return the signature
     * @throws NullPointerException naming {@code nrefs} when it is null
     */
    public String signature(String nrefs) {
        Objects.requireNonNull(nrefs, "nrefs");
        String smooth = config.smoothing().signature();
        if (config.smoothing().takesValue()) {
            smooth += "[" + PyText.fixed(config.effectiveSmoothValue(), 2) + "]";
        }
        return "nrefs:" + nrefs
                + "|case:" + (config.lowercase() ? "lc" : "mixed")
                + "|eff:" + (config.effectiveOrder() ? "yes" : "no")
                + "|tok:" + config.tokenizer().signature()
                + "|smooth:" + smooth
                + "|version:" + SACREBLEU_VERSION;
    }

    /**
     * BLEU from sufficient statistics (sacreBLEU's {@code BLEU.compute_bleu}) with this scorer's
     * smoothing, effective order and order; useful to aggregate statistics computed elsewhere.
     *
     * @param correct clipped matches per order
     * @param total hypothesis n-grams per order
     * @param sysLen hypothesis length
     * @param refLen reference length
     * @param nrefs the value for the signature's {@code nrefs} field
     * @return the score
     * @throws NullPointerException naming {@code correct}, {@code total} or {@code nrefs} when it is null
     */
    public BleuScore fromStatistics(long[] correct, long[] total, long sysLen, long refLen,
            String nrefs) {
        Objects.requireNonNull(correct, "correct");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(nrefs, "nrefs");
        int order = config.maxNgramOrder();
        if (correct.length != order || total.length != order) {
            throw new IllegalArgumentException("BLEU statistics need " + order
                    + " counts and totals, got " + correct.length + " and " + total.length);
        }
        long[] stats = new long[2 + 2 * order];
        stats[0] = sysLen;
        stats[1] = refLen;
        System.arraycopy(correct, 0, stats, 2, order);
        System.arraycopy(total, 0, stats, 2 + order, order);
        return fromStats(stats, nrefs);
    }

    private String preprocess(String s) {
        if (config.lowercase()) {
            s = s.toLowerCase(Locale.ROOT);
        }
        return PyText.rstrip(s);
    }

    /** Tokenizes and counts one segment into {@code out}; returns the number of references used. */
    private int segmentStats(Workspace ws, String hypothesis, List<String> references, long[] out) {
        if (hypothesis == null) {
            throw new IllegalArgumentException("hypothesis is null");
        }
        if (references == null) {
            throw new IllegalArgumentException("references are null");
        }
        BleuTokenizer tok = config.tokenizer();
        int nRefs = 0;
        for (int j = 0; j < references.size(); j++) {
            String ref = references.get(j);
            if (ref == null) {
                throw new IllegalArgumentException("references[" + j + "] is null");
            }
            if (PyText.isBlank(ref)) {
                continue;
            }
            TokenBuffer tb = ws.ref(nRefs++);
            tb.clear();
            tok.tokens(preprocess(ref), tb, ws.scratch);
        }
        if (nRefs == 0) {
            throw new IllegalArgumentException(CorpusStats.NO_REFERENCE);
        }
        ws.hyp.clear();
        tok.tokens(preprocess(hypothesis), ws.hyp, ws.scratch);
        ws.bleuStats(nRefs, config.maxNgramOrder(), out);
        return nRefs;
    }

    private BleuScore fromStats(long[] stats, String nrefs) {
        int order = config.maxNgramOrder();
        double[] precisions = new double[order];
        double score = compute(stats, order, precisions);
        long[] correct = new long[order];
        long[] total = new long[order];
        System.arraycopy(stats, 2, correct, 0, order);
        System.arraycopy(stats, 2 + order, total, 0, order);
        return new BleuScore(score, correct, total, precisions, brevityPenalty(stats[0], stats[1]),
                stats[0], stats[1], signature(nrefs));
    }

    private static double brevityPenalty(long sysLen, long refLen) {
        if (sysLen < refLen) {
            return sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0;
        }
        return 1.0;
    }

    /**
     * sacreBLEU's {@code compute_bleu} on {@code [sys_len, ref_len, correct.., total..]}.
     *
     * @param precisionsOut receives the precisions (percent) when not null
     */
    private double compute(long[] stats, int order, double[] precisionsOut) {
        double bp = brevityPenalty(stats[0], stats[1]);
        double[] precisions = precisionsOut != null ? precisionsOut : new double[order];
        boolean anyMatch = false;
        for (int n = 0; n < order; n++) {
            anyMatch |= stats[2 + n] != 0;
        }
        if (!anyMatch) {
            return 0.0;
        }
        BleuSmoothing smoothing = config.smoothing();
        double value = config.effectiveSmoothValue();
        double smoothMteval = 1.0;
        int effOrder = order;
        for (int n = 1; n <= order; n++) {
            double correct = stats[1 + n];
            double total = stats[1 + order + n];
            if (smoothing == BleuSmoothing.ADD_K && n > 1) {
                correct += value;
                total += value;
            }
            if (total == 0) {
                break;
            }
            if (config.effectiveOrder()) {
                effOrder = n;
            }
            if (correct == 0) {
                if (smoothing == BleuSmoothing.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total);
                } else if (smoothing == BleuSmoothing.FLOOR) {
                    precisions[n - 1] = 100.0 * value / total;
                }
            } else {
                precisions[n - 1] = 100.0 * correct / total;
            }
        }
        double sum = 0.0;
        for (int i = 0; i < effOrder; i++) {
            sum += precisions[i] == 0.0 ? LOG_ZERO : Math.log(precisions[i]);
        }
        return bp * Math.exp(sum / effOrder);
    }
}
