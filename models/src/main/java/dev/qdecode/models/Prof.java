package dev.qdecode.models;

import java.util.Locale;

/**
 * Development profiler for {@link TransformerLM#decodeHidden}: accumulates wall time per section
 * when the system property {@code qdecode.prof=true} is set (otherwise every call is a no-op the
 * JIT removes). Single-threaded use only; {@code DecodeBench} prints it.
 */
final class Prof {
    static final boolean ON = Boolean.getBoolean("qdecode.prof");
    static final int EMBED = 0;
    static final int NORM = 1;
    static final int QKV = 2;
    static final int KV_WRITE = 3;
    static final int QUERY = 4;
    static final int SCORES = 5;
    static final int SOFTMAX = 6;
    static final int VALUES = 7;
    static final int OUT_PROJ = 8;
    static final int MLP = 9;
    private static final String[] NAMES = {"embed/tables/mask", "norms (incl. final)", "qkv+rope", "kv write",
        "query expand", "scores+mask", "softmax", "values+pick", "o_proj+residual", "mlp+residual"};
    private static final long[] TOTAL = new long[NAMES.length];
    private static final long[] STEP = new long[NAMES.length];
    private static final long[] MIN = new long[NAMES.length];
    private static long last;

    static {
        java.util.Arrays.fill(MIN, Long.MAX_VALUE);
    }

    private Prof() {}

    static void start() {
        if (ON) {
            for (int i = 0; i < STEP.length; i++) {
                if (STEP[i] > 0) {
                    MIN[i] = Math.min(MIN[i], STEP[i]);
                }
            }
            java.util.Arrays.fill(STEP, 0);
            last = System.nanoTime();
        }
    }

    static void mark(int section) {
        if (ON) {
            long t = System.nanoTime();
            TOTAL[section] += t - last;
            STEP[section] += t - last;
            last = t;
        }
    }

    static void reset() {
        java.util.Arrays.fill(TOTAL, 0);
        java.util.Arrays.fill(STEP, 0);
        java.util.Arrays.fill(MIN, Long.MAX_VALUE);
    }

    /** Prints the smallest per-step time of each section seen since the last reset, and resets. */
    static void dumpMin() {
        start();
        long sum = 0;
        for (int i = 0; i < NAMES.length; i++) {
            long m = MIN[i] == Long.MAX_VALUE ? 0 : MIN[i];
            sum += m;
            System.out.printf(Locale.ROOT, "    %-20s %8.1f us (min)%n", NAMES[i], m / 1e3);
        }
        System.out.printf(Locale.ROOT, "    %-20s %8.1f us (sum of mins)%n", "decodeHidden", sum / 1e3);
        reset();
    }

    /** Prints the per-step time of each section over {@code steps} steps and resets. */
    static void dump(long steps) {
        long sum = 0;
        for (long t : TOTAL) {
            sum += t;
        }
        for (int i = 0; i < NAMES.length; i++) {
            System.out.printf(Locale.ROOT, "    %-20s %8.1f us/step %5.1f%%%n", NAMES[i], TOTAL[i] / 1e3 / steps,
                    100.0 * TOTAL[i] / Math.max(1, sum));
        }
        System.out.printf(Locale.ROOT, "    %-20s %8.1f us/step%n", "decodeHidden total", sum / 1e3 / steps);
        reset();
    }
}
