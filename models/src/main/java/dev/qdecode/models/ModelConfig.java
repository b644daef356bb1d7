package dev.qdecode.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Architecture hyper-parameters of a causal language model, read from a Hugging Face {@code
 * config.json} (plus {@code generation_config.json} for the special token ids, when present).
 *
 * <p>Supported {@code model_type}s: {@code llama}, {@code mistral}, {@code qwen2} (the {@link
 * Family#LLAMA} family: RMSNorm, rotary positions, grouped-query attention, SwiGLU) and {@code gpt2}
 * ({@link Family#GPT2}: learned positions, LayerNorm, fused q/k/v, GELU). All validation happens in
 * the canonical constructor, so every instance is consistent.
 *
 * @param modelType the Hugging Face {@code model_type}: {@code llama}, {@code mistral}, {@code
 *     qwen2} or {@code gpt2}
 * @param family the forward-pass family implied by {@code modelType}
 * @param vocabSize number of token ids (rows of the embedding and of the LM head)
 * @param hiddenSize model width
 * @param numLayers number of transformer blocks
 * @param numHeads number of attention (query) heads
 * @param numKvHeads number of key/value heads ({@code numHeads} without grouped-query attention)
 * @param headDim width of one head ({@code head_dim} when given, else {@code hiddenSize /
 *     numHeads})
 * @param intermediateSize width of the MLP hidden layer
 * @param maxPositions longest supported context: {@code max_position_embeddings} ({@code
 *     n_positions} for GPT-2), lowered to the sliding window when one is active, since sliding
 *     window attention is not implemented
 * @param normEps epsilon of RMSNorm ({@code rms_norm_eps}) or LayerNorm ({@code
 *     layer_norm_epsilon})
 * @param ropeTheta rotary base ({@code rope_theta}); {@code 0} for GPT-2, which has no rotary
 *     positions
 * @param tieWordEmbeddings whether the LM head shares the token-embedding matrix
 * @param attentionBias whether the q/k/v projections have a bias (always for {@code qwen2}; for
 *     {@code llama} the {@code attention_bias} flag, which also adds an output-projection bias;
 *     always for GPT-2, whose every linear layer has a bias)
 * @param activation the MLP activation: {@code silu} for the Llama family; for GPT-2 {@code
 *     gelu_new} (tanh approximation; {@code gelu_pytorch_tanh} and {@code gelu_fast} are the same
 *     function), {@code gelu} (exact) or {@code relu}
 * @param bosTokenId beginning-of-sequence id, or {@code -1} if none
 * @param eosTokenIds end-of-sequence ids (possibly empty); the returned array is a copy
 * @param padTokenId padding id, or {@code -1} if none
 */
public record ModelConfig(
        String modelType,
        Family family,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        int maxPositions,
        double normEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        String activation,
        int bosTokenId,
        int[] eosTokenIds,
        int padTokenId) {

    /** Forward-pass families. */
    public enum Family {
        /** Llama, Mistral, Qwen2: RMSNorm, RoPE (rotate-half layout), GQA, SwiGLU MLP. */
        LLAMA,
        /** GPT-2: learned positions, pre-LayerNorm, fused Conv1D q/k/v, GELU MLP. */
        GPT2
    }

    private static final Set<String> GPT2_ACTIVATIONS =
            Set.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "relu");

    /**
     * Validates every field; throws {@link IllegalArgumentException} naming the field on
     * inconsistent values (the JSON readers turn that into a {@link ModelException} naming the
     * file).
     *
     * @param modelType {@code llama}, {@code mistral}, {@code qwen2} or {@code gpt2}; not null
     * @param family the family of {@code modelType}; not null
     * @param vocabSize number of token ids, {@code > 0}
     * @param hiddenSize model width, {@code > 0} ({@code numHeads * headDim} for GPT-2)
     * @param numLayers number of transformer blocks, {@code > 0}
     * @param numHeads number of query heads, {@code > 0}, a multiple of {@code numKvHeads}
     * @param numKvHeads number of key/value heads, {@code > 0} (equal to {@code numHeads} for GPT-2)
     * @param headDim width of one head, {@code > 0} (even for the Llama family)
     * @param intermediateSize width of the MLP hidden layer, {@code > 0}
     * @param maxPositions longest supported context in tokens, {@code > 0}
     * @param normEps normalization epsilon, finite and {@code > 0}
     * @param ropeTheta rotary base, finite and {@code > 0} for the Llama family (not checked for
     *     GPT-2)
     * @param tieWordEmbeddings whether the LM head shares the token-embedding matrix
     * @param attentionBias whether the attention projections have a bias
     * @param activation {@code silu} for the Llama family; {@code gelu_new}, {@code
     *     gelu_pytorch_tanh}, {@code gelu_fast}, {@code gelu} or {@code relu} for GPT-2; not null
     * @param bosTokenId beginning-of-sequence id in {@code [0, vocabSize)}, or {@code -1} for none
     * @param eosTokenIds end-of-sequence ids, each in {@code [0, vocabSize)}; not null, copied
     * @param padTokenId padding id in {@code [0, vocabSize)}, or {@code -1} for none
     * @throws IllegalArgumentException if a value is out of range or inconsistent with another, the
     *     message naming the {@code config.json} field
     * @throws NullPointerException naming {@code modelType}, {@code family}, {@code activation} or {@code
     *     eosTokenIds} when it is null
     */
    public ModelConfig {
        Objects.requireNonNull(modelType, "modelType");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(eosTokenIds, "eosTokenIds");
        Family expected = familyOf(modelType);
        if (expected == null) {
            throw new IllegalArgumentException(
                    "model_type: unsupported value '" + modelType + "', expected one of llama, mistral, qwen2, gpt2");
        }
        if (expected != family) {
            throw new IllegalArgumentException("family: " + family + " does not match model_type '" + modelType + "'");
        }
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositions);
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_key_value_heads: " + numKvHeads
                    + " does not divide num_attention_heads " + numHeads);
        }
        if (!(normEps > 0) || Double.isInfinite(normEps)) {
            throw new IllegalArgumentException("norm epsilon: must be a positive number, found " + normEps);
        }
        if (family == Family.LLAMA) {
            if (headDim % 2 != 0) {
                throw new IllegalArgumentException("head_dim: rotary embeddings need an even head_dim, found " + headDim);
            }
            if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
                throw new IllegalArgumentException("rope_theta: must be a positive number, found " + ropeTheta);
            }
            if (!activation.equals("silu")) {
                throw new IllegalArgumentException("hidden_act: unsupported value '" + activation + "', expected silu");
            }
        } else {
            if (numKvHeads != numHeads || (long) numHeads * headDim != hiddenSize) {
                throw new IllegalArgumentException("n_head: " + numHeads + " heads of width " + headDim
                        + " with " + numKvHeads + " kv heads do not fit n_embd " + hiddenSize);
            }
            if (!GPT2_ACTIVATIONS.contains(activation)) {
                throw new IllegalArgumentException("activation_function: unsupported value '" + activation
                        + "', expected one of " + String.join(", ", GPT2_ACTIVATIONS.stream().sorted().toList()));
            }
        }
        checkTokenId("bos_token_id", bosTokenId, vocabSize);
        checkTokenId("pad_token_id", padTokenId, vocabSize);
        eosTokenIds = eosTokenIds.clone();
        checkEosTokenIds(eosTokenIds, vocabSize);
    }

    /**
     * Reads {@code config.json} in a model directory, and {@code generation_config.json} when present
     * (its {@code bos_token_id}, {@code eos_token_id} and {@code pad_token_id} take precedence).
     *
     * @param modelDir a Hugging Face model directory
     * @return the validated configuration
     * @throws ModelException if the directory or {@code config.json} is missing or unreadable, or a
     *     field is missing, mistyped, unsupported or inconsistent
     * @throws NullPointerException naming {@code modelDir} when it is null
     */
    public static ModelConfig load(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        if (!Files.isDirectory(modelDir)) {
            throw new ModelException(modelDir + ": model directory not found");
        }
        Path config = modelDir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ModelException(config + ": config.json not found in the model directory");
        }
        JsonObject root = parse(read(config), config.toString());
        Path gen = modelDir.resolve("generation_config.json");
        JsonObject generation = Files.isRegularFile(gen) ? parse(read(gen), gen.toString()) : null;
        return fromJson(root, generation, config.toString());
    }

    /**
     * Parses the text of a {@code config.json}.
     *
     * @param json the JSON text
     * @param sourceName the file name to quote in error messages
     * @return the validated configuration
     * @throws ModelException if the JSON is malformed or a field is missing, mistyped, unsupported or
     *     inconsistent
     * @throws NullPointerException naming {@code json} or {@code sourceName} when it is null
     */
    public static ModelConfig fromJson(String json, String sourceName) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(sourceName, "sourceName");
        return fromJson(parse(json, sourceName), null, sourceName);
    }

    /**
     * Number of weights of a checkpoint with this configuration (tied embeddings counted once, GPT-2
     * position embeddings and all biases included).
     *
     * @return the parameter count
     */
    public long parameterCount() {
        long h = hiddenSize;
        long v = vocabSize;
        long inter = intermediateSize;
        long q = (long) numHeads * headDim;
        long kv = (long) numKvHeads * headDim;
        long total = v * h + (tieWordEmbeddings ? 0 : v * h);
        if (family == Family.LLAMA) {
            long layer = 2 * h + h * (q + 2 * kv) + q * h + 3 * h * inter;
            if (attentionBias) {
                layer += q + 2 * kv + (hasOutputBias() ? h : 0);
            }
            total += numLayers * layer + h;
        } else {
            long layer = 4 * h + (h * 3 * h + 3 * h) + (h * h + h) + (h * inter + inter) + (inter * h + h);
            total += (long) maxPositions * h + numLayers * layer + 2 * h;
        }
        return total;
    }

    /**
     * End-of-sequence ids (a copy).
     *
     * @return the ids, possibly empty
     */
    @Override
    public int[] eosTokenIds() {
        return eosTokenIds.clone();
    }

    /**
     * Whether {@code id} is one of the end-of-sequence ids.
     *
     * @param id a token id
     * @return true if it ends a sequence
     */
    public boolean isEos(int id) {
        for (int e : eosTokenIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    /** True when the attention output projection has a bias (Llama {@code attention_bias}). */
    boolean hasOutputBias() {
        return family == Family.GPT2 || (attentionBias && !modelType.equals("qwen2"));
    }

    /** {@inheritDoc} Compares all fields, the eos ids by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ModelConfig c
                && modelType.equals(c.modelType) && family == c.family && vocabSize == c.vocabSize
                && hiddenSize == c.hiddenSize && numLayers == c.numLayers && numHeads == c.numHeads
                && numKvHeads == c.numKvHeads && headDim == c.headDim && intermediateSize == c.intermediateSize
                && maxPositions == c.maxPositions && Double.compare(normEps, c.normEps) == 0
                && Double.compare(ropeTheta, c.ropeTheta) == 0 && tieWordEmbeddings == c.tieWordEmbeddings
                && attentionBias == c.attentionBias && activation.equals(c.activation)
                && bosTokenId == c.bosTokenId && Arrays.equals(eosTokenIds, c.eosTokenIds)
                && padTokenId == c.padTokenId;
    }

    /** {@inheritDoc} Consistent with {@link #equals(Object)}. */
    @Override
    public int hashCode() {
        return 31 * Objects.hash(modelType, family, vocabSize, hiddenSize, numLayers, numHeads,
                numKvHeads, headDim, intermediateSize, maxPositions, normEps, ropeTheta, tieWordEmbeddings,
                attentionBias, activation, bosTokenId, padTokenId) + Arrays.hashCode(eosTokenIds);
    }

    /** {@inheritDoc} Lists all fields, the eos ids by content. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT,
                "ModelConfig[%s %s vocab=%d hidden=%d layers=%d heads=%d kvHeads=%d headDim=%d inter=%d"
                        + " maxPos=%d eps=%g theta=%g tied=%b bias=%b act=%s bos=%d eos=%s pad=%d]",
                modelType, family, vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim,
                intermediateSize, maxPositions, normEps, ropeTheta, tieWordEmbeddings, attentionBias,
                activation, bosTokenId, Arrays.toString(eosTokenIds), padTokenId);
    }

    // ------------------------------------------------------------------------------------------

    private static Family familyOf(String modelType) {
        return switch (modelType) {
            case "llama", "mistral", "qwen2" -> Family.LLAMA;
            case "gpt2" -> Family.GPT2;
            default -> null;
        };
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(field + ": must be a positive integer, found " + value);
        }
    }

    private static void checkTokenId(String field, int id, int vocab) {
        if (id < -1 || id >= vocab) {
            throw new IllegalArgumentException(field + ": " + id + " is outside the vocabulary [0, " + vocab + ")");
        }
    }

    /** Each end-of-sequence id must be a token (none is optional, unlike bos/pad's -1). */
    private static void checkEosTokenIds(int[] ids, int vocab) {
        for (int id : ids) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("eos_token_id: " + id + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static JsonObject parse(String json, String source) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new ModelException(source + ": expected a JSON object at top level");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new ModelException(dev.qdecode.tokenizer.JsonErrors.syntaxError(source, e.getMessage(), json), e);
        }
    }

    private static ModelConfig fromJson(JsonObject root, JsonObject generation, String source) {
        Fields f = new Fields(root, source);
        String modelType = f.requiredString("model_type");
        Family family = familyOf(modelType);
        if (family == null) {
            throw new ModelException(source + ": unsupported model_type '" + modelType
                    + "', expected one of llama, mistral, qwen2, gpt2");
        }
        if (!f.isAbsent("rope_scaling")) {
            throw new ModelException(source + ": rope_scaling is not supported (found " + root.get("rope_scaling")
                    + "), expected null or absent");
        }
        int bos = f.optionalTokenId("bos_token_id");
        int[] eos = f.optionalTokenIds("eos_token_id");
        int pad = f.optionalTokenId("pad_token_id");
        // the file each id was read from, to name it when the id is outside the vocabulary
        String bosSource = source;
        String eosSource = source;
        String padSource = source;
        if (generation != null) {
            Fields g = new Fields(generation, source.replace("config.json", "generation_config.json"));
            if (!g.isAbsent("bos_token_id")) {
                bos = g.optionalTokenId("bos_token_id");
                bosSource = g.source;
            }
            if (!g.isAbsent("eos_token_id")) {
                eos = g.optionalTokenIds("eos_token_id");
                eosSource = g.source;
            }
            if (!g.isAbsent("pad_token_id")) {
                pad = g.optionalTokenId("pad_token_id");
                padSource = g.source;
            }
        }
        if (!f.isAbsent("vocab_size")) {
            int vocab = f.requiredInt("vocab_size");
            if (vocab > 0) {
                int b = bos;
                int[] e = eos;
                int p = pad;
                inFile(bosSource, () -> checkTokenId("bos_token_id", b, vocab));
                inFile(eosSource, () -> checkEosTokenIds(e, vocab));
                inFile(padSource, () -> checkTokenId("pad_token_id", p, vocab));
            }
        }
        try {
            if (family == Family.GPT2) {
                return gpt2(f, modelType, bos, eos, pad);
            }
            return llama(f, modelType, bos, eos, pad);
        } catch (IllegalArgumentException e) {
            throw new ModelException(source + ": " + e.getMessage(), e);
        }
    }

    /** Runs one of the constructor's token-id checks, naming the file the id was read from. */
    private static void inFile(String source, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new ModelException(source + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig llama(Fields f, String modelType, int bos, int[] eos, int pad) {
        if (f.optionalBoolean("mlp_bias", false)) {
            throw new ModelException(f.source + ": mlp_bias=true is not supported, expected false");
        }
        int vocab = f.requiredInt("vocab_size");
        int hidden = f.requiredInt("hidden_size");
        int layers = f.requiredInt("num_hidden_layers");
        int heads = f.requiredInt("num_attention_heads");
        int kvHeads = f.optionalInt("num_key_value_heads", heads);
        int headDim;
        if (f.isAbsent("head_dim")) {
            if (heads <= 0 || hidden % heads != 0) {
                throw new ModelException(f.source + ": head_dim is absent and hidden_size " + hidden
                        + " is not a multiple of num_attention_heads " + heads);
            }
            headDim = hidden / heads;
        } else {
            headDim = f.requiredInt("head_dim");
        }
        int inter = f.requiredInt("intermediate_size");
        int defaultMax = switch (modelType) {
            case "qwen2", "mistral" -> 32768;
            default -> 2048;
        };
        int maxPos = f.optionalInt("max_position_embeddings", defaultMax);
        boolean windowed = modelType.equals("mistral")
                || (modelType.equals("qwen2") && f.optionalBoolean("use_sliding_window", false));
        if (windowed && !f.isAbsent("sliding_window")) {
            maxPos = Math.min(maxPos, f.requiredInt("sliding_window"));
        }
        double eps = f.optionalDouble("rms_norm_eps", 1e-6);
        double theta = f.optionalDouble("rope_theta", 10000.0);
        boolean tie = f.optionalBoolean("tie_word_embeddings", false);
        boolean bias = modelType.equals("qwen2") || f.optionalBoolean("attention_bias", false);
        String act = f.optionalString("hidden_act", "silu");
        return new ModelConfig(modelType, Family.LLAMA, vocab, hidden, layers, heads, kvHeads, headDim, inter,
                maxPos, eps, theta, tie, bias, act, bos, eos, pad);
    }

    private static ModelConfig gpt2(Fields f, String modelType, int bos, int[] eos, int pad) {
        for (String flag : new String[] {"scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"}) {
            if (f.optionalBoolean(flag, false)) {
                throw new ModelException(f.source + ": " + flag + "=true is not supported, expected false");
            }
        }
        if (!f.optionalBoolean("scale_attn_weights", true)) {
            throw new ModelException(f.source + ": scale_attn_weights=false is not supported, expected true");
        }
        int vocab = f.requiredInt("vocab_size");
        int hidden = f.requiredInt("n_embd");
        int layers = f.requiredInt("n_layer");
        int heads = f.requiredInt("n_head");
        if (heads <= 0 || hidden % heads != 0) {
            throw new ModelException(f.source + ": n_embd " + hidden + " is not a multiple of n_head " + heads);
        }
        int inter = f.isAbsent("n_inner") ? 4 * hidden : f.requiredInt("n_inner");
        int maxPos = f.requiredInt("n_positions");
        double eps = f.optionalDouble("layer_norm_epsilon", 1e-5);
        boolean tie = f.optionalBoolean("tie_word_embeddings", true);
        String act = f.optionalString("activation_function", "gelu_new");
        return new ModelConfig(modelType, Family.GPT2, vocab, hidden, layers, heads, heads, hidden / heads, inter,
                maxPos, eps, 0.0, tie, true, act, bos, eos, pad);
    }

    /** Typed access to the fields of one JSON object, with one-line errors naming the file. */
    private static final class Fields {
        final JsonObject obj;
        final String source;

        Fields(JsonObject obj, String source) {
            this.obj = obj;
            this.source = source;
        }

        boolean isAbsent(String name) {
            return !obj.has(name) || obj.get(name).isJsonNull();
        }

        private ModelException missing(String name) {
            return new ModelException(source + ": missing required field '" + name + "'");
        }

        private ModelException wrongType(String name, String expected) {
            return new ModelException(source + ": field '" + name + "' must be " + expected + ", found " + obj.get(name));
        }

        private JsonPrimitive primitive(String name) {
            JsonElement e = obj.get(name);
            return e.isJsonPrimitive() ? e.getAsJsonPrimitive() : null;
        }

        String requiredString(String name) {
            if (isAbsent(name)) {
                throw missing(name);
            }
            JsonPrimitive p = primitive(name);
            if (p == null || !p.isString()) {
                throw wrongType(name, "a string");
            }
            return p.getAsString();
        }

        String optionalString(String name, String dflt) {
            return isAbsent(name) ? dflt : requiredString(name);
        }

        int requiredInt(String name) {
            if (isAbsent(name)) {
                throw missing(name);
            }
            JsonPrimitive p = primitive(name);
            if (p == null || !p.isNumber()) {
                throw wrongType(name, "an integer");
            }
            double d = p.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw wrongType(name, "an integer");
            }
            return (int) d;
        }

        int optionalInt(String name, int dflt) {
            return isAbsent(name) ? dflt : requiredInt(name);
        }

        double optionalDouble(String name, double dflt) {
            if (isAbsent(name)) {
                return dflt;
            }
            JsonPrimitive p = primitive(name);
            if (p == null || !p.isNumber()) {
                throw wrongType(name, "a number");
            }
            return p.getAsDouble();
        }

        boolean optionalBoolean(String name, boolean dflt) {
            if (isAbsent(name)) {
                return dflt;
            }
            JsonPrimitive p = primitive(name);
            if (p == null || !p.isBoolean()) {
                throw wrongType(name, "true or false");
            }
            return p.getAsBoolean();
        }

        int optionalTokenId(String name) {
            return isAbsent(name) ? -1 : requiredInt(name);
        }

        int[] optionalTokenIds(String name) {
            if (isAbsent(name)) {
                return new int[0];
            }
            JsonElement e = obj.get(name);
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                int[] ids = new int[a.size()];
                for (int i = 0; i < ids.length; i++) {
                    JsonElement x = a.get(i);
                    if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                        throw wrongType(name, "an integer or a list of integers");
                    }
                    double d = x.getAsDouble();
                    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) { // getAsInt would truncate 2.7 to 2
                        throw wrongType(name, "an integer or a list of integers");
                    }
                    ids[i] = (int) d;
                }
                return ids;
            }
            return new int[] {requiredInt(name)};
        }
    }
}
