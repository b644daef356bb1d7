package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KV-cached decoding equals full recompute, for both cache layouts and both families. */
class KvCacheTest {
    private static final double TOL = 1e-4;

    private static final String WIDE_LLAMA = "{\"model_type\":\"llama\",\"vocab_size\":300,\"hidden_size\":128,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"head_dim\":64,"
            + "\"intermediate_size\":96,\"max_position_embeddings\":64,\"attention_bias\":true}";

    private static TransformerLM open(String which) {
        return (TransformerLM) switch (which) {
            case "stories260K", "TinyStories-656K" -> CausalLM.load(Fixtures.model(which));
            case "wide-llama" -> CausalLM.random(ModelConfig.fromJson(WIDE_LLAMA, "wide-llama"), 7);
            default -> CausalLM.load(Fixtures.randomModel(which));
        };
    }

    /**
     * Prompt lengths: {@code ragged} 4 rows of lengths 1..9, {@code equal} 4 rows of length 4 (no
     * padding mask), {@code wide} 10 ragged rows (batched query expansion).
     */
    @ParameterizedTest(name = "{0} block-layout={1} prompts={2}")
    @CsvSource({"stories260K,true,ragged", "stories260K,false,ragged", "TinyStories-656K,true,ragged",
        "random-gpt2,false,ragged", "random-qwen2,true,ragged", "wide-llama,false,ragged", "stories260K,true,equal",
        "random-gpt2,false,equal", "stories260K,true,wide", "random-qwen2,true,wide"})
    void cachedStepsMatchFullRecompute(String which, boolean block, String prompts) {
        try (TransformerLM m = open(which); NDManager root = NDManager.newBaseManager()) {
            m.blockDecode = block && m.llama;
            int vocab = m.config().vocabSize();
            int hidden = m.config().hiddenSize();
            SplittableRandom rng = new SplittableRandom(11);
            int[] lens = switch (prompts) {
                case "equal" -> new int[] {4, 4, 4, 4};
                case "wide" -> new int[] {1, 5, 9, 3, 2, 7, 4, 4, 6, 1};
                default -> new int[] {1, 5, 9, 3};
            };
            int[][] seqs = new int[lens.length][];
            for (int r = 0; r < lens.length; r++) {
                seqs[r] = rng.ints(lens[r], 0, vocab).toArray();
            }
            int steps = 10;
            int[] rows = java.util.stream.IntStream.range(0, lens.length).toArray(); // original row of each cache row
            NDManager stepM = root.newSubManager();
            try (KvCache cache = m.prefill(stepM, seqs, steps)) {
                assertEquals(lens.length, cache.batchSize());
                assertEquals(steps, cache.remaining());
                compare(m, root, seqs, rows, cache.last(), vocab, hidden, which + " prefill");
                for (int s = 0; s < steps; s++) {
                    if (s == 4) { // drop row 1, reorder the rest
                        int[] keep = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(3, 0, 2),
                                java.util.stream.IntStream.range(4, rows.length)).toArray();
                        cache.retainRows(keep);
                        int[] before = rows;
                        rows = java.util.Arrays.stream(keep).map(k -> before[k]).toArray();
                        compare(m, root, seqs, rows, cache.last(), vocab, hidden, which + " after retainRows");
                    }
                    int[] next = new int[rows.length];
                    for (int r = 0; r < rows.length; r++) {
                        next[r] = rng.nextInt(vocab);
                        seqs[rows[r]] = append(seqs[rows[r]], next[r]);
                    }
                    stepM.close();
                    stepM = root.newSubManager();
                    StepOutput out = cache.step(stepM, next);
                    for (int r = 0; r < rows.length; r++) {
                        assertEquals(seqs[rows[r]].length, cache.length(r));
                    }
                    compare(m, root, seqs, rows, out, vocab, hidden, which + " step " + s);
                }
                assertEquals(0, cache.remaining());
                NDManager finalM = stepM;
                IllegalStateException full = assertThrows(IllegalStateException.class,
                        () -> cache.step(finalM, new int[cache.batchSize()]));
                assertTrue(full.getMessage().contains("KV cache is full"), full.getMessage());
            } finally {
                stepM.close();
            }
        }
    }

    private static int[] append(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    /** Compares a step's output rows with a full forward of each row's whole sequence, run alone. */
    private static void compare(CausalLM m, NDManager root, int[][] seqs, int[] rows, StepOutput out, int vocab,
            int hidden, String what) {
        float[] logits = out.logits().toFloatArray();
        float[] hid = out.hidden().toFloatArray();
        assertEquals(rows.length * vocab, logits.length);
        for (int r = 0; r < rows.length; r++) {
            int[] seq = seqs[rows[r]];
            try (NDManager nm = root.newSubManager()) {
                float[] fullLogits = m.logits(nm, new int[][] {seq}).toFloatArray();
                float[] fullHidden = m.hiddenStates(nm, new int[][] {seq}).toFloatArray();
                int t = seq.length - 1;
                GoldenRandomTest.assertClose(Arrays.copyOfRange(fullLogits, t * vocab, (t + 1) * vocab), logits, r * vocab,
                        what + " row " + r + " logits");
                GoldenRandomTest.assertClose(Arrays.copyOfRange(fullHidden, t * hidden, (t + 1) * hidden), hid, r * hidden,
                        what + " row " + r + " hidden");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"stories260K", "random-gpt2"})
    void stepsDoNotLeakArraysIntoModelOrCache(String which) {
        try (TransformerLM m = open(which); NDManager root = NDManager.newBaseManager()) {
            int before = m.manager.getManagedArrays().size();
            NDManager stepM = root.newSubManager();
            try (KvCache cache = m.prefill(stepM, new int[][] {{1, 2, 3}, {4}}, 12)) {
                int afterPrefill = m.manager.getManagedArrays().size();
                for (int s = 0; s < 12; s++) {
                    if (s == 6) {
                        cache.retainRows(new int[] {1, 0});
                    }
                    stepM.close();
                    stepM = root.newSubManager();
                    cache.step(stepM, new int[] {5, 6});
                    assertEquals(afterPrefill, m.manager.getManagedArrays().size(), "arrays owned by model + cache, step " + s);
                }
                m.tokenLogProbs(new int[][] {{1, 2, 3}});
                assertEquals(afterPrefill, m.manager.getManagedArrays().size());
            } finally {
                stepM.close();
            }
            assertEquals(before, m.manager.getManagedArrays().size(), "closing the cache releases its arrays");
        }
    }

    @Test
    void fullSequenceApisAgreeAndMaskPadding() {
        try (CausalLM m = open("stories260K"); NDManager nm = NDManager.newBaseManager()) {
            int[][] seqs = {{1, 403, 407, 261}, {1, 291}, {1, 385, 328, 432, 261, 370}};
            int v = m.config().vocabSize();
            int h = m.config().hiddenSize();
            NDArray hs = m.hiddenStates(nm, seqs);
            assertArrayEquals(new long[] {3, 6, h}, hs.getShape().getShape());
            float[] hid = hs.toFloatArray();
            for (int r = 0; r < seqs.length; r++) {
                for (int p = 0; p < 6; p++) {
                    double norm = 0;
                    for (int j = 0; j < h; j++) {
                        norm += Math.abs(hid[(r * 6 + p) * h + j]);
                    }
                    assertEquals(p >= seqs[r].length, norm == 0, "row " + r + " position " + p + " zero iff padding");
                }
            }
            float[] lg = m.logits(nm, seqs).toFloatArray();
            float[][] lp = m.tokenLogProbs(seqs);
            for (int r = 0; r < seqs.length; r++) {
                assertEquals(seqs[r].length, lp[r].length);
                for (int t = 1; t < seqs[r].length; t++) {
                    float[] ls = GoldenRealTest.logSoftmax(Arrays.copyOfRange(lg, (r * 6 + t - 1) * v, (r * 6 + t) * v));
                    assertEquals(ls[seqs[r][t]], lp[r][t], 1e-5);
                }
                // a row alone gives the same values as inside the padded batch
                float[][] alone = m.tokenLogProbs(new int[][] {seqs[r]});
                for (int t = 0; t < seqs[r].length; t++) {
                    assertEquals(alone[0][t], lp[r][t], 1e-5);
                }
            }
        }
    }

    @Test
    void invalidUse() {
        try (CausalLM m = open("random-gpt2"); NDManager nm = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class, () -> m.prefill(nm, new int[][] {}, 4));
            assertThrows(IllegalArgumentException.class, () -> m.prefill(nm, new int[][] {{1}, {}}, 4));
            IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                    () -> m.prefill(nm, new int[][] {{1, 2048}}, 4));
            assertEquals("prompts[0][1] = 2048 is outside the vocabulary [0, 2048)", vocab.getMessage());
            IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                    () -> m.prefill(nm, new int[][] {{1, 2}}, 127));
            assertTrue(tooLong.getMessage().contains("exceeds the model's 128 positions"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.tokenLogProbs(new int[][] {{-1}}));
            NDManager stepM = nm.newSubManager();
            KvCache cache = m.prefill(stepM, new int[][] {{1, 2}, {3}}, 2);
            assertEquals(2, cache.length(0));
            assertEquals(1, cache.length(1));
            assertThrows(IllegalArgumentException.class, () -> cache.step(nm, new int[] {1}));
            assertThrows(IllegalArgumentException.class, () -> cache.step(nm, new int[] {1, 5000}));
            assertThrows(IllegalArgumentException.class, () -> cache.retainRows(new int[] {}));
            assertThrows(IllegalArgumentException.class, () -> cache.retainRows(new int[] {2}));
            stepM.close();
            IllegalStateException released = assertThrows(IllegalStateException.class, cache::last);
            assertTrue(released.getMessage().contains("closed with their manager"));
            cache.retainRows(new int[] {1}); // works without a live last() output
            assertEquals(1, cache.batchSize());
            assertEquals(1, cache.length(0));
            cache.close();
            cache.close();
            assertThrows(IllegalStateException.class, () -> cache.step(nm, new int[] {1}));
        }
    }

    @Test
    void randomWeightsAreReproducibleAndComplete() {
        String json = "{\"model_type\":\"qwen2\",\"vocab_size\":97,\"hidden_size\":32,\"num_hidden_layers\":2,"
                + "\"num_attention_heads\":4,\"num_key_value_heads\":1,\"intermediate_size\":40,"
                + "\"max_position_embeddings\":32,\"tie_word_embeddings\":true}";
        ModelConfig cfg = ModelConfig.fromJson(json, "cfg");
        int[][] probe = {{1, 2, 3}};
        try (CausalLM a = CausalLM.random(cfg, 3); CausalLM b = CausalLM.random(cfg, 3); CausalLM c = CausalLM.random(cfg, 4);
                NDManager nm = NDManager.newBaseManager()) {
            float[] la = a.logits(nm, probe).toFloatArray();
            assertArrayEquals(la, b.logits(nm, probe).toFloatArray());
            assertTrue(Math.abs(la[0] - c.logits(nm, probe).toFloatArray()[0]) > 0);
            assertEquals(cfg.parameterCount(), a.parameters().values().stream().mapToLong(NDArray::size).sum());
            assertTrue(a.parameters().containsKey("model.layers.1.self_attn.q_proj.bias"));
            assertEquals(false, a.parameters().containsKey("lm_head.weight"));
        }
        ModelConfig gpt2Small = ModelConfig.fromJson("{\"model_type\":\"gpt2\",\"vocab_size\":50257,\"n_embd\":768,"
                + "\"n_layer\":12,\"n_head\":12,\"n_positions\":1024}", "gpt2");
        assertEquals(124_439_808L, gpt2Small.parameterCount());
    }
}
