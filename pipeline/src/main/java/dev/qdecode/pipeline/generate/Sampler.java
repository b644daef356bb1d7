package dev.qdecode.pipeline.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses one token from a row of logits: optional constraint to an allowed set, EOS suppression,
 * temperature, top-k, top-p, then greedy or seeded sampling. Works in place on a scratch copy;
 * one instance per thread.
 */
final class Sampler {
    private final SamplingConfig cfg;
    private float[] scratch = new float[0];
    private int[] order = new int[0];

    Sampler(SamplingConfig cfg) {
        this.cfg = cfg;
    }

    /**
     * Picks a token.
     *
     * @param logits the row of logits (not modified)
     * @param offset where the row starts in {@code logits}
     * @param vocab the row length
     * @param allowed when not null, only these ids may be chosen
     * @param banned ids that may not be chosen (e.g. EOS before the minimum length); may be null
     * @param rng the row's random source (unused for greedy)
     * @return the chosen id
     */
    int pick(float[] logits, int offset, int vocab, int[] allowed, int[] banned, SplittableRandom rng) {
        if (scratch.length < vocab) {
            scratch = new float[vocab];
            order = new int[vocab];
        }
        float[] x = scratch;
        if (allowed != null) {
            Arrays.fill(x, 0, vocab, Float.NEGATIVE_INFINITY);
            for (int id : allowed) {
                if (id >= 0 && id < vocab) {
                    x[id] = logits[offset + id];
                }
            }
        } else {
            System.arraycopy(logits, offset, x, 0, vocab);
        }
        if (banned != null) {
            for (int id : banned) {
                if (id >= 0 && id < vocab) {
                    x[id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (cfg.greedy()) {
            return argmax(x, vocab);
        }
        return sample(x, vocab, rng);
    }

    static int argmax(float[] x, int n) {
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (x[i] > bv) {
                bv = x[i];
                best = i;
            }
        }
        return best;
    }

    private int sample(float[] x, int vocab, SplittableRandom rng) {
        double invT = 1.0 / cfg.temperature();
        // Candidates: all finite entries, sorted by logit when top-k/top-p need an order.
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (x[i] != Float.NEGATIVE_INFINITY) {
                order[n++] = i;
            }
        }
        if (n == 0) {
            return argmax(x, vocab);
        }
        int keep = n;
        boolean needOrder = (cfg.topK() > 0 && cfg.topK() < n) || cfg.topP() < 1.0;
        if (needOrder) {
            keep = cfg.topK() > 0 ? Math.min(cfg.topK(), n) : n;
            partialSortDescending(x, order, n, keep);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < keep; j++) {
            max = Math.max(max, x[order[j]] * invT);
        }
        double[] p = new double[keep];
        double sum = 0;
        for (int j = 0; j < keep; j++) {
            p[j] = Math.exp(x[order[j]] * invT - max);
            sum += p[j];
        }
        if (cfg.topP() < 1.0) {
            double acc = 0;
            int cut = keep;
            for (int j = 0; j < keep; j++) {
                acc += p[j] / sum;
                if (acc >= cfg.topP()) {
                    cut = j + 1;
                    break;
                }
            }
            keep = cut;
            sum = 0;
            for (int j = 0; j < keep; j++) {
                sum += p[j];
            }
        }
        double u = rng.nextDouble() * sum;
        double acc = 0;
        for (int j = 0; j < keep; j++) {
            acc += p[j];
            if (u < acc) {
                return order[j];
            }
        }
        return order[keep - 1];
    }

    /** Moves the {@code k} largest entries (by x) to the front of idx[0..n), sorted descending; ties by lower id. */
    static void partialSortDescending(float[] x, int[] idx, int n, int k) {
        if (k >= n || k > 64) {
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) {
                boxed[i] = idx[i];
            }
            Arrays.sort(boxed, (a, b) -> x[a] != x[b] ? Float.compare(x[b], x[a]) : Integer.compare(a, b));
            for (int i = 0; i < n; i++) {
                idx[i] = boxed[i];
            }
            return;
        }
        // Selection by insertion into a small sorted prefix: O(n·k) with k small.
        for (int i = 0; i < n; i++) {
            int id = idx[i];
            int pos = Math.min(i, k);
            if (pos == k && !better(x, id, idx[k - 1])) {
                continue;
            }
            if (pos == k) {
                pos = k - 1;
            }
            while (pos > 0 && better(x, id, idx[pos - 1])) {
                idx[pos] = idx[pos - 1];
                pos--;
            }
            idx[pos] = id;
        }
    }

    private static boolean better(float[] x, int a, int b) {
        return x[a] > x[b] || (x[a] == x[b] && a < b);
    }
}
