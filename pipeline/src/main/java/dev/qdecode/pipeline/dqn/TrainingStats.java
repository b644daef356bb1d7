package dev.qdecode.pipeline.dqn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Training statistics accumulated between two evaluations (reported in each {@code metrics.jsonl}
 * line, saved in checkpoints so that a resumed run reports the same numbers).
 */
final class TrainingStats {

    private static final String PREFIX = "stats.";
    private static final String[] KEYS = {"episodes", "reward", "kl", "updates", "loss", "q_abs", "q_abs_max",
        "target", "clipped", "grad_norm"};
    private final double[] v = new double[KEYS.length];

    /** Adds one scored rollout batch (sums over its episodes). */
    void rollout(int episodes, double rewardSum, double klSum) {
        v[0] += episodes;
        v[1] += rewardSum;
        v[2] += klSum;
    }

    /** Adds one gradient update. */
    void update(Learner.Stats s) {
        v[3]++;
        v[4] += s.loss();
        v[5] += s.meanAbsQ();
        v[6] = Math.max(v[6], s.maxAbsQ());
        v[7] += s.meanTarget();
        v[8] += s.clippedFraction();
        v[9] += s.gradNorm();
    }

    /**
     * The interval's means, then clears them.
     *
     * @param klBeta the current KL coefficient
     * @param epsilon the current exploration rate
     * @return name → value, in a fixed order
     */
    Map<String, Double> drain(double klBeta, double epsilon) {
        Map<String, Double> m = new LinkedHashMap<>();
        double e = Math.max(1, v[0]);
        double u = Math.max(1, v[3]);
        m.put("train_reward", v[1] / e);
        m.put("train_kl", v[2] / e);
        m.put("loss", v[4] / u);
        m.put("q_abs_mean", v[5] / u);
        m.put("q_abs_max", v[6]);
        m.put("target_mean", v[7] / u);
        m.put("clipped_fraction", v[8] / u);
        m.put("grad_norm", v[9] / u);
        m.put("kl_beta", klBeta);
        m.put("epsilon", epsilon);
        java.util.Arrays.fill(v, 0);
        return m;
    }

    /** Writes the running sums into checkpoint values. */
    void save(Map<String, Double> values) {
        for (int i = 0; i < KEYS.length; i++) {
            values.put(PREFIX + KEYS[i], v[i]);
        }
    }

    /** Restores the running sums from checkpoint values (absent keys: 0). */
    void load(Map<String, Double> values) {
        for (int i = 0; i < KEYS.length; i++) {
            v[i] = values.getOrDefault(PREFIX + KEYS[i], 0.0);
        }
    }
}
