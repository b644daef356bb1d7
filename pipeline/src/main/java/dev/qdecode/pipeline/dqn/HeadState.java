package dev.qdecode.pipeline.dqn;

/**
 * The complete state of a {@link QHead} as plain arrays: the online parameters, the target copy and
 * the Adam moments, each one flat vector: {@code W1 [hidden, H+1]} then {@code W2 [V, hidden+1]},
 * row-major, each layer's bias in its last column.
 *
 * @param in the embedding size H
 * @param hidden the hidden size
 * @param vocab the number of actions V
 * @param activation the hidden activation
 * @param online the online parameters
 * @param target the target-network parameters
 * @param adamM Adam first moments
 * @param adamV Adam second moments
 * @param adamStep the number of Adam steps taken
 * @param valueLoss the loss the head is trained with, which also says what its output is: Q itself
 *     (Huber), or the logit z of Q = σ(z) (cross-entropy)
 */
record HeadState(int in, int hidden, int vocab, DqnConfig.Activation activation, float[] online, float[] target,
        float[] adamM, float[] adamV, long adamStep, DqnConfig.ValueLoss valueLoss) {
    /** A state without a value loss: a head trained with the Huber loss (as every head before the option). */
    HeadState(int in, int hidden, int vocab, DqnConfig.Activation activation, float[] online, float[] target,
            float[] adamM, float[] adamV, long adamStep) {
        this(in, hidden, vocab, activation, online, target, adamM, adamV, adamStep, DqnConfig.ValueLoss.HUBER);
    }
}
