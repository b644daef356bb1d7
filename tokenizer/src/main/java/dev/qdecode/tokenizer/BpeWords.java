package dev.qdecode.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The word-frequency table of the training data, with the same pre-tokenization the written {@code
 * tokenizer.json} applies at encode time (so merges are learnt on exactly the units the Hugging Face
 * tokenizer will merge):
 *
 * <ul>
 *   <li>Llama style: the {@code Prepend("▁")} + {@code Replace(" ", "▁")} normalizer, then a {@code
 *       Split("▁", MergedWithNext)} pre-tokenizer: {@code "a  b"} → {@code "▁a", "▁", "▁b"};
 *   <li>byte-level style: the GPT-2 regex of the {@code ByteLevel} pre-tokenizer, each piece's UTF-8
 *       bytes mapped to the GPT-2 byte ↔ character table.
 * </ul>
 */
final class BpeWords {
    /** The SentencePiece word marker (U+2581). */
    static final char MARKER = '\u2581';

    /** The pattern of the Hugging Face {@code ByteLevel} pre-tokenizer ({@code use_regex: true}). */
    private static final Pattern GPT2 = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** GPT-2's byte → printable character table (byte-level style). */
    static final char[] BYTE_CHARS = byteChars();

    private final boolean llama;
    private final Map<String, long[]> counts = new HashMap<>();
    private final TreeSet<Integer> alphabet = new TreeSet<>();

    BpeWords(boolean llama) {
        this.llama = llama;
    }

    /** Adds one training line. */
    void add(String line) {
        if (line.isEmpty()) {
            return; // the Prepend normalizer leaves empty text empty: no tokens
        }
        if (llama) {
            String s = MARKER + line.replace(' ', MARKER);
            int start = 0;
            for (int i = 1; i < s.length(); i++) {
                if (s.charAt(i) == MARKER) {
                    count(s.substring(start, i));
                    start = i;
                }
            }
            count(s.substring(start));
        } else {
            Matcher m = GPT2.matcher(line);
            while (m.find()) {
                count(toByteChars(m.group()));
            }
        }
    }

    private void count(String word) {
        long[] c = counts.get(word);
        if (c == null) {
            counts.put(word, new long[] {1});
            if (llama) {
                word.codePoints().forEach(alphabet::add);
            }
        } else {
            c[0]++;
        }
    }

    static String toByteChars(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = BYTE_CHARS[b[i] & 0xFF];
        }
        return new String(out);
    }

    /** Distinct word → occurrence count (a live view: do not modify). */
    Map<String, long[]> counts() {
        return counts;
    }

    /** The distinct code points of the words, ascending (Llama style only; empty otherwise). */
    TreeSet<Integer> alphabet() {
        return alphabet;
    }

    /** The GPT-2 {@code bytes_to_unicode} table: printable bytes map to themselves, others to 256+n. */
    private static char[] byteChars() {
        char[] t = new char[256];
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            t[b] = printable ? (char) b : (char) (256 + n++);
        }
        return t;
    }
}
