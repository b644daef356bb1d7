package dev.qdecode.pipeline.sft;

import dev.qdecode.models.ModelConfig;
import dev.qdecode.models.train.TrainableLlama;
import dev.qdecode.pipeline.generate.DecodeMemory;
import java.util.Locale;

/**
 * Peak memory of a training step, estimated before training: parameters, gradients and the two
 * Adam moments (4 float32 copies of every parameter), plus the activations that autograd keeps for
 * the largest batch ({@code rows x longest row} tokens): per layer and token about {@code 16 *
 * hidden + 5 * intermediate} floats plus {@code 3 * heads * longest} attention floats, and for
 * every scored token the logits, log-softmax and their gradient ({@code 3 * vocab} floats). The
 * activation part is multiplied by 1.5 for the backward pass's temporaries.
 *
 * @param parameters parameter count
 * @param stateBytes parameters + gradients + Adam moments
 * @param activationBytes activations of the largest batch (with the 1.5 margin)
 */
record MemoryEstimate(long parameters, long stateBytes, long activationBytes) {

    /**
     * Estimates a step's memory.
     *
     * @param c the model architecture
     * @param rows rows of the largest batch
     * @param longest its longest row
     * @param scored scored (target) tokens of that batch
     * @return the estimate
     */
    static MemoryEstimate of(ModelConfig c, long rows, long longest, long scored) {
        long p = TrainableLlama.parameterCount(c);
        long tokens = rows * longest;
        double perTokenLayer = 16.0 * c.hiddenSize() + 5.0 * c.intermediateSize() + 3.0 * c.numHeads() * longest;
        double act = 4.0 * (tokens * (c.numLayers() * perTokenLayer + 4.0 * c.hiddenSize()) + scored * 3.0 * c.vocabSize());
        return new MemoryEstimate(p, 16 * p, (long) (1.5 * act));
    }

    /** Total bytes. */
    long totalBytes() {
        return stateBytes + activationBytes;
    }

    /** e.g. {@code 1.23 GiB (parameters+gradients+Adam 80.0 MiB for 5.0M parameters, activations 1.15 GiB)}. */
    String describe() {
        return DecodeMemory.format(totalBytes()) + " (parameters+gradients+Adam " + DecodeMemory.format(stateBytes)
                + " for " + String.format(Locale.ROOT, "%.2fM", parameters / 1e6) + " parameters, activations "
                + DecodeMemory.format(activationBytes) + ")";
    }
}
