package dev.qdecode.rewards.bleu;

import java.util.List;

/**
 * A corpus metric computed from per-segment sufficient statistics summed over the corpus (BLEU,
 * chrF): what {@link PairedBootstrap} resamples.
 */
public interface CorpusMetric {
    /**
     * The metric's name, e.g. {@code BLEU} or {@code chrF2}.
     *
     * @return the name
     */
    String name();

    /**
     * Each segment's sufficient statistics (one row per hypothesis).
     *
     * @param hypotheses one hypothesis per segment
     * @param references for each segment its references (empty and whitespace-only strings are skipped)
     * @return the statistics, in segment order
     * @throws IllegalArgumentException when the lists differ in length, are empty, hold a null
     *     element (the message names it: {@code hypotheses[3] is null}, {@code references[3] is null},
     *     {@code references[3][0] is null}),
     *     or a segment has no non-blank reference (the message names the segment index)
     */
    long[][] segmentStatistics(List<String> hypotheses, List<? extends List<String>> references);

    /**
     * The corpus score of statistics summed over segments ({@code corpusScore} of those segments).
     *
     * @param summed the element-wise sum of segment statistics
     * @return the score
     */
    double scoreOf(long[] summed);
}
