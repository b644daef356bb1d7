package dev.qdecode.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The BPE merge loop over a word-frequency table, with incremental pair counts: each merge touches
 * only the words that contain the merged pair (found through a pair → words index), and the best
 * pair comes from a lazily updated priority queue (an entry whose count is stale is re-queued with
 * the current count when it surfaces; counts only grow for pairs that contain the new token, which
 * are queued afresh).
 *
 * <p>Deterministic: words are processed in sorted order and ties between equally frequent pairs go
 * to the pair whose left token has the smaller id, then whose right token has the smaller id.
 *
 * <p>Optionally (Llama style) a merge may not join characters of different classes (letters and
 * marks / digits / everything else; a leading {@code ▁} joins any class), as SentencePiece's {@code
 * split_by_unicode_script} and {@code split_by_number} do: no {@code "▁Ufer."} or {@code "x2"}
 * tokens. The restriction only shapes the vocabulary; encoding needs no extra rule.
 */
final class BpeMerger {
    /** A queued pair with the count it had when queued. */
    private record Candidate(long count, int left, int right) {}

    private static final byte NONE = 0; // just the ▁ marker: combines with any class
    private static final byte LETTER = 1;
    private static final byte DIGIT = 2;
    private static final byte OTHER = 3;
    private static final byte MIXED = 4; // special tokens, or anything when classes are not kept apart

    private final List<String> vocab;
    private final Map<String, Integer> ids;
    private final int reservedBelow;
    private final boolean separateClasses;
    private byte[] classes;
    private final int[][] words;
    private final long[] wordCounts;
    private final int[] visited;
    private int stamp;
    private final PairTable pairs = new PairTable();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>((a, b) -> {
        if (a.count != b.count) {
            return Long.compare(b.count, a.count);
        }
        if (a.left != b.left) {
            return Integer.compare(a.left, b.left);
        }
        return Integer.compare(a.right, b.right);
    });
    private final List<int[]> merges = new ArrayList<>();

    /**
     * @param vocab the base vocabulary (id → string), extended in place by the merges
     * @param ids the inverse of {@code vocab}, extended in place
     * @param reservedBelow ids below this are special or byte tokens: a merge whose result spells one
     *     of them is never made
     * @param counts distinct word → count; every code point of a word must be a token of {@code ids}
     * @param separateClasses whether merges keep letters, digits and other characters apart
     */
    BpeMerger(List<String> vocab, Map<String, Integer> ids, int reservedBelow, Map<String, long[]> counts,
            boolean separateClasses) {
        this.vocab = vocab;
        this.ids = ids;
        this.reservedBelow = reservedBelow;
        this.separateClasses = separateClasses;
        classes = new byte[Math.max(16, vocab.size() * 2)];
        for (int id = 0; id < vocab.size(); id++) {
            String t = vocab.get(id);
            boolean oneChar = t.codePointCount(0, t.length()) == 1;
            classes[id] = id < reservedBelow && !oneChar ? MIXED : classOf(t); // specials, <0xHH>: never merged
        }
        String[] sorted = counts.keySet().toArray(new String[0]);
        Arrays.sort(sorted);
        words = new int[sorted.length][];
        wordCounts = new long[sorted.length];
        visited = new int[sorted.length];
        for (int w = 0; w < sorted.length; w++) {
            String word = sorted[w];
            words[w] = word.codePoints().map(cp -> {
                Integer id = ids.get(new String(Character.toChars(cp)));
                if (id == null) {
                    throw new IllegalStateException("character U+" + Integer.toHexString(cp) + " is not in the base vocabulary");
                }
                return id;
            }).toArray();
            wordCounts[w] = counts.get(word)[0];
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) {
                int slot = pairs.slot(key(s[i], s[i + 1]));
                pairs.counts[slot] += wordCounts[w];
                pairs.where(slot).add(w);
            }
        }
        for (int slot = 0; slot < pairs.keys.length; slot++) {
            if (pairs.keys[slot] != PairTable.EMPTY) {
                long k = pairs.keys[slot];
                queue.add(new Candidate(pairs.counts[slot], left(k), right(k)));
            }
        }
    }

    /**
     * Merges until the vocabulary has {@code target} tokens or no pair occurs {@code minFrequency}
     * times.
     *
     * @return null when the target was reached, else why not
     */
    String run(int target, int minFrequency) {
        while (vocab.size() < target) {
            Candidate c = queue.poll();
            if (c == null) {
                return "no pair of tokens left to merge";
            }
            int slot = pairs.find(key(c.left, c.right));
            long current = slot < 0 ? 0 : pairs.counts[slot];
            if (current != c.count) {
                if (current > 0) {
                    queue.add(new Candidate(current, c.left, c.right));
                }
                continue;
            }
            if (current < minFrequency) {
                return "no pair occurs at least " + minFrequency + " times";
            }
            byte merged = combine(classes[c.left], classes[c.right]);
            if (merged == MIXED) {
                continue; // dropped from the queue; comes back only if its count grows
            }
            String text = vocab.get(c.left) + vocab.get(c.right);
            Integer existing = ids.get(text);
            if (existing != null && existing < reservedBelow) {
                continue; // would spell a special or byte token
            }
            int z;
            if (existing != null) {
                z = existing; // another merge order already made this string: same token
            } else {
                z = vocab.size();
                vocab.add(text);
                ids.put(text, z);
                if (z == classes.length) {
                    classes = Arrays.copyOf(classes, z * 2);
                }
                classes[z] = merged;
            }
            merges.add(new int[] {c.left, c.right});
            apply(slot, c.left, c.right, z);
        }
        return null;
    }

    /** The merges made, in rank order, as {left id, right id}. */
    List<int[]> merges() {
        return merges;
    }

    private byte combine(byte a, byte b) {
        if (!separateClasses) {
            return a == MIXED || b == MIXED ? MIXED : OTHER;
        }
        if (a == MIXED || b == MIXED || b == NONE) {
            return MIXED; // ▁ only ever starts a token
        }
        if (a == NONE) {
            return b;
        }
        return a == b ? a : MIXED;
    }

    private byte classOf(String token) {
        byte c = NONE;
        int start = token.length() > 0 && token.charAt(0) == BpeWords.MARKER ? 1 : 0;
        for (int i = start; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            byte k = charClass(cp);
            if (c != NONE && c != k) {
                return MIXED;
            }
            c = k;
        }
        return c;
    }

    private static byte charClass(int cp) {
        if (cp == BpeWords.MARKER) {
            return OTHER; // a ▁ inside a token (not produced by the Llama pre-tokenization)
        }
        if (Character.isLetter(cp)) {
            return LETTER;
        }
        int type = Character.getType(cp);
        if (type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK) {
            return LETTER;
        }
        return Character.isDigit(cp) ? DIGIT : OTHER;
    }

    private void apply(int mergedSlot, int l, int r, int z) {
        PairTable.IntList list = pairs.where[mergedSlot];
        pairs.where[mergedSlot] = null;
        if (list == null) {
            return;
        }
        stamp++;
        long[] grown = new long[16]; // keys, not slots: a slot number changes when the table grows
        int grownSize = 0;
        for (int j = 0; j < list.size; j++) {
            int w = list.data[j];
            if (visited[w] == stamp) {
                continue;
            }
            visited[w] = stamp;
            int[] s = words[w];
            if (!contains(s, l, r)) {
                continue; // stale index entry: an earlier merge removed the pair from this word
            }
            long n = wordCounts[w];
            for (int i = 0; i + 1 < s.length; i++) {
                pairs.counts[pairs.find(key(s[i], s[i + 1]))] -= n;
            }
            int[] t = new int[s.length];
            int len = 0;
            for (int i = 0; i < s.length; i++) {
                if (i + 1 < s.length && s[i] == l && s[i + 1] == r) {
                    t[len++] = z;
                    i++;
                } else {
                    t[len++] = s[i];
                }
            }
            t = Arrays.copyOf(t, len);
            words[w] = t;
            for (int i = 0; i + 1 < len; i++) {
                boolean withNew = t[i] == z || t[i + 1] == z;
                int p = withNew ? pairs.slot(key(t[i], t[i + 1])) : pairs.find(key(t[i], t[i + 1]));
                pairs.counts[p] += n;
                if (withNew) {
                    pairs.where(p).add(w);
                    if (pairs.mark(p, stamp)) {
                        if (grownSize == grown.length) {
                            grown = Arrays.copyOf(grown, grownSize * 2);
                        }
                        grown[grownSize++] = pairs.keys[p];
                    }
                }
            }
        }
        for (int j = 0; j < grownSize; j++) {
            long k = grown[j];
            long c = pairs.counts[pairs.find(k)];
            if (c > 0) {
                queue.add(new Candidate(c, left(k), right(k)));
            }
        }
    }

    private static boolean contains(int[] s, int l, int r) {
        for (int i = 0; i + 1 < s.length; i++) {
            if (s[i] == l && s[i + 1] == r) {
                return true;
            }
        }
        return false;
    }

    private static long key(int l, int r) {
        return ((long) l << 32) | (r & 0xFFFFFFFFL);
    }

    private static int left(long k) {
        return (int) (k >>> 32);
    }

    private static int right(long k) {
        return (int) k;
    }

    /**
     * Open-addressing hash table pair key → slot, with per-slot count, word index and mark. Slots
     * are never removed (a pair's count drops to 0 instead), so slot numbers stay valid until a
     * resize, which happens only inside {@link #slot}.
     */
    static final class PairTable {
        static final long EMPTY = -1L;

        long[] keys = filled(1 << 16);
        long[] counts = new long[1 << 16];
        IntList[] where = new IntList[1 << 16];
        int[] marks = new int[1 << 16];
        private int size;

        private static long[] filled(int n) {
            long[] a = new long[n];
            Arrays.fill(a, EMPTY);
            return a;
        }

        /** The slot of a key, or -1. */
        int find(long key) {
            int mask = keys.length - 1;
            for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
                long k = keys[i];
                if (k == key) {
                    return i;
                }
                if (k == EMPTY) {
                    return -1;
                }
            }
        }

        /** The slot of a key, created (count 0) if missing. */
        int slot(long key) {
            int s = find(key);
            if (s >= 0) {
                return s;
            }
            if (2 * (size + 1) > keys.length) {
                grow();
            }
            int mask = keys.length - 1;
            int i = hash(key) & mask;
            while (keys[i] != EMPTY) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            size++;
            return i;
        }

        IntList where(int slot) {
            IntList l = where[slot];
            if (l == null) {
                l = new IntList();
                where[slot] = l;
            }
            return l;
        }

        /** Marks a slot with a stamp; true if it was not marked with it yet. */
        boolean mark(int slot, int stamp) {
            if (marks[slot] == stamp) {
                return false;
            }
            marks[slot] = stamp;
            return true;
        }

        private void grow() {
            long[] oldKeys = keys;
            long[] oldCounts = counts;
            IntList[] oldWhere = where;
            int[] oldMarks = marks;
            int n = oldKeys.length * 2;
            keys = filled(n);
            counts = new long[n];
            where = new IntList[n];
            marks = new int[n];
            int mask = n - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                if (oldKeys[j] != EMPTY) {
                    int i = hash(oldKeys[j]) & mask;
                    while (keys[i] != EMPTY) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = oldKeys[j];
                    counts[i] = oldCounts[j];
                    where[i] = oldWhere[j];
                    marks[i] = oldMarks[j];
                }
            }
        }

        private static int hash(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }

        /** A growable int array. */
        static final class IntList {
            int[] data = new int[4];
            int size;

            void add(int v) {
                if (size == data.length) {
                    data = Arrays.copyOf(data, size * 2);
                }
                data[size++] = v;
            }
        }
    }
}
