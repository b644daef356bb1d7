package dev.qdecode.pipeline.dqn;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Quality of one policy on held-out prompts (one line of {@code metrics.jsonl}).
 *
 * @param episode training episodes done when measured (0 for the base model)
 * @param policy {@code base} (π_ref restricted to the candidate set) or {@code trained} (guided policy)
 * @param samples episodes scored (prompts × samples per prompt)
 * @param meanReward mean terminal reward
 * @param rewardStd standard deviation of the terminal reward
 * @param positiveRate fraction of episodes whose reward exceeds the positive threshold
 * @param kl mean per-episode KL to the base model, in nats: Σ_t KL(π(·|s_t) ‖ π_ref(·|s_t)) over the episode's
 *     steps, computed exactly from the two distributions at each visited state (not from the sampled tokens, whose
 *     estimate log π(a_t|s_t) − log π_ref(a_t|s_t) can be negative), so never negative. π is the evaluated policy
 *     over the candidate set C(s) (the guided policy log π_ref + Q/τ_Q); π_ref is the base model renormalised over
 *     C(s), the reference of the guided policy and of the {@code --kl-beta} penalty, so the base model's row is 0
 *     and the KL is the head's shift alone (not the cost of the candidate truncation)
 * @param perplexity perplexity of the generated tokens under the base model (token-weighted)
 * @param distinct1 distinct unigrams / unigrams over all generated tokens
 * @param distinct2 distinct bigrams / bigrams (within episodes)
 * @param meanLength mean generated tokens per episode
 * @param repeatFraction fraction of episodes with a token repeated 4+ times in a row
 * @param updatesPerSecond gradient updates per second of update time so far (0 when none)
 * @param rolloutTokensPerSecond training rollout tokens per second of rollout time so far (0 when none)
 * @param examples a few generated texts (the first prompts' first samples)
 * @param training training statistics of the interval since the previous evaluation (empty for the base
 *     model): {@code train_reward}, {@code train_kl} (the mean per-episode sampled-token estimate
 *     Σ_t log π(a_t|s_t) − log π_ref(a_t|s_t) of the training rollouts, π_ref renormalised over C(s_t), at the
 *     rollout temperature and ε: what the {@code --kl-target} controller reads; it can be negative), {@code loss}, {@code q_abs_mean}, {@code q_abs_max},
 *     {@code target_mean}, {@code clipped_fraction}, {@code grad_norm}, {@code kl_beta}, {@code epsilon}; the
 *     last two are the values at the evaluation (those the next round's rollouts use), not means over the interval
 */
public record EvalMetrics(long episode, String policy, int samples, double meanReward, double rewardStd,
        double positiveRate, double kl, double perplexity, double distinct1, double distinct2, double meanLength,
        double repeatFraction, double updatesPerSecond, double rolloutTokensPerSecond, List<String> examples,
        Map<String, Double> training) {

    /**
     * Copies the examples and the training statistics (kept in insertion order).
     *
     * @param episode training episodes done when measured (0 for the base model)
     * @param policy {@code base} or {@code trained}
     * @param samples episodes scored
     * @param meanReward mean terminal reward
     * @param rewardStd standard deviation of the terminal reward
     * @param positiveRate fraction of episodes whose reward exceeds the positive threshold, in [0, 1]
     * @param kl mean per-episode exact KL(π ‖ π_ref) summed over the steps (nats, ≥ 0; see the record)
     * @param perplexity perplexity of the generated tokens under the base model
     * @param distinct1 distinct unigrams / unigrams, in [0, 1]
     * @param distinct2 distinct bigrams / bigrams, in [0, 1]
     * @param meanLength mean generated tokens per episode
     * @param repeatFraction fraction of episodes with a token repeated 4+ times in a row, in [0, 1]
     * @param updatesPerSecond gradient updates per second of update time (0 when none)
     * @param rolloutTokensPerSecond rollout tokens per second of rollout time (0 when none)
     * @param examples a few generated texts; copied, not null
     * @param training training statistics by name; copied, not null
     * @throws NullPointerException naming {@code policy}, {@code examples} or {@code training} when it is
     *     null (or without a name when an example is null)
     */
    public EvalMetrics {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(examples, "examples");
        Objects.requireNonNull(training, "training");
        examples = List.copyOf(examples);
        training = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(training));
    }

    /**
     * Metrics without training statistics (the base model, {@code qdecode evaluate}).
     *
     * @param episode training episodes done when measured (0 for the base model)
     * @param policy {@code base} or {@code trained}
     * @param samples evaluation episodes
     * @param meanReward mean terminal reward
     * @param rewardStd its standard deviation
     * @param positiveRate fraction of rewards above the positive threshold
     * @param kl mean per-episode exact KL(π ‖ π_ref) summed over the steps (nats, ≥ 0; see the record)
     * @param perplexity perplexity of the generated tokens under the base model
     * @param distinct1 distinct unigrams / unigrams
     * @param distinct2 distinct bigrams / bigrams
     * @param meanLength mean generated tokens
     * @param repeatFraction fraction of episodes with a token repeated ≥ 4 times in a row
     * @param updatesPerSecond gradient updates per second so far
     * @param rolloutTokensPerSecond rollout tokens per second so far
     * @param examples a few prompt ▸ continuation examples
     * @throws NullPointerException naming {@code policy} or {@code examples} when it is null
     */
    public EvalMetrics(long episode, String policy, int samples, double meanReward, double rewardStd,
            double positiveRate, double kl, double perplexity, double distinct1, double distinct2, double meanLength,
            double repeatFraction, double updatesPerSecond, double rolloutTokensPerSecond, List<String> examples) {
        this(episode, policy, samples, meanReward, rewardStd, positiveRate, kl, perplexity, distinct1, distinct2,
                meanLength, repeatFraction, updatesPerSecond, rolloutTokensPerSecond, examples, Map.of());
    }

    /**
     * A copy with training statistics of the interval since the previous evaluation.
     *
     * @param stats name → value (e.g. {@code loss}, {@code q_abs_mean}, {@code train_reward})
     * @return the copy
     * @throws NullPointerException naming {@code stats} when it is null
     */
    public EvalMetrics withTraining(Map<String, Double> stats) {
        Objects.requireNonNull(stats, "stats");
        return new EvalMetrics(episode, policy, samples, meanReward, rewardStd, positiveRate, kl, perplexity,
                distinct1, distinct2, meanLength, repeatFraction, updatesPerSecond, rolloutTokensPerSecond, examples,
                stats);
    }

    /**
     * This record as a JSON object (one JSONL line when printed compactly).
     *
     * @return the JSON object
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("episode", episode);
        o.addProperty("policy", policy);
        o.addProperty("samples", samples);
        o.addProperty("mean_reward", meanReward);
        o.addProperty("reward_std", rewardStd);
        o.addProperty("positive_rate", positiveRate);
        o.addProperty("kl", kl);
        o.addProperty("perplexity", perplexity);
        o.addProperty("distinct_1", distinct1);
        o.addProperty("distinct_2", distinct2);
        o.addProperty("mean_length", meanLength);
        o.addProperty("repeat_fraction", repeatFraction);
        o.addProperty("updates_per_s", updatesPerSecond);
        o.addProperty("rollout_tokens_per_s", rolloutTokensPerSecond);
        training.forEach(o::addProperty);
        JsonArray ex = new JsonArray();
        examples.forEach(ex::add);
        o.add("examples", ex);
        return o;
    }

    /**
     * This record as an evaluation outside training reports it ({@code evaluate}'s {@code comparison.json}): the
     * policy, sample count, quality fields and examples, without the training fields it has no value for (the
     * training episode, the training speeds and the training statistics).
     *
     * @return the JSON object
     */
    public JsonObject toEvaluationJson() {
        JsonObject o = toJson();
        for (String training : List.of("episode", "updates_per_s", "rollout_tokens_per_s")) {
            o.remove(training);
        }
        this.training.keySet().forEach(o::remove);
        return o;
    }

    /**
     * The quality fields only (no throughput): equal for equal policies on equal prompts and seeds.
     *
     * @return reward, positive rate, KL, perplexity, distinct-1/2, length and repeat fraction
     */
    public double[] quality() {
        return new double[] {meanReward, rewardStd, positiveRate, kl, perplexity, distinct1, distinct2, meanLength,
            repeatFraction};
    }
}
