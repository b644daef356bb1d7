package dev.qdecode.models;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.qdecode.models.ModelConfig.Family;
import dev.qdecode.models.ParamSource.Init;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward pass of both families, written directly against the PyTorch engine's JNI ops ({@link
 * JniUtils}) because at these model sizes the number of native calls per decoding step, not
 * arithmetic, dominates (each costs about 1-3 us; in-place ops, which create no Java wrapper, less
 * than 1 us).
 *
 * <p>Layout conventions. Decode works on {@code [B, features]} rows, full sequences on {@code [n,
 * t, features]}. The fused q/k/v projection emits {@code [q heads | k heads | v heads]}; rotary
 * embedding is applied to all heads at once as {@code x*cos + (x@P)*sin} with a rotate-half matrix
 * {@code P} and gathered per-position tables in which value heads get the identity and query heads
 * carry the attention scale.
 * RMSNorm sums squares with a pre-scaled gain ({@link #rmsNorm}). Grouped-query attention never
 * repeats keys: the per-head path views queries as {@code [B, kvHeads, group, hd]}; the block path
 * (narrow heads, see {@link #BLOCK_MAX_HEAD_DIM}) spreads each query into its kv head's slot of a
 * {@code kvHeads*hd} row so that one small product per row covers all heads, then picks each
 * head's own slot of the result. Masks are additive ({@link #NEG}, finite so that fully masked
 * padding rows stay finite). See {@link DecodeCache} for the cache layouts.
 */
final class TransformerLM implements CausalLM {
    /** Additive mask value for excluded keys. */
    static final float NEG = -1e9f;
    private static final long[] ONES4 = {1, 1, 1, 1};
    private static final long[] ONES3 = {1, 1, 1};
    private static final int[] LAST_AXIS = {-1};
    private static final long[] SWAP01 = {1, 0, 2};
    /**
     * From this batch size on, block-path queries are expanded by a batched product with {@link
     * #expand} (one small product per head) rather than a broadcast multiply, which is slow for
     * narrow heads on wide batches.
     */
    private static final int EXPAND_BY_PRODUCT_MIN_BATCH = 8;
    /** Largest attention-score tensor (floats) of one chunk of a full-sequence forward. */
    private static final long MAX_SCORES = 1L << 24;
    /**
     * Llama-family models with heads at most this wide decode with the block layout: one small
     * matrix product per row over all kv heads instead of one per (row, kv head), which is cheaper
     * when heads are narrow.
     */
    static final int BLOCK_MAX_HEAD_DIM = 32;
    /** Largest logits tensor (floats) of one chunk of {@link #tokenLogProbs}. */
    private static final long MAX_LOGITS = 1L << 24;

    /**
     * Weights of one block as the forward pass uses them (derived from {@link #parameters()} at load
     * time): Llama norm gains pre-scaled by {@code sqrt(hidden)} (see {@link #rmsNorm}); GPT-2
     * matrices as transposed views of the stored Conv1D tensors.
     */
    record Layer(PtNDArray ln1W, PtNDArray ln1B, PtNDArray wqkv, PtNDArray bqkv, PtNDArray wo, PtNDArray bo,
            PtNDArray ln2W, PtNDArray ln2B, PtNDArray wUp, PtNDArray bUp, PtNDArray wDown, PtNDArray bDown) {}

    final ModelConfig cfg;
    final PtNDManager manager;
    private final Map<String, NDArray> params;
    final Layer[] layers;
    final PtNDArray embed;
    final PtNDArray lmHead;
    final PtNDArray normW;
    final PtNDArray normB;
    final PtNDArray wpe;
    private final PtNDArray eps;
    private final PtNDArray minusHalf;
    private final PtNDArray one;
    private final PtNDArray zero;
    private final PtNDArray half;
    private final PtNDArray geluA;
    private final PtNDArray geluB;
    private final PtNDArray attnScale;
    private final PtNDArray blockMask;
    private final PtNDArray rotateHalf;
    private final PtNDArray expand;
    /**
     * Whether new caches use the block layout (see {@link DecodeCache}); chosen from the head width
     * unless the system property {@code qdecode.models.blockDecode} (true/false, for benchmarking)
     * says otherwise; changeable by tests to exercise both layouts.
     */
    volatile boolean blockDecode;
    /**
     * The gate that every forward pass ({@link #prefill}, {@link KvCache#step}, {@link #tokenLogProbs} chunk by chunk,
     * {@link #hiddenStates}, {@link #logits}) enters: the JVM ends only between passes, never under one (see {@link
     * NativeCalls}). {@link NativeCalls#PROCESS}; tests set one of their own.
     */
    volatile NativeCalls gate = NativeCalls.PROCESS;
    /**
     * Added to every row of logits by the LM head ({@link #head}): null, or 0 for the ids below the usable
     * vocabulary and -inf from there on (see {@link #restrictVocabulary}).
     */
    private volatile PtNDArray headBias;

    final boolean llama;
    final int vocab;
    final int hidden;
    final int heads;
    final int kvHeads;
    final int group;
    final int headDim;
    final int qkvHeads;
    final int qDim;
    final int inter;
    private final double[] invFreq;
    private final Shape hiddenShape;

    private TransformerLM(ModelConfig cfg, PtNDManager manager, Map<String, NDArray> params, Layer[] layers,
            PtNDArray embed, PtNDArray lmHead, PtNDArray normW, PtNDArray normB, PtNDArray wpe) {
        this.cfg = cfg;
        this.manager = manager;
        this.params = Collections.unmodifiableMap(params);
        this.layers = layers;
        this.embed = embed;
        this.lmHead = lmHead;
        this.normW = normW;
        this.normB = normB;
        this.wpe = wpe;
        this.llama = cfg.family() == Family.LLAMA;
        this.vocab = cfg.vocabSize();
        this.hidden = cfg.hiddenSize();
        this.heads = cfg.numHeads();
        this.kvHeads = cfg.numKvHeads();
        this.group = heads / kvHeads;
        this.headDim = cfg.headDim();
        this.qkvHeads = heads + 2 * kvHeads;
        this.qDim = heads * headDim;
        this.inter = cfg.intermediateSize();
        this.hiddenShape = new Shape(hidden);
        // RMSNorm sums instead of averaging (see rmsNorm), so its epsilon is scaled by H
        this.eps = scalar((float) (llama ? cfg.normEps() * cfg.hiddenSize() : cfg.normEps()));
        this.minusHalf = scalar(-0.5f);
        this.one = scalar(1f);
        this.zero = scalar(0f);
        this.half = scalar(0.5f);
        double c0 = Math.sqrt(2.0 / Math.PI);
        this.geluA = scalar((float) c0);
        this.geluB = scalar((float) (c0 * 0.044715));
        this.attnScale = scalar((float) (1.0 / Math.sqrt(headDim)));
        this.blockMask = llama ? blockMask() : null;
        this.rotateHalf = llama ? rotateHalfMatrix() : null;
        this.expand = llama ? expandMatrix() : null;
        String forced = System.getProperty("qdecode.models.blockDecode");
        this.blockDecode = llama && (forced == null ? headDim <= BLOCK_MAX_HEAD_DIM : Boolean.parseBoolean(forced));
        this.invFreq = new double[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = 1.0 / Math.pow(cfg.ropeTheta() == 0 ? 10000.0 : cfg.ropeTheta(), (2.0 * i) / headDim);
        }
    }

    private PtNDArray scalar(float v) {
        return (PtNDArray) manager.create(v);
    }

    // ------------------------------------------------------------------------------ construction

    static TransformerLM load(Path dir) {
        ModelConfig cfg = ModelConfig.load(dir);
        TensorStore store = TensorStore.open(dir);
        try (ParamSource src = ParamSource.of(store)) {
            TransformerLM m = build(cfg, src);
            try {
                checkAllWeightsRead(cfg, store);
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }
    }

    /**
     * Refuses a checkpoint holding weights the model did not read: they mean that {@code config.json} does not
     * describe the weights (fewer layers than stored, a bias it leaves out, an untied LM head under tied
     * embeddings), and a model built without them gives wrong text. Buffers that Hugging Face checkpoints may
     * carry and that hold no weights (rotary {@code inv_freq}; GPT-2's causal-mask {@code attn.bias} and {@code
     * attn.masked_bias}) are allowed. Tied embeddings stored under both names must hold equal values.
     */
    private static void checkAllWeightsRead(ModelConfig c, TensorStore store) {
        boolean gpt2 = c.family() == Family.GPT2;
        if (c.tieWordEmbeddings()) {
            String emb = !gpt2 ? "model.embed_tokens.weight"
                    : store.has("transformer.wte.weight") || !store.has("wte.weight") ? "transformer.wte.weight"
                    : "wte.weight";
            String why = "config.json has tie_word_embeddings true (expected one of them, or two equal copies; "
                    + "tie_word_embeddings false for a separate LM head)";
            store.requireSameValues(emb, "lm_head.weight", why); // the embedding is read when both are stored
        }
        List<Map.Entry<String, Path>> unread = store.unread().entrySet().stream()
                .filter(e -> !(e.getKey().endsWith(".rotary_emb.inv_freq") || gpt2
                        && (e.getKey().endsWith(".attn.bias") || e.getKey().endsWith(".attn.masked_bias"))))
                .toList();
        if (!unread.isEmpty()) {
            Map.Entry<String, Path> first = unread.get(0);
            String described = gpt2
                    ? "gpt2, n_layer " + c.numLayers() + ", tie_word_embeddings " + c.tieWordEmbeddings()
                    : c.modelType() + ", num_hidden_layers " + c.numLayers() + ", attention_bias " + c.attentionBias()
                            + ", tie_word_embeddings " + c.tieWordEmbeddings();
            throw new ModelException(first.getValue() + ": tensor '" + first.getKey() + "' is not a weight of the "
                    + "model that config.json describes (" + described + "; " + unread.size()
                    + (unread.size() == 1 ? " such tensor" : " such tensors")
                    + "; expected a config.json that matches the weights)");
        }
    }

    static TransformerLM random(ModelConfig cfg, long seed) {
        try (ParamSource src = ParamSource.random(seed)) {
            return build(cfg, src);
        }
    }

    /** Whether {@link #configureThreads()} already ran. */
    private static boolean threadsConfigured;

    /**
     * Sets PyTorch's intra-op thread count to 1 unless the user chose one with the system property
     * {@code ai.djl.pytorch.num_threads} (which DJL applies). Decoding small models is a long chain
     * of tiny ops, where OpenMP hand-offs cost more than they gain; on a machine whose cores are
     * busy, the default (one thread per core) was measured 20-50x slower.
     */
    static synchronized void configureThreads() {
        if (!threadsConfigured) {
            threadsConfigured = true;
            ai.djl.engine.Engine.getEngine("PyTorch");
            if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
                JniUtils.setNumThreads(1);
            }
        }
    }

    private static TransformerLM build(ModelConfig cfg, ParamSource src) {
        configureThreads();
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager(Device.cpu(), "PyTorch");
        try {
            TransformerLM m;
            try (NDManager tmp = manager.newSubManager()) {
                m = cfg.family() == Family.LLAMA ? buildLlama(cfg, src, manager, tmp) : buildGpt2(cfg, src, manager, tmp);
            }
            return m;
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Moves an array built in a temporary manager to the model's manager. */
    private static PtNDArray keep(NDArray a, NDManager manager) {
        a.attach(manager);
        return (PtNDArray) a;
    }

    private static TransformerLM buildLlama(ModelConfig c, ParamSource src, PtNDManager manager, NDManager tmp) {
        long h = c.hiddenSize();
        long v = c.vocabSize();
        long hd = c.headDim();
        long nkv = c.numKvHeads();
        long dq = (long) c.numHeads() * hd;
        long dkv = nkv * hd;
        long in = c.intermediateSize();
        String whyEmb = "vocab_size " + v + " x hidden_size " + h;
        String whyH = "hidden_size " + h;
        Map<String, NDArray> params = new LinkedHashMap<>();
        String embName = "model.embed_tokens.weight";
        String headName = "lm_head.weight";
        PtNDArray embed;
        PtNDArray head = null;
        if (c.tieWordEmbeddings()) {
            String from = src.has(embName) || !src.has(headName) ? embName : headName;
            embed = keep(src.get(tmp, from, new long[] {v, h}, Init.MATRIX, whyEmb), manager);
        } else {
            embed = keep(src.get(tmp, embName, new long[] {v, h}, Init.MATRIX, whyEmb), manager);
        }
        params.put(embName, embed);
        Layer[] layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            String whyQ = "num_attention_heads " + c.numHeads() + " x head_dim " + hd + ", hidden_size " + h;
            String whyKv = "num_key_value_heads " + nkv + " x head_dim " + hd + ", hidden_size " + h;
            PtNDArray ln1 = keep(src.get(tmp, p + "input_layernorm.weight", new long[] {h}, Init.ONES, whyH), manager);
            PtNDArray ln1Scaled = keep(ln1.mul(Math.sqrt(h)), manager);
            NDArray wq = src.get(tmp, p + "self_attn.q_proj.weight", new long[] {dq, h}, Init.MATRIX, whyQ);
            NDArray wk = src.get(tmp, p + "self_attn.k_proj.weight", new long[] {dkv, h}, Init.MATRIX, whyKv);
            NDArray wv = src.get(tmp, p + "self_attn.v_proj.weight", new long[] {dkv, h}, Init.MATRIX, whyKv);
            PtNDArray wqkv = keep(NDArrays.concat(new NDList(wq, wk, wv), 0), manager);
            PtNDArray bqkv = null;
            NDArray[] biases = null;
            if (c.attentionBias()) {
                NDArray bq = src.get(tmp, p + "self_attn.q_proj.bias", new long[] {dq}, Init.ZEROS, whyQ);
                NDArray bk = src.get(tmp, p + "self_attn.k_proj.bias", new long[] {dkv}, Init.ZEROS, whyKv);
                NDArray bv = src.get(tmp, p + "self_attn.v_proj.bias", new long[] {dkv}, Init.ZEROS, whyKv);
                bqkv = keep(NDArrays.concat(new NDList(bq, bk, bv), 0), manager);
                biases = new NDArray[] {bq, bk, bv};
            }
            PtNDArray wo = keep(src.get(tmp, p + "self_attn.o_proj.weight", new long[] {h, dq}, Init.MATRIX, whyQ), manager);
            PtNDArray bo = c.hasOutputBias()
                    ? keep(src.get(tmp, p + "self_attn.o_proj.bias", new long[] {h}, Init.ZEROS, whyH), manager)
                    : null;
            PtNDArray ln2 = keep(src.get(tmp, p + "post_attention_layernorm.weight", new long[] {h}, Init.ONES, whyH),
                    manager);
            PtNDArray ln2Scaled = keep(ln2.mul(Math.sqrt(h)), manager);
            String whyI = "intermediate_size " + in + ", hidden_size " + h;
            NDArray gate = src.get(tmp, p + "mlp.gate_proj.weight", new long[] {in, h}, Init.MATRIX, whyI);
            NDArray up = src.get(tmp, p + "mlp.up_proj.weight", new long[] {in, h}, Init.MATRIX, whyI);
            PtNDArray wgu = keep(NDArrays.concat(new NDList(gate, up), 0), manager);
            PtNDArray down = keep(src.get(tmp, p + "mlp.down_proj.weight", new long[] {h, in}, Init.MATRIX, whyI), manager);
            // parameters() lists the Hugging Face tensors as views into the fused execution tensors
            params.put(p + "input_layernorm.weight", ln1);
            params.put(p + "self_attn.q_proj.weight", rowView(wqkv, 0, dq, manager));
            params.put(p + "self_attn.k_proj.weight", rowView(wqkv, dq, dq + dkv, manager));
            params.put(p + "self_attn.v_proj.weight", rowView(wqkv, dq + dkv, dq + 2 * dkv, manager));
            if (biases != null) {
                params.put(p + "self_attn.q_proj.bias", rowView(bqkv, 0, dq, manager));
                params.put(p + "self_attn.k_proj.bias", rowView(bqkv, dq, dq + dkv, manager));
                params.put(p + "self_attn.v_proj.bias", rowView(bqkv, dq + dkv, dq + 2 * dkv, manager));
            }
            params.put(p + "self_attn.o_proj.weight", wo);
            if (bo != null) {
                params.put(p + "self_attn.o_proj.bias", bo);
            }
            params.put(p + "post_attention_layernorm.weight", ln2);
            params.put(p + "mlp.gate_proj.weight", rowView(wgu, 0, in, manager));
            params.put(p + "mlp.up_proj.weight", rowView(wgu, in, 2 * in, manager));
            params.put(p + "mlp.down_proj.weight", down);
            layers[i] = new Layer(ln1Scaled, null, wqkv, bqkv, wo, bo, ln2Scaled, null, wgu, null, down, null);
        }
        PtNDArray norm = keep(src.get(tmp, "model.norm.weight", new long[] {h}, Init.ONES, whyH), manager);
        params.put("model.norm.weight", norm);
        if (!c.tieWordEmbeddings()) {
            head = keep(src.get(tmp, headName, new long[] {v, h}, Init.MATRIX, whyEmb), manager);
            params.put(headName, head);
        }
        PtNDArray normScaled = keep(norm.mul(Math.sqrt(h)), manager);
        return new TransformerLM(c, manager, params, layers, embed, head == null ? embed : head, normScaled, null, null);
    }

    /** A view of rows {@code [from, to)} of a model-owned tensor. */
    private static PtNDArray rowView(PtNDArray a, long from, long to, NDManager manager) {
        return keep(JniUtils.slice(a, 0, from, to, 1), manager);
    }

    private static TransformerLM buildGpt2(ModelConfig c, ParamSource src, PtNDManager manager, NDManager tmp) {
        long h = c.hiddenSize();
        long v = c.vocabSize();
        long in = c.intermediateSize();
        long pos = c.maxPositions();
        String stored = src.has("h.0.ln_1.weight") && !src.has("transformer.h.0.ln_1.weight") ? "" : "transformer.";
        String whyH = "n_embd " + h;
        String whyI = "n_inner " + in + ", n_embd " + h;
        Map<String, NDArray> params = new LinkedHashMap<>();
        String wteName = stored + "wte.weight";
        String headName = "lm_head.weight";
        String whyEmb = "vocab_size " + v + " x n_embd " + h;
        String from = c.tieWordEmbeddings() && !src.has(wteName) && src.has(headName) ? headName : wteName;
        PtNDArray wte = keep(src.get(tmp, from, new long[] {v, h}, Init.MATRIX, whyEmb), manager);
        params.put("transformer.wte.weight", wte);
        PtNDArray wpe = keep(src.get(tmp, stored + "wpe.weight", new long[] {pos, h}, Init.MATRIX,
                "n_positions " + pos + " x n_embd " + h), manager);
        params.put("transformer.wpe.weight", wpe);
        Layer[] layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String rel = "h." + i + ".";
            PtNDArray[] t = new PtNDArray[12];
            String[] names = {"ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight",
                "mlp.c_proj.bias"};
            long[][] shapes = {{h}, {h}, {h, 3 * h}, {3 * h}, {h, h}, {h}, {h}, {h}, {h, in}, {in}, {in, h}, {h}};
            Init[] inits = {Init.ONES, Init.ZEROS, Init.MATRIX, Init.ZEROS, Init.MATRIX, Init.ZEROS, Init.ONES,
                Init.ZEROS, Init.MATRIX, Init.ZEROS, Init.MATRIX, Init.ZEROS};
            for (int j = 0; j < names.length; j++) {
                String why = names[j].startsWith("mlp") ? whyI : whyH;
                t[j] = keep(src.get(tmp, stored + rel + names[j], shapes[j], inits[j], why), manager);
                params.put("transformer." + rel + names[j], t[j]);
            }
            // Conv1D stores [in, out]; linear() wants [out, in]: transposed views share the storage.
            layers[i] = new Layer(t[0], t[1], transposed(t[2], manager), t[3], transposed(t[4], manager), t[5], t[6], t[7],
                    transposed(t[8], manager), t[9], transposed(t[10], manager), t[11]);
        }
        PtNDArray lnfW = keep(src.get(tmp, stored + "ln_f.weight", new long[] {h}, Init.ONES, whyH), manager);
        PtNDArray lnfB = keep(src.get(tmp, stored + "ln_f.bias", new long[] {h}, Init.ZEROS, whyH), manager);
        params.put("transformer.ln_f.weight", lnfW);
        params.put("transformer.ln_f.bias", lnfB);
        PtNDArray head = wte;
        if (!c.tieWordEmbeddings()) {
            head = keep(src.get(tmp, headName, new long[] {v, h}, Init.MATRIX, whyEmb), manager);
            params.put(headName, head);
        }
        return new TransformerLM(c, manager, params, layers, wte, head, lnfW, lnfB, wpe);
    }

    private static PtNDArray transposed(PtNDArray a, NDManager manager) {
        return keep(JniUtils.transpose(a, 0, 1), manager);
    }

    // ------------------------------------------------------------------------------ public API

    @Override
    public ModelConfig config() {
        return cfg;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    @Override
    public KvCache prefill(NDManager stepManager, int[][] prompts, int maxNewTokens) {
        return gate.call(() -> prefillNow(stepManager, prompts, maxNewTokens));
    }

    private KvCache prefillNow(NDManager stepManager, int[][] prompts, int maxNewTokens) {
        PtNDManager out = ptManager(stepManager, "stepManager");
        int b = checkSequences(prompts, "prompts");
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        int t = maxLength(prompts);
        long capacity = (long) t + maxNewTokens;
        if (capacity > cfg.maxPositions()) {
            throw new IllegalArgumentException("longest prompt " + t + " + maxNewTokens " + maxNewTokens
                    + " exceeds the model's " + cfg.maxPositions() + " positions");
        }
        int[] pads = new int[b];
        for (int r = 0; r < b; r++) {
            pads[r] = t - prompts[r].length;
        }
        DecodeCache cache = new DecodeCache(this, b, t, (int) capacity, pads);
        try (PtNDManager tmp = (PtNDManager) out.newSubManager()) {
            int chunk = rowsPerChunk(t, Long.MAX_VALUE);
            PtNDArray causal = causalMask(tmp, t);
            List<NDArray> parts = new ArrayList<>();
            for (int r0 = 0; r0 < b; r0 += chunk) {
                int r1 = Math.min(b, r0 + chunk);
                int n = r1 - r0;
                long[] ids = new long[n * t];
                long[] pos = new long[n * t];
                float[] keyPad = new float[n * t];
                for (int r = 0; r < n; r++) {
                    int[] p = prompts[r0 + r];
                    int pad = pads[r0 + r];
                    for (int j = 0; j < t; j++) {
                        ids[r * t + j] = j < pad ? 0 : p[j - pad];
                        pos[r * t + j] = Math.max(0, j - pad);
                        keyPad[r * t + j] = j < pad ? NEG : 0f;
                    }
                }
                PtNDArray mask = JniUtils.add(
                        (PtNDArray) tmp.create(keyPad, new Shape(n, 1, 1, 1, t)), causal);
                parts.add(fullHidden(tmp, ids, pos, n, t, mask, cache.rope, cache, r0, true));
            }
            PtNDArray hid = parts.size() == 1 ? (PtNDArray) parts.get(0) : (PtNDArray) NDArrays.concat(new NDList(parts), 0);
            PtNDArray logits = head(hid);
            hid.attach(out);
            logits.attach(out);
            cache.columns = t;
            cache.last = new StepOutput(logits, hid);
        } catch (RuntimeException e) {
            cache.close();
            throw e;
        }
        return cache;
    }

    @Override
    public float[][] tokenLogProbs(int[][] sequences) {
        int b = checkSequences(sequences, "sequences");
        float[][] result = new float[b][];
        for (int r = 0; r < b; r++) {
            result[r] = new float[sequences[r].length];
        }
        int r0 = 0;
        while (r0 < b) {
            int t = sequences[r0].length;
            int r1 = r0 + 1;
            // grow the chunk while the score and logit tensors stay bounded
            while (r1 < b) {
                int t2 = Math.max(t, sequences[r1].length);
                if (r1 + 1 - r0 > rowsPerChunk(t2, MAX_LOGITS / ((long) t2 * vocab))) {
                    break;
                }
                t = t2;
                r1++;
            }
            int n = r1 - r0;
            NativeCalls g = gate; // the one entered is the one exited
            g.enter(); // chunk by chunk: a long scoring ends between chunks
            try (PtNDManager tmp = (PtNDManager) manager.newSubManager()) {
                long[] ids = new long[n * t];
                long[] pos = new long[n * t];
                long[] targets = new long[n * t];
                for (int r = 0; r < n; r++) {
                    int[] s = sequences[r0 + r];
                    for (int j = 0; j < t; j++) {
                        ids[r * t + j] = j < s.length ? s[j] : 0;
                        pos[r * t + j] = j;
                        targets[r * t + j] = j + 1 < s.length ? s[j + 1] : 0;
                    }
                }
                PtNDArray[] tables = llama ? ropeTables(tmp, t) : null;
                PtNDArray hid = fullHidden(tmp, ids, pos, n, t, causalMask(tmp, t), tables, null, 0, false);
                PtNDArray logits = head(hid);
                PtNDArray logp = JniUtils.logSoftmax(logits, -1, DataType.FLOAT32);
                PtNDArray tgt = (PtNDArray) tmp.create(targets, new Shape(n, t, 1));
                float[] picked = JniUtils.gather(logp, tgt, 2).toFloatArray();
                for (int r = 0; r < n; r++) {
                    float[] dst = result[r0 + r];
                    for (int j = 0; j + 1 < dst.length; j++) {
                        dst[j + 1] = picked[r * t + j];
                    }
                }
            } finally {
                g.exit();
            }
            r0 = r1;
        }
        return result;
    }

    @Override
    public NDArray hiddenStates(NDManager outManager, int[][] sequences) {
        return gate.call(() -> hiddenStatesNow(outManager, sequences));
    }

    private NDArray hiddenStatesNow(NDManager outManager, int[][] sequences) {
        PtNDManager out = ptManager(outManager, "manager");
        int b = checkSequences(sequences, "sequences");
        int t = maxLength(sequences);
        int chunk = rowsPerChunk(t, Long.MAX_VALUE);
        try (PtNDManager tmp = (PtNDManager) out.newSubManager()) {
            PtNDArray[] tables = llama ? ropeTables(tmp, t) : null;
            PtNDArray causal = causalMask(tmp, t);
            List<NDArray> parts = new ArrayList<>();
            for (int r0 = 0; r0 < b; r0 += chunk) {
                int n = Math.min(b, r0 + chunk) - r0;
                long[] ids = new long[n * t];
                long[] pos = new long[n * t];
                float[] keep = new float[n * t];
                for (int r = 0; r < n; r++) {
                    int[] s = sequences[r0 + r];
                    for (int j = 0; j < t; j++) {
                        ids[r * t + j] = j < s.length ? s[j] : 0;
                        pos[r * t + j] = j;
                        keep[r * t + j] = j < s.length ? 1f : 0f;
                    }
                }
                PtNDArray hid = fullHidden(tmp, ids, pos, n, t, causal, tables, null, 0, false);
                JniUtils.muli(hid, (PtNDArray) tmp.create(keep, new Shape(n, t, 1)));
                parts.add(hid);
            }
            NDArray all = parts.size() == 1 ? parts.get(0) : NDArrays.concat(new NDList(parts), 0);
            all.attach(out);
            return all;
        }
    }

    @Override
    public NDArray logits(NDManager outManager, int[][] sequences) {
        return gate.call(() -> logitsNow(outManager, sequences));
    }

    private NDArray logitsNow(NDManager outManager, int[][] sequences) {
        PtNDManager out = ptManager(outManager, "manager");
        try (PtNDManager tmp = (PtNDManager) out.newSubManager()) {
            PtNDArray hid = (PtNDArray) hiddenStates(tmp, sequences);
            PtNDArray logits = head(hid);
            logits.attach(out);
            return logits;
        }
    }

    @Override
    public void restrictVocabulary(int usable) {
        if (usable < 1 || usable > vocab) {
            throw new IllegalArgumentException("usable vocabulary " + usable + " is outside 1.." + vocab
                    + " (the model's vocab_size)");
        }
        if (usable == vocab) {
            headBias = null;
            return;
        }
        float[] bias = new float[vocab];
        Arrays.fill(bias, usable, vocab, Float.NEGATIVE_INFINITY);
        headBias = (PtNDArray) manager.create(bias);
    }

    /** The LM head: next-token logits of final-norm states, -inf for ids outside the usable vocabulary. */
    PtNDArray head(PtNDArray hid) {
        return JniUtils.linear(hid, lmHead, headBias);
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "CausalLM[" + cfg.modelType() + ", " + cfg.parameterCount() + " parameters]";
    }

    // ------------------------------------------------------------------------------ validation

    private static PtNDManager ptManager(NDManager m, String what) {
        if (!(m instanceof PtNDManager p)) {
            throw new IllegalArgumentException(what + " must be a PyTorch-engine NDManager, got "
                    + (m == null ? "null" : m.getClass().getSimpleName()));
        }
        return p;
    }

    private int checkSequences(int[][] seqs, String what) {
        if (seqs == null || seqs.length == 0) {
            throw new IllegalArgumentException(what + ": at least one sequence is required");
        }
        for (int r = 0; r < seqs.length; r++) {
            int[] s = seqs[r];
            if (s == null || s.length == 0) {
                throw new IllegalArgumentException(what + "[" + r + "] is empty");
            }
            if (s.length > cfg.maxPositions()) {
                throw new IllegalArgumentException(what + "[" + r + "] has " + s.length + " tokens, more than the model's "
                        + cfg.maxPositions() + " positions");
            }
            checkIds(s, what + "[" + r + "]");
        }
        return seqs.length;
    }

    void checkIds(int[] ids, String what) {
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] < 0 || ids[j] >= vocab) {
                throw new IllegalArgumentException(what + "[" + j + "] = " + ids[j] + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
    }

    private static int maxLength(int[][] seqs) {
        int t = 0;
        for (int[] s : seqs) {
            t = Math.max(t, s.length);
        }
        return t;
    }

    /** Rows per chunk so that attention scores (and {@code maxRowsByOther}) stay bounded. */
    private int rowsPerChunk(int t, long maxRowsByOther) {
        long byScores = MAX_SCORES / ((long) heads * t * t);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.min(byScores, maxRowsByOther)));
    }

    // ------------------------------------------------------------------------------ tables

    /** Causal additive mask {@code [1, 1, 1, T, T]}. */
    private static PtNDArray causalMask(PtNDManager m, int t) {
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                mask[i * t + j] = NEG;
            }
        }
        return (PtNDArray) m.create(mask, new Shape(1, 1, 1, t, t));
    }

    /**
     * Rotary tables {@code cos, sin}, each {@code [positions, (heads + 2*kvHeads)*headDim]} in the
     * fused {@code [q | k | v]} layout, to combine as {@code x*cos + (x@P)*sin} with {@link
     * #rotateHalf}. Query heads are scaled by {@code 1/sqrt(headDim)} (the attention scale); value
     * heads get the identity ({@code cos = 1, sin = 0}). Angles are computed in double.
     */
    PtNDArray[] ropeTables(PtNDManager m, int positions) {
        int halfDim = headDim / 2;
        int width = qkvHeads * headDim;
        float[] cos = new float[positions * width];
        float[] sin = new float[positions * width];
        double qScale = 1.0 / Math.sqrt(headDim);
        double[] c = new double[halfDim];
        double[] s = new double[halfDim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < halfDim; i++) {
                double angle = p * invFreq[i];
                c[i] = Math.cos(angle);
                s[i] = Math.sin(angle);
            }
            for (int hIdx = 0; hIdx < qkvHeads; hIdx++) {
                int o = p * width + hIdx * headDim;
                if (hIdx >= heads + kvHeads) {
                    Arrays.fill(cos, o, o + headDim, 1f);
                    continue;
                }
                double scale = hIdx < heads ? qScale : 1.0;
                for (int i = 0; i < halfDim; i++) {
                    cos[o + i] = (float) (scale * c[i]);
                    cos[o + halfDim + i] = cos[o + i];
                    sin[o + i] = (float) (scale * s[i]);
                    sin[o + halfDim + i] = sin[o + i];
                }
            }
        }
        Shape shape = new Shape(positions, width);
        return new PtNDArray[] {(PtNDArray) m.create(cos, shape), (PtNDArray) m.create(sin, shape)};
    }

    /**
     * The rotate-half matrix {@code P [hd, hd]}: {@code x @ P = [-x2, x1]} for {@code x = [x1,
     * x2]} (one nonzero per column, so the product is exact).
     */
    private PtNDArray rotateHalfMatrix() {
        int hd = headDim;
        int halfDim = hd / 2;
        float[] p = new float[hd * hd];
        for (int j = 0; j < halfDim; j++) {
            p[(j + halfDim) * hd + j] = -1f;
            p[j * hd + j + halfDim] = 1f;
        }
        return (PtNDArray) manager.create(p, new Shape(hd, hd));
    }

    /**
     * Query expansion matrices {@code E [heads, hd, kvHeads*hd]}: {@code q_i @ E_i} places query
     * head {@code i} in its kv head's slot of a {@code kvHeads*hd} row (zeros elsewhere).
     */
    private PtNDArray expandMatrix() {
        int d = kvHeads * headDim;
        float[] e = new float[heads * headDim * d];
        for (int i = 0; i < heads; i++) {
            for (int k = 0; k < headDim; k++) {
                e[(i * headDim + k) * d + (i / group) * headDim + k] = 1f;
            }
        }
        return (PtNDArray) manager.create(e, new Shape(heads, headDim, d));
    }

    /**
     * Block mask {@code [heads, kvHeads, 1]}: 1 where query head {@code i} belongs to kv head
     * {@code j}. Multiplying queries {@code [B, heads, 1, hd]} by it spreads each query into its kv
     * head's block of a {@code [B, heads, kvHeads*hd]} row (the block decode attention).
     */
    private PtNDArray blockMask() {
        float[] m = new float[heads * kvHeads];
        for (int i = 0; i < heads; i++) {
            m[i * kvHeads + i / group] = 1f;
        }
        return (PtNDArray) manager.create(m, new Shape(heads, kvHeads, 1));
    }

    /**
     * Flat indices into the block attention output {@code [B, heads, kvHeads*hd]} that pick each
     * head's own kv block, shaped {@code [B, heads*hd]}.
     */
    PtNDArray blockPick(PtNDManager m, int batch) {
        long d = (long) kvHeads * headDim;
        long[] idx = new long[batch * qDim];
        int o = 0;
        for (int b = 0; b < batch; b++) {
            for (int i = 0; i < heads; i++) {
                long base = (long) b * heads * d + i * d + (long) (i / group) * headDim;
                for (int e = 0; e < headDim; e++) {
                    idx[o++] = base + e;
                }
            }
        }
        return (PtNDArray) m.create(idx, new Shape(batch, qDim));
    }

    // ------------------------------------------------------------------------------ forward pieces

    /**
     * RMSNorm as {@code x * (||x||^2 + H*eps)^-0.5 * (w * sqrt(H))}, which equals Hugging Face's
     * {@code w * x * rsqrt(mean(x^2) + eps)}; {@code w} here is the pre-scaled gain and {@link #eps}
     * holds {@code H*eps}.
     */
    private PtNDArray rmsNorm(PtNDArray x, PtNDArray w) {
        PtNDArray ms = JniUtils.norm(x, 2, LAST_AXIS, true); // sqrt(sum(x^2)): one kernel
        JniUtils.muli(ms, ms);
        JniUtils.addi(ms, eps);
        JniUtils.powi(ms, minusHalf);
        PtNDArray y = JniUtils.mul(x, ms);
        JniUtils.muli(y, w);
        return y;
    }

    private PtNDArray norm(PtNDArray x, PtNDArray w, PtNDArray b) {
        return llama ? rmsNorm(x, w) : JniUtils.layerNorm(x, hiddenShape, w, b, cfg.normEps());
    }

    /**
     * The fused q/k/v projection of {@code h} split into heads ({@code headShape}, last two dims
     * {@code [heads + 2*kvHeads, hd]}), with rotary embedding ({@code x*cos + (x@P)*sin}, Llama) and
     * the attention scale applied (folded into the tables for Llama; GPT-2 multiplies the query
     * heads by {@code 1/sqrt(hd)}).
     */
    private PtNDArray qkv(PtNDArray h, Layer l, PtNDArray cos, PtNDArray sin, long[] headShape) {
        PtNDArray y = JniUtils.reshape(JniUtils.linear(h, l.wqkv(), l.bqkv()), headShape);
        if (!llama) {
            JniUtils.muli(JniUtils.slice(y, headShape.length - 2, 0, heads, 1), attnScale);
            return y;
        }
        PtNDArray rot = JniUtils.matmul(y, rotateHalf);
        JniUtils.muli(rot, sin);
        PtNDArray r = JniUtils.mul(y, cos);
        JniUtils.addi(r, rot);
        return r;
    }

    private PtNDArray mlp(PtNDArray h, Layer l) {
        PtNDArray u = JniUtils.linear(h, l.wUp(), l.bUp());
        if (llama) {
            PtNDArray gate = JniUtils.slice(u, -1, 0, inter, 1);
            PtNDArray up = JniUtils.slice(u, -1, inter, 2L * inter, 1);
            PtNDArray a = JniUtils.sigmoid(gate);
            JniUtils.muli(a, gate);
            JniUtils.muli(a, up);
            return JniUtils.linear(a, l.wDown(), null);
        }
        PtNDArray a = switch (cfg.activation()) {
            case "gelu" -> JniUtils.gelu(u);
            case "relu" -> JniUtils.relu(u);
            default -> geluTanh(u);
        };
        return JniUtils.linear(a, l.wDown(), l.bDown());
    }

    /** {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
    private PtNDArray geluTanh(PtNDArray x) {
        PtNDArray t = JniUtils.square(x);
        JniUtils.muli(t, geluB);
        JniUtils.addi(t, geluA);
        JniUtils.muli(t, x);
        PtNDArray y = JniUtils.tanh(t);
        JniUtils.addi(y, one);
        JniUtils.muli(y, x);
        JniUtils.muli(y, half);
        return y;
    }

    /**
     * Per-head attention of queries {@code [B, kvHeads, rows, hd]} over {@code kv [B, kvHeads, L,
     * 2*hd]} with an additive mask (added to the scores viewed as {@code scoreView} when given).
     */
    private PtNDArray attend(PtNDArray q, PtNDArray kv, PtNDArray mask, long[] scoreView) {
        PtNDArray k = JniUtils.slice(kv, 3, 0, headDim, 1);
        PtNDArray v = JniUtils.slice(kv, 3, headDim, 2L * headDim, 1);
        PtNDArray s = JniUtils.matmul(q, JniUtils.transpose(k, 2, 3));
        if (scoreView == null) {
            JniUtils.addi(s, mask);
        } else {
            JniUtils.addi(JniUtils.reshape(s, scoreView), mask);
        }
        PtNDArray p = JniUtils.softmax(s, -1, DataType.FLOAT32);
        return JniUtils.matmul(p, v);
    }

    /**
     * Forward over whole (padded) sequences {@code [n, t]}, optionally writing keys/values into
     * {@code cache} rows {@code [rowOffset, rowOffset + n)}, columns {@code [0, t)}.
     *
     * @return final-norm hidden states {@code [n, t, H]}, or {@code [n, H]} at the last column when
     *     {@code lastOnly}
     */
    private PtNDArray fullHidden(PtNDManager tmp, long[] ids, long[] pos, int n, int t, PtNDArray mask,
            PtNDArray[] rope, DecodeCache cache, int rowOffset, boolean lastOnly) {
        long hd = headDim;
        long[] headShape = {n, t, qkvHeads, hd};
        PtNDArray x = JniUtils.embedding((PtNDArray) tmp.create(ids, new Shape(n, t)), embed, false);
        PtNDArray posArr = (PtNDArray) tmp.create(pos, new Shape(n, t));
        PtNDArray cos = null;
        PtNDArray sin = null;
        if (llama) {
            cos = JniUtils.reshape(JniUtils.embedding(posArr, rope[0], false), headShape);
            sin = JniUtils.reshape(JniUtils.embedding(posArr, rope[1], false), headShape);
        } else {
            JniUtils.addi(x, JniUtils.embedding(posArr, wpe, false));
        }
        long[] scoreView = {n, kvHeads, group, t, t};
        for (int li = 0; li < layers.length; li++) {
            Layer l = layers[li];
            try (PtNDManager lm = (PtNDManager) tmp.newSubManager()) {
                x.attach(lm);
                PtNDArray r = qkv(norm(x, l.ln1W(), l.ln1B()), l, cos, sin, headShape);
                PtNDArray q = JniUtils.reshape(JniUtils.slice(r, 2, 0, heads, 1), new long[] {n, t, kvHeads, group, hd});
                q = JniUtils.reshape(JniUtils.permute(q, new long[] {0, 2, 3, 1, 4}),
                        new long[] {n, kvHeads, (long) group * t, hd});
                PtNDArray kvPart = JniUtils.slice(r, 2, heads, qkvHeads, 1);
                PtNDArray kv = JniUtils.reshape(kvPart, new long[] {n, t, 2, kvHeads, hd});
                kv = JniUtils.reshape(JniUtils.permute(kv, new long[] {0, 3, 1, 2, 4}), new long[] {n, kvHeads, t, 2 * hd});
                if (cache != null) {
                    if (cache.blockLayout) {
                        long d2 = 2L * kvHeads * hd;
                        JniUtils.indexSet(cache.kv[li], JniUtils.reshape(kvPart, new long[] {n, t, d2}),
                                new long[] {rowOffset, 0, 0}, new long[] {rowOffset + n, t, d2}, ONES3);
                    } else {
                        JniUtils.indexSet(cache.kv[li], kv, new long[] {rowOffset, 0, 0, 0},
                                new long[] {rowOffset + n, kvHeads, t, 2 * hd}, ONES4);
                    }
                }
                PtNDArray o = attend(q, kv, mask, scoreView);
                o = JniUtils.reshape(o, new long[] {n, kvHeads, group, t, hd});
                o = JniUtils.reshape(JniUtils.permute(o, new long[] {0, 3, 1, 2, 4}), new long[] {n, t, qDim});
                JniUtils.addi(x, JniUtils.linear(o, l.wo(), l.bo()));
                JniUtils.addi(x, mlp(norm(x, l.ln2W(), l.ln2B()), l));
                x.attach(tmp);
            }
        }
        if (lastOnly) {
            x = JniUtils.reshape(JniUtils.slice(x, 1, t - 1, t, 1), new long[] {n, hidden});
        }
        return norm(x, normW, normB);
    }

    /**
     * A slice view of a long-lived array (e.g. the cache) owned by {@code m}: ops attach results to
     * their first operand's manager, so without this the view would pile up in the cache's manager.
     */
    private static PtNDArray view(PtNDArray a, long dim, long start, long end, PtNDManager m) {
        PtNDArray v = JniUtils.slice(a, dim, start, end, 1);
        v.attach(m);
        return v;
    }

    /**
     * One decoding step: appends tokens {@code ids [B]} (at positions {@code positions [B]}) at
     * column {@code cache.columns} and returns the final-norm hidden states {@code [B, H]}. About 30
     * native calls per layer; {@link Prof} can time its sections.
     */
    PtNDArray decodeHidden(DecodeCache c, PtNDManager tmp, PtNDArray ids, PtNDArray positions) {
        Prof.start();
        int b = c.batch;
        int col = c.columns;
        long len = col + 1L;
        // attend over a multiple of 8 columns (see DecodeCache#allocated); the extra ones are masked
        long span = Math.min(c.allocated, (len + DecodeCache.ALIGN - 1) / DecodeCache.ALIGN * DecodeCache.ALIGN);
        long hd = headDim;
        long[] headShape = {b, qkvHeads, hd};
        PtNDArray x = JniUtils.embedding(ids, embed, false); // [B, H]
        PtNDArray cos = null;
        PtNDArray sin = null;
        if (llama) {
            cos = JniUtils.reshape(JniUtils.embedding(positions, c.rope[0], false), headShape);
            sin = JniUtils.reshape(JniUtils.embedding(positions, c.rope[1], false), headShape);
        } else {
            JniUtils.addi(x, JniUtils.embedding(positions, wpe, false));
        }
        boolean block = c.blockLayout;
        long d = (long) kvHeads * hd;
        JniUtils.muli(view(c.mask, block ? 2 : 3, col, len, tmp), zero); // unmask this step's column
        PtNDArray mask = view(c.mask, block ? 2 : 3, 0, span, tmp);
        PtNDArray pick = block ? c.blockPick() : null;
        Prof.mark(Prof.EMBED);
        for (int li = 0; li < layers.length; li++) {
            Layer l = layers[li];
            PtNDArray h1 = norm(x, l.ln1W(), l.ln1B());
            Prof.mark(Prof.NORM);
            PtNDArray r = qkv(h1, l, cos, sin, headShape); // [B, heads + 2*kvHeads, hd]
            Prof.mark(Prof.QKV);
            PtNDArray kvPart = JniUtils.slice(r, 1, heads, qkvHeads, 1);
            PtNDArray qPart = JniUtils.slice(r, 1, 0, heads, 1);
            PtNDArray o;
            if (block) {
                // column `col` is still zero: adding writes it in place (cheaper than index_put_)
                JniUtils.addi(view(c.kv[li], 1, col, len, tmp), JniUtils.reshape(kvPart, new long[] {b, 1, 2 * d}));
                Prof.mark(Prof.KV_WRITE);
                PtNDArray qe; // [B, heads, D]: each query in its kv head's slot
                if (b >= EXPAND_BY_PRODUCT_MIN_BATCH) {
                    qe = JniUtils.permute(JniUtils.bmm(JniUtils.permute(qPart, SWAP01), expand), SWAP01);
                } else {
                    qe = JniUtils.reshape(JniUtils.mul(JniUtils.reshape(qPart, new long[] {b, heads, 1, hd}), blockMask),
                            new long[] {b, heads, d});
                }
                Prof.mark(Prof.QUERY);
                PtNDArray kvL = view(c.kv[li], 1, 0, span, tmp); // [B, L, 2D]
                PtNDArray s = JniUtils.bmm(qe, JniUtils.transpose(JniUtils.slice(kvL, 2, 0, d, 1), 1, 2)); // [B, heads, L]
                JniUtils.addi(s, mask);
                Prof.mark(Prof.SCORES);
                PtNDArray p = JniUtils.softmax(s, -1, DataType.FLOAT32);
                Prof.mark(Prof.SOFTMAX);
                PtNDArray v = JniUtils.slice(kvL, 2, d, 2 * d, 1); // [B, L, D]
                o = JniUtils.take(JniUtils.bmm(p, v), pick, tmp); // [B, heads*hd]
                Prof.mark(Prof.VALUES);
            } else {
                PtNDArray kv = JniUtils.reshape(kvPart, new long[] {b, 2, kvHeads, hd});
                kv = JniUtils.reshape(JniUtils.transpose(kv, 1, 2), new long[] {b, kvHeads, 1, 2 * hd});
                JniUtils.addi(view(c.kv[li], 2, col, len, tmp), kv); // column still zero: the add writes it
                Prof.mark(Prof.KV_WRITE);
                PtNDArray kvAll = view(c.kv[li], 2, 0, span, tmp);
                PtNDArray q = JniUtils.reshape(qPart, new long[] {b, kvHeads, group, hd});
                o = JniUtils.reshape(attend(q, kvAll, mask, null), new long[] {b, qDim});
                Prof.mark(Prof.VALUES);
            }
            JniUtils.addi(x, JniUtils.linear(o, l.wo(), l.bo()));
            Prof.mark(Prof.OUT_PROJ);
            PtNDArray h2 = norm(x, l.ln2W(), l.ln2B());
            Prof.mark(Prof.NORM);
            JniUtils.addi(x, mlp(h2, l));
            Prof.mark(Prof.MLP);
        }
        PtNDArray out = norm(x, normW, normB);
        Prof.mark(Prof.NORM);
        return out;
    }
}
