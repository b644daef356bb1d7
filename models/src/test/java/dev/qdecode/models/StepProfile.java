package dev.qdecode.models;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Development tool (not a test): times one decoding step at a fixed batch size and cache length,
 * repeated many times, and prints the minimum per section (robust to a busy machine). Usage:
 * {@code -Dqdecode.prof=true StepProfile model batch promptLength repeats}.
 */
public final class StepProfile {
    private StepProfile() {}

    /**
     * Entry point.
     *
     * @param args model name, batch, prompt length, repeats
     */
    public static void main(String[] args) {
        String name = args[0];
        int b = Integer.parseInt(args[1]);
        int t = Integer.parseInt(args[2]);
        int reps = Integer.parseInt(args[3]);
        TransformerLM.configureThreads();
        try (CausalLM m = name.equals("gpt2-small") ? DecodeBench.open(name) : CausalLM.load(Fixtures.model(name));
                NDManager root = NDManager.newBaseManager()) {
            SplittableRandom rng = new SplittableRandom(1);
            int[][] prompts = new int[b][];
            for (int i = 0; i < b; i++) {
                prompts[i] = rng.ints(t, 3, m.config().vocabSize()).toArray();
            }
            int[] next = new int[b];
            Arrays.fill(next, 5);
            long best = Long.MAX_VALUE;
            for (int r = 0; r < reps; r++) {
                try (NDManager pm = root.newSubManager(); KvCache cache = m.prefill(pm, prompts, 1)) {
                    if (r == reps / 4) {
                        Prof.reset();
                    }
                    try (NDManager sm = root.newSubManager()) {
                        long t0 = System.nanoTime();
                        cache.step(sm, next);
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s batch %d length %d: best step %.1f us%n", name, b, t + 1, best / 1e3);
            Prof.dumpMin();
        }
    }
}
