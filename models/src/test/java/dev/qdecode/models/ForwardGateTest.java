package dev.qdecode.models;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * Every forward pass of a {@link CausalLM} is a gated native call ({@link NativeCalls}): a second Ctrl-C or SIGTERM
 * halts the JVM only between passes. Before, only sft's training step was gated, and {@code train}'s rollouts,
 * {@code evaluate}, {@code generate} and sft's dev evaluation could be halted in the middle of a PyTorch call, as
 * the sft run that crashed (SIGSEGV, an {@code hs_err_pid*.log}) was.
 */
class ForwardGateTest {
    private static final int[][] PROMPTS = {{1, 5, 9}, {1, 7}};

    @Test
    void everyForwardPassEntersTheModelsGate() throws Exception {
        try (TransformerLM lm = (TransformerLM) CausalLM.random(
                ModelConfig.fromJson(GateModel.JSON, "gate-model.json"), 3);
                NDManager root = NDManager.newBaseManager()) {
            GateChecks.entersTheGate("prefill", g -> lm.gate = g, () -> lm.prefill(root, PROMPTS, 4).close());
            GateChecks.entersTheGate("tokenLogProbs", g -> lm.gate = g, () -> lm.tokenLogProbs(PROMPTS));
            GateChecks.entersTheGate("hiddenStates", g -> lm.gate = g, () -> lm.hiddenStates(root, PROMPTS));
            GateChecks.entersTheGate("logits", g -> lm.gate = g, () -> lm.logits(root, PROMPTS));
            lm.gate = new NativeCalls();
            try (KvCache cache = lm.prefill(root, PROMPTS, 8)) {
                GateChecks.entersTheGate("KvCache.step", g -> lm.gate = g, () -> cache.step(root, new int[] {3, 4}));
                GateChecks.entersTheGate("KvCache.retainRows", g -> lm.gate = g, () -> cache.retainRows(new int[] {0, 1}));
            }
        }
    }

    /** A tiny Llama-family configuration. */
    static final class GateModel {
        static final String JSON = "{\"model_type\":\"llama\",\"vocab_size\":32,\"hidden_size\":16,"
                + "\"num_hidden_layers\":1,\"num_attention_heads\":2,\"num_key_value_heads\":1,"
                + "\"intermediate_size\":24,\"max_position_embeddings\":32}";

        private GateModel() {}
    }
}
