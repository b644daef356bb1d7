package dev.qdecode.rewards.bleu;

import java.util.Arrays;

/**
 * A BLEU result, like sacreBLEU's {@code BLEUScore}: the score (0–100), the per-order match
 * counts and totals, precisions (percent), brevity penalty, system and reference lengths, and the
 * reproducibility signature. Counts are the raw integer statistics (sacreBLEU's {@code add-k}
 * adds k to its returned counts; here they stay unsmoothed).
 */
public final class BleuScore {
    private final double score;
    private final long[] counts;
    private final long[] totals;
    private final double[] precisions;
    private final double bp;
    private final long sysLen;
    private final long refLen;
    private final String signature;

    BleuScore(double score, long[] counts, long[] totals, double[] precisions, double bp,
            long sysLen, long refLen, String signature) {
        this.score = score;
        this.counts = counts.clone();
        this.totals = totals.clone();
        this.precisions = precisions.clone();
        this.bp = bp;
        this.sysLen = sysLen;
        this.refLen = refLen;
        this.signature = signature;
    }

    /**
     * The BLEU score in [0, 100].
     *
     * @return the score
     */
    public double score() {
        return score;
    }

    /**
     * Clipped n-gram matches per order (index 0 = unigrams).
     *
     * @return a copy of the counts
     */
    public long[] counts() {
        return counts.clone();
    }

    /**
     * Hypothesis n-grams per order.
     *
     * @return a copy of the totals
     */
    public long[] totals() {
        return totals.clone();
    }

    /**
     * Smoothed precisions per order, in percent (0 for orders not used).
     *
     * @return a copy of the precisions
     */
    public double[] precisions() {
        return precisions.clone();
    }

    /**
     * The brevity penalty.
     *
     * @return bp in [0, 1]
     */
    public double bp() {
        return bp;
    }

    /**
     * The hypothesis length in tokens (summed over the corpus).
     *
     * @return the system length
     */
    public long sysLen() {
        return sysLen;
    }

    /**
     * The closest-reference length in tokens (summed over the corpus).
     *
     * @return the reference length
     */
    public long refLen() {
        return refLen;
    }

    /**
     * sys_len / ref_len (0 when ref_len is 0).
     *
     * @return the length ratio
     */
    public double ratio() {
        return refLen == 0 ? 0.0 : (double) sysLen / refLen;
    }

    /**
     * The sacreBLEU 2.x signature, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}.
     *
     * @return the signature
     */
    public String signature() {
        return signature;
    }

    /**
     * sacreBLEU's text line, e.g.
     * {@code BLEU|nrefs:2|...|version:2.6.0 = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)}.
     *
     * @param withSignature whether to put the signature after the name
     * @return the formatted score
     */
    public String format(boolean withSignature) {
        StringBuilder sb = new StringBuilder("BLEU");
        if (withSignature) {
            sb.append('|').append(signature);
        }
        sb.append(" = ").append(PyText.fixed(score, 2)).append(' ');
        for (int i = 0; i < precisions.length; i++) {
            if (i > 0) {
                sb.append('/');
            }
            sb.append(PyText.fixed(precisions[i], 1));
        }
        sb.append(" (BP = ").append(PyText.fixed(bp, 3))
                .append(" ratio = ").append(PyText.fixed(ratio(), 3))
                .append(" hyp_len = ").append(sysLen)
                .append(" ref_len = ").append(refLen).append(')');
        return sb.toString();
    }

    /** The score line without signature. */
    @Override
    public String toString() {
        return format(false);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BleuScore)) {
            return false;
        }
        BleuScore b = (BleuScore) o;
        return Double.compare(score, b.score) == 0 && Arrays.equals(counts, b.counts)
                && Arrays.equals(totals, b.totals) && Arrays.equals(precisions, b.precisions)
                && Double.compare(bp, b.bp) == 0 && sysLen == b.sysLen && refLen == b.refLen
                && signature.equals(b.signature);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(score) * 31 + Arrays.hashCode(counts) + signature.hashCode();
    }
}
