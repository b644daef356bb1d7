package dev.qdecode.pipeline.testing;

import dev.qdecode.rewards.classifier.SentenceEncoder;
import java.util.List;
import java.util.function.Function;

/**
 * A sentence encoder for tests that need a classifier's or a classification head's own work, not an
 * embedding model's: each text is embedded by a small function, with no model behind it.
 */
public final class StandInEncoder implements SentenceEncoder {
    private final String id;
    private final int dimension;
    private final Function<String, float[]> embedding;

    private StandInEncoder(String id, int dimension, Function<String, float[]> embedding) {
        this.id = id;
        this.dimension = dimension;
        this.embedding = embedding;
    }

    /**
     * Id {@code stand-in}, 2 dimensions: a text's length, and 1 when it starts with "good" (else 0), so
     * labels that follow the word "good" are linearly separable.
     *
     * @return the encoder
     */
    public static StandInEncoder lengthAndGood() {
        return new StandInEncoder("stand-in", 2, t -> new float[] {t.length(), t.startsWith("good") ? 1 : 0});
    }

    /**
     * Id {@code ones}, 1 dimension: every text is {@code [1]}, so a head's output is its weights alone.
     *
     * @return the encoder
     */
    public static StandInEncoder ones() {
        return new StandInEncoder("ones", 1, t -> new float[] {1});
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = embedding.apply(texts.get(i));
        }
        return out;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public void close() {}
}
