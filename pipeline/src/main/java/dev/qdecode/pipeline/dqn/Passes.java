package dev.qdecode.pipeline.dqn;

/**
 * The order in which a run draws its training items: shuffled passes, each item once per pass. Draw
 * {@code k} of the run is item {@code order(k / n)[k % n]}, where each pass's permutation is derived
 * from the seed and the pass number alone, so a resumed run continues the same order from its episode
 * count without storing it. Independent draws would leave about 1/e of the items unseen after one
 * pass's worth of episodes.
 */
final class Passes {
    private final int n;
    private final long seed;
    private final long stream;
    private long pass = -1;
    private int[] order;

    /**
     * @param n the number of items (&gt; 0)
     * @param seed the run's seed
     * @param stream separates the orders of different uses of the same seed
     */
    Passes(int n, long seed, long stream) {
        if (n <= 0) {
            throw new IllegalArgumentException("expected at least one item to draw from but got " + n);
        }
        this.n = n;
        this.seed = seed;
        this.stream = stream;
    }

    /**
     * The item of draw {@code k}.
     *
     * @param k the draw's index in the run (≥ 0)
     * @return an index in [0, n)
     */
    int at(long k) {
        long p = k / n;
        if (p != pass) {
            order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Rng.derive(seed, stream, p).shuffle(order);
            pass = p;
        }
        return order[(int) (k % n)];
    }
}
