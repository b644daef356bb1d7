package dev.qdecode.rewards;

import java.util.List;

/**
 * A reward that also gives a per-token part (added to the episode-level score during training).
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
