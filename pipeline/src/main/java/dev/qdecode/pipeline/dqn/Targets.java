package dev.qdecode.pipeline.dqn;

/**
 * Bellman targets as pure functions over arrays (no engine, testable by hand).
 *
 * <p>With candidate sets C(s), log π_ref renormalised over C and temperature τ:
 * <ul>
 *   <li>soft value V(s) = τ·log Σ_{a∈C(s)} π_ref(a|s)·exp(Q(s,a)/τ) — the value of the
 *       KL-regularised policy π(a|s) ∝ π_ref(a|s)·exp(Q(s,a)/τ);</li>
 *   <li>hard value V(s) = max_{a∈C(s)} Q(s,a);</li>
 *   <li>double value V(s) = Q_target(s, argmax_{a∈C(s)} Q_online(s,a)).</li>
 * </ul>
 * The n-step target from step t of an episode of T steps, with m = min(n, T − t) real rewards, is
 * y = Σ_{i=0}^{m−1} γ^i·r_{t+i} + Σ_{i=1}^{m−1} γ^i·c_{t+i} + [t+n &lt; T]·γ^n·V(s_{t+n}), where the
 * path-consistency corrections c_{t+i} = V(s_{t+i}) − Q(s_{t+i}, a_{t+i}) apply to the soft backup
 * only: they charge the KL cost −τ·log(π/π_ref) of the actions actually taken along the path, which
 * makes the soft n-step target unbiased for any behaviour policy (since V(s) = Q(s,a) − τ·log(π(a|s)/π_ref(a|s))
 * for every a). The last step of an episode is terminal (no bootstrap).
 */
final class Targets {

    private Targets() {}

    /**
     * The soft value τ·log Σ_j exp(logp_j + q_j/τ), computed stably.
     *
     * @param logp log π_ref over the candidates (renormalised)
     * @param lpOff where the row starts in {@code logp}
     * @param q Q-values of the candidates
     * @param qOff where the row starts in {@code q}
     * @param k the number of candidates
     * @param tau the temperature τ (&gt; 0)
     * @return V(s)
     */
    static double softValue(float[] logp, int lpOff, float[] q, int qOff, int k, double tau) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, logp[lpOff + j] + q[qOff + j] / tau);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double s = 0;
        for (int j = 0; j < k; j++) {
            s += Math.exp(logp[lpOff + j] + q[qOff + j] / tau - max);
        }
        return tau * (max + Math.log(s));
    }

    /**
     * The hard value max_j q_j.
     *
     * @param q Q-values of the candidates
     * @param qOff where the row starts
     * @param k the number of candidates
     * @return V(s)
     */
    static double hardValue(float[] q, int qOff, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            max = Math.max(max, q[qOff + j]);
        }
        return max;
    }

    /**
     * The double-DQN value: the target Q of the online head's argmax (ties: the first, i.e. the most
     * likely under π_ref).
     *
     * @param qOnline online Q-values of the candidates
     * @param oOff where the online row starts
     * @param qTarget target Q-values of the candidates
     * @param tOff where the target row starts
     * @param k the number of candidates
     * @return V(s)
     */
    static double doubleValue(float[] qOnline, int oOff, float[] qTarget, int tOff, int k) {
        return qTarget[tOff + argmax(qOnline, oOff, k)];
    }

    /**
     * The index of the largest value (ties: the first).
     *
     * @param x the values
     * @param off where the row starts
     * @param k the row length
     * @return the index in [0, k)
     */
    static int argmax(float[] x, int off, int k) {
        return argmax(x, null, off, k);
    }

    /**
     * The index of the largest Q, ties in Q broken by the larger logit (ties in both: the first). Under
     * the cross-entropy loss Q = σ(z) in float is 1.0f for every z ≳ 17, so without the logits a head
     * sure of two actions would take the first rather than the one of larger z; for one head this is
     * the argmax of z, and for an ensemble the argmax of the mean Q with ties broken by the mean logit.
     * Only the classification walk decides on a cross-entropy head: {@link DqnTrainer} refuses that loss
     * (so {@link DqnPolicy} and the double-DQN backup never meet one), and classification backs up hard,
     * where max σ(z) = σ(max z) needs no tie-break.
     *
     * @param q the Q-values
     * @param z the logits of Q = σ(z) in the same layout, or null (Q alone decides)
     * @param off where the row starts
     * @param k the row length
     * @return the index in [0, k)
     */
    static int argmax(float[] q, float[] z, int off, int k) {
        int best = 0;
        for (int j = 1; j < k; j++) {
            float a = q[off + j];
            float b = q[off + best];
            if (a > b || z != null && a == b && z[off + j] > z[off + best]) {
                best = j;
            }
        }
        return best;
    }

    /**
     * The n-step target y = Σ_{i=0}^{m−1} γ^i·r_i + Σ_{i=1}^{m−1} γ^i·c_i + [bootstrap]·γ^m·v.
     *
     * @param rewards the rewards r_{t..}
     * @param from the index of r_t in {@code rewards}
     * @param m the number of real rewards (≥ 1)
     * @param gamma the discount γ
     * @param corrections c_i for i = 1..m−1 at index i−1 (null = none, e.g. hard backup)
     * @param bootstrap whether s_{t+m} exists (is not terminal)
     * @param vBoot V(s_{t+m}) (ignored without bootstrap)
     * @return y
     */
    static double nStep(float[] rewards, int from, int m, double gamma, double[] corrections, boolean bootstrap,
            double vBoot) {
        double y = 0;
        double g = 1;
        for (int i = 0; i < m; i++) {
            y += g * rewards[from + i];
            if (i > 0 && corrections != null) {
                y += g * corrections[i - 1];
            }
            g *= gamma;
        }
        if (bootstrap) {
            y += g * vBoot;
        }
        return y;
    }

    /**
     * Widens a return range to the discounted returns of an episode, from each of its steps (never narrows it).
     *
     * @param rewards the episode's per-step rewards
     * @param gamma the discount γ
     * @param range {lo, hi}, updated in place
     * @return true when the range changed
     */
    static boolean widenByReturns(float[] rewards, double gamma, double[] range) {
        double lo = range[0];
        double hi = range[1];
        double g = 0;
        for (int t = rewards.length - 1; t >= 0; t--) {
            g = rewards[t] + gamma * g;
            lo = Math.min(lo, g);
            hi = Math.max(hi, g);
        }
        boolean changed = lo < range[0] || hi > range[1];
        range[0] = lo;
        range[1] = hi;
        return changed;
    }

    /**
     * Clips a target to the achievable return range.
     *
     * @param y the target
     * @param lo the lowest achievable return
     * @param hi the highest achievable return
     * @return y clipped to [lo, hi]
     */
    static double clip(double y, double lo, double hi) {
        return Math.max(lo, Math.min(hi, y));
    }
}
