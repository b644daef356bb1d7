package dev.qdecode.rewards.classifier;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.qdecode.models.NativeCalls;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * all-MiniLM-L6-v2 (BERT, 6 layers, hidden 384) on DJL's OnnxRuntime engine, with the
 * sentence-transformers pooling: attention-mask-weighted mean of {@code last_hidden_state}, then L2
 * normalisation. Texts are truncated to 256 word pieces (sentence-transformers' max_seq_length for
 * this model; the tokenizer.json itself says truncate at 128 and pad to a fixed 128, both overridden
 * here). A call sorts its texts by token count, pads each batch only to its longest member, and
 * puts the results back in the caller's order.
 */
final class MiniLmEncoder implements SentenceEncoder {
    static final String ID_FP32 = "minilm";
    static final String ID_QUANTIZED = "minilm-q";
    /** sentence-transformers' max_seq_length for all-MiniLM-L6-v2. */
    static final int MAX_TOKENS = 256;
    static final int DIMENSION = 384;

    private final String id;
    private final int batchSize;
    private final HuggingFaceTokenizer tokenizer;
    private final Model model;
    private final ParameterStore parameterStore;
    /** Brackets every ONNX Runtime call, so that the JVM does not end under one (see {@link NativeCalls}). */
    private final NativeCalls nativeCalls;
    private boolean closed;
    /** {@link SentenceEncoders#onnxThreads()} when the session was created with it. */
    private final String threads = SentenceEncoders.onnxThreads();

    private MiniLmEncoder(String id, int batchSize, HuggingFaceTokenizer tokenizer, Model model, NativeCalls nativeCalls) {
        this.id = id;
        this.nativeCalls = nativeCalls;
        this.batchSize = batchSize;
        this.tokenizer = tokenizer;
        this.model = model;
        this.parameterStore = new ParameterStore(model.getNDManager(), false);
    }

    /**
     * The ONNX Runtime intra-op thread count this encoder's session was created with ({@link
     * SentenceEncoders#onnxThreads()} when it was opened).
     *
     * @return the count, or {@code default (N processors)}
     */
    @Override
    public String threads() {
        return threads;
    }

    /**
     * Loads the fp32 or quantized model and its tokenizer from the classpath.
     *
     * @param quantized whether to load the int8 model
     * @param batchSize texts per forward pass
     * @return the encoder
     */
    static MiniLmEncoder open(boolean quantized, int batchSize) {
        return open(quantized, batchSize, NativeCalls.PROCESS);
    }

    /**
     * Loads the fp32 or quantized model and its tokenizer from the classpath, with its ONNX Runtime calls
     * (loading, each batch) bracketed by a given gate.
     *
     * @param quantized whether to load the int8 model
     * @param batchSize texts per forward pass
     * @param nativeCalls the gate ({@link NativeCalls#PROCESS}; another one in tests)
     * @return the encoder
     */
    static MiniLmEncoder open(boolean quantized, int batchSize, NativeCalls nativeCalls) {
        Objects.requireNonNull(nativeCalls, "nativeCalls");
        String base = quantized ? "all-minilm-l6-v2-q" : "all-minilm-l6-v2";
        String id = quantized ? ID_QUANTIZED : ID_FP32;
        HuggingFaceTokenizer tokenizer = null;
        Model model = null;
        try (InputStream tok = resource(base + "-tokenizer.json");
                InputStream onnx = resource(base + ".onnx")) {
            tokenizer = HuggingFaceTokenizer.newInstance(
                    tok,
                    Map.of(
                            "addSpecialTokens", "true",
                            "truncation", "true",
                            "maxLength", String.valueOf(MAX_TOKENS),
                            "modelMaxLength", "512",
                            "padding", "false"));
            model = Model.newInstance(id, Engine.getEngine("OnnxRuntime").getEngineName());
            nativeCalls.enter();
            try {
                model.load(onnx, Map.of("sessionOptions", sessionOptions()));
            } finally {
                nativeCalls.exit();
            }
            return new MiniLmEncoder(id, batchSize, tokenizer, model, nativeCalls);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            if (model != null) {
                model.close();
            }
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw new IllegalStateException(
                    "sentence encoder '" + id + "': cannot load " + base + ".onnx from the classpath ("
                            + oneLine(e) + "); is dev.langchain4j:langchain4j-embeddings-" + base
                            + " on the classpath?",
                    e);
        }
    }

    /**
     * ONNX Runtime settings. Intra-op worker threads do not spin while idle: the default busy-wait
     * burns the cores that other processes (and the decoding loop) need on a shared machine.
     * System property {@value SentenceEncoders#THREADS_PROPERTY} sets the intra-op thread count (default:
     * ONNX Runtime's, one per physical core; {@link SentenceEncoders#onnxThreads()} says which, as runs record it).
     */
    private static ai.onnxruntime.OrtSession.SessionOptions sessionOptions() {
        try {
            ai.onnxruntime.OrtSession.SessionOptions o = new ai.onnxruntime.OrtSession.SessionOptions();
            o.addConfigEntry("session.intra_op.allow_spinning",
                    System.getProperty("qdecode.encoder.spin", "0"));
            String threads = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
            if (threads != null) {
                o.setIntraOpNumThreads(Integer.parseInt(threads.trim()));
            }
            return o;
        } catch (ai.onnxruntime.OrtException | NumberFormatException e) {
            throw new IllegalStateException("ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = MiniLmEncoder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IOException("resource " + name + " not found");
        }
        return in;
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * Token ids of a text as the model sees them ([CLS] … [SEP], truncated).
     *
     * @param text the text
     * @return the ids
     */
    long[] tokenIds(String text) {
        return tokenizer.encode(text).getIds();
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embedBatches(texts, (indices, vectors) -> { });
    }

    @Override
    public synchronized float[][] embedBatches(List<String> texts, BatchSink batches) {
        Objects.requireNonNull(texts, "texts");
        if (closed) {
            throw new IllegalStateException("sentence encoder '" + id + "' is closed");
        }
        int n = texts.size();
        float[][] out = new float[n][];
        if (n == 0) {
            return out;
        }
        for (int i = 0; i < n; i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("text " + i + " is null");
            }
        }
        Encoding[] enc = tokenizer.batchEncode(texts);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        // Sort by length (stable: ties keep input order) so that a batch pads to similar lengths.
        Arrays.sort(order, Comparator.comparingInt(i -> enc[i].getIds().length));
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            int[] rows = new int[end - start];
            for (int r = 0; r < rows.length; r++) {
                rows[r] = order[start + r];
            }
            float[][] vectors = forward(enc, rows);
            for (int r = 0; r < rows.length; r++) {
                out[rows[r]] = vectors[r];
            }
            batches.accept(rows, vectors);
        }
        return out;
    }

    /** Runs one padded batch and returns the pooled, normalised vectors in row order. */
    private float[][] forward(Encoding[] enc, int[] rows) {
        int b = rows.length;
        int t = 0;
        for (int row : rows) {
            t = Math.max(t, enc[row].getIds().length);
        }
        long[] ids = new long[b * t];
        long[] mask = new long[b * t];
        long[] types = new long[b * t];
        for (int r = 0; r < b; r++) {
            Encoding e = enc[rows[r]];
            long[] ei = e.getIds();
            long[] em = e.getAttentionMask();
            long[] et = e.getTypeIds();
            System.arraycopy(ei, 0, ids, r * t, ei.length);
            System.arraycopy(em, 0, mask, r * t, em.length);
            System.arraycopy(et, 0, types, r * t, et.length);
        }
        float[] hidden;
        long[] hiddenShape;
        // Everything that touches ONNX Runtime's native memory (inputs, the run, reading and freeing the
        // outputs) is one native call: the JVM does not end while it runs (see NativeCalls).
        nativeCalls.enter();
        try (NDManager sub = model.getNDManager().newSubManager()) {
            Shape shape = new Shape(b, t);
            NDArray inIds = sub.create(ids, shape);
            inIds.setName("input_ids");
            NDArray inMask = sub.create(mask, shape);
            inMask.setName("attention_mask");
            NDArray inTypes = sub.create(types, shape);
            inTypes.setName("token_type_ids");
            NDList outputs = model.getBlock().forward(parameterStore, new NDList(inIds, inMask, inTypes), false);
            NDArray last = outputs.get("last_hidden_state");
            if (last == null) {
                last = outputs.get(0);
            }
            hiddenShape = last.getShape().getShape();
            hidden = last.toFloatArray();
            outputs.close();
        } finally {
            nativeCalls.exit();
        }
        if (hiddenShape.length != 3 || hiddenShape[0] != b || hiddenShape[1] != t || hiddenShape[2] != DIMENSION) {
            throw new IllegalStateException(
                    "sentence encoder '" + id + "': last_hidden_state has shape " + Arrays.toString(hiddenShape)
                            + ", expected [" + b + ", " + t + ", " + DIMENSION + "]");
        }
        float[][] result = new float[b][];
        for (int r = 0; r < b; r++) {
            double[] sum = new double[DIMENSION];
            double count = 0;
            for (int k = 0; k < t; k++) {
                if (mask[r * t + k] == 0) {
                    continue;
                }
                count++;
                int base = (r * t + k) * DIMENSION;
                for (int d = 0; d < DIMENSION; d++) {
                    sum[d] += hidden[base + d];
                }
            }
            count = Math.max(count, 1e-9);
            double norm = 0;
            for (int d = 0; d < DIMENSION; d++) {
                sum[d] /= count;
                norm += sum[d] * sum[d];
            }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            float[] v = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                v[d] = (float) (sum[d] / norm);
            }
            result[r] = v;
        }
        return result;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            // Releasing the session is an ONNX Runtime call too; once the JVM is ending (the gate is
            // quiesced) it is left to the process's end instead of racing ONNX Runtime's own shutdown hook.
            if (nativeCalls.tryEnter()) {
                try {
                    model.close();
                } finally {
                    nativeCalls.exit();
                }
            }
            tokenizer.close();
        }
    }

    @Override
    public String toString() {
        return "MiniLmEncoder[" + id + ", batch " + batchSize + "]";
    }

    /**
     * Lists the network's input names (for diagnostics and tests).
     *
     * @return the ONNX input names
     */
    List<String> inputNames() {
        return new ArrayList<>(model.getBlock().describeInput().keys());
    }
}
