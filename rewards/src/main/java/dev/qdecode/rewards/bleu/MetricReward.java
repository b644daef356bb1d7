package dev.qdecode.rewards.bleu;

import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.RewardException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A reference-based metric as a reward: per-episode sentence score times a scale; corpus score
 * over the episodes. Large batches are scored in parallel (common fork-join pool).
 */
final class MetricReward extends PerEpisodeReward {
    /** Batches at least this large are scored in parallel. */
    static final int PARALLEL_MIN = 256;

    /** The metric behind the reward. */
    interface Metric {
        double sentence(String hypothesis, List<String> references);

        CorpusScore corpus(List<String> hypotheses, List<List<String>> references);
    }

    private final double scale;
    private final Metric metric;

    MetricReward(String id, double scale, Metric metric) {
        super(id, PARALLEL_MIN);
        this.scale = scale;
        this.metric = metric;
    }

    @Override
    protected double scoreEpisode(int index, Episode e) {
        List<String> refs = references(index, e);
        try {
            return scale * metric.sentence(e.text(), refs);
        } catch (IllegalArgumentException ex) {
            throw RewardException.onEpisode(id(), index, ex.getMessage(), ex);
        }
    }

    /** Sentence scores of prefixes are well defined (and telescoping shaping ends at the full score). */
    @Override
    public boolean scoresPrefixes() {
        return true;
    }

    @Override
    public Optional<CorpusScore> corpusScore(List<Episode> episodes) {
        List<String> hyps = new ArrayList<>(episodes.size());
        List<List<String>> refs = new ArrayList<>(episodes.size());
        for (int i = 0; i < episodes.size(); i++) {
            Episode e = episodes.get(i);
            refs.add(references(i, e));
            hyps.add(e.text());
        }
        try {
            return Optional.of(metric.corpus(hyps, refs));
        } catch (IllegalArgumentException ex) {
            throw new RewardException("reward '" + id() + "': " + ex.getMessage(), id(), -1, ex);
        }
    }
}
