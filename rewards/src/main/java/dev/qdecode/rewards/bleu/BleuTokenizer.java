package dev.qdecode.rewards.bleu;

import java.util.Locale;
import java.util.Objects;

/**
 * The BLEU tokenizers of sacreBLEU 2.x, re-implemented as single passes over the characters (no
 * regular expressions at run time) with exactly the output of sacreBLEU's regex cascades.
 *
 * <ul>
 *   <li>{@link #T13A} ({@code 13a}, the default): mteval-v13a — drops {@code <skipped>}, joins
 *       {@code -\n}, unescapes {@code &quot; &amp; &lt; &gt;}, splits ASCII punctuation and symbols,
 *       splits {@code .} and {@code ,} unless between digits and {@code -} after a digit.
 *   <li>{@link #INTL} ({@code intl}): mteval-v14 international — splits Unicode punctuation
 *       ({@code \p{P}}) unless between digits, and every symbol ({@code \p{S}}). Character
 *       properties come from the JDK (Unicode 13 on Java 17); the Python {@code regex} module may
 *       use a newer Unicode version, which only matters for characters assigned after 13.0.
 *   <li>{@link #NONE} ({@code none}): whitespace split only.
 *   <li>{@link #CHAR} ({@code char}): every non-whitespace code point is a token.
 * </ul>
 */
public enum BleuTokenizer {
    /** mteval-v13a tokenization, sacreBLEU's default. */
    T13A("13a"),
    /** mteval-v14 international tokenization (Unicode punctuation and symbols). */
    INTL("intl"),
    /** No tokenization (whitespace split). */
    NONE("none"),
    /** Character-level tokenization. */
    CHAR("char");

    private final String signature;

    BleuTokenizer(String signature) {
        this.signature = signature;
    }

    /**
     * The name used by sacreBLEU in {@code --tokenize} and in signatures ({@code tok:13a}).
     *
     * @return the name
     */
    public String signature() {
        return signature;
    }

    /**
     * Looks a tokenizer up by its sacreBLEU name.
     *
     * @param name {@code 13a}, {@code intl}, {@code none} or {@code char} (case-insensitive)
     * @return the tokenizer
     * @throws IllegalArgumentException naming the accepted values
     * @throws NullPointerException naming {@code name} when it is null
     */
    public static BleuTokenizer fromName(String name) {
        Objects.requireNonNull(name, "name");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (BleuTokenizer t : values()) {
            if (t.signature.equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException(
                "unknown BLEU tokenizer '" + name + "': expected one of 13a, intl, none, char");
    }

    /**
     * Tokenizes one line exactly as sacreBLEU's tokenizer object does ({@code tokenizer(line)}):
     * for {@code 13a} and {@code intl} the tokens joined by single spaces, for {@code none} the
     * line unchanged, for {@code char} every character joined by spaces. BLEU itself lower-cases
     * (optionally) and right-strips the line before this step.
     *
     * @param line the line
     * @return the tokenized line
     * @throws NullPointerException naming {@code line} when it is null
     */
    public String tokenize(String line) {
        Objects.requireNonNull(line, "line");
        switch (this) {
            case NONE:
                return line;
            case CHAR: {
                StringBuilder sb = new StringBuilder(line.length() * 2);
                line.codePoints().forEach(cp -> {
                    if (sb.length() > 0) {
                        sb.append(' ');
                    }
                    sb.appendCodePoint(cp);
                });
                return sb.toString();
            }
            default: {
                TokenBuffer out = new TokenBuffer();
                tokens(line, out, new Scratch());
                return out.joined();
            }
        }
    }

    /**
     * Appends the tokens of {@code line} (what {@code tokenize(line).split()} gives) to {@code out}.
     */
    void tokens(String line, TokenBuffer out, Scratch scratch) {
        switch (this) {
            case T13A:
                tokens13a(line, out, scratch);
                break;
            case INTL:
                tokensIntl(line, out, scratch);
                break;
            case NONE:
                out.addSplit(line);
                break;
            case CHAR:
                for (int i = 0; i < line.length(); ) {
                    int cp = line.codePointAt(i);
                    i += Character.charCount(cp);
                    if (cp > 0xffff || !PyText.isSpace((char) cp)) {
                        out.addCodePoint(cp);
                    }
                }
                break;
            default:
                throw new AssertionError(this);
        }
    }

    /** Reusable scratch arrays for the tokenizers (one per thread). */
    static final class Scratch {
        char[] a = new char[1024];
        char[] b = new char[1024];
        int[] ia = new int[512];
        int[] ib = new int[512];

        char[] growA(int n) {
            if (a.length < n) {
                a = new char[Math.max(n, a.length * 2)];
            }
            return a;
        }

        char[] growB(int n) {
            if (b.length < n) {
                b = new char[Math.max(n, b.length * 2)];
            }
            return b;
        }

        int[] growIa(int n) {
            if (ia.length < n) {
                ia = new int[Math.max(n, ia.length * 2)];
            }
            return ia;
        }

        int[] growIb(int n) {
            if (ib.length < n) {
                ib = new int[Math.max(n, ib.length * 2)];
            }
            return ib;
        }
    }

    // ---------------------------------------------------------------- 13a

    /** The characters of 13a's first rule <code>[\&#123;-\~\[-\` -\&amp;\(-\+\:-\@\/]</code>. */
    private static boolean is13aSymbol(char c) {
        return (c >= '{' && c <= '~') || (c >= '[' && c <= '`') || (c >= ' ' && c <= '&')
                || (c >= '(' && c <= '+') || (c >= ':' && c <= '@') || c == '/';
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static void tokens13a(String line, TokenBuffer out, Scratch s) {
        // Language-independent part, in sacreBLEU's order.
        if (line.indexOf('<') >= 0) {
            line = line.replace("<skipped>", "");
        }
        if (line.indexOf('\n') >= 0) {
            line = line.replace("-\n", "");
            line = line.replace("\n", " ");
        }
        if (line.indexOf('&') >= 0) {
            line = line.replace("&quot;", "\"");
            line = line.replace("&amp;", "&");
            line = line.replace("&lt;", "<");
            line = line.replace("&gt;", ">");
        }
        int len = line.length();
        // Rule 1 on " line ": pad symbols with spaces (at most 3 chars per input char).
        char[] a = s.growA(3 * len + 8);
        int n = 0;
        a[n++] = ' ';
        for (int i = 0; i < len; i++) {
            char c = line.charAt(i);
            if (is13aSymbol(c)) {
                a[n++] = ' ';
                a[n++] = c;
                a[n++] = ' ';
            } else {
                a[n++] = c;
            }
        }
        a[n++] = ' ';
        // Rule 2: ([^0-9])([\.,]) -> "\1 \2 " (leftmost, non-overlapping).
        char[] b = s.growB(2 * n + 8);
        int m = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            if (i + 1 < n && !isAsciiDigit(c) && (a[i + 1] == '.' || a[i + 1] == ',')) {
                b[m++] = c;
                b[m++] = ' ';
                b[m++] = a[i + 1];
                b[m++] = ' ';
                i += 2;
            } else {
                b[m++] = c;
                i++;
            }
        }
        // Rule 3: ([\.,])([^0-9]) -> " \1 \2".
        a = s.growA(2 * m + 8);
        n = 0;
        for (int i = 0; i < m; ) {
            char c = b[i];
            if (i + 1 < m && (c == '.' || c == ',') && !isAsciiDigit(b[i + 1])) {
                a[n++] = ' ';
                a[n++] = c;
                a[n++] = ' ';
                a[n++] = b[i + 1];
                i += 2;
            } else {
                a[n++] = c;
                i++;
            }
        }
        // Rule 4: ([0-9])(-) -> "\1 \2 ".
        b = s.growB(2 * n + 8);
        m = 0;
        for (int i = 0; i < n; ) {
            char c = a[i];
            if (i + 1 < n && isAsciiDigit(c) && a[i + 1] == '-') {
                b[m++] = c;
                b[m++] = ' ';
                b[m++] = '-';
                b[m++] = ' ';
                i += 2;
            } else {
                b[m++] = c;
                i++;
            }
        }
        out.addSplit(b, 0, m);
    }

    // ---------------------------------------------------------------- intl

    private static boolean isNumber(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER
                || t == Character.OTHER_NUMBER;
    }

    private static boolean isPunctuation(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION:
            case Character.DASH_PUNCTUATION:
            case Character.START_PUNCTUATION:
            case Character.END_PUNCTUATION:
            case Character.INITIAL_QUOTE_PUNCTUATION:
            case Character.FINAL_QUOTE_PUNCTUATION:
            case Character.OTHER_PUNCTUATION:
                return true;
            default:
                return false;
        }
    }

    private static boolean isSymbol(int cp) {
        switch (Character.getType(cp)) {
            case Character.MATH_SYMBOL:
            case Character.CURRENCY_SYMBOL:
            case Character.MODIFIER_SYMBOL:
            case Character.OTHER_SYMBOL:
                return true;
            default:
                return false;
        }
    }

    private static void tokensIntl(String line, TokenBuffer out, Scratch s) {
        int len = line.length();
        int[] a = s.growIa(len + 8);
        int n = 0;
        for (int i = 0; i < len; ) {
            int cp = line.codePointAt(i);
            i += Character.charCount(cp);
            a[n++] = cp;
        }
        // Rule 1: (\P{N})(\p{P}) -> "\1 \2 ".
        int[] b = s.growIb(2 * n + 8);
        int m = 0;
        for (int i = 0; i < n; ) {
            int c = a[i];
            if (i + 1 < n && !isNumber(c) && isPunctuation(a[i + 1])) {
                b[m++] = c;
                b[m++] = ' ';
                b[m++] = a[i + 1];
                b[m++] = ' ';
                i += 2;
            } else {
                b[m++] = c;
                i++;
            }
        }
        // Rule 2: (\p{P})(\P{N}) -> " \1 \2".
        a = s.growIa(2 * m + 8);
        n = 0;
        for (int i = 0; i < m; ) {
            int c = b[i];
            if (i + 1 < m && isPunctuation(c) && !isNumber(b[i + 1])) {
                a[n++] = ' ';
                a[n++] = c;
                a[n++] = ' ';
                a[n++] = b[i + 1];
                i += 2;
            } else {
                a[n++] = c;
                i++;
            }
        }
        // Rule 3: (\p{S}) -> " \1 ", then split on whitespace.
        char[] chars = s.growA(6 * n + 8);
        int k = 0;
        for (int i = 0; i < n; i++) {
            int c = a[i];
            if (isSymbol(c)) {
                chars[k++] = ' ';
                k += Character.toChars(c, chars, k);
                chars[k++] = ' ';
            } else {
                k += Character.toChars(c, chars, k);
            }
        }
        out.addSplit(chars, 0, k);
    }
}
