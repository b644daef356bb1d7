package dev.qdecode.rewards;

import java.util.List;
import java.util.stream.IntStream;

/**
 * Base of a reward that scores each episode on its own: {@link #score(List)} calls
 * {@link #scoreEpisode(int, Episode)} once per episode and returns the values in order. Batches
 * of at least the parallel threshold given to the constructor are scored in parallel (common
 * fork-join pool); by default they never are. Subclasses add {@link #scoresPrefixes()},
 * {@link #corpusScore(List)} and {@link #close()} as they need.
 */
public abstract class PerEpisodeReward implements Reward {
    private final String id;
    private final int parallelMin;

    /**
     * A reward that scores its episodes one after the other.
     *
     * @param id the reward id
     */
    protected PerEpisodeReward(String id) {
        this(id, Integer.MAX_VALUE);
    }

    /**
     * A reward that scores batches of at least {@code parallelMin} episodes in parallel; its
     * {@link #scoreEpisode(int, Episode)} must then be thread-safe.
     *
     * @param id the reward id
     * @param parallelMin the smallest batch scored in parallel (>= 1)
     */
    protected PerEpisodeReward(String id, int parallelMin) {
        if (parallelMin < 1) {
            throw new IllegalArgumentException("parallelMin must be >= 1, got " + parallelMin);
        }
        this.id = id;
        this.parallelMin = parallelMin;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final double[] score(List<Episode> episodes) {
        double[] out = new double[episodes.size()];
        if (out.length >= parallelMin) {
            IntStream.range(0, out.length).parallel()
                    .forEach(i -> out[i] = scoreEpisode(i, episodes.get(i)));
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = scoreEpisode(i, episodes.get(i));
            }
        }
        return out;
    }

    /**
     * Scores one episode.
     *
     * @param index the episode's index in the batch (0-based), for error messages
     * @param episode the episode
     * @return its score
     * @throws RewardException when the episode cannot be scored (see
     *     {@link RewardException#onEpisode})
     */
    protected abstract double scoreEpisode(int index, Episode episode);

    /**
     * The episode's references, for rewards that need them.
     *
     * @param index the episode's index in the batch (0-based)
     * @param episode the episode
     * @return its references (not empty)
     * @throws RewardException {@code reward 'ID' failed on episode N: the episode has no
     *     references} when it has none
     */
    protected final List<String> references(int index, Episode episode) {
        if (episode.references().isEmpty()) {
            throw RewardException.onEpisode(id, index, "the episode has no references", null);
        }
        return episode.references();
    }
}
