package dev.qdecode.pipeline.dqn;

/**
 * The coefficient β of the per-token KL penalty r_t −= β·(log π(a_t|s_t) − log π_ref(a_t|s_t)):
 * fixed, or adapted toward a target KL per episode with the proportional controller of Ziegler et
 * al. (2019), as in RL4LMs/TRL: e = clip(KL/target − 1, −0.2, 0.2), β ← β·(1 + e·n/horizon) after a
 * rollout of n episodes with mean KL.
 */
final class KlController {
    private final double target;
    private final int horizon;
    private double beta;

    /**
     * Creates a controller.
     *
     * @param beta the initial β (0 = no penalty)
     * @param target the target KL per episode (0 = keep β fixed)
     * @param horizon the horizon in episodes
     */
    KlController(double beta, double target, int horizon) {
        if (!(beta >= 0) || !(target >= 0) || horizon <= 0) {
            throw new IllegalArgumentException("KL controller: invalid beta " + beta + ", target " + target
                    + ", horizon " + horizon);
        }
        this.beta = beta;
        this.target = target;
        this.horizon = horizon;
    }

    /**
     * A controller with the config's KL settings.
     *
     * @param cfg the config
     * @return the controller
     */
    static KlController of(DqnConfig cfg) {
        return new KlController(cfg.klBeta(), cfg.klTarget(), cfg.klHorizon());
    }

    /**
     * The current β.
     *
     * @return β
     */
    double beta() {
        return beta;
    }

    /**
     * Restores β (on resume).
     *
     * @param b the value
     */
    void setBeta(double b) {
        this.beta = b;
    }

    /**
     * Adapts β after a rollout (no change when the target is 0).
     *
     * @param meanKl the mean KL per episode of the rollout
     * @param episodes the number of episodes in the rollout
     * @return the new β
     */
    double update(double meanKl, int episodes) {
        if (target > 0 && Double.isFinite(meanKl)) {
            double e = Math.max(-0.2, Math.min(0.2, meanKl / target - 1));
            beta *= 1 + e * episodes / horizon;
        }
        return beta;
    }

    /**
     * The penalty for one token.
     *
     * @param logPi log π(a|s) of the acting policy
     * @param logRef log π_ref(a|s) of the reference policy
     * @return −β·(log π − log π_ref)
     */
    double penalty(double logPi, double logRef) {
        return -beta * (logPi - logRef);
    }
}
