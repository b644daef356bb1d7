package dev.qdecode.rewards.bleu;

/**
 * Settings of {@link Chrf}, mirroring sacreBLEU 2.x's {@code CHRF} class.
 *
 * @param charOrder character n-gram order (6)
 * @param wordOrder word n-gram order (0; 2 gives chrF++)
 * @param beta recall weight (2)
 * @param lowercase lower-case first ({@code case:lc})
 * @param whitespace keep whitespace in character n-grams ({@code space:yes})
 * @param epsSmoothing chrF++.py/NLTK/Moses epsilon smoothing instead of sacreBLEU's default
 *     effective-order averaging ({@code eff:no} in the signature)
 */
public record ChrfConfig(
        int charOrder, int wordOrder, int beta, boolean lowercase, boolean whitespace,
        boolean epsSmoothing) {

    /**
     * Validates the settings.
     *
     * @param charOrder character n-gram order, 0 to 32
     * @param wordOrder word n-gram order, 0 to 8; {@code charOrder + wordOrder >= 1}
     * @param beta recall weight, {@code >= 0}
     * @param lowercase lower-case first
     * @param whitespace keep whitespace in character n-grams
     * @param epsSmoothing epsilon smoothing instead of effective-order averaging
     * @throws IllegalArgumentException if an order or {@code beta} is out of range
     */
    public ChrfConfig {
        // named as the chrf reward's parameters, which set them
        if (charOrder < 0 || charOrder > 32) {
            throw new IllegalArgumentException("char-order=" + charOrder + ": expected an integer 0-32");
        }
        if (wordOrder < 0 || wordOrder > 8) {
            throw new IllegalArgumentException("word-order=" + wordOrder + ": expected an integer 0-8");
        }
        if (charOrder + wordOrder == 0) {
            throw new IllegalArgumentException("char-order=" + charOrder + " and word-order=" + wordOrder
                    + ": expected char-order + word-order >= 1");
        }
        if (beta < 0) {
            throw new IllegalArgumentException("beta=" + beta + ": expected an integer >= 0");
        }
    }

    /**
     * sacreBLEU's defaults: chrF2 with character 6-grams, no word n-grams, whitespace removed,
     * effective-order averaging.
     *
     * @return the settings
     */
    public static ChrfConfig defaults() {
        return new ChrfConfig(6, 0, 2, false, false, false);
    }

    /**
     * chrF++: the defaults with word order 2.
     *
     * @return the settings
     */
    public static ChrfConfig chrfPlusPlus() {
        return defaults().withWordOrder(2);
    }

    /**
     * A copy with another character order.
     *
     * @param n the order
     * @return the copy
     */
    public ChrfConfig withCharOrder(int n) {
        return new ChrfConfig(n, wordOrder, beta, lowercase, whitespace, epsSmoothing);
    }

    /**
     * A copy with another word order.
     *
     * @param n the order
     * @return the copy
     */
    public ChrfConfig withWordOrder(int n) {
        return new ChrfConfig(charOrder, n, beta, lowercase, whitespace, epsSmoothing);
    }

    /**
     * A copy with another beta.
     *
     * @param b the beta
     * @return the copy
     */
    public ChrfConfig withBeta(int b) {
        return new ChrfConfig(charOrder, wordOrder, b, lowercase, whitespace, epsSmoothing);
    }

    /**
     * A copy with lower-casing on or off.
     *
     * @param lc true to lower-case
     * @return the copy
     */
    public ChrfConfig withLowercase(boolean lc) {
        return new ChrfConfig(charOrder, wordOrder, beta, lc, whitespace, epsSmoothing);
    }

    /**
     * A copy keeping or removing whitespace.
     *
     * @param ws true to keep whitespace in character n-grams
     * @return the copy
     */
    public ChrfConfig withWhitespace(boolean ws) {
        return new ChrfConfig(charOrder, wordOrder, beta, lowercase, ws, epsSmoothing);
    }

    /**
     * A copy with epsilon smoothing on or off.
     *
     * @param eps true for epsilon smoothing
     * @return the copy
     */
    public ChrfConfig withEpsSmoothing(boolean eps) {
        return new ChrfConfig(charOrder, wordOrder, beta, lowercase, whitespace, eps);
    }
}
