package dev.qdecode.tokenizer;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What qdecode reads as a decimal number, wherever a number is typed or stored as text: option values,
 * reward weights, lexicon values, numeric label names. {@link Double#parseDouble} alone also takes
 * {@code 1d}, {@code 2f}, {@code 0x1p-10}, {@code NaN}, {@code Infinity} and surrounding blanks, so
 * that {@code --time-limit 1d} would be one minute: text is checked here first. Shared by every
 * module (the tokenizer module is the one they all depend on).
 */
public final class Decimals {
    /** Digits with an optional point and fraction, or a point and digits; an optional exponent. */
    private static final String UNSIGNED_FORM = "(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?";
    private static final Pattern UNSIGNED = Pattern.compile(UNSIGNED_FORM);
    private static final Pattern SIGNED = Pattern.compile("[+-]?" + UNSIGNED_FORM);

    private Decimals() {}

    /**
     * Whether the whole text is a decimal number: an optional sign, digits with an optional point
     * ({@code 3}, {@code 3.}, {@code 0.5}, {@code .5}) and an optional exponent ({@code 1e-4},
     * {@code 2.5E+3}); nothing else, not even blanks. The value may still be infinite once read
     * ({@code 1e400}).
     *
     * @param text the text
     * @return true when it is such a number
     * @throws NullPointerException naming {@code text} when it is null
     */
    public static boolean isDecimal(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return SIGNED.matcher(text).matches();
    }

    /**
     * {@link #isDecimal}, without a sign.
     *
     * @param text the text
     * @return true when it is a decimal number without sign
     * @throws NullPointerException naming {@code text} when it is null
     */
    public static boolean isUnsignedDecimal(CharSequence text) {
        Objects.requireNonNull(text, "text");
        return UNSIGNED.matcher(text).matches();
    }
}
