package dev.qdecode.rewards.bleu;

import java.util.Objects;

/**
 * A chrF result, like sacreBLEU's {@code CHRFScore}.
 *
 * @param score the score in [0, 100]
 * @param name {@code chrF2}, or {@code chrF2++} for word order 2 (one {@code +} per word order)
 * @param charOrder character n-gram order
 * @param wordOrder word n-gram order
 * @param beta recall weight
 * @param signature the sacreBLEU 2.x signature, e.g.
 *     {@code nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0}
 */
public record ChrfScore(
        double score, String name, int charOrder, int wordOrder, int beta, String signature) {

    /**
     * Checks that {@code name} and {@code signature} are given.
     *
     * @param score see the record description
     * @param name see the record description
     * @param charOrder see the record description
     * @param wordOrder see the record description
     * @param beta see the record description
     * @param signature see the record description
     * @throws NullPointerException naming {@code name} or {@code signature} when it is null
     */
    public ChrfScore {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(signature, "signature");
    }

    /**
     * sacreBLEU's text line, e.g. {@code chrF2|nrefs:2|...|version:2.6.0 = 59.73}.
     *
     * @param withSignature whether to put the signature after the name
     * @return the formatted score
     */
    public String format(boolean withSignature) {
        return name + (withSignature ? "|" + signature : "") + " = " + PyText.fixed(score, 2);
    }

    /** The score line without signature. */
    @Override
    public String toString() {
        return format(false);
    }
}
