package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/**
 * {@link CausalLM#restrictVocabulary} on TinyStories-656K (vocab_size 2048): the ids a smaller tokenizer
 * lacks get -inf logits from prefill, cached steps and whole-sequence logits, the others are unchanged,
 * and log-probabilities renormalise over the usable ids.
 */
class RestrictVocabularyTest {
    private static final int USABLE = 270;
    private static final int[][] PROMPTS = {{1, 320, 1049, 282, 3}, {1, 455}};

    /** Logits of prefill, of one cached step (token 42 on every row) and of whole sequences. */
    private static float[][] outputs(CausalLM m) {
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager a = root.newSubManager();
            try (KvCache cache = m.prefill(a, PROMPTS, 2)) {
                float[] prefill = cache.last().logits().toFloatArray();
                float[] step = cache.step(root.newSubManager(), new int[] {42, 42}).logits().toFloatArray();
                float[] whole = m.logits(root.newSubManager(), PROMPTS).toFloatArray();
                return new float[][] {prefill, step, whole};
            }
        }
    }

    @Test
    void idsBeyondTheUsableVocabularyGetMinusInfinityEverywhere() {
        try (CausalLM m = CausalLM.load(Fixtures.model("TinyStories-656K"))) {
            int v = m.config().vocabSize();
            assertEquals(2048, v);
            float[][] plain = outputs(m);
            float[][] plainLp = m.tokenLogProbs(PROMPTS);
            m.restrictVocabulary(USABLE);
            float[][] masked = outputs(m);
            for (int o = 0; o < plain.length; o++) {
                assertEquals(plain[o].length, masked[o].length);
                int beyond = 0;
                for (int i = 0; i < plain[o].length; i++) {
                    if (i % v < USABLE) {
                        assertEquals(plain[o][i], masked[o][i], 0f, "output " + o + " index " + i);
                    } else {
                        assertEquals(Float.NEGATIVE_INFINITY, masked[o][i], "output " + o + " index " + i);
                        beyond++;
                    }
                }
                assertTrue(beyond > 0);
            }
            // Usable targets gain the probability the masked ids had; masked targets become impossible.
            float[][] lp = m.tokenLogProbs(PROMPTS);
            for (int r = 0; r < PROMPTS.length; r++) {
                for (int t = 1; t < PROMPTS[r].length; t++) {
                    if (PROMPTS[r][t] < USABLE) {
                        assertTrue(Float.isFinite(lp[r][t]) && lp[r][t] > plainLp[r][t], lp[r][t] + " vs "
                                + plainLp[r][t]);
                    } else {
                        assertEquals(Float.NEGATIVE_INFINITY, lp[r][t]);
                    }
                }
            }
            m.restrictVocabulary(v);
            assertArrayEquals(plain[0], outputs(m)[0], 0f, "the full vocabulary lifts the restriction");
            assertThrows(IllegalArgumentException.class, () -> m.restrictVocabulary(0));
            assertThrows(IllegalArgumentException.class, () -> m.restrictVocabulary(v + 1));
        }
    }
}
