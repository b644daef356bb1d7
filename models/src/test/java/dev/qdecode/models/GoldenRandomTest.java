package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Architecture checks against shared/fixtures/random (GPT-2, Qwen2 with q/k/v bias and GQA, Qwen2
 * stored as BF16): golden values from an independent PyTorch forward pass.
 */
class GoldenRandomTest {
    private static final double TOL = 1e-4;

    @ParameterizedTest(name = "{0} block-layout={1}")
    @CsvSource({"random-gpt2,false", "random-qwen2,true", "random-qwen2,false", "random-qwen2-bf16,true"})
    void matchesGolden(String fixture, boolean blockLayout) {
        Path dir = Fixtures.randomModel(fixture);
        JsonArray cases = Fixtures.json(dir.resolve("golden.json")).getAsJsonArray("cases");
        int n = cases.size();
        int[][] inputs = new int[n][];
        for (int i = 0; i < n; i++) {
            inputs[i] = Fixtures.ints(cases.get(i).getAsJsonObject().get("input_ids"));
        }
        try (TransformerLM m = (TransformerLM) CausalLM.load(dir); NDManager nm = NDManager.newBaseManager()) {
            m.blockDecode = blockLayout && m.llama;
            int vocab = m.config().vocabSize();
            // all cases in one ragged (left-padded) batch
            try (KvCache cache = m.prefill(nm, inputs, 12)) {
                float[] logits = cache.last().logits().toFloatArray();
                float[] hidden = cache.last().hidden().toFloatArray();
                int h = m.config().hiddenSize();
                for (int i = 0; i < n; i++) {
                    JsonObject c = cases.get(i).getAsJsonObject();
                    assertClose(Fixtures.floats(c.get("last_logits")), logits, i * vocab, fixture + " case " + i + " logits");
                    assertClose(Fixtures.floats(c.get("last_hidden")), hidden, i * h, fixture + " case " + i + " hidden");
                }
            }
            float[] all = m.logits(nm, inputs).toFloatArray();
            int t = 0;
            for (int[] in : inputs) {
                t = Math.max(t, in.length);
            }
            for (int i = 0; i < n; i++) {
                int[] expected = Fixtures.ints(cases.get(i).getAsJsonObject().get("all_positions_argmax"));
                int[] argmax = new int[inputs[i].length];
                for (int p = 0; p < argmax.length; p++) {
                    argmax[p] = Fixtures.argmax(all, (i * t + p) * vocab, vocab);
                }
                assertArrayEquals(expected, argmax, fixture + " case " + i + " all_positions_argmax");
            }
            int[][] greedy = Fixtures.greedy(m, inputs, 12, false);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Fixtures.ints(cases.get(i).getAsJsonObject().get("greedy_12")), greedy[i],
                        fixture + " case " + i + " greedy_12");
            }
        }
    }

    static void assertClose(float[] expected, float[] actual, int offset, String what) {
        double worst = 0;
        for (int j = 0; j < expected.length; j++) {
            worst = Math.max(worst, Math.abs(expected[j] - actual[offset + j]));
        }
        assertTrue(worst <= TOL, what + ": max abs diff " + worst);
    }
}
