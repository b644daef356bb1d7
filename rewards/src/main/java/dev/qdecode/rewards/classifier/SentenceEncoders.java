package dev.qdecode.rewards.classifier;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Opens sentence encoders by id. Known ids: {@code minilm} (all-MiniLM-L6-v2, fp32 ONNX) and
 * {@code minilm-q} (its int8-quantized ONNX export, about 1.4 times faster, embeddings within about
 * 0.01 cosine of fp32). Both run on DJL's OnnxRuntime engine from the model files shipped on the
 * classpath; nothing is downloaded.
 *
 * <p>An application that embeds a MiniLM encoder and may be ended by a signal (Ctrl-C, SIGTERM) should
 * call {@link dev.qdecode.models.NativeCalls#handleTerminationSignals()} first thing in its {@code main},
 * as qdecode's own command line does: ONNX Runtime frees its native environment from a shutdown hook of
 * its own, and without that handler the JVM can crash (SIGSEGV in {@code libonnxruntime}) when a signal
 * arrives during an encoder call (without it, only calls that would start once the JVM is ending are
 * held back).
 */
public final class SentenceEncoders {
    /** The batch size used when none is given. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /**
     * The system property that sets ONNX Runtime's intra-op thread count of the MiniLM encoders (e.g.
     * {@code QDECODE_JAVA_OPTS=-Dqdecode.encoder.threads=2}); unset, ONNX Runtime picks one thread per
     * physical core.
     */
    public static final String THREADS_PROPERTY = "qdecode.encoder.threads";

    private SentenceEncoders() {}

    /**
     * The intra-op thread count that a MiniLM encoder ({@link #ids()}) opened now runs with, as a run records
     * it: the {@value #THREADS_PROPERTY} property's value, else {@code default (N processors)}, ONNX Runtime's
     * own choice of one thread per physical core on a machine with N available processors. Another count may
     * sum in another order, so it belongs to a run's provenance as the PyTorch count does.
     *
     * @return the count, or the default's description
     */
    public static String onnxThreads() {
        String threads = System.getProperty(THREADS_PROPERTY);
        return threads != null ? threads.strip()
                : "default (" + Runtime.getRuntime().availableProcessors() + " processors)";
    }

    /**
     * Whether an encoder id names one of the MiniLM encoders on ONNX Runtime ({@link #ids()}), whose thread
     * count {@link #onnxThreads()} gives, rather than a model directory (run on PyTorch).
     *
     * @param id an encoder id as {@link #open(String)} takes it
     * @return whether it is {@code minilm} or {@code minilm-q} (case and surrounding blanks ignored)
     * @throws NullPointerException naming {@code id} when it is null
     */
    public static boolean onOnnxRuntime(String id) {
        Objects.requireNonNull(id, "id");
        return ids().contains(id.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The ids {@link #open(String)} accepts.
     *
     * @return the known ids
     */
    public static List<String> ids() {
        return List.of(MiniLmEncoder.ID_FP32, MiniLmEncoder.ID_QUANTIZED);
    }

    /**
     * Opens an encoder with the default batch size.
     *
     * @param id the encoder id (see {@link #ids()}), or a Hugging Face model directory (optionally as
     *     {@code hf:DIR}) whose mean-pooled final hidden states are the embedding
     * @return the encoder (the caller closes it)
     * @throws IllegalArgumentException when the id is unknown
     * @throws IllegalStateException when the model cannot be loaded
     * @throws NullPointerException naming {@code id} when it is null
     */
    public static SentenceEncoder open(String id) {
        Objects.requireNonNull(id, "id");
        return open(id, DEFAULT_BATCH_SIZE);
    }

    /**
     * Opens an encoder.
     *
     * @param id the encoder id (see {@link #ids()}), or a Hugging Face model directory (optionally as
     *     {@code hf:DIR}) whose mean-pooled final hidden states are the embedding
     * @param batchSize how many texts go through the network at once (texts are sorted by length
     *     first, so batches hold texts of similar length)
     * @return the encoder (the caller closes it)
     * @throws IllegalArgumentException when the id is unknown or the batch size is not positive
     * @throws IllegalStateException when the model cannot be loaded
     * @throws dev.qdecode.models.ModelException when an {@code hf:DIR} id names no directory, or a directory
     *     without {@code config.json}
     * @throws NullPointerException naming {@code id} when it is null
     */
    public static SentenceEncoder open(String id, int batchSize) {
        Objects.requireNonNull(id, "id");
        if (batchSize < 1) {
            throw new IllegalArgumentException("encoder batch size " + batchSize + ": expected >= 1");
        }
        String key = id.trim().toLowerCase(Locale.ROOT);
        switch (key) {
            case MiniLmEncoder.ID_FP32:
                return MiniLmEncoder.open(false, batchSize);
            case MiniLmEncoder.ID_QUANTIZED:
                return MiniLmEncoder.open(true, batchSize);
            default:
                String path = id == null ? "" : id.trim();
                boolean named = path.startsWith("hf:");
                if (named) {
                    path = path.substring(3);
                }
                if (!path.isEmpty() && java.nio.file.Files.isDirectory(java.nio.file.Path.of(path))) {
                    return ModelDirEncoder.open(java.nio.file.Path.of(path), batchSize);
                }
                if (named) { // a model directory by its prefix: the directory is what is wrong
                    throw new dev.qdecode.models.ModelException("hf:" + path + ": " + (path.isEmpty() ? "no directory given"
                            : java.nio.file.Files.exists(java.nio.file.Path.of(path)) ? "not a directory"
                            : "no such directory") + " (expected a Hugging Face model directory)");
                }
                throw new IllegalArgumentException("unknown sentence encoder '" + id + "': expected one of "
                        + ids() + " or a Hugging Face model directory");
        }
    }
}
