package dev.qdecode.rewards.bleu;

import java.util.List;
import java.util.Objects;

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

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code hypotheses} or {@code references} when it is null
     */
    @Override
    public long[][] segmentStatistics(List<String> hypotheses, List<? extends List<String>> references) {
        Objects.requireNonNull(hypotheses, "hypotheses");
        Objects.requireNonNull(references, "references");
        return CorpusStats.perSegment(hypotheses, references, 2, (ws, hypothesis, refs, out) -> {
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("no reference");
            }
            out[0] = refs.contains(hypothesis) ? 1 : 0;
            out[1] = 1;
            return refs.size();
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code summed} when it is null
     */
    @Override
    public double scoreOf(long[] summed) {
        Objects.requireNonNull(summed, "summed");
        return 100.0 * summed[0] / summed[1];
    }
}
