package dev.qdecode.rewards.pystr;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The few CPython {@code str} / {@code re} operations that the ported Python reference code
 * (VADER, AFINN, the SQuAD v1.1 evaluation script) relies on, reproduced with their Python
 * semantics (code points, Python's whitespace set, {@code \w}, {@code isupper}, correctly rounded
 * {@code round}). A helper of the reward implementations, not part of the reward SPI. Stateless
 * and thread-safe.
 */
public final class PyStr {
    /** Python's {@code string.punctuation} (ASCII only). */
    public static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private PyStr() {}

    /**
     * Whether a code point is whitespace for Python's {@code str.split()} / {@code str.strip()}
     * (bidirectional class WS, B or S, or category Zs).
     *
     * @param cp the code point
     * @return true for Python whitespace
     */
    public static boolean isSpace(int cp) {
        if (cp < 128) {
            return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
        }
        return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A)
                || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /**
     * Python's {@code str.strip()} with no argument.
     *
     * @param s the string
     * @return {@code s} without leading and trailing Python whitespace
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static String strip(String s) {
        Objects.requireNonNull(s, "s");
        int start = 0;
        int end = s.length();
        while (start < end) {
            int cp = s.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        while (end > start) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(start, end);
    }

    /**
     * Python's {@code str.split()} with no argument: runs of whitespace separate, none empty.
     *
     * @param s the string
     * @return the pieces, in order
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static List<String> split(String s) {
        Objects.requireNonNull(s, "s");
        List<String> out = new ArrayList<>();
        int n = s.length();
        int i = 0;
        while (i < n) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int start = i;
            while (i < n) {
                cp = s.codePointAt(i);
                if (isSpace(cp)) {
                    break;
                }
                i += Character.charCount(cp);
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    /**
     * Python's {@code token.strip(string.punctuation)}: ASCII punctuation off both ends.
     *
     * @param s the string
     * @return {@code s} without leading and trailing {@link #PUNCTUATION}
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static String stripPunctuation(String s) {
        Objects.requireNonNull(s, "s");
        int start = 0;
        int end = s.length();
        while (start < end && PUNCTUATION.indexOf(s.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && PUNCTUATION.indexOf(s.charAt(end - 1)) >= 0) {
            end--;
        }
        return s.substring(start, end);
    }

    /**
     * Python's {@code len(s)}: the number of code points.
     *
     * @param s the string
     * @return its length in code points
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static int len(String s) {
        Objects.requireNonNull(s, "s");
        return s.codePointCount(0, s.length());
    }

    /**
     * Python's {@code str.isupper()}: no lowercase or titlecase character and at least one
     * uppercase one.
     *
     * @param s the string
     * @return Python's {@code s.isupper()}
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static boolean isUpper(String s) {
        Objects.requireNonNull(s, "s");
        boolean cased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isLowerCase(cp) || Character.isTitleCase(cp)) {
                return false;
            }
            if (Character.isUpperCase(cp)) {
                cased = true;
            }
            i += Character.charCount(cp);
        }
        return cased;
    }

    /**
     * Python's {@code str.lower()} (full Unicode mapping, locale-independent).
     *
     * @param s the string
     * @return {@code s} lower-cased
     * @throws NullPointerException naming {@code s} when it is null
     */
    public static String lower(String s) {
        Objects.requireNonNull(s, "s");
        return s.toLowerCase(Locale.ROOT);
    }

    /**
     * Whether a code point is a word character for Python's {@code re} {@code \w} / {@code \b} on
     * {@code str} patterns: alphanumeric (letters and numbers) or the underscore.
     *
     * @param cp the code point
     * @return true for a word character
     */
    public static boolean isWordChar(int cp) {
        if (cp < 128) {
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')
                    || cp == '_';
        }
        if (Character.isLetter(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /**
     * Python's {@code round(x, digits)} for floats: the exact binary value rounded half-to-even
     * to {@code digits} decimals, keeping the sign of a negative value that rounds to zero.
     *
     * @param x the value (a non-finite one is returned as it is)
     * @param digits the number of decimals
     * @return {@code round(x, digits)}
     */
    public static double round(double x, int digits) {
        if (!Double.isFinite(x)) {
            return x;
        }
        double r = new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0.0 ? Math.copySign(0.0, x) : r;
    }
}
