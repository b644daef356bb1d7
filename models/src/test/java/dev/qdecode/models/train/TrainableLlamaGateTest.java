package dev.qdecode.models.train;

import ai.djl.ndarray.NDManager;
import dev.qdecode.models.GateChecks;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainableLlama}'s forward passes are gated native calls ({@link dev.qdecode.models.NativeCalls}): sft's dev
 * evaluation (a {@code tokenNll} per batch, outside the training step's own gate) could be halted by a second signal
 * in the middle of a PyTorch call before.
 */
class TrainableLlamaGateTest {

    @Test
    void forwardPassesEnterTheModelsGate() throws Exception {
        int[][] rows = {{1, 5, 9, 4}, {1, 7, 3}};
        try (TrainableLlama m = TrainableLlama.fromConfig(TrainableLlamaTest.tinyConfig(false), 7);
                NDManager root = NDManager.newBaseManager()) {
            GateChecks.entersTheGate("hidden", m::gate, () -> m.hidden(root, rows, 0));
            GateChecks.entersTheGate("tokenNll", m::gate, () -> m.tokenNll(root, rows, new int[] {1, 2}, 0));
        }
    }
}
