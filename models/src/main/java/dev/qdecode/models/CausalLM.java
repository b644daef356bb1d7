package dev.qdecode.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * A decoder-only transformer language model (Llama family or GPT-2) running on DJL's PyTorch
 * engine, with float32 weights held in the model's own {@code NDManager}.
 *
 * <p>Three ways to run it:
 *
 * <ul>
 *   <li>{@link #prefill} + {@link KvCache#step}: batched incremental decoding with a preallocated
 *       key/value cache, returning next-token logits and the state embedding (final-norm hidden
 *       state) of every row at every step;
 *   <li>{@link #tokenLogProbs}: teacher-forced log-probabilities of whole sequences;
 *   <li>{@link #hiddenStates}: final-norm hidden states of whole sequences.
 * </ul>
 *
 * <p>Weights are frozen (no gradients). A model is safe to use from several threads at once as long
 * as each thread uses its own caches and managers. Close it to release the weights.
 *
 * <p>Threads: unless the system property {@code ai.djl.pytorch.num_threads} is set, creating a model
 * sets PyTorch's intra-op thread count to 1 (process-wide). Small-model decoding is a long chain of
 * tiny ops where OpenMP hand-offs cost more than they gain, and on busy cores the default of one
 * thread per core was measured 20-50 times slower. Set the property (e.g. {@code
 * -Dai.djl.pytorch.num_threads=2}) to choose otherwise, e.g. for large models on idle cores.
 */
public interface CausalLM extends AutoCloseable {

    /**
     * The PyTorch intra-op thread count models run with, as a run's provenance records it: the system property
     * {@code ai.djl.pytorch.num_threads} when set (the launcher's {@code QDECODE_THREADS}), else 1, which creating a
     * model sets. Another count may sum in another order, so it belongs beside what a model computed.
     *
     * @return the count, e.g. {@code 1}
     */
    static String threads() {
        return System.getProperty("ai.djl.pytorch.num_threads", "1").strip();
    }

    /**
     * Loads a Hugging Face model directory offline: {@code config.json} (+ {@code
     * generation_config.json}) and {@code model.safetensors} or a sharded {@code
     * model.safetensors.index.json}; F32, F16 and BF16 weights (widened to float32). Every stored tensor must be
     * a weight of the architecture {@code config.json} describes (buffers such as rotary {@code inv_freq} aside),
     * a tensor must not be in two shards, and tied embeddings stored under both names must be equal: otherwise
     * the model would load without a weight of the checkpoint and give wrong text.
     *
     * @param modelDir the model directory
     * @return the loaded model
     * @throws ModelException with a one-line message naming the file and field or tensor when the
     *     directory, configuration or weights are missing, corrupt or inconsistent, or a weight is NaN or infinite
     * @throws NullPointerException naming {@code modelDir} when it is null
     */
    static CausalLM load(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        return TransformerLM.load(modelDir);
    }

    /**
     * Loads a model directory to be used with a tokenizer, as every {@code qdecode} command loads one: as
     * {@link #load(Path)}, then checks that the tokenizer's ids are all the model's, and when {@code
     * vocab_size} is larger than the tokenizer (Qwen2 pads it; a retrained tokenizer may be smaller)
     * {@linkplain #restrictVocabulary restricts} the model to the tokenizer's ids, so nothing decodes an id
     * the tokenizer cannot turn into text.
     *
     * @param modelDir the model directory
     * @param tokenizer the tokenizer the model's ids are decoded with (usually the directory's own)
     * @return the loaded model
     * @throws ModelException as {@link #load(Path)} does, or when the tokenizer has more tokens than {@code
     *     config.json}'s {@code vocab_size}
     * @throws NullPointerException naming {@code modelDir} or {@code tokenizer} when it is null
     */
    static CausalLM load(Path modelDir, TextTokenizer tokenizer) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(tokenizer, "tokenizer");
        CausalLM lm = load(modelDir);
        try {
            int vocab = lm.config().vocabSize();
            if (tokenizer.vocabSize() > vocab) {
                throw new ModelException(modelDir.resolve("config.json") + ": vocab_size is " + vocab + " but the "
                        + "tokenizer vocabulary has " + tokenizer.vocabSize() + " tokens (expected at least the "
                        + "tokenizer's)");
            }
            if (tokenizer.vocabSize() < vocab) {
                lm.restrictVocabulary(tokenizer.vocabSize());
            }
            return lm;
        } catch (RuntimeException e) {
            lm.close();
            throw e;
        }
    }

    /**
     * Creates a model with random weights of the real shapes (for benchmarks and tests): matrices
     * uniform with standard deviation 0.02, norm weights 1, biases 0; reproducible for a given seed.
     *
     * @param config the architecture
     * @param seed the random seed
     * @return the model
     * @throws NullPointerException naming {@code config} when it is null
     */
    static CausalLM random(ModelConfig config, long seed) {
        Objects.requireNonNull(config, "config");
        return TransformerLM.random(config, seed);
    }

    /**
     * The architecture.
     *
     * @return the configuration this model was built from
     */
    ModelConfig config();

    /**
     * The weights by their Hugging Face names and shapes (an unmodifiable map, in a stable order, of
     * float32 arrays owned by the model; do not close them): {@code model.embed_tokens.weight},
     * {@code model.layers.N.self_attn.q_proj.weight}, ... for the Llama family; {@code
     * transformer.wte.weight}, {@code transformer.h.N.attn.c_attn.weight} ([in, out] Conv1D
     * layout), ... for GPT-2 (whether or not the checkpoint used the {@code transformer.} prefix).
     * With tied embeddings only the embedding matrix is listed; otherwise {@code lm_head.weight}
     * too. The sum of their sizes is {@link ModelConfig#parameterCount()}.
     *
     * <p>The forward pass reads execution tensors derived from these at load time: for the Llama
     * family the q/k/v rows are fused into one matrix and gate/up into another, and the
     * q/k/v/gate/up entries of this map are views of those fused tensors (writes to them are seen by
     * the forward pass); norm gains are used pre-scaled by {@code sqrt(hidden)} (a copy); GPT-2
     * matrices are used through transposed views. Code that changes norm gains (e.g. fine-tuning)
     * must rebuild the derived copies.
     *
     * @return the parameter map
     */
    Map<String, NDArray> parameters();

    /**
     * Runs the prompts and returns a cache ready for {@link KvCache#step}. Prompts may have different
     * lengths: they are left-padded and the padding is masked out (no padding token needed), and each
     * row's positions start at 0 at its first real token.
     *
     * @param stepManager manager that will own the arrays of the returned cache's {@link
     *     KvCache#last()} output (intermediates are freed before returning)
     * @param prompts one non-empty array of token ids per row
     * @param maxNewTokens how many tokens {@link KvCache#step} may append (cache capacity is the
     *     longest prompt plus this)
     * @return the cache; its {@code last()} holds the logits and hidden state at each prompt's last
     *     token
     * @throws IllegalArgumentException if there are no prompts, a prompt is empty, an id is outside
     *     the vocabulary or the capacity exceeds {@link ModelConfig#maxPositions()}
     */
    KvCache prefill(NDManager stepManager, int[][] prompts, int maxNewTokens);

    /**
     * Teacher-forced log-probabilities: {@code result[b][t] = log p(seq[b][t] | seq[b][0..t-1])} for
     * {@code t >= 1}. Position 0 has no prefix and is reported as {@code 0}, so that the sum of a row
     * is the log-likelihood of tokens 1.. given token 0 (usually BOS).
     *
     * @param sequences one non-empty array of token ids per row (lengths may differ)
     * @return one array per row, of the same length as the row
     * @throws IllegalArgumentException if a sequence is empty, too long or holds an invalid id
     */
    float[][] tokenLogProbs(int[][] sequences);

    /**
     * Final-norm hidden states of whole sequences (causal attention; each row attends only to its own
     * tokens).
     *
     * @param manager manager that will own the result
     * @param sequences one non-empty array of token ids per row (lengths may differ)
     * @return float32 {@code [batch, longest length, hidden]}; row {@code b}, position {@code t} is
     *     the state after token {@code t}, and positions past the row's length are zero
     * @throws IllegalArgumentException if a sequence is empty, too long or holds an invalid id
     */
    NDArray hiddenStates(NDManager manager, int[][] sequences);

    /**
     * Next-token logits at every position of whole sequences (the LM head applied to {@link
     * #hiddenStates}).
     *
     * @param manager manager that will own the result
     * @param sequences one non-empty array of token ids per row (lengths may differ)
     * @return float32 {@code [batch, longest length, vocabSize]}; positions past a row's length are
     *     zero
     * @throws IllegalArgumentException if a sequence is empty, too long or holds an invalid id
     */
    NDArray logits(NDManager manager, int[][] sequences);

    /**
     * Makes the ids from {@code usable} on impossible to predict: their logits are -inf in every output
     * from then on ({@link #prefill}, {@link KvCache#step}, {@link #logits}, {@link #tokenLogProbs}), so
     * every decoder and candidate set built on those logits skips them. For checkpoints whose {@code
     * vocab_size} is larger than their tokenizer (Qwen2 pads it, a retrained tokenizer may be smaller):
     * call it with the tokenizer's size. {@code usable == vocabSize} lifts the restriction.
     *
     * @param usable the number of ids that may be predicted, in {@code [1, vocabSize]}
     * @throws IllegalArgumentException when {@code usable} is outside that range
     */
    void restrictVocabulary(int usable);

    /** Releases the weights and every cache still open. Idempotent. */
    @Override
    void close();
}
