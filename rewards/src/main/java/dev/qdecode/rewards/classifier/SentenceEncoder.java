package dev.qdecode.rewards.classifier;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Maps texts to fixed-size sentence embeddings. This is the extension point of the classifier
 * package: the built-in implementation is all-MiniLM-L6-v2 on ONNX Runtime ({@link
 * SentenceEncoders#open(String)} with {@code "minilm"} or {@code "minilm-q"}); an encoder that
 * mean-pools the hidden states of a Hugging Face causal LM (models module) can be added by
 * implementing this interface and registering its id in {@link SentenceEncoders}.
 *
 * <p>Implementations must be deterministic (same texts, same vectors, whatever the batch order)
 * and safe to call from one thread at a time.
 */
public interface SentenceEncoder extends AutoCloseable {

    /**
     * The embedding size.
     *
     * @return the number of floats per embedding
     */
    int dimension();

    /**
     * Embeds texts.
     *
     * @param texts the texts (not null, no null element; may be empty)
     * @return one vector of length {@link #dimension()} per text, in the order given
     */
    float[][] embed(List<String> texts);

    /**
     * Embeds texts and reports progress: the same vectors as {@link #embed(List)}. Encoders that work in
     * batches report after each; the default reports once, at the end.
     *
     * @param texts the texts (not null, no null element; may be empty)
     * @param progress receives the count of texts embedded so far
     * @return one vector of length {@link #dimension()} per text, in the order given
     */
    default float[][] embed(List<String> texts, IntConsumer progress) {
        int[] done = {0};
        return embedBatches(texts, (indices, vectors) -> progress.accept(done[0] += indices.length));
    }

    /**
     * Embeds texts, handing the vectors of each batch to {@code batches} as soon as they are computed:
     * the same vectors as {@link #embed(List)}. {@link EmbeddingCache} keeps them, so that a job stopped
     * part-way goes on from the texts it had embedded. Encoders that work in batches call {@code batches}
     * after each; the default calls it once, with every text.
     *
     * @param texts the texts (not null, no null element; may be empty)
     * @param batches receives each finished batch (every text exactly once)
     * @return one vector of length {@link #dimension()} per text, in the order given
     */
    default float[][] embedBatches(List<String> texts, BatchSink batches) {
        float[][] out = embed(texts);
        batches.accept(java.util.stream.IntStream.range(0, texts.size()).toArray(), out);
        return out;
    }

    /** Receives the vectors of each batch that {@link #embedBatches(List, BatchSink)} finishes. */
    @FunctionalInterface
    interface BatchSink {
        /**
         * One finished batch.
         *
         * @param indices the positions of the batch's texts in the list being embedded
         * @param vectors their vectors, in the same order (not to be modified)
         */
        void accept(int[] indices, float[][] vectors);
    }

    /**
     * A stable id naming the encoder and its settings (e.g. {@code "minilm"}); it keys the
     * embedding cache and is recorded in a saved classifier so that {@link
     * SentenceEncoders#open(String)} can re-open the same encoder.
     *
     * @return the id
     */
    String id();

    /**
     * The SHA-256 of the files the encoder was loaded from, when its id alone does not fix its output:
     * a Hugging Face model directory's files ({@link dev.qdecode.models.ModelFiles#contentSha256}), which
     * may change under the same path. It is part of the embedding cache's key and is recorded in a saved
     * classifier, which refuses to load on an encoder whose files differ. The default, null, is for
     * encoders whose id names fixed weights (the built-in MiniLM models shipped on the classpath).
     *
     * @return 64 lowercase hex digits, or null
     */
    default String contentSha256() {
        return null;
    }

    /**
     * The thread count this encoder computes with, as a run's provenance records it, when another count may
     * sum in another order and so give other vectors: the MiniLM encoders' ONNX Runtime intra-op count ({@link
     * SentenceEncoders#onnxThreads()}, taken when the encoder is opened), a model directory's ({@code hf:DIR})
     * PyTorch count ({@link dev.qdecode.models.CausalLM#threads()}). {@link EmbeddingCache} records it beside
     * each entry it computes ({@link EmbeddingCache#threadsOf}). The default, null, records nothing.
     *
     * @return the count or its description, or null
     */
    default String threads() {
        return null;
    }

    /** Releases native resources. */
    @Override
    void close();
}
