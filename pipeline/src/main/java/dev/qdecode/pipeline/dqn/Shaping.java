package dev.qdecode.pipeline.dqn;

/**
 * Potential-based reward shaping (Ng, Harada and Russell 1999): with a potential Φ over prefixes,
 * the per-step reward r_t = Φ(prefix_{t+1}) − Φ(prefix_t) telescopes to Φ(final) − Φ(empty), so the
 * optimal policy is unchanged while the signal arrives at every token. An expensive scorer may
 * evaluate Φ only at some steps (every few tokens, word boundaries): holding Φ constant in between
 * still telescopes.
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
     * Per-step shaped rewards from potentials known at some prefix lengths.
     *
     * @param length the episode length T
     * @param phi0 Φ of the empty prefix
     * @param prefixes prefix lengths in increasing order (each in 1..T, the last = T)
     * @param potentials Φ at those prefix lengths
     * @return r_t for t = 0..T−1: Φ(prefix_{t+1}) − Φ(prefix_t), with Φ held at its last known value
     *     between scored prefixes; the sum is Φ(final) − Φ(empty)
     */
    static float[] rewards(int length, double phi0, int[] prefixes, double[] potentials) {
        if (prefixes.length != potentials.length || prefixes.length == 0 || prefixes[prefixes.length - 1] != length) {
            throw new IllegalArgumentException("shaping: expected potentials ending at the full length " + length);
        }
        float[] r = new float[length];
        double prev = phi0;
        for (int i = 0; i < prefixes.length; i++) {
            int p = prefixes[i];
            if (p < 1 || p > length || (i > 0 && p <= prefixes[i - 1])) {
                throw new IllegalArgumentException("shaping: prefix lengths must increase within 1.." + length);
            }
            r[p - 1] += (float) (potentials[i] - prev);
            prev = potentials[i];
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
