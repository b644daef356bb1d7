package dev.qdecode.pipeline.dqn;

/**
 * Potential-based reward shaping (Ng, Harada and Russell 1999): with a potential Φ over prefixes and
 * the terminal reward R = Φ(final), the per-step reward is r_t = γ·Φ(prefix_{t+1}) − Φ(prefix_t) for
 * t &lt; T−1 and r_{T−1} = Φ(final) − Φ(prefix_{T−1}) (the terminal reward plus F = γ·0 − Φ, the
 * terminal state's potential being 0). The discounted return from step t is then
 * γ^{T−1−t}·R − Φ(prefix_t), the terminal reward's less a function of the state, so the optimal
 * policy is unchanged while the signal arrives at every token; with γ = 1 the rewards telescope to
 * Φ(final) − Φ(empty). An expensive scorer may evaluate Φ only at some steps (every few tokens, word
 * boundaries): holding Φ constant in between is still a potential over prefixes (with γ &lt; 1 the
 * steps in between then get (γ − 1)·Φ).
 */
final class Shaping {

    private Shaping() {}

    /**
     * The steps at which the potential is evaluated: every {@code every} tokens and always at the
     * end.
     *
     * @param length the episode length T
     * @param every the interval (≥ 1)
     * @return the prefix lengths in increasing order, ending with T (0 is implicit)
     */
    static int[] scoredPrefixes(int length, int every) {
        if (every <= 0) {
            throw new IllegalArgumentException("shaping interval must be positive: " + every);
        }
        int n = (length + every - 1) / every;
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = Math.min(length, (i + 1) * every);
        }
        return r;
    }

    /**
     * Per-step shaped rewards from potentials known at some prefix lengths, undiscounted (γ = 1).
     *
     * @param length the episode length T
     * @param phi0 Φ of the empty prefix
     * @param prefixes prefix lengths in increasing order (each in 1..T, the last = T)
     * @param potentials Φ at those prefix lengths
     * @return {@link #rewards(int, double, int[], double[], double)} with γ = 1: r_t = Φ(prefix_{t+1}) −
     *     Φ(prefix_t); the sum is Φ(final) − Φ(empty)
     */
    static float[] rewards(int length, double phi0, int[] prefixes, double[] potentials) {
        return rewards(length, phi0, prefixes, potentials, 1.0);
    }

    /**
     * Per-step shaped rewards from potentials known at some prefix lengths.
     *
     * @param length the episode length T
     * @param phi0 Φ of the empty prefix
     * @param prefixes prefix lengths in increasing order (each in 1..T, the last = T)
     * @param potentials Φ at those prefix lengths
     * @param gamma the discount γ of the returns
     * @return r_t for t = 0..T−1: γ·Φ(prefix_{t+1}) − Φ(prefix_t) for t &lt; T−1 and
     *     Φ(final) − Φ(prefix_{T−1}) for the last step, with Φ held at its last known value between
     *     scored prefixes; the discounted return from step t is γ^{T−1−t}·Φ(final) − Φ(prefix_t)
     */
    static float[] rewards(int length, double phi0, int[] prefixes, double[] potentials, double gamma) {
        if (prefixes.length != potentials.length || prefixes.length == 0 || prefixes[prefixes.length - 1] != length) {
            throw new IllegalArgumentException("shaping: expected potentials ending at the full length " + length);
        }
        // Φ of every prefix 0..T, held at its last known value between scored prefixes.
        double[] phi = new double[length + 1];
        double prev = phi0;
        int from = 0;
        for (int i = 0; i < prefixes.length; i++) {
            int p = prefixes[i];
            if (p < 1 || p > length || (i > 0 && p <= prefixes[i - 1])) {
                throw new IllegalArgumentException("shaping: prefix lengths must increase within 1.." + length);
            }
            java.util.Arrays.fill(phi, from, p, prev);
            phi[p] = potentials[i];
            prev = potentials[i];
            from = p + 1;
        }
        float[] r = new float[length];
        for (int t = 0; t < length; t++) {
            r[t] = (float) ((t == length - 1 ? phi[length] : gamma * phi[t + 1]) - phi[t]);
        }
        return r;
    }

    /**
     * Terminal-only rewards: the whole episode reward on the last step.
     *
     * @param length the episode length T
     * @param reward the episode reward
     * @return r_t = 0 for t &lt; T−1 and r_{T−1} = reward
     */
    static float[] terminal(int length, double reward) {
        float[] r = new float[length];
        r[length - 1] = (float) reward;
        return r;
    }
}
