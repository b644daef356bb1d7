package dev.qdecode.pipeline.cli;

import java.io.PrintWriter;

/**
 * The progress bar of a data set being embedded (minutes for SST-2's 67k phrases on two cores), drawn
 * by {@code classifier train} and {@code train --task classification}: started at the first report,
 * finished at the one that reaches the total. A job that goes on from the vectors an interrupted one had
 * kept starts its bar at their count.
 */
final class EmbeddingBar {
    /** Texts below which {@code classifier train} draws no bar (a few seconds of work). */
    static final int MIN_TEXTS = 1000;
    private final PrintWriter err;
    private ProgressBar bar;

    EmbeddingBar(PrintWriter err) {
        this.err = err;
    }

    void update(long done, long total) {
        if (bar == null) {
            // the first report is a batch already done (or the count an interrupted job kept): the rate and
            // ETA count only what is embedded after it
            bar = new ProgressBar(err, "texts embedded", total, done);
        }
        bar.update(done, "");
        if (done >= total) {
            bar.close();
            bar = null;
        }
    }
}
