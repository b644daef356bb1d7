package dev.qdecode.rewards;

import java.util.List;

/**
 * A reward that also gives a per-token part (added to the episode-level score during training).
 * Training on generated text ({@code train} with the continuation, translation and dialogue tasks)
 * adds each value to the step of its token, on top of the {@link #score(List) score} (terminal or
 * potential-shaped) and before the KL penalty; the episode's reported reward stays its
 * {@link #score(List) score}. {@code train --task classification}, whose decisions are whole labels,
 * uses the score only.
 */
public interface ShapedReward extends Reward {

    /**
     * Per-token rewards: for each episode, one value per generated token id.
     *
     * @param episodes the episodes
     * @return for each episode an array as long as its {@link Episode#tokenIds()}
     */
    double[][] tokenRewards(List<Episode> episodes);
}
