package dev.qdecode.pipeline.cli;

import dev.qdecode.rewards.classifier.SentenceEncoder;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * A sentence encoder that draws a progress bar while it embeds a data set (minutes for SST-2's 67k
 * phrases on two cores); it returns the wrapped encoder's vectors unchanged, under the same id, so the
 * embedding cache is shared. Small lists are embedded without a bar.
 */
final class ProgressEncoder implements SentenceEncoder {
    /** Texts below which no bar is drawn (a few seconds of work). */
    static final int MIN_TEXTS = 1000;
    private final SentenceEncoder inner;
    private final PrintWriter err;

    ProgressEncoder(SentenceEncoder inner, PrintWriter err) {
        this.inner = inner;
        this.err = err;
    }

    @Override
    public int dimension() {
        return inner.dimension();
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embed(texts, done -> { });
    }

    @Override
    public float[][] embed(List<String> texts, IntConsumer progress) {
        if (texts.size() < MIN_TEXTS) {
            return inner.embed(texts, progress);
        }
        Bar bar = new Bar(err);
        return inner.embed(texts, done -> {
            bar.update(done, texts.size());
            progress.accept(done);
        });
    }

    /**
     * The progress bar of a data set being embedded (also drawn for {@code train --task classification},
     * whose trainer embeds): started at the first report, finished at the one that reaches the total.
     */
    static final class Bar {
        private final PrintWriter err;
        private ProgressBar bar;

        Bar(PrintWriter err) {
            this.err = err;
        }

        void update(long done, long total) {
            if (bar == null) {
                bar = new ProgressBar(err, "texts embedded", total);
            }
            bar.update(done, "");
            if (done >= total) {
                bar.close();
                bar = null;
            }
        }
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public String contentSha256() {
        return inner.contentSha256();
    }

    @Override
    public void close() {
        inner.close();
    }
}
