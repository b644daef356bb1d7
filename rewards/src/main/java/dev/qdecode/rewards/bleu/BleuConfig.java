package dev.qdecode.rewards.bleu;

import java.util.Objects;

/**
 * Settings of {@link Bleu}, mirroring the arguments of sacreBLEU 2.x's {@code BLEU} class.
 *
 * @param tokenizer the tokenizer ({@code 13a} by default)
 * @param lowercase lower-case hypotheses and references first ({@code case:lc})
 * @param smoothing the smoothing method ({@code exp} by default)
 * @param smoothValue the value for {@code floor}/{@code add-k}; NaN means the method's default
 * @param effectiveOrder ignore n-gram orders the hypothesis is too short to have (sentence level)
 * @param maxNgramOrder the highest n-gram order (4 by default)
 */
public record BleuConfig(
        BleuTokenizer tokenizer,
        boolean lowercase,
        BleuSmoothing smoothing,
        double smoothValue,
        boolean effectiveOrder,
        int maxNgramOrder) {

    /** The default highest n-gram order. */
    public static final int MAX_NGRAM_ORDER = 4;

    /**
     * Validates the settings.
     *
     * @param tokenizer the tokenizer; not null
     * @param lowercase lower-case hypotheses and references first
     * @param smoothing the smoothing method; not null
     * @param smoothValue the value for {@code floor}/{@code add-k}, finite and {@code >= 0}, or NaN
     *     for the method's default
     * @param effectiveOrder ignore n-gram orders the hypothesis is too short to have
     * @param maxNgramOrder the highest n-gram order, 1 to 16
     * @throws NullPointerException if {@code tokenizer} or {@code smoothing} is null
     * @throws IllegalArgumentException if {@code maxNgramOrder} or {@code smoothValue} is out of
     *     range
     */
    public BleuConfig {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(smoothing, "smoothing");
        if (maxNgramOrder < 1 || maxNgramOrder > 16) {
            throw new IllegalArgumentException(
                    "BLEU max n-gram order " + maxNgramOrder + ": expected 1 to 16");
        }
        if (!Double.isNaN(smoothValue) && (!Double.isFinite(smoothValue) || smoothValue < 0)) {
            throw new IllegalArgumentException(
                    "BLEU smoothing value " + smoothValue + ": expected a finite number >= 0");
        }
    }

    /**
     * sacreBLEU's corpus-level defaults ({@code BLEU()}): 13a, mixed case, exp smoothing, no
     * effective order, order 4.
     *
     * @return the settings
     */
    public static BleuConfig corpusDefaults() {
        return new BleuConfig(BleuTokenizer.T13A, false, BleuSmoothing.EXP, Double.NaN, false,
                MAX_NGRAM_ORDER);
    }

    /**
     * sacreBLEU's {@code sentence_bleu()} defaults: as {@link #corpusDefaults()} with effective
     * order on.
     *
     * @return the settings
     */
    public static BleuConfig sentenceDefaults() {
        return corpusDefaults().withEffectiveOrder(true);
    }

    /**
     * The smoothing value in force: {@link #smoothValue()} or the method's default.
     *
     * @return the value (NaN for exp and none)
     */
    public double effectiveSmoothValue() {
        return Double.isNaN(smoothValue) ? smoothing.defaultValue() : smoothValue;
    }

    /**
     * A copy with another tokenizer.
     *
     * @param t the tokenizer
     * @return the copy
     * @throws NullPointerException naming {@code t} when it is null
     */
    public BleuConfig withTokenizer(BleuTokenizer t) {
        Objects.requireNonNull(t, "t");
        return new BleuConfig(t, lowercase, smoothing, smoothValue, effectiveOrder, maxNgramOrder);
    }

    /**
     * A copy with lower-casing on or off.
     *
     * @param lc true to lower-case
     * @return the copy
     */
    public BleuConfig withLowercase(boolean lc) {
        return new BleuConfig(tokenizer, lc, smoothing, smoothValue, effectiveOrder, maxNgramOrder);
    }

    /**
     * A copy with another smoothing method and its default value.
     *
     * @param s the method
     * @return the copy
     * @throws NullPointerException naming {@code s} when it is null
     */
    public BleuConfig withSmoothing(BleuSmoothing s) {
        Objects.requireNonNull(s, "s");
        return new BleuConfig(tokenizer, lowercase, s, Double.NaN, effectiveOrder, maxNgramOrder);
    }

    /**
     * A copy with another smoothing method and value.
     *
     * @param s the method
     * @param value the value (NaN for the method's default)
     * @return the copy
     * @throws NullPointerException naming {@code s} when it is null
     */
    public BleuConfig withSmoothing(BleuSmoothing s, double value) {
        Objects.requireNonNull(s, "s");
        return new BleuConfig(tokenizer, lowercase, s, value, effectiveOrder, maxNgramOrder);
    }

    /**
     * A copy with effective order on or off.
     *
     * @param eff true for effective order
     * @return the copy
     */
    public BleuConfig withEffectiveOrder(boolean eff) {
        return new BleuConfig(tokenizer, lowercase, smoothing, smoothValue, eff, maxNgramOrder);
    }

    /**
     * A copy with another highest n-gram order.
     *
     * @param order the order (1 to 16)
     * @return the copy
     */
    public BleuConfig withMaxNgramOrder(int order) {
        return new BleuConfig(tokenizer, lowercase, smoothing, smoothValue, effectiveOrder, order);
    }
}
