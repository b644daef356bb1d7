package dev.qdecode.rewards.bleu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The single-pass tokenizers against straight ports of sacreBLEU's regular-expression cascades
 * (tokenizer_13a.py + tokenizer_re.py, tokenizer_intl.py), on random strings mixing ASCII,
 * digits, punctuation, symbols, supplementary characters and Python's odd whitespace.
 */
class TokenizerEquivalenceTest {
    /** Python's str.split() whitespace, listed independently of PyText. */
    private static final Pattern PY_WS = Pattern.compile(
            "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029"
                    + "\\u202f\\u205f\\u3000]+");
    private static final Pattern R1 = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    private static final Pattern R2 = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern R3 = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern R4 = Pattern.compile("([0-9])(-)");
    private static final Pattern I1 = Pattern.compile("(\\P{N})(\\p{P})");
    private static final Pattern I2 = Pattern.compile("(\\p{P})(\\P{N})");
    private static final Pattern I3 = Pattern.compile("(\\p{S})");

    private static String splitJoin(String s) {
        return String.join(" ", List.of(PY_WS.split(s.strip().isEmpty() ? "" : s, -1)).stream()
                .filter(t -> !t.isEmpty()).toList());
    }

    static String reference13a(String line) {
        line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
        if (line.contains("&")) {
            line = line.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<")
                    .replace("&gt;", ">");
        }
        line = " " + line + " ";
        line = R1.matcher(line).replaceAll(" $1 ");
        line = R2.matcher(line).replaceAll("$1 $2 ");
        line = R3.matcher(line).replaceAll(" $1 $2");
        line = R4.matcher(line).replaceAll("$1 $2 ");
        return splitJoin(line);
    }

    static String referenceIntl(String line) {
        line = I1.matcher(line).replaceAll("$1 $2 ");
        line = I2.matcher(line).replaceAll(" $1 $2");
        line = I3.matcher(line).replaceAll(" $1 ");
        return splitJoin(line);
    }

    private static final String[] PIECES = {
        "a", "b", "Z", "é", "ß", "0", "1", "9", ".", ",", "-", "'", "\"", "!", "?", ";", ":", "(",
        ")", "[", "]", "{", "}", "<", ">", "/", "\\", "@", "#", "$", "%", "^", "&", "*", "_", "=",
        "+", "|", "~", "`", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\u001c",
        "\u200b", "¿", "«", "»", "—", "’", "、", "。", "€", "©", "±", "∞", "\uD83D\uDE00",
        "\uD835\uDC00", "\u0301", "²", "½", "٣", "Ⅷ", "&amp;", "&quot;", "&lt;", "&gt;",
        "<skipped>", "-\n", "3.14", "1,000", "e.g.", "U.S.", "12-3",
    };

    private static String random(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = rnd.nextInt(30);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(10) == 0) {
                int cp;
                do {
                    cp = rnd.nextInt(0x20000);
                } while (cp >= 0xd800 && cp <= 0xdfff);
                sb.appendCodePoint(cp);
            } else {
                sb.append(PIECES[rnd.nextInt(PIECES.length)]);
            }
        }
        return sb.toString();
    }

    @Test
    void fastTokenizersEqualTheRegexCascades() {
        Random rnd = new Random(7);
        for (int i = 0; i < 20000; i++) {
            String s = random(rnd);
            assertEquals(reference13a(s), BleuTokenizer.T13A.tokenize(s), () -> "13a: " + s);
            assertEquals(referenceIntl(s), BleuTokenizer.INTL.tokenize(s), () -> "intl: " + s);
        }
    }

    @Test
    void knownTokenizations() {
        assertEquals("Hello , world !", BleuTokenizer.T13A.tokenize("Hello, world!"));
        assertEquals("It costs $ 3.50 , i . e . 1,000 cents .", // all checked with sacreBLEU 2.6.0
                BleuTokenizer.T13A.tokenize("It costs $3.50, i.e. 1,000 cents."));
        assertEquals("pages 12 - 14", BleuTokenizer.T13A.tokenize("pages 12-14"));
        assertEquals("a \" b \" & < c >",
                BleuTokenizer.T13A.tokenize("a &quot;b&quot; &amp; &lt;c&gt;"));
        assertEquals("Er sagte : „ Ja ! “ 3,5 €",
                BleuTokenizer.INTL.tokenize("Er sagte: „Ja!“ 3,5€"));
        // the year keeps its dot (mteval-v14 behaviour, documented in tokenizer_intl.py)
        assertEquals("in 1999.", BleuTokenizer.INTL.tokenize("in 1999."));
        assertEquals("a  b", BleuTokenizer.NONE.tokenize("a  b"));
        assertEquals("a b   c", BleuTokenizer.CHAR.tokenize("ab c"));
    }

    @Test
    void tokenStreamEqualsSplitOfTokenizedLine() {
        Random rnd = new Random(11);
        BleuTokenizer.Scratch scratch = new BleuTokenizer.Scratch();
        for (BleuTokenizer t : BleuTokenizer.values()) {
            for (int i = 0; i < 3000; i++) {
                String s = random(rnd);
                TokenBuffer tb = new TokenBuffer();
                t.tokens(s, tb, scratch);
                assertEquals(PyText.normalizeSpaces(t.tokenize(s)), tb.joined(), t + ": " + s);
            }
        }
    }

    @Test
    void pythonWhitespaceHelpers() {
        assertEquals("a b", PyText.rstrip("a b \u3000\n\u0085"));
        assertEquals("a\u200b", PyText.rstrip("a\u200b"));
        assertEquals("ab", PyText.removeWhitespace(" a\u00a0\tb\u2028"));
        assertEquals("0.12", PyText.fixed(0.125, 2)); // Python rounds the binary value half-even
        assertEquals("0.38", PyText.fixed(0.375, 2));
        assertEquals("48.53", PyText.fixed(48.530827, 2));
    }
}
