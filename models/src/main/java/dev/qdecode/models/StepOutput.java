package dev.qdecode.models;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * Model output at the latest position of every row of a {@link KvCache}.
 *
 * <p>Both arrays are float32 and belong to the {@code NDManager} passed to the call that produced
 * them ({@link CausalLM#prefill} or {@link KvCache#step}); they are valid until that manager is
 * closed.
 *
 * @param logits next-token logits, shape {@code [batch, vocabSize]}
 * @param hidden the state embedding: output of the final norm at that position (the input of the LM
 *     head), shape {@code [batch, hiddenSize]}
 */
public record StepOutput(NDArray logits, NDArray hidden) {

    /**
     * Checks that both arrays are given.
     *
     * @param logits see the record description
     * @param hidden see the record description
     * @throws NullPointerException naming {@code logits} or {@code hidden} when it is null
     */
    public StepOutput {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(hidden, "hidden");
    }
}
