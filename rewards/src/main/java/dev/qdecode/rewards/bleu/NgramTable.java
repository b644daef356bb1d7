package dev.qdecode.rewards.bleu;

import java.util.Arrays;

/**
 * Exact n-gram interning for one segment (a hypothesis and its references) without boxing: every
 * distinct token (a char range) and every distinct n-gram gets a small dense id. An n-gram's id is
 * the id of the pair (id of its (n-1)-gram prefix, id of its last token), so all orders share one
 * id space and ids index plain int count arrays. {@link #reset()} is O(1) (generation stamps).
 * Not thread-safe: one per thread.
 */
final class NgramTable {
    /** Prefix used for keys of single code points (never a real id). */
    static final int CODE_POINT_PREFIX = Integer.MAX_VALUE;

    private int nextId;
    private int stamp = 1;

    // Token table: open addressing over char ranges copied into keyChars.
    private int[] tokStamp = new int[1024];
    private int[] tokId = new int[1024];
    private int[] tokHash = new int[1024];
    private int[] tokOff = new int[1024];
    private int[] tokLen = new int[1024];
    private int tokCount;
    private char[] keyChars = new char[4096];
    private int keyLength;

    // Pair table: open addressing over (prefix id, last id) packed in a long.
    private int[] pairStamp = new int[2048];
    private long[] pairKey = new long[2048];
    private int[] pairVal = new int[2048];
    private int pairCount;

    /** Forgets every id (start of a new segment). */
    void reset() {
        nextId = 0;
        tokCount = 0;
        pairCount = 0;
        keyLength = 0;
        stamp++;
        if (stamp == Integer.MAX_VALUE) {
            Arrays.fill(tokStamp, 0);
            Arrays.fill(pairStamp, 0);
            stamp = 1;
        }
    }

    /** The number of ids handed out since {@link #reset()}. */
    int size() {
        return nextId;
    }

    private static int mix(int h) {
        h *= 0x9E3779B1;
        return h ^ (h >>> 15);
    }

    /** The id of the token {@code src[from, to)}. */
    int tokenId(char[] src, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + src[i];
        }
        h = mix(h);
        int len = to - from;
        int mask = tokStamp.length - 1;
        int slot = h & mask;
        while (tokStamp[slot] == stamp) {
            if (tokHash[slot] == h && tokLen[slot] == len
                    && Arrays.equals(keyChars, tokOff[slot], tokOff[slot] + len, src, from, to)) {
                return tokId[slot];
            }
            slot = (slot + 1) & mask;
        }
        if (keyLength + len > keyChars.length) {
            keyChars = Arrays.copyOf(keyChars, Math.max(keyLength + len, keyChars.length * 2));
        }
        System.arraycopy(src, from, keyChars, keyLength, len);
        tokStamp[slot] = stamp;
        tokHash[slot] = h;
        tokOff[slot] = keyLength;
        tokLen[slot] = len;
        int id = nextId++;
        tokId[slot] = id;
        keyLength += len;
        if (++tokCount * 2 > tokStamp.length) {
            growTokens();
        }
        return id;
    }

    /** The id of the pair {@code (prefix, last)}. */
    int pairId(int prefix, int last) {
        long key = ((long) prefix << 32) | (last & 0xffffffffL);
        int h = mix((int) (key ^ (key >>> 29)) * 31 + last);
        int mask = pairStamp.length - 1;
        int slot = h & mask;
        while (pairStamp[slot] == stamp) {
            if (pairKey[slot] == key) {
                return pairVal[slot];
            }
            slot = (slot + 1) & mask;
        }
        pairStamp[slot] = stamp;
        pairKey[slot] = key;
        int id = nextId++;
        pairVal[slot] = id;
        if (++pairCount * 2 > pairStamp.length) {
            growPairs();
        }
        return id;
    }

    private void growTokens() {
        int[] oStamp = tokStamp;
        int[] oId = tokId;
        int[] oHash = tokHash;
        int[] oOff = tokOff;
        int[] oLen = tokLen;
        int cap = oStamp.length * 2;
        tokStamp = new int[cap];
        tokId = new int[cap];
        tokHash = new int[cap];
        tokOff = new int[cap];
        tokLen = new int[cap];
        int mask = cap - 1;
        for (int i = 0; i < oStamp.length; i++) {
            if (oStamp[i] == stamp) {
                int slot = oHash[i] & mask;
                while (tokStamp[slot] == stamp) {
                    slot = (slot + 1) & mask;
                }
                tokStamp[slot] = stamp;
                tokId[slot] = oId[i];
                tokHash[slot] = oHash[i];
                tokOff[slot] = oOff[i];
                tokLen[slot] = oLen[i];
            }
        }
    }

    private void growPairs() {
        int[] oStamp = pairStamp;
        long[] oKey = pairKey;
        int[] oVal = pairVal;
        int cap = oStamp.length * 2;
        pairStamp = new int[cap];
        pairKey = new long[cap];
        pairVal = new int[cap];
        int mask = cap - 1;
        for (int i = 0; i < oStamp.length; i++) {
            if (oStamp[i] == stamp) {
                long key = oKey[i];
                int last = (int) key;
                int h = mix((int) (key ^ (key >>> 29)) * 31 + last);
                int slot = h & mask;
                while (pairStamp[slot] == stamp) {
                    slot = (slot + 1) & mask;
                }
                pairStamp[slot] = stamp;
                pairKey[slot] = key;
                pairVal[slot] = oVal[i];
            }
        }
    }
}
