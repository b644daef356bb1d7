package dev.qdecode.rewards.bleu;

import java.util.List;

/**
 * Exact-match accuracy in percent (a hypothesis counts when it equals one of its references, e.g. a
 * predicted label and the gold label), as a {@link CorpusMetric} so that {@link PairedBootstrap}
 * can compare two classifiers on the same examples.
 */
public final class ExactMatch implements CorpusMetric {
    /** Creates the metric. */
    public ExactMatch() {}

    @Override
    public String name() {
        return "accuracy";
    }

    @Override
    public long[][] segmentStatistics(List<String> hypotheses, List<? extends List<String>> references) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but " + references.size()
                    + " reference lists");
        }
        if (hypotheses.isEmpty()) {
            throw new IllegalArgumentException("no hypotheses to score");
        }
        long[][] out = new long[hypotheses.size()][];
        for (int i = 0; i < out.length; i++) {
            if (references.get(i).isEmpty()) {
                throw new IllegalArgumentException("segment " + i + ": no reference");
            }
            out[i] = new long[] {references.get(i).contains(hypotheses.get(i)) ? 1 : 0, 1};
        }
        return out;
    }

    @Override
    public double scoreOf(long[] summed) {
        return 100.0 * summed[0] / summed[1];
    }
}
