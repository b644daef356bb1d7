package dev.qdecode.rewards;

import java.util.List;
import java.util.Optional;

/**
 * A batched episode-level reward: one score per episode. Implementations are created by a
 * {@link RewardProvider} (found through {@link java.util.ServiceLoader}) and looked up by id.
 *
 * <p>Contract: {@link #score(List)} returns exactly one finite value per episode, in order, and an
 * episode's value does not depend on the other episodes of the call: qdecode splits and groups
 * episodes into calls as training, evaluation and scoring need.
 * Callers wrap rewards with {@link Rewards#checked(Reward)}, which turns an exception or a
 * non-finite value into a {@link RewardException} naming the reward and the episode.
 */
public interface Reward extends AutoCloseable {

    /**
     * The id this reward was created under (e.g. {@code "bleu"}).
     *
     * @return the reward id
     */
    String id();

    /**
     * Scores a batch of episodes.
     *
     * @param episodes the episodes (not modified)
     * @return one score per episode, same order
     */
    double[] score(List<Episode> episodes);

    /**
     * Whether {@link #score(List)} gives a meaningful value for an unfinished text (a prefix of
     * the generation). Rewards that can do so support potential-based shaping
     * r_t = Φ(prefix_{t+1}) − Φ(prefix_t) (γ·Φ(prefix_{t+1}) − Φ(prefix_t) with a discount γ &lt; 1), which
     * telescopes to the terminal reward.
     *
     * @return true when prefixes can be scored
     */
    default boolean scoresPrefixes() {
        return false;
    }

    /**
     * The corpus-level value of this reward's metric over the episodes, for rewards that are
     * corpus metrics (BLEU, chrF: statistics summed over episodes, with a signature). Other
     * rewards return empty; callers then report e.g. the mean of {@link #score(List)}.
     *
     * @param episodes the episodes
     * @return the corpus score, or empty when the reward has none
     */
    default Optional<CorpusScore> corpusScore(List<Episode> episodes) {
        return Optional.empty();
    }

    /**
     * The corpus scores of the corpus metrics in this reward: {@link #corpusScore(List)}'s, or for a
     * combination of rewards (e.g. {@code bleu + chrf}, {@code 2*bleu}) each part's, unweighted and in
     * spec order. A reward that combines others overrides this; the default is {@link #corpusScore(List)}
     * as a list of zero or one.
     *
     * @param episodes the episodes
     * @return the corpus scores, possibly empty
     */
    default List<CorpusScore> corpusScores(List<Episode> episodes) {
        return corpusScore(episodes).stream().toList();
    }

    /**
     * The thread count of the sentence encoder this reward embeds each episode's text with, when another count may
     * give other scores (e.g. a {@code classifier} reward: its encoder's ONNX Runtime or PyTorch count, {@link
     * dev.qdecode.rewards.classifier.SentenceEncoder#threads()}), so that a run can record it beside its scores; a
     * combination of rewards gives its parts' distinct counts joined by {@code " and "}. The default, null, is
     * for rewards that embed nothing.
     *
     * @return the count, or null
     */
    default String encoderThreads() {
        return null;
    }

    /** Releases native resources (encoders, models). The default does nothing. */
    @Override
    default void close() {}
}
