package dev.qdecode.pipeline.dqn;

/**
 * One DQN gradient update from replay: sample transitions, evaluate the target network on every
 * state the n-step targets need (in one batched call), compute the targets with {@link Targets},
 * take an Adam step on the online head, update the priorities, and sync the target network (Polyak
 * every update, or a hard copy every N updates).
 */
final class Learner {

    /**
     * Statistics of one update.
     *
     * @param loss the weighted loss (Huber, or cross-entropy under {@link DqnConfig.ValueLoss#CROSS_ENTROPY})
     * @param gradNorm the gradient norm before clipping
     * @param meanAbsQ mean |Q(s, a)| of the sampled actions
     * @param meanTarget the mean target
     * @param clippedFraction the fraction of targets changed by clipping
     * @param maxAbsQ the largest |Q(s, a)| of the sampled actions
     */
    record Stats(double loss, double gradNorm, double meanAbsQ, double meanTarget, double clippedFraction,
            double maxAbsQ) {}

    private final QHead head;
    private final ReplayBuffer replay;
    private final DqnConfig cfg;
    private double returnMin;
    private double returnMax;
    private long updates;
    /** The unclipped targets of the last {@link #targets} call (for the clipped-fraction statistic). */
    private float[] lastRawTargets = new float[0];

    /**
     * Creates a learner.
     *
     * @param head the Q head (online + target)
     * @param replay the replay buffer
     * @param cfg the settings (backup, γ, n, τ_Q, batch, lr, clipping, target sync)
     * @param returnMin the lowest achievable return (used when target clipping is on)
     * @param returnMax the highest achievable return
     * @throws IllegalArgumentException when the range is empty with clipping on, or the head's cross-entropy
     *     loss meets a range outside [0, 1]
     */
    Learner(QHead head, ReplayBuffer replay, DqnConfig cfg, double returnMin, double returnMax) {
        if (head.valueLoss() == DqnConfig.ValueLoss.CROSS_ENTROPY && (returnMin < 0 || returnMax > 1)) {
            throw new IllegalArgumentException("return range [" + returnMin + ", " + returnMax + "] is not within "
                    + "[0, 1], the range of Q = σ(z) under the cross-entropy value loss");
        }
        if (cfg.clipTargets() && !(returnMin < returnMax)) {
            throw new IllegalArgumentException("return range must satisfy min < max: [" + returnMin + ", " + returnMax
                    + "]");
        }
        this.head = head;
        this.replay = replay;
        this.cfg = cfg;
        this.returnMin = returnMin;
        this.returnMax = returnMax;
    }

    /**
     * Sets the return range targets are clipped to (a resumed run's, as widened before).
     *
     * @param min the lowest achievable return
     * @param max the highest achievable return
     */
    void setReturnRange(double min, double max) {
        returnMin = min;
        returnMax = max;
    }

    /**
     * Widens the return range to the discounted returns of a stored episode's rewards, from each of its steps
     * (never narrows it), unless the config gives the range ({@code --return-min/--return-max}): a reward of
     * another scale than the default range's, the KL penalty or shaping would otherwise have its returns cut off.
     *
     * <p>Under the cross-entropy value loss the range stays [0, 1] (Q = σ(z) cannot leave it): a return
     * outside it is refused instead.
     *
     * @param rewards the episode's per-step rewards
     * @return true when the range changed
     * @throws IllegalArgumentException naming --value-loss when, under cross-entropy, a return from one
     *     of the episode's steps is outside [0, 1]
     */
    boolean widen(float[] rewards) {
        if (head.valueLoss() == DqnConfig.ValueLoss.CROSS_ENTROPY) {
            double[] range = {0, 1};
            Targets.widenByReturns(rewards, cfg.gamma(), range);
            if (range[0] < 0 || range[1] > 1) {
                throw new IllegalArgumentException("--value-loss cross-entropy: an episode's return "
                        + (range[0] < 0 ? range[0] : range[1]) + " is outside [0, 1] (expected rewards in [0, 1], "
                        + "or --value-loss huber)");
            }
            return false;
        }
        if (cfg.returnMin() != null) {
            return false;
        }
        double[] range = {returnMin, returnMax};
        boolean changed = Targets.widenByReturns(rewards, cfg.gamma(), range);
        returnMin = range[0];
        returnMax = range[1];
        return changed;
    }

    /**
     * The return range targets are clipped to now.
     *
     * @return {min, max}
     */
    double[] returnRange() {
        return new double[] {returnMin, returnMax};
    }

    /**
     * Gradient updates done so far.
     *
     * @return the count
     */
    long updates() {
        return updates;
    }

    /**
     * Restores the update counter (on resume).
     *
     * @param n the count
     */
    void setUpdates(long n) {
        updates = n;
    }

    /**
     * Runs one update.
     *
     * @param rng the sampling random source
     * @param beta the importance-weight exponent
     * @param episode episodes done so far (the learning rate follows {@link DqnConfig#lrAt(long)})
     * @return the statistics
     */
    Stats update(Rng rng, double beta, long episode) {
        ReplayBuffer.Batch b = replay.sample(cfg.batchSize(), beta, rng);
        float[] y = targets(b.episodes(), b.steps());
        int bs = y.length;
        int h = head.inputSize();
        float[] phi = new float[bs * h];
        int[] actions = new int[bs];
        for (int i = 0; i < bs; i++) {
            ReplayEpisode e = b.episodes()[i];
            int t = b.steps()[i];
            System.arraycopy(e.phi, t * h, phi, i * h, h);
            actions[i] = e.action[t];
        }
        float[] raw = lastRawTargets;
        int clipped = 0;
        double meanY = 0;
        for (int i = 0; i < bs; i++) {
            if (raw[i] != y[i]) {
                clipped++;
            }
            meanY += y[i];
        }
        QHead.TrainStats s = head.train(phi, bs, actions, y, b.weights(), cfg.lrAt(episode), cfg.gradClip(), cfg.huberDelta());
        replay.updatePriorities(b.slots(), s.tdError());
        updates++;
        if (cfg.targetSync() > 0) {
            if (updates % cfg.targetSync() == 0) {
                head.syncTarget();
            }
        } else {
            head.polyak(cfg.polyak());
        }
        double absQ = 0;
        double maxQ = 0;
        for (float q : s.q()) {
            absQ += Math.abs(q);
            maxQ = Math.max(maxQ, Math.abs(q));
        }
        return new Stats(s.loss(), s.gradNorm(), absQ / bs, meanY / bs, clipped / (double) bs, maxQ);
    }

    /**
     * The (clipped) n-step targets of sampled transitions; the unclipped ones are kept for statistics.
     *
     * @param eps the episode of each sample
     * @param steps the step of each sample
     * @return one target per sample
     */
    float[] targets(ReplayEpisode[] eps, int[] steps) {
        int bs = eps.length;
        int n = cfg.nStep();
        boolean soft = cfg.backup() == DqnConfig.Backup.SOFT;
        boolean dbl = cfg.backup() == DqnConfig.Backup.DOUBLE;
        // 1. Which states need target values: s_{t+1..t+m-1} (soft corrections) and s_{t+n} (bootstrap).
        int[] first = new int[bs + 1];
        int states = 0;
        int kmax = 1;
        for (int i = 0; i < bs; i++) {
            ReplayEpisode e = eps[i];
            int t = steps[i];
            int m = Math.min(n, e.length - t);
            boolean boot = t + n < e.length;
            first[i] = states;
            int from = soft ? t + 1 : t + n;
            int to = boot ? t + n : t + m - 1; // inclusive
            for (int u = from; u <= to; u++) {
                kmax = Math.max(kmax, e.candidates(u));
                states++;
            }
        }
        first[bs] = states;
        int h = head.inputSize();
        float[] phi = new float[states * h];
        int[] ids = new int[states * kmax];
        int r = 0;
        for (int i = 0; i < bs; i++) {
            ReplayEpisode e = eps[i];
            int t = steps[i];
            int m = Math.min(n, e.length - t);
            boolean boot = t + n < e.length;
            int from = soft ? t + 1 : t + n;
            int to = boot ? t + n : t + m - 1;
            for (int u = from; u <= to; u++, r++) {
                System.arraycopy(e.phi, u * h, phi, r * h, h);
                int k = e.candidates(u);
                int cs = e.candStart[u];
                for (int j = 0; j < kmax; j++) {
                    ids[r * kmax + j] = e.candIds[cs + Math.min(j, k - 1)];
                }
            }
        }
        float[] qT = states > 0 ? head.qTarget(phi, states, ids, kmax) : new float[0];
        float[] qO = dbl && states > 0 ? head.q(phi, states, ids, kmax) : null;
        // 2. Targets per sample.
        float[] y = new float[bs];
        float[] raw = new float[bs];
        double[] corr = new double[Math.max(0, n - 1)];
        for (int i = 0; i < bs; i++) {
            ReplayEpisode e = eps[i];
            int t = steps[i];
            int m = Math.min(n, e.length - t);
            boolean boot = t + n < e.length;
            double vBoot = 0;
            if (soft) {
                for (int u = t + 1; u < t + m; u++) {
                    int row = first[i] + (u - t - 1);
                    double v = Targets.softValue(e.candLogp, e.candStart[u], qT, row * kmax, e.candidates(u), cfg.tauQ());
                    corr[u - t - 1] = v - qT[row * kmax + e.actionIndex[u]];
                }
                if (boot) {
                    int row = first[i] + (n - 1);
                    vBoot = Targets.softValue(e.candLogp, e.candStart[t + n], qT, row * kmax, e.candidates(t + n),
                            cfg.tauQ());
                }
            } else if (boot) {
                int row = first[i];
                int k = e.candidates(t + n);
                vBoot = dbl ? Targets.doubleValue(qO, row * kmax, qT, row * kmax, k)
                        : Targets.hardValue(qT, row * kmax, k);
            }
            double yi = Targets.nStep(e.reward, t, m, cfg.gamma(), soft ? corr : null, boot, vBoot);
            raw[i] = (float) yi;
            y[i] = (float) (cfg.clipTargets() ? Targets.clip(yi, returnMin, returnMax) : yi);
        }
        lastRawTargets = raw;
        return y;
    }
}
