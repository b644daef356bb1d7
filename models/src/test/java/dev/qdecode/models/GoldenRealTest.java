package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two real checkpoints against shared/fixtures/{TinyStories-656K,stories260K}/golden.json:
 * greedy ids exact, last-position logits / log-softmax / final hidden to 1e-4, log-likelihood sums
 * to 1e-3, TinyStories' native prompt format and stories260K's published 256-token sample.
 */
class GoldenRealTest {
    private static CausalLM tiny;
    private static CausalLM s260;

    @BeforeAll
    static void load() {
        tiny = CausalLM.load(Fixtures.model("TinyStories-656K"));
        s260 = CausalLM.load(Fixtures.model("stories260K"));
    }

    @AfterAll
    static void close() {
        tiny.close();
        s260.close();
    }

    private static JsonObject golden(String name) {
        return Fixtures.json(Fixtures.shared().resolve("fixtures").resolve(name).resolve("golden.json"));
    }

    @Test
    void tinyStoriesDefaultFormat() {
        checkSections(tiny, golden("TinyStories-656K"), "TinyStories-656K");
    }

    @Test
    void tinyStoriesNativePromptFormat() {
        checkSections(tiny, golden("TinyStories-656K").getAsJsonObject("native_prompt_format"), "TinyStories-656K native");
    }

    @Test
    void stories260K() {
        checkSections(s260, golden("stories260K"), "stories260K");
    }

    @Test
    void stories260KPublishedSample() {
        JsonObject p = golden("stories260K").getAsJsonObject("published_sample_check");
        int[] prompt = Fixtures.ints(p.get("prompt_ids"));
        int n = p.get("max_new_tokens").getAsInt();
        int[] expected = Fixtures.ints(p.get("new_ids"));
        assertEquals(256, expected.length);
        int[] got = Fixtures.greedy(s260, new int[][] {prompt}, n, false)[0];
        assertArrayEquals(expected, got, "greedy 256 tokens from BOS vs llama2.c's published sample");
    }

    private static void checkSections(CausalLM m, JsonObject g, String what) {
        checkGreedy(m, g.getAsJsonArray("greedy"), what);
        checkLastPosition(m, g.getAsJsonArray("last_position"), what);
        checkLoglik(m, g.getAsJsonArray("loglik"), what);
    }

    /** All prompts decoded together in one ragged batch; rows stop after EOS (dropped via retainRows). */
    private static void checkGreedy(CausalLM m, JsonArray cases, String what) {
        int[][] prompts = new int[cases.size()][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = Fixtures.ints(cases.get(i).getAsJsonObject().get("prompt_ids"));
        }
        int[][] got = Fixtures.greedy(m, prompts, 64, true);
        for (int i = 0; i < prompts.length; i++) {
            JsonObject c = cases.get(i).getAsJsonObject();
            assertArrayEquals(Fixtures.ints(c.get("new_ids")), got[i], what + " greedy prompt " + Arrays.toString(prompts[i]));
            assertEquals(c.get("stopped_at_eos").getAsBoolean(), m.config().isEos(got[i][got[i].length - 1]));
        }
    }

    private static void checkLastPosition(CausalLM m, JsonArray cases, String what) {
        int[][] prompts = new int[cases.size()][];
        for (int i = 0; i < prompts.length; i++) {
            prompts[i] = Fixtures.ints(cases.get(i).getAsJsonObject().get("prompt_ids"));
        }
        int v = m.config().vocabSize();
        int h = m.config().hiddenSize();
        try (NDManager nm = NDManager.newBaseManager(); KvCache cache = m.prefill(nm, prompts, 0)) {
            float[] logits = cache.last().logits().toFloatArray();
            float[] hidden = cache.last().hidden().toFloatArray();
            for (int i = 0; i < prompts.length; i++) {
                JsonObject c = cases.get(i).getAsJsonObject();
                String label = what + " last_position " + i;
                GoldenRandomTest.assertClose(Fixtures.floats(c.get("logits")), logits, i * v, label + " logits");
                GoldenRandomTest.assertClose(Fixtures.floats(c.get("final_hidden")), hidden, i * h, label + " final_hidden");
                GoldenRandomTest.assertClose(Fixtures.floats(c.get("log_softmax")),
                        logSoftmax(Arrays.copyOfRange(logits, i * v, (i + 1) * v)), 0, label + " log_softmax");
                for (JsonElement top : c.getAsJsonArray("top5_id_logit")) {
                    int id = top.getAsJsonArray().get(0).getAsInt();
                    assertEquals(top.getAsJsonArray().get(1).getAsDouble(), logits[i * v + id], 1e-4, label + " top5");
                }
            }
        }
    }

    private static void checkLoglik(CausalLM m, JsonArray cases, String what) {
        int[][] seqs = new int[cases.size()][];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = Fixtures.ints(cases.get(i).getAsJsonObject().get("ids"));
        }
        float[][] lp = m.tokenLogProbs(seqs);
        for (int i = 0; i < seqs.length; i++) {
            JsonObject c = cases.get(i).getAsJsonObject();
            assertEquals(seqs[i].length, lp[i].length);
            assertEquals(0f, lp[i][0]);
            float[] per = Fixtures.floats(c.get("per_token_logprob"));
            assertEquals(c.get("n_scored_tokens").getAsInt(), per.length);
            double sum = 0;
            for (int t = 1; t < lp[i].length; t++) {
                assertEquals(per[t - 1], lp[i][t], 1e-4, what + " loglik " + i + " token " + t);
                sum += lp[i][t];
            }
            assertEquals(c.get("sum_logprob").getAsDouble(), sum, 1e-3, what + " loglik sum " + i);
        }
    }

    static float[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float f : x) {
            max = Math.max(max, f);
        }
        double s = 0;
        for (float f : x) {
            s += Math.exp(f - max);
        }
        double lse = max + Math.log(s);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] - lse);
        }
        return out;
    }
}
