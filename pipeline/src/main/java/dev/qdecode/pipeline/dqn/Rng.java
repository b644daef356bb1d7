package dev.qdecode.pipeline.dqn;

/**
 * A small seeded random source (SplitMix64) whose whole state is one {@code long}, so it can be
 * written to a checkpoint and restored exactly ({@link java.util.SplittableRandom} hides its state).
 * Not thread-safe: one instance per consumer.
 */
final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    /**
     * Creates a random source.
     *
     * @param seed the seed (any value)
     */
    Rng(long seed) {
        this.state = seed;
    }

    /**
     * A source derived from a seed and stream ids, independent of other streams (used for per-episode
     * randomness that must not depend on batching or on the order of work).
     *
     * @param seed the run seed
     * @param stream stream ids (e.g. purpose tag, episode index)
     * @return a new source
     */
    static Rng derive(long seed, long... stream) {
        long s = mix(seed ^ 0x5DEECE66DL);
        for (long x : stream) {
            s = mix(s + GOLDEN * (x + 1));
        }
        return new Rng(s);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The next 64 random bits.
     *
     * @return a random long
     */
    long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /**
     * A uniform double in [0, 1).
     *
     * @return the value
     */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * A uniform int in [0, bound).
     *
     * @param bound the exclusive upper bound (&gt; 0)
     * @return the value
     */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        // Unbiased: reject the top partial block of 63-bit values, then reduce modulo the bound.
        long r = nextLong() >>> 1;
        long m = bound;
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % m);
        while (r >= limit) {
            r = nextLong() >>> 1;
        }
        return (int) (r % m);
    }

    /**
     * Shuffles an array in place (Fisher–Yates with {@link #nextInt(int)}).
     *
     * @param a the array
     */
    void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /**
     * A standard normal value (Box-Muller; one value per call, deterministic).
     *
     * @return the value
     */
    double nextGaussian() {
        double u1 = nextDouble();
        double u2 = nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * The current state (restore it with {@link #setState(long)}).
     *
     * @return the state
     */
    long state() {
        return state;
    }

    /**
     * Restores a state taken from {@link #state()}.
     *
     * @param s the state
     */
    void setState(long s) {
        this.state = s;
    }
}
