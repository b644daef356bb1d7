package dev.qdecode.rewards.bleu;

import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * A reference-based metric as a reward: per-episode sentence score times a scale; corpus score
 * over the episodes. Large batches are scored in parallel (common fork-join pool).
 */
final class MetricReward implements Reward {
    /** Batches at least this large are scored in parallel. */
    static final int PARALLEL_MIN = 256;

    /** The metric behind the reward. */
    interface Metric {
        double sentence(String hypothesis, List<String> references);

        CorpusScore corpus(List<String> hypotheses, List<List<String>> references);
    }

    private final String id;
    private final double scale;
    private final Metric metric;

    MetricReward(String id, double scale, Metric metric) {
        this.id = id;
        this.scale = scale;
        this.metric = metric;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public double[] score(List<Episode> episodes) {
        double[] out = new double[episodes.size()];
        IntStream range = IntStream.range(0, out.length);
        if (out.length >= PARALLEL_MIN) {
            range = range.parallel();
        }
        range.forEach(i -> out[i] = scale * sentence(i, episodes.get(i)));
        return out;
    }

    private double sentence(int index, Episode e) {
        if (e.references().isEmpty()) {
            throw RewardException.onEpisode(id, index, "the episode has no references", null);
        }
        try {
            return metric.sentence(e.text(), e.references());
        } catch (IllegalArgumentException ex) {
            throw RewardException.onEpisode(id, index, ex.getMessage(), ex);
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
            if (e.references().isEmpty()) {
                throw RewardException.onEpisode(id, i, "the episode has no references", null);
            }
            hyps.add(e.text());
            refs.add(e.references());
        }
        try {
            return Optional.of(metric.corpus(hyps, refs));
        } catch (IllegalArgumentException ex) {
            throw new RewardException("reward '" + id + "': " + ex.getMessage(), id, -1, ex);
        }
    }
}
