package dev.qdecode.models.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.models.ModelException;
import dev.qdecode.models.NativeCalls;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A Llama-family decoder whose weights are separate float32 tensors with gradients, for training:
 * token embeddings (tied to the LM head or not, as the config says), per layer the q/k/v/o
 * attention projections, the gate/up/down SwiGLU projections and two RMSNorm gains, the final norm
 * and (untied) {@code lm_head}. Parameters carry their Hugging Face names, and {@link #save} writes
 * a directory that {@link CausalLM#load} reads unchanged.
 *
 * <p>The forward pass runs whole right-padded sequences with causal attention, rotary positions
 * (Hugging Face rotate-half layout), grouped-query attention and an attention mask that also
 * excludes padding keys; optional dropout is applied to the embeddings, the attention
 * probabilities and both residual branches. Gradients are recorded when the caller runs it inside
 * a DJL {@code GradientCollector}. Supported: {@code model_type} llama/mistral/qwen2 configs
 * without attention biases (attention_bias false; qwen2 always has biases, so it is refused).
 *
 * <p>Not thread-safe. Close it to free the weights.
 */
public final class TrainableLlama implements AutoCloseable {
    private static final float NEG = -1e9f;
    private static final String EMBED = "model.embed_tokens.weight";
    private static final String HEAD = "lm_head.weight";

    private final ModelConfig cfg;
    private final PtNDManager manager;
    private final Map<String, NDArray> params;
    private final PtNDArray[][] layers;
    private final PtNDArray embed;
    private final PtNDArray lmHead;
    private final PtNDArray norm;
    private final double[] invFreq;
    /**
     * The gate that every forward pass ({@link #hidden}, {@link #tokenNll}) enters: the JVM ends only between passes,
     * never under one (see {@link NativeCalls}; a training step's backward pass and optimizer step are its caller's
     * to gate). {@link NativeCalls#PROCESS}; tests set one of their own.
     */
    private volatile NativeCalls gate = NativeCalls.PROCESS;

    private TrainableLlama(ModelConfig cfg, PtNDManager manager, Map<String, NDArray> params) {
        this.cfg = cfg;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        this.embed = (PtNDArray) params.get(EMBED);
        this.lmHead = (PtNDArray) (cfg.tieWordEmbeddings() ? embed : params.get(HEAD));
        this.norm = (PtNDArray) params.get("model.norm.weight");
        this.layers = new PtNDArray[cfg.numLayers()][];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            layers[i] = new PtNDArray[9];
            String[] names = layerNames();
            for (int j = 0; j < names.length; j++) {
                layers[i][j] = (PtNDArray) params.get(p + names[j]);
            }
        }
        int hd = cfg.headDim();
        this.invFreq = new double[hd / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = 1.0 / Math.pow(cfg.ropeTheta(), (2.0 * i) / hd);
        }
        for (NDArray a : params.values()) {
            a.setRequiresGradient(true);
        }
    }

    private static String[] layerNames() {
        return new String[] {"input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
            "self_attn.v_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
            "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"};
    }

    /** Parameter names and shapes of a config, in the order {@link #parameters()} lists them. */
    private static Map<String, long[]> shapes(ModelConfig c) {
        long h = c.hiddenSize();
        long dq = (long) c.numHeads() * c.headDim();
        long dkv = (long) c.numKvHeads() * c.headDim();
        long in = c.intermediateSize();
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put(EMBED, new long[] {c.vocabSize(), h});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[] {h});
            s.put(p + "self_attn.q_proj.weight", new long[] {dq, h});
            s.put(p + "self_attn.k_proj.weight", new long[] {dkv, h});
            s.put(p + "self_attn.v_proj.weight", new long[] {dkv, h});
            s.put(p + "self_attn.o_proj.weight", new long[] {h, dq});
            s.put(p + "post_attention_layernorm.weight", new long[] {h});
            s.put(p + "mlp.gate_proj.weight", new long[] {in, h});
            s.put(p + "mlp.up_proj.weight", new long[] {in, h});
            s.put(p + "mlp.down_proj.weight", new long[] {h, in});
        }
        s.put("model.norm.weight", new long[] {h});
        if (!c.tieWordEmbeddings()) {
            s.put(HEAD, new long[] {c.vocabSize(), h});
        }
        return s;
    }

    /**
     * Refuses an architecture this class cannot train, without building anything.
     *
     * @param c the architecture
     * @param source what to name in the error (e.g. the config file)
     * @throws ModelException (one line) when it is not a Llama-family config without attention biases
     * @throws NullPointerException naming {@code c} or {@code source} when it is null
     */
    public static void checkTrainable(ModelConfig c, String source) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(c, "c");
        checkSupported(c, source);
    }

    private static void checkSupported(ModelConfig c, String source) {
        if (c.family() != ModelConfig.Family.LLAMA) {
            throw new ModelException(source + ": model_type '" + c.modelType()
                    + "' cannot be trained, expected a Llama-family config (llama, mistral)");
        }
        if (c.attentionBias()) {
            throw new ModelException(source + ": attention biases (attention_bias=true or qwen2) cannot be trained,"
                    + " expected attention_bias false");
        }
    }

    /**
     * Number of float32 parameters a config has (tied embeddings counted once).
     *
     * @param c the config
     * @return the parameter count
     * @throws NullPointerException naming {@code c} when it is null
     */
    public static long parameterCount(ModelConfig c) {
        Objects.requireNonNull(c, "c");
        long n = 0;
        for (long[] s : shapes(c).values()) {
            long k = 1;
            for (long d : s) {
                k *= d;
            }
            n += k;
        }
        return n;
    }

    /**
     * Loads a pretrained Hugging Face Llama-family checkpoint to continue training it.
     *
     * @param modelDir the model directory ({@link CausalLM#load} reads it)
     * @return the trainable model (close it)
     * @throws ModelException when the directory cannot be loaded or the architecture is not supported
     */
    public static TrainableLlama fromPretrained(Path modelDir) {
        try (CausalLM lm = CausalLM.load(modelDir)) {
            ModelConfig c = lm.config();
            checkSupported(c, modelDir.resolve("config.json").toString());
            PtNDManager m = newManager();
            Map<String, NDArray> p = new LinkedHashMap<>();
            Map<String, NDArray> src = lm.parameters();
            for (String name : shapes(c).keySet()) {
                NDArray a = src.get(name);
                if (a == null) {
                    m.close();
                    throw new ModelException(modelDir + ": parameter '" + name + "' missing from the loaded model");
                }
                NDArray copy = m.create(a.toFloatArray(), a.getShape());
                p.put(name, copy);
            }
            return new TrainableLlama(c, m, p);
        }
    }

    /**
     * Creates a model with fresh weights: every matrix (embeddings, projections, LM head) drawn from
     * normal(0, 0.02), norm gains 1; reproducible for a given seed.
     *
     * @param c the architecture
     * @param seed the random seed
     * @return the model (close it)
     * @throws ModelException when the architecture is not supported
     * @throws NullPointerException naming {@code c} when it is null
     */
    public static TrainableLlama fromConfig(ModelConfig c, long seed) {
        Objects.requireNonNull(c, "c");
        checkSupported(c, "config");
        PtNDManager m = newManager();
        Map<String, NDArray> p = new LinkedHashMap<>();
        int k = 0;
        for (Map.Entry<String, long[]> e : shapes(c).entrySet()) {
            Shape s = new Shape(e.getValue());
            if (s.dimension() == 1) {
                p.put(e.getKey(), m.ones(s, DataType.FLOAT32));
            } else {
                SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (k++));
                int n = Math.toIntExact(s.size());
                ByteBuffer buf = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                FloatBuffer f = buf.asFloatBuffer();
                for (int i = 0; i < n; i++) {
                    f.put(i, (float) (0.02 * rng.nextGaussian()));
                }
                p.put(e.getKey(), m.create(buf, s, DataType.FLOAT32));
            }
        }
        return new TrainableLlama(c, m, p);
    }

    /**
     * Sets PyTorch's intra-op thread count (process-wide) and records it in the system property
     * {@code ai.djl.pytorch.num_threads}, so that models loaded later keep it.
     *
     * @param threads threads (&gt; 0)
     */
    public static void setThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads: expected a positive count but got " + threads);
        }
        ai.djl.engine.Engine.getEngine("PyTorch");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        JniUtils.setNumThreads(threads);
    }

    private static PtNDManager newManager() {
        ai.djl.engine.Engine.getEngine("PyTorch");
        return (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /**
     * The architecture.
     *
     * @return the config
     */
    public ModelConfig config() {
        return cfg;
    }

    /**
     * The trainable tensors by Hugging Face name, in a stable order (owned by the model, with
     * gradients attached; an optimizer updates them in place). With tied embeddings only {@code
     * model.embed_tokens.weight} is listed.
     *
     * @return an unmodifiable map
     */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /**
     * Sets every parameter's gradient to zero (in place; call after each optimizer step, since
     * backward passes accumulate).
     */
    public void zeroGradients() {
        for (NDArray a : params.values()) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /**
     * Final-norm hidden states of whole sequences.
     *
     * @param m manager that owns the result and intermediates (a per-step sub-manager)
     * @param rows one non-empty row of token ids per sequence (lengths may differ; right-padded
     *     internally and the padding masked)
     * @param dropout dropout probability (0 for evaluation)
     * @return float32 {@code [rows, longest, hidden]}
     * @throws IllegalArgumentException on an empty row, an id outside the vocabulary or a row longer
     *     than max_position_embeddings
     * @throws NullPointerException naming {@code m} or {@code rows} when it is null
     */
    public NDArray hidden(NDManager m, int[][] rows, double dropout) {
        Objects.requireNonNull(m, "m");
        Objects.requireNonNull(rows, "rows");
        return gate.call(() -> hiddenNow(m, rows, dropout));
    }

    /**
     * Sets the gate that the forward passes enter (tests).
     *
     * @param g the gate
     * @return this model
     */
    TrainableLlama gate(NativeCalls g) {
        this.gate = Objects.requireNonNull(g, "g");
        return this;
    }

    private NDArray hiddenNow(NDManager m, int[][] rows, double dropout) {
        PtNDManager pm = (PtNDManager) m;
        int n = rows.length;
        int t = 0;
        for (int[] r : rows) {
            if (r.length == 0) {
                throw new IllegalArgumentException("empty sequence");
            }
            t = Math.max(t, r.length);
        }
        if (t > cfg.maxPositions()) {
            throw new IllegalArgumentException("sequence of " + t + " tokens exceeds max_position_embeddings "
                    + cfg.maxPositions());
        }
        long[] ids = new long[n * t];
        float[] mask = new float[n * t * t];
        for (int b = 0; b < n; b++) {
            int len = rows[b].length;
            for (int i = 0; i < len; i++) {
                int id = rows[b][i];
                if (id < 0 || id >= cfg.vocabSize()) {
                    throw new IllegalArgumentException("token id " + id + " outside the vocabulary [0, "
                            + cfg.vocabSize() + ")");
                }
                ids[b * t + i] = id;
            }
            for (int q = 0; q < t; q++) {
                int o = (b * t + q) * t;
                for (int k = 0; k < t; k++) {
                    mask[o + k] = (k <= q && k < len) ? 0f : NEG;
                }
            }
        }
        boolean train = dropout > 0;
        int heads = cfg.numHeads();
        int kvHeads = cfg.numKvHeads();
        int group = heads / kvHeads;
        long hd = cfg.headDim();
        PtNDArray x = JniUtils.embedding((PtNDArray) pm.create(ids, new Shape(n, t)), embed, false);
        x = drop(x, dropout, train);
        PtNDArray[] rope = rope(pm, t);
        PtNDArray maskArr = (PtNDArray) pm.create(mask, new Shape(n, 1, 1, t, t));
        long half = hd / 2;
        for (PtNDArray[] l : layers) {
            PtNDArray h = rmsNorm(x, l[0]);
            PtNDArray q = JniUtils.reshape(JniUtils.linear(h, l[1], null), new long[] {n, t, heads, hd});
            PtNDArray k = JniUtils.reshape(JniUtils.linear(h, l[2], null), new long[] {n, t, kvHeads, hd});
            PtNDArray v = JniUtils.reshape(JniUtils.linear(h, l[3], null), new long[] {n, t, kvHeads, hd});
            q = applyRope(q, rope, half);
            k = applyRope(k, rope, half);
            // q: [n, t, kv, g, hd] -> [n, kv, g*t, hd]; k, v: [n, kv, t, hd]
            q = JniUtils.reshape(JniUtils.permute(JniUtils.reshape(q, new long[] {n, t, kvHeads, group, hd}),
                    new long[] {0, 2, 3, 1, 4}), new long[] {n, kvHeads, (long) group * t, hd});
            k = JniUtils.permute(k, new long[] {0, 2, 1, 3});
            v = JniUtils.permute(v, new long[] {0, 2, 1, 3});
            PtNDArray s = JniUtils.matmul(q, JniUtils.transpose(k, 2, 3));
            s = JniUtils.mul(s, scalar(pm, 1.0 / Math.sqrt(hd), DataType.FLOAT64));
            s = JniUtils.add(JniUtils.reshape(s, new long[] {n, kvHeads, group, t, t}), maskArr);
            PtNDArray p = JniUtils.softmax(s, -1, DataType.FLOAT32);
            p = drop(p, dropout, train);
            PtNDArray o = JniUtils.matmul(JniUtils.reshape(p, new long[] {n, kvHeads, (long) group * t, t}), v);
            o = JniUtils.reshape(JniUtils.permute(JniUtils.reshape(o, new long[] {n, kvHeads, group, t, hd}),
                    new long[] {0, 3, 1, 2, 4}), new long[] {n, t, heads * hd});
            x = JniUtils.add(x, drop(JniUtils.linear(o, l[4], null), dropout, train));
            PtNDArray h2 = rmsNorm(x, l[5]);
            PtNDArray gate = JniUtils.linear(h2, l[6], null);
            PtNDArray up = JniUtils.linear(h2, l[7], null);
            PtNDArray act = JniUtils.mul(JniUtils.mul(gate, JniUtils.sigmoid(gate)), up);
            x = JniUtils.add(x, drop(JniUtils.linear(act, l[8], null), dropout, train));
        }
        return rmsNorm(x, norm);
    }

    /**
     * Next-token logits of hidden states (the LM head).
     *
     * @param hidden float32 {@code [..., hidden]} (its manager owns the result)
     * @return float32 {@code [..., vocab]}
     * @throws NullPointerException naming {@code hidden} when it is null
     */
    public NDArray logits(NDArray hidden) {
        Objects.requireNonNull(hidden, "hidden");
        return JniUtils.linear((PtNDArray) hidden, lmHead, null);
    }

    /**
     * Summed negative log-likelihood of the tokens of each row from position {@code lossFrom[b]} on
     * (each predicted from its prefix). Only those positions go through the LM head.
     *
     * @param m manager that owns the result and intermediates
     * @param rows token ids per row
     * @param lossFrom per row, the first position whose token is scored ({@code >= 1}); tokens
     *     before it (the prompt) are context only
     * @param dropout dropout probability (0 for evaluation)
     * @return a float32 scalar: the sum of {@code -log p(token)} over all scored tokens
     * @throws IllegalArgumentException when a row scores no token or {@code lossFrom} is out of range
     * @throws NullPointerException naming {@code m}, {@code rows} or {@code lossFrom} when it is null
     */
    public NDArray tokenNll(NDManager m, int[][] rows, int[] lossFrom, double dropout) {
        Objects.requireNonNull(m, "m");
        Objects.requireNonNull(rows, "rows");
        Objects.requireNonNull(lossFrom, "lossFrom");
        int t = 0;
        int count = 0;
        for (int b = 0; b < rows.length; b++) {
            t = Math.max(t, rows[b].length);
            if (lossFrom[b] < 1 || lossFrom[b] >= rows[b].length) {
                throw new IllegalArgumentException("row " + b + ": lossFrom " + lossFrom[b] + " outside [1, "
                        + rows[b].length + ")");
            }
            count += rows[b].length - lossFrom[b];
        }
        long[] where = new long[count];
        long[] target = new long[count];
        int c = 0;
        for (int b = 0; b < rows.length; b++) {
            for (int i = lossFrom[b]; i < rows[b].length; i++) {
                where[c] = (long) b * t + i - 1;
                target[c++] = rows[b][i];
            }
        }
        gate.enter();
        try {
            PtNDArray h = (PtNDArray) hidden(m, rows, dropout);
            PtNDArray flat = JniUtils.reshape(h, new long[] {(long) rows.length * t, cfg.hiddenSize()});
            PtNDArray sel = JniUtils.embedding((PtNDArray) m.create(where, new Shape(count)), flat, false);
            PtNDArray logp = JniUtils.logSoftmax((PtNDArray) logits(sel), -1, DataType.FLOAT32);
            PtNDArray picked = JniUtils.gather(logp, (PtNDArray) m.create(target, new Shape(count, 1)), 1);
            return picked.sum().neg();
        } finally {
            gate.exit();
        }
    }

    /**
     * The mean loss per scored token: {@code sum / tokens}, differentiable.
     *
     * @param m manager that owns the result
     * @param sum a summed loss ({@link #tokenNll})
     * @param tokens the number of scored tokens (&gt; 0)
     * @return a float32 scalar
     * @throws NullPointerException naming {@code m} or {@code sum} when it is null
     */
    public static NDArray meanLoss(NDManager m, NDArray sum, long tokens) {
        Objects.requireNonNull(m, "m");
        Objects.requireNonNull(sum, "sum");
        return JniUtils.div((PtNDArray) sum, scalar(m, tokens, DataType.INT64));
    }

    /**
     * A scalar tensor in memory PyTorch allocated, for the operands of differentiable ops (float64 for
     * a factor or exponent of a float32 array, which keeps the array's type; an integer type for the
     * divisor of a float32 scalar, which stays float32).
     *
     * <p>Never use DJL's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code pow(Number)} and the
     * like in the training graph: they put the number in a Java direct buffer that PyTorch uses in place,
     * run the op and release the buffer at once, while autograd keeps the scalar for the backward pass
     * (the gradient of {@code x * c} is {@code grad * c}). A garbage collection between the forward and
     * the backward pass then frees the buffer and the gradients are computed from freed memory: training
     * with the same seed gave different models from run to run.
     */
    private static PtNDArray scalar(NDManager m, double v, DataType type) {
        return JniUtils.full((PtNDManager) m, new Shape(), v, type, Device.cpu(), SparseFormat.DENSE);
    }

    private static PtNDArray drop(PtNDArray x, double p, boolean train) {
        return train ? JniUtils.dropout(x, p, true) : x;
    }

    /** {@code x * rsqrt(mean(x^2) + eps) * w}, as Hugging Face's LlamaRMSNorm (float32). */
    private PtNDArray rmsNorm(PtNDArray x, PtNDArray w) {
        PtNDArray ms = JniUtils.mean(JniUtils.square(x), -1, true);
        NDManager m = ms.getManager();
        PtNDArray r = JniUtils.pow(JniUtils.add(ms, scalar(m, cfg.normEps(), DataType.FLOAT64)),
                scalar(m, -0.5, DataType.FLOAT64));
        return JniUtils.mul(JniUtils.mul(x, r), w);
    }

    /** Tables {@code cos, sin} of shape {@code [t, 1, hd]} (positions 0..t-1). */
    private PtNDArray[] rope(PtNDManager m, int t) {
        int hd = cfg.headDim();
        int half = hd / 2;
        float[] cos = new float[t * hd];
        float[] sin = new float[t * hd];
        for (int p = 0; p < t; p++) {
            for (int i = 0; i < half; i++) {
                double a = p * invFreq[i];
                float c = (float) Math.cos(a);
                float s = (float) Math.sin(a);
                cos[p * hd + i] = c;
                cos[p * hd + half + i] = c;
                sin[p * hd + i] = s;
                sin[p * hd + half + i] = s;
            }
        }
        Shape shape = new Shape(t, 1, hd);
        return new PtNDArray[] {(PtNDArray) m.create(cos, shape), (PtNDArray) m.create(sin, shape)};
    }

    /** {@code x*cos + rotate_half(x)*sin} with {@code rotate_half([x1, x2]) = [-x2, x1]}. */
    private static PtNDArray applyRope(PtNDArray x, PtNDArray[] rope, long half) {
        PtNDArray x1 = JniUtils.slice(x, 3, 0, half, 1);
        PtNDArray x2 = JniUtils.slice(x, 3, half, 2 * half, 1);
        PtNDArray rot = JniUtils.cat(new PtNDArray[] {JniUtils.neg(x2), x1}, 3);
        return JniUtils.add(JniUtils.mul(x, rope[0]), JniUtils.mul(rot, rope[1]));
    }

    /** The tokenizer files {@link #save} copies beside the weights (those the tokenizer directory has). */
    public static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json");

    /**
     * Every file {@link #save} writes: the weights, config.json, generation_config.json and
     * {@link #TOKENIZER_FILES}.
     */
    public static final List<String> FILES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of("model.safetensors", "config.json", "generation_config.json"),
            TOKENIZER_FILES.stream()).toList();

    /**
     * Writes a Hugging Face model directory: {@code model.safetensors} (float32; with tied embeddings
     * only {@code model.embed_tokens.weight}), {@code config.json}, {@code generation_config.json},
     * and copies of the tokenizer files ({@code tokenizer.json}, {@code tokenizer_config.json},
     * {@code special_tokens_map.json}) found in {@code tokenizerDir}. Every file is replaced
     * atomically.
     *
     * @param dir the output directory (created if needed)
     * @param tokenizerDir where the tokenizer files are, or {@code null} to write none
     * @throws IOException when a file cannot be written or {@code tokenizerDir} has no tokenizer.json
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public void save(Path dir, Path tokenizerDir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), params, Map.of("format", "pt"));
        var gson = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
        byte[] config = gson.toJson(configJson(cfg)).getBytes(StandardCharsets.UTF_8);
        Safetensors.atomicWrite(dir.resolve("config.json"), out -> out.write(config));
        JsonObject gen = new JsonObject();
        if (cfg.bosTokenId() >= 0) {
            gen.addProperty("bos_token_id", cfg.bosTokenId());
        }
        addEos(gen, cfg.eosTokenIds());
        if (cfg.padTokenId() >= 0) {
            gen.addProperty("pad_token_id", cfg.padTokenId());
        }
        byte[] genBytes = gson.toJson(gen).getBytes(StandardCharsets.UTF_8);
        Safetensors.atomicWrite(dir.resolve("generation_config.json"), out -> out.write(genBytes));
        if (tokenizerDir != null) {
            if (!Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
                throw new IOException(tokenizerDir + ": no tokenizer.json to copy");
            }
            if (!tokenizerDir.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
                for (String f : TOKENIZER_FILES) {
                    Path src = tokenizerDir.resolve(f);
                    if (Files.isRegularFile(src)) {
                        byte[] bytes = Files.readAllBytes(src);
                        Safetensors.atomicWrite(dir.resolve(f), out -> out.write(bytes));
                    }
                }
            }
        }
    }

    private static void addEos(JsonObject o, int[] eos) {
        if (eos.length == 1) {
            o.addProperty("eos_token_id", eos[0]);
        } else if (eos.length > 1) {
            JsonArray a = new JsonArray();
            for (int e : eos) {
                a.add(e);
            }
            o.add("eos_token_id", a);
        }
    }

    /**
     * The Hugging Face {@code config.json} of a Llama-family config ({@code model_type} llama).
     *
     * @param c the config
     * @return the JSON object
     */
    static JsonObject configJson(ModelConfig c) {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        o.add("architectures", arch);
        o.addProperty("model_type", "llama");
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("hidden_size", c.hiddenSize());
        o.addProperty("intermediate_size", c.intermediateSize());
        o.addProperty("num_hidden_layers", c.numLayers());
        o.addProperty("num_attention_heads", c.numHeads());
        o.addProperty("num_key_value_heads", c.numKvHeads());
        o.addProperty("head_dim", c.headDim());
        o.addProperty("max_position_embeddings", c.maxPositions());
        o.addProperty("rms_norm_eps", c.normEps());
        o.addProperty("rope_theta", c.ropeTheta());
        o.add("rope_scaling", JsonNull.INSTANCE);
        o.addProperty("tie_word_embeddings", c.tieWordEmbeddings());
        o.addProperty("attention_bias", false);
        o.addProperty("mlp_bias", false);
        o.addProperty("hidden_act", "silu");
        if (c.bosTokenId() >= 0) {
            o.addProperty("bos_token_id", c.bosTokenId());
        }
        addEos(o, c.eosTokenIds());
        if (c.padTokenId() >= 0) {
            o.addProperty("pad_token_id", c.padTokenId());
        }
        o.addProperty("torch_dtype", "float32");
        return o;
    }

    /** Frees the weights (and their gradients). Idempotent. */
    @Override
    public void close() {
        manager.close();
    }
}
