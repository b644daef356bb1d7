package dev.qdecode.rewards.bleu;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python string semantics that sacreBLEU relies on: {@code str.isspace()}, {@code str.rstrip()},
 * {@code str.split()} without arguments, and {@code f"{x:.Nf}"} formatting (round-half-even on the
 * exact binary value).
 */
final class PyText {
    private PyText() {}

    /**
     * Python's {@code str.isspace()} for one UTF-16 unit (every Python whitespace character is in
     * the BMP): bidirectional classes WS, B, S and category Zs.
     */
    static boolean isSpace(char c) {
        if (c <= 0x20) {
            return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
        }
        if (c < 0x85) {
            return false;
        }
        switch (c) {
            case 0x85: case 0xa0: case 0x1680:
            case 0x2028: case 0x2029: case 0x202f: case 0x205f: case 0x3000:
                return true;
            default:
                return c >= 0x2000 && c <= 0x200a;
        }
    }

    /**
     * Whether {@code s} is empty or all Python whitespace ({@code not s.strip()}): what the tokenizers and
     * chrF reduce to nothing. {@link String#isBlank()} differs: it keeps U+00A0, U+2007, U+202F and U+0085.
     */
    static boolean isBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return end == s.length() ? s : s.substring(0, end);
    }

    /** Python's {@code ''.join(s.split())}: removes every whitespace character. */
    static String removeWhitespace(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isSpace(c)) {
                if (sb == null) {
                    sb = new StringBuilder(s.length());
                    sb.append(s, 0, i);
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Python's {@code ' '.join(s.split())}. */
    static String normalizeSpaces(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(s, start, i);
            }
        }
        return sb.toString();
    }

    /** Python's {@code f"{x:.{digits}f}"}. */
    static String fixed(double x, int digits) {
        if (!Double.isFinite(x)) {
            return Double.isNaN(x) ? "nan" : (x > 0 ? "inf" : "-inf");
        }
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }
}
