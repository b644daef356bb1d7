package dev.qdecode.rewards.bleu;

import java.util.Locale;
import java.util.Objects;

/**
 * Sentence-BLEU smoothing methods of sacreBLEU 2.x (Chen and Cherry, 2014), with their default
 * values.
 */
public enum BleuSmoothing {
    /** No smoothing: a zero n-gram precision makes the score 0. */
    NONE("none", Double.NaN),
    /** Method 1: a zero match count is replaced by a small value (default 0.1). */
    FLOOR("floor", 0.1),
    /** Method 2: adds k (default 1) to matches and totals of orders 2 and above. */
    ADD_K("add-k", 1.0),
    /** Method 3 (NIST, mteval-v13a): the k-th zero precision becomes 1 / (2^k · total). */
    EXP("exp", Double.NaN);

    private final String signature;
    private final double defaultValue;

    BleuSmoothing(String signature, double defaultValue) {
        this.signature = signature;
        this.defaultValue = defaultValue;
    }

    /**
     * The sacreBLEU name ({@code exp}, {@code floor}, {@code add-k}, {@code none}).
     *
     * @return the name
     */
    public String signature() {
        return signature;
    }

    /**
     * Whether the method takes a value ({@code floor} and {@code add-k}).
     *
     * @return true when a smoothing value applies
     */
    public boolean takesValue() {
        return !Double.isNaN(defaultValue);
    }

    /**
     * The default value (0.1 for floor, 1 for add-k, NaN for the others).
     *
     * @return the default value
     */
    public double defaultValue() {
        return defaultValue;
    }

    /**
     * Looks a method up by its sacreBLEU name.
     *
     * @param name {@code exp}, {@code floor}, {@code add-k} or {@code none} (case-insensitive)
     * @return the method
     * @throws IllegalArgumentException naming the accepted values
     * @throws NullPointerException naming {@code name} when it is null
     */
    public static BleuSmoothing fromName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (BleuSmoothing s : values()) {
            if (s.signature.equals(n)) {
                return s;
            }
        }
        throw new IllegalArgumentException(
                "unknown BLEU smoothing '" + name + "': expected one of exp, floor, add-k, none");
    }
}
