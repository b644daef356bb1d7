package dev.qdecode.rewards.bleu;

import java.util.Arrays;

/**
 * A reusable list of tokens stored as ranges of one growing char array (no String per token).
 * Not thread-safe: one per thread.
 */
final class TokenBuffer {
    char[] chars = new char[256];
    int length;
    int[] starts = new int[64];
    int[] ends = new int[64];
    int count;

    void clear() {
        length = 0;
        count = 0;
    }

    /** Appends a token copied from {@code src[from, to)} (non-empty). */
    void add(char[] src, int from, int to) {
        int len = to - from;
        ensureChars(length + len);
        System.arraycopy(src, from, chars, length, len);
        addRange(length, length + len);
        length += len;
    }

    /** Appends a token holding one code point. */
    void addCodePoint(int cp) {
        ensureChars(length + 2);
        int n = Character.toChars(cp, chars, length);
        addRange(length, length + n);
        length += n;
    }

    /** Splits {@code src[from, to)} on Python whitespace and appends every piece. */
    void addSplit(char[] src, int from, int to) {
        int i = from;
        while (i < to) {
            while (i < to && PyText.isSpace(src[i])) {
                i++;
            }
            int start = i;
            while (i < to && !PyText.isSpace(src[i])) {
                i++;
            }
            if (i > start) {
                add(src, start, i);
            }
        }
    }

    /** Splits a string on Python whitespace and appends every piece. */
    void addSplit(String s) {
        int n = s.length();
        ensureChars(length + n);
        s.getChars(0, n, chars, length);
        int base = length;
        int i = 0;
        while (i < n) {
            while (i < n && PyText.isSpace(chars[base + i])) {
                i++;
            }
            int start = i;
            while (i < n && !PyText.isSpace(chars[base + i])) {
                i++;
            }
            if (i > start) {
                addRange(base + start, base + i);
            }
        }
        length = base + n;
    }

    private void addRange(int start, int end) {
        if (count == starts.length) {
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        starts[count] = start;
        ends[count] = end;
        count++;
    }

    private void ensureChars(int needed) {
        if (needed > chars.length) {
            chars = Arrays.copyOf(chars, Math.max(needed, chars.length * 2));
        }
    }

    /** The token at {@code i} as a String (tests and the public tokenize API only). */
    String token(int i) {
        return new String(chars, starts[i], ends[i] - starts[i]);
    }

    /** The tokens joined by single spaces. */
    String joined() {
        StringBuilder sb = new StringBuilder(length + count);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(chars, starts[i], ends[i] - starts[i]);
        }
        return sb.toString();
    }
}
