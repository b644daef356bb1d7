package dev.qdecode.rewards.bleu;

import java.util.Arrays;
import java.util.List;

/**
 * Per-thread reusable buffers and the segment-statistics kernels of BLEU and chrF. Everything is
 * int arrays indexed by dense n-gram ids from {@link NgramTable}: no boxing, no per-n-gram objects.
 */
final class Workspace {
    private static final ThreadLocal<Workspace> LOCAL = ThreadLocal.withInitial(Workspace::new);

    final BleuTokenizer.Scratch scratch = new BleuTokenizer.Scratch();
    final NgramTable table = new NgramTable();
    final TokenBuffer hyp = new TokenBuffer();
    private TokenBuffer[] refs = {new TokenBuffer(), new TokenBuffer()};

    private long[] bleuSegment = new long[10];
    private long[] chrfSegment = new long[24];
    private long[] chrfScratch = new long[24];
    private int[] units = new int[256];
    private int[] grams = new int[256];
    private int[] hypCount = new int[1024];
    private int[] refCount = new int[1024];
    private int[] refMax = new int[1024];
    private int[] touched = new int[1024];
    private int touchedCount;
    private int[] distinct = new int[1024];
    private int[] distinctOrder = new int[1024];
    private int distinctCount;

    static Workspace get() {
        return LOCAL.get();
    }

    /** A reusable statistics array of BLEU's layout. */
    long[] bleuSegment(int size) {
        if (bleuSegment.length != size) {
            bleuSegment = new long[size];
        }
        return bleuSegment;
    }

    /** A reusable statistics array of chrF's layout. */
    long[] chrfSegment(int size) {
        if (chrfSegment.length != size) {
            chrfSegment = new long[size];
        }
        return chrfSegment;
    }

    /** A second reusable statistics array of chrF's layout (per-reference candidate). */
    long[] chrfScratch(int size) {
        if (chrfScratch.length != size) {
            chrfScratch = new long[size];
        }
        return chrfScratch;
    }

    TokenBuffer ref(int i) {
        if (i >= refs.length) {
            int old = refs.length;
            refs = Arrays.copyOf(refs, Math.max(i + 1, old * 2));
            for (int k = old; k < refs.length; k++) {
                refs[k] = new TokenBuffer();
            }
        }
        return refs[i];
    }

    private void ensureUnits(int n) {
        if (units.length < n) {
            units = new int[Math.max(n, units.length * 2)];
            grams = new int[units.length];
        }
    }

    private void ensureCounts() {
        int n = table.size();
        if (hypCount.length < n) {
            int cap = Math.max(n, hypCount.length * 2);
            hypCount = Arrays.copyOf(hypCount, cap);
            refCount = Arrays.copyOf(refCount, cap);
            refMax = Arrays.copyOf(refMax, cap);
        }
    }

    private void touch(int id) {
        if (touchedCount == touched.length) {
            touched = Arrays.copyOf(touched, touchedCount * 2);
        }
        touched[touchedCount++] = id;
    }

    private void addDistinct(int id, int order) {
        if (distinctCount == distinct.length) {
            distinct = Arrays.copyOf(distinct, distinctCount * 2);
            distinctOrder = Arrays.copyOf(distinctOrder, distinctCount * 2);
        }
        distinct[distinctCount] = id;
        distinctOrder[distinctCount] = order;
        distinctCount++;
    }

    /** Loads the token ids of {@code tokens} into {@code units}; returns the count. */
    private int loadTokenIds(TokenBuffer tokens) {
        int n = tokens.count;
        ensureUnits(n);
        for (int i = 0; i < n; i++) {
            units[i] = table.tokenId(tokens.chars, tokens.starts[i], tokens.ends[i]);
        }
        return n;
    }

    /**
     * Turns {@code grams} (ids of the (n-1)-grams, or of the units when n == 1) into the ids of
     * the n-grams; returns how many there are.
     */
    private int nextOrder(int len, int n) {
        int count = len - n + 1;
        if (count <= 0) {
            return 0;
        }
        if (n == 1) {
            System.arraycopy(units, 0, grams, 0, len);
        } else {
            for (int i = 0; i < count; i++) {
                grams[i] = table.pairId(grams[i], units[i + n - 1]);
            }
        }
        ensureCounts();
        return count;
    }

    // ------------------------------------------------------------------------------------ BLEU

    /**
     * BLEU sufficient statistics of one segment, sacreBLEU layout
     * {@code [hyp_len, ref_len, correct_1..N, total_1..N]}: n-gram counts are clipped by the
     * maximum count over the references; ref_len is the closest reference length (ties: shorter).
     *
     * @param nRefs how many of {@link #ref(int)} hold tokenized references (at least one)
     */
    void bleuStats(int nRefs, int maxOrder, long[] out) {
        table.reset();
        touchedCount = 0;
        distinctCount = 0;
        int hypLen = hyp.count;
        int closestDiff = -1;
        int closestLen = -1;
        for (int r = 0; r < nRefs; r++) {
            int len = loadTokenIds(refs[r]);
            int diff = Math.abs(hypLen - len);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = len;
            } else if (diff == closestDiff && len < closestLen) {
                closestLen = len;
            }
            int before = touchedCount;
            for (int n = 1; n <= maxOrder; n++) {
                int count = nextOrder(len, n);
                for (int i = 0; i < count; i++) {
                    int id = grams[i];
                    if (refCount[id]++ == 0) {
                        touch(id);
                    }
                }
            }
            for (int t = before; t < touchedCount; t++) {
                int id = touched[t];
                if (refCount[id] > refMax[id]) {
                    refMax[id] = refCount[id];
                }
                refCount[id] = 0;
            }
        }
        Arrays.fill(out, 0L);
        out[0] = hypLen;
        out[1] = closestLen;
        int len = loadTokenIds(hyp);
        for (int n = 1; n <= maxOrder; n++) {
            int count = nextOrder(len, n);
            out[1 + maxOrder + n] += count;
            for (int i = 0; i < count; i++) {
                int id = grams[i];
                if (hypCount[id]++ == 0) {
                    addDistinct(id, n);
                }
            }
        }
        for (int d = 0; d < distinctCount; d++) {
            int id = distinct[d];
            out[1 + distinctOrder[d]] += Math.min(hypCount[id], refMax[id]);
            hypCount[id] = 0;
        }
        for (int t = 0; t < touchedCount; t++) {
            refMax[touched[t]] = 0;
        }
    }

    // ------------------------------------------------------------------------------------ chrF

    /** Loads the code points of {@code s} as unit ids; returns the count. */
    private int loadCodePoints(String s) {
        int n = s.length();
        ensureUnits(n);
        int k = 0;
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            units[k++] = table.pairId(NgramTable.CODE_POINT_PREFIX, cp);
        }
        return k;
    }

    /** Loads the chrF++ words of {@code tokens} as unit ids; returns the count. */
    private int loadWords(TokenBuffer tokens) {
        return loadTokenIds(tokens);
    }

    /**
     * chrF statistics of one segment against its best reference (highest F-score, first on
     * ties), sacreBLEU layout {@code [hyp, ref, match] * (charOrder + wordOrder)}.
     *
     * @param hypChars the hypothesis, preprocessed (lower-cased, whitespace removed as configured)
     * @param refChars the references, preprocessed the same way
     * @param hypWords tokens of the hypothesis for word n-grams (used when wordOrder > 0)
     * @param refWords tokens of each reference for word n-grams (used when wordOrder > 0)
     */
    void chrfStats(String hypChars, List<String> refChars, TokenBuffer hypWords,
            TokenBuffer[] refWords, ChrfConfig cfg, long[] out, long[] scratchStats) {
        int charOrder = cfg.charOrder();
        int wordOrder = cfg.wordOrder();
        int orders = charOrder + wordOrder;
        table.reset();
        distinctCount = 0;
        long[] hypTotals = new long[orders];
        // Hypothesis n-grams of every order.
        int len = loadCodePoints(hypChars);
        for (int n = 1; n <= charOrder; n++) {
            int count = nextOrder(len, n);
            hypTotals[n - 1] = count;
            countHyp(count, n - 1);
        }
        if (wordOrder > 0) {
            len = loadWords(hypWords);
            for (int n = 1; n <= wordOrder; n++) {
                int count = nextOrder(len, n);
                hypTotals[charOrder + n - 1] = count;
                countHyp(count, charOrder + n - 1);
            }
        }
        double best = -1.0;
        for (int r = 0; r < refChars.size(); r++) {
            touchedCount = 0;
            long[] stats = scratchStats;
            Arrays.fill(stats, 0L);
            len = loadCodePoints(refChars.get(r));
            for (int n = 1; n <= charOrder; n++) {
                int count = nextOrder(len, n);
                stats[3 * (n - 1) + 1] = count;
                countRef(count);
            }
            if (wordOrder > 0) {
                len = loadWords(refWords[r]);
                for (int n = 1; n <= wordOrder; n++) {
                    int count = nextOrder(len, n);
                    stats[3 * (charOrder + n - 1) + 1] = count;
                    countRef(count);
                }
            }
            for (int d = 0; d < distinctCount; d++) {
                int id = distinct[d];
                stats[3 * distinctOrder[d] + 2] += Math.min(hypCount[id], refCount[id]);
            }
            for (int o = 0; o < orders; o++) {
                // sacreBLEU counts no hypothesis n-grams of an order the reference lacks.
                stats[3 * o] = stats[3 * o + 1] > 0 ? hypTotals[o] : 0;
            }
            for (int t = 0; t < touchedCount; t++) {
                refCount[touched[t]] = 0;
            }
            double f = Chrf.fScore(stats, cfg);
            if (f > best) {
                best = f;
                System.arraycopy(stats, 0, out, 0, 3 * orders);
            }
        }
        for (int d = 0; d < distinctCount; d++) {
            hypCount[distinct[d]] = 0;
        }
    }

    private void countHyp(int count, int order) {
        for (int i = 0; i < count; i++) {
            int id = grams[i];
            if (hypCount[id]++ == 0) {
                addDistinct(id, order);
            }
        }
    }

    private void countRef(int count) {
        for (int i = 0; i < count; i++) {
            int id = grams[i];
            if (refCount[id]++ == 0) {
                touch(id);
            }
        }
    }
}
