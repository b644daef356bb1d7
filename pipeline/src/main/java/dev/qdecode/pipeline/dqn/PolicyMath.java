package dev.qdecode.pipeline.dqn;

/**
 * The acting policies over a candidate set C(s), as pure functions: the KL-regularised guided
 * policy π(a|s) ∝ π_ref(a|s)·exp(Q(s,a)/τ_Q) (log-scores log π_ref + Q/τ_Q), the Q-greedy choice, and
 * ε-greedy exploration (uniform over C with probability ε).
 */
final class PolicyMath {

    private PolicyMath() {}

    /**
     * Guided log-probabilities over the candidates: log softmax(logp + q/τ).
     *
     * @param logp log π_ref over the candidates (renormalised)
     * @param q Q-values
     * @param qOff where the candidates' Q-values start in {@code q}
     * @param k the number of candidates
     * @param tau τ_Q
     * @return log π(a|s) for each candidate
     */
    static double[] guidedLogProbs(float[] logp, float[] q, int qOff, int k, double tau) {
        double[] s = new double[k];
        for (int j = 0; j < k; j++) {
            s[j] = logp[j] + q[qOff + j] / tau;
        }
        return logNormalize(s);
    }

    /** Subtracts log Σ exp(s) from every entry (in place) and returns {@code s}. */
    private static double[] logNormalize(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double z = 0;
        for (double v : s) {
            z += Math.exp(v - max);
        }
        double lse = max + Math.log(z);
        for (int j = 0; j < s.length; j++) {
            s[j] -= lse;
        }
        return s;
    }

    /**
     * Samples an index from log-probabilities.
     *
     * @param logProbs normalised log-probabilities
     * @param rng the random source
     * @return the index
     */
    static int sample(double[] logProbs, Rng rng) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int j = 0; j < logProbs.length; j++) {
            acc += Math.exp(logProbs[j]);
            if (u < acc) {
                return j;
            }
        }
        // Rounding: the last index with non-zero probability.
        for (int j = logProbs.length - 1; j >= 0; j--) {
            if (logProbs[j] > Double.NEGATIVE_INFINITY) {
                return j;
            }
        }
        return logProbs.length - 1;
    }

    /**
     * The index of the largest value (ties: the first, i.e. the most likely under π_ref).
     *
     * @param x the values
     * @return the index
     */
    static int argmax(double[] x) {
        int best = 0;
        for (int j = 1; j < x.length; j++) {
            if (x[j] > x[best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * Chooses an action index in C.
     *
     * @param mode guided or Q-greedy
     * @param greedy for the guided mode: take the most likely action instead of sampling
     * @param epsilon probability of a uniform choice over C instead
     * @param logPi the guided log-probabilities ({@link #guidedLogProbs})
     * @param q Q-values
     * @param qOff where the candidates' Q-values start in {@code q}
     * @param rng the random source (one draw for ε, one for sampling)
     * @return the index in C
     */
    static int choose(DqnPolicy.Mode mode, boolean greedy, double epsilon, double[] logPi, float[] q, int qOff,
            Rng rng) {
        return choose(mode, greedy, epsilon, logPi, q, qOff, rng, 1.0);
    }

    /**
     * As {@link #choose(DqnPolicy.Mode, boolean, double, double[], float[], int, Rng)}, sampling from
     * π^(1/temperature) (renormalised); temperature 0 takes the argmax.
     */
    static int choose(DqnPolicy.Mode mode, boolean greedy, double epsilon, double[] logPi, float[] q, int qOff,
            Rng rng, double temperature) {
        int k = logPi.length;
        if (epsilon > 0 && rng.nextDouble() < epsilon) {
            return rng.nextInt(k);
        }
        if (mode == DqnPolicy.Mode.Q_GREEDY) {
            return Targets.argmax(q, qOff, k);
        }
        if (greedy || temperature == 0) {
            return argmax(logPi);
        }
        if (temperature == 1.0) {
            return sample(logPi, rng);
        }
        double[] scaled = new double[k];
        for (int i = 0; i < k; i++) {
            scaled[i] = logPi[i] / temperature;
        }
        return sample(logNormalize(scaled), rng);
    }

    /**
     * The exact KL divergence KL(π(·|s) ‖ π_ref(·|s)) at one state, from the two distributions (not from a sampled
     * token): Σ_{a∈C} π(a|s)·(log π(a|s) − log π_ref(a|s)), where both live on the candidate set C: π_ref is the
     * base model renormalised over C, the reference the guided policy log π_ref + Q/τ_Q and the {@code --kl-beta}
     * penalty use, so the base model itself is at 0 and the KL measures the head's shift alone. Unlike the
     * sampled-token term log π(a_t|s_t) − log π_ref(a_t|s_t), whose mean it is under a ~ π, it is never negative;
     * a result below 0 from rounding is returned as 0.
     *
     * @param logPi log π over the candidates (normalised over C)
     * @param logRefC log π_ref renormalised over the candidates
     * @return the KL in nats, ≥ 0
     */
    static double exactKl(double[] logPi, float[] logRefC) {
        double kl = 0;
        for (int j = 0; j < logPi.length; j++) {
            if (logPi[j] > Double.NEGATIVE_INFINITY) {
                kl += Math.exp(logPi[j]) * (logPi[j] - logRefC[j]);
            }
        }
        return Math.max(0.0, kl);
    }

    /**
     * The probability of the behaviour policy (ε-mixture) for an action.
     *
     * @param logPi the guided log-probability of the action (or, for Q-greedy, 0 for the argmax and
     *     −∞ otherwise)
     * @param epsilon ε
     * @param k |C|
     * @return log((1 − ε)·π(a|s) + ε/|C|)
     */
    static double behaviourLogProb(double logPi, double epsilon, int k) {
        return Math.log((1 - epsilon) * Math.exp(logPi) + epsilon / k);
    }
}
