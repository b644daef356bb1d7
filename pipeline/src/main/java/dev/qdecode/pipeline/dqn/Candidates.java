package dev.qdecode.pipeline.dqn;

import java.util.Arrays;

/**
 * The per-state action set C(s): the top-k and/or top-p tokens of the reference policy π_ref (the
 * model's softmax), at least {@code minCandidates} of them, drawn only from the eligible tokens
 * (the allowed set when one is given, e.g. token-healing constraints, minus the banned set, e.g.
 * EOS before the minimum length). End-of-sequence is an ordinary candidate otherwise.
 *
 * <p>Candidates come sorted by π_ref, most likely first (ties: lower id first), with log π_ref
 * renormalised over C — the prototype measured that this renormalisation matters. Top-p mass is
 * measured under π_ref restricted to the eligible tokens. One instance per thread (it keeps
 * scratch buffers).
 */
final class Candidates {

    /**
     * One candidate set.
     *
     * @param ids candidate token ids, most likely first
     * @param logp log π_ref(a|s) renormalised over the candidates (log-sum-exp = 0)
     * @param logMass log of the π_ref mass (over the whole vocabulary) that the candidates hold
     */
    record Set(int[] ids, float[] logp, float logMass) {
        /**
         * The number of candidates.
         *
         * @return |C|
         */
        int size() {
            return ids.length;
        }

        /**
         * Where a token is in this set.
         *
         * @param id the token id
         * @return its index, or -1 when it is not a candidate
         */
        int indexOf(int id) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == id) {
                    return i;
                }
            }
            return -1;
        }
    }

    private final int topK;
    private final double topP;
    private final int minCandidates;
    private boolean[] eligible = new boolean[0];
    private int[] order = new int[0];

    /**
     * Creates a selector.
     *
     * @param topK keep at most this many (0 = no limit)
     * @param topP keep the smallest most-likely prefix whose mass reaches this (1.0 = off)
     * @param minCandidates keep at least this many (when that many are eligible)
     */
    Candidates(int topK, double topP, int minCandidates) {
        if (topK < 0 || !(topP > 0 && topP <= 1) || minCandidates < 1 || (topK > 0 && minCandidates > topK)) {
            throw new IllegalArgumentException("candidates: invalid top-k " + topK + ", top-p " + topP + ", min "
                    + minCandidates);
        }
        this.topK = topK;
        this.topP = topP;
        this.minCandidates = minCandidates;
    }

    /**
     * A selector with the config's candidate settings.
     *
     * @param cfg the config
     * @return the selector
     */
    static Candidates of(DqnConfig cfg) {
        return new Candidates(cfg.candidatesTopK(), cfg.candidatesTopP(), cfg.minCandidates());
    }

    /**
     * The most candidates a set can have for a vocabulary.
     *
     * @param vocab the vocabulary size
     * @return the bound
     */
    int maxSize(int vocab) {
        return topK > 0 ? Math.min(topK, vocab) : vocab;
    }

    /**
     * Selects C(s) from one row of logits.
     *
     * @param logits the logits (not modified)
     * @param off where the row starts
     * @param vocab the row length
     * @param allowed when not null, only these ids are eligible
     * @param banned ids that are never eligible (may be null)
     * @return the candidate set
     * @throws IllegalStateException when no token is eligible
     */
    Set select(float[] logits, int off, int vocab, int[] allowed, int[] banned) {
        if (eligible.length < vocab) {
            eligible = new boolean[vocab];
            order = new int[vocab];
        }
        boolean[] el = eligible;
        if (allowed != null) {
            Arrays.fill(el, 0, vocab, false);
            for (int id : allowed) {
                if (id >= 0 && id < vocab) {
                    el[id] = true;
                }
            }
        } else {
            Arrays.fill(el, 0, vocab, true);
        }
        if (banned != null) {
            for (int id : banned) {
                if (id >= 0 && id < vocab) {
                    el[id] = false;
                }
            }
        }
        // log-sum-exp over the whole vocabulary (for the mass of C) and over the eligible tokens.
        double max = Double.NEGATIVE_INFINITY;
        double maxEl = Double.NEGATIVE_INFINITY;
        int nEl = 0;
        for (int i = 0; i < vocab; i++) {
            float x = logits[off + i];
            if (x > max) {
                max = x;
            }
            if (el[i] && x != Float.NEGATIVE_INFINITY) {
                nEl++;
                if (x > maxEl) {
                    maxEl = x;
                }
            }
        }
        if (nEl == 0) {
            throw new IllegalStateException("no eligible token for the candidate set (the allowed tokens are all banned"
                    + " or have probability 0)");
        }
        double sumAll = 0;
        double sumEl = 0;
        for (int i = 0; i < vocab; i++) {
            float x = logits[off + i];
            sumAll += Math.exp(x - max);
            if (el[i] && x != Float.NEGATIVE_INFINITY) {
                sumEl += Math.exp(x - maxEl);
            }
        }
        double lseAll = max + Math.log(sumAll);
        double lseEl = maxEl + Math.log(sumEl);
        int limit = topK > 0 ? Math.min(topK, nEl) : nEl;
        int sorted = topEligible(logits, off, vocab, el, limit);
        int size = limit;
        if (topP < 1.0) {
            double acc = 0;
            size = sorted;
            for (int j = 0; j < sorted; j++) {
                acc += Math.exp(logits[off + order[j]] - lseEl);
                if (acc >= topP - 1e-12) {
                    size = j + 1;
                    break;
                }
            }
        }
        size = Math.max(size, Math.min(minCandidates, limit));
        int[] ids = Arrays.copyOf(order, size);
        float[] logp = new float[size];
        double lseC = renormalise(logits, off, ids, logp);
        return new Set(ids, logp, (float) (lseC - lseAll));
    }

    /**
     * log π_ref renormalised over {@code ids} into {@code logp}.
     *
     * @return log-sum-exp of the ids' logits
     */
    private static double renormalise(float[] logits, int off, int[] ids, float[] logp) {
        double m = Double.NEGATIVE_INFINITY;
        for (int id : ids) {
            m = Math.max(m, logits[off + id]);
        }
        double s = 0;
        for (int id : ids) {
            s += Math.exp(logits[off + id] - m);
        }
        double lse = m + Math.log(s);
        for (int j = 0; j < ids.length; j++) {
            logp[j] = (float) (logits[off + ids[j]] - lse);
        }
        return lse;
    }

    /**
     * A candidate set with one more token (a demonstration's action that π_ref's top candidates miss):
     * appended last, with log π_ref renormalised over the larger set and the mass updated.
     *
     * @param set the selected set
     * @param logits the logits the set was selected from
     * @param off where the row starts
     * @param id the token to include
     * @return {@code set} when it already holds {@code id}, else the larger set
     */
    static Set include(Set set, float[] logits, int off, int id) {
        if (set.indexOf(id) >= 0) {
            return set;
        }
        int[] ids = Arrays.copyOf(set.ids(), set.size() + 1);
        ids[set.size()] = id;
        double lseOld = logits[off + ids[0]] - set.logp()[0];
        float[] logp = new float[ids.length];
        double lse = renormalise(logits, off, ids, logp);
        return new Set(ids, logp, (float) (set.logMass() + lse - lseOld));
    }

    /**
     * Puts the {@code k} most likely eligible ids in {@code order[0..k)}, sorted descending by logit
     * (ties by lower id): insertion into a sorted prefix for small k (O(V) when few tokens displace
     * the prefix), a full O(V log V) sort otherwise.
     */
    private int topEligible(float[] logits, int off, int vocab, boolean[] el, int k) {
        if (k > 64) {
            return sortAll(logits, off, vocab, el, k);
        }
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (!el[i] || logits[off + i] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            float x = logits[off + i];
            int pos;
            if (n < k) {
                pos = n++;
            } else if (x > logits[off + order[k - 1]]) {
                pos = k - 1;
            } else {
                continue; // equal logits keep the lower id already in place
            }
            while (pos > 0 && x > logits[off + order[pos - 1]]) {
                order[pos] = order[pos - 1];
                pos--;
            }
            order[pos] = i;
        }
        return n;
    }

    private int sortAll(float[] logits, int off, int vocab, boolean[] el, int k) {
        long[] keys = new long[vocab];
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            float x = logits[off + i];
            if (el[i] && x != Float.NEGATIVE_INFINITY) {
                int bits = Float.floatToIntBits(x);
                int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff; // ascending with x
                keys[n++] = ((long) ~sortable << 32) | i; // ascending key = descending x, then lower id
            }
        }
        Arrays.sort(keys, 0, n);
        int m = Math.min(k, n);
        for (int j = 0; j < m; j++) {
            order[j] = (int) (keys[j] & 0xffffffffL);
        }
        return m;
    }
}
