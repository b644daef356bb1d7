package dev.qdecode.pipeline.sft;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Length-bucketed batches of one epoch, reproducible from (seed, epoch): the examples are shuffled,
 * cut into pools of {@value #POOL_BATCHES} batches' worth, each pool is sorted by length and cut
 * into batches of at most {@code batchSize} rows and {@code batchTokens} padded tokens (rows x
 * longest row; an example longer than that alone forms a batch), and the batch order is shuffled.
 */
final class BatchPlan {
    /** Pool size in batches: sorting inside a pool keeps padding low and the order random. */
    static final int POOL_BATCHES = 50;

    private BatchPlan() {}

    /**
     * The batches of one epoch.
     *
     * @param lengths row length per example
     * @param batchSize most rows per batch
     * @param batchTokens most padded tokens per batch (0: no limit)
     * @param seed the run's seed
     * @param epoch the epoch (0-based)
     * @return example indices per batch
     */
    static List<int[]> epoch(int[] lengths, int batchSize, int batchTokens, long seed, int epoch) {
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 1_000_003L * epoch + 17);
        int n = lengths.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        int pool = POOL_BATCHES * batchSize;
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < n; start += pool) {
            Integer[] part = Arrays.copyOfRange(order, start, Math.min(n, start + pool));
            Arrays.sort(part, Comparator.comparingInt(i -> lengths[i]));
            List<Integer> cur = new ArrayList<>();
            int longest = 0;
            for (Integer i : part) {
                int l = Math.max(longest, lengths[i]);
                boolean full = cur.size() >= batchSize || (batchTokens > 0 && !cur.isEmpty() && l * (cur.size() + 1) > batchTokens);
                if (full) {
                    batches.add(cur.stream().mapToInt(Integer::intValue).toArray());
                    cur.clear();
                    l = lengths[i];
                }
                cur.add(i);
                longest = l;
            }
            if (!cur.isEmpty()) {
                batches.add(cur.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        for (int i = batches.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int[] x = batches.get(i);
            batches.set(i, batches.get(j));
            batches.set(j, x);
        }
        return batches;
    }

    /**
     * Learning rate of a step: linear warm-up to {@code peak} over {@code warmup} steps, then
     * cosine or linear decay to 0 at {@code total}, or constant.
     *
     * @param step the step, 1-based
     * @param total the planned number of steps
     * @param peak the peak learning rate
     * @param warmup warm-up steps
     * @param schedule cosine, linear or constant
     * @return the learning rate
     */
    static double learningRate(long step, long total, double peak, int warmup, String schedule) {
        if (step <= warmup) {
            return peak * step / warmup;
        }
        double progress = Math.min(1.0, (step - warmup) / (double) Math.max(1, total - warmup));
        return switch (schedule) {
            case "cosine" -> peak * 0.5 * (1 + Math.cos(Math.PI * progress));
            case "linear" -> peak * (1 - progress);
            default -> peak;
        };
    }
}
