package dev.qdecode.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.KvCache;
import dev.qdecode.models.StepOutput;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Beam search on the real TinyStories-656K model, checked against greedy decoding and exhaustive search. */
class BeamSearchTest {
    private static CausalLM model;
    private static int eos;
    private static final int[][] PROMPTS = {
        {1, 320, 1049, 282, 3},
        {1, 791, 412, 650, 330, 260, 1230, 15},
        {1, 455},
    };

    @BeforeAll
    static void load() {
        model = CausalLM.load(Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K"));
        eos = model.config().eosTokenIds()[0];
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationConfig cfg(int maxNew, int batch, int beams, double alpha) {
        return GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), maxNew, 0, List.of(), 1, batch, false, false)
                .withBeams(beams, alpha);
    }

    private static List<Generation> decode(GenerationConfig c, TokenPolicy policy) {
        PromptEncoder.Encoded[] prep = new PromptEncoder.Encoded[PROMPTS.length];
        for (int i = 0; i < prep.length; i++) {
            prep[i] = new PromptEncoder.Encoded(PROMPTS[i], "", null);
        }
        return BeamSearch.decode(model, null, c, policy, new int[] {eos}, prep, PROMPTS, List.of("", "", ""), 0,
                new long[2]);
    }

    @Test
    void oneBeamIsGreedyDecoding() {
        List<Generation> greedy = new Generator(model, null, null, cfg(16, 3, 1, 1.0), null).generateIds(PROMPTS);
        List<Generation> beam = decode(cfg(16, 3, 1, 1.0), null);
        for (int i = 0; i < PROMPTS.length; i++) {
            assertArrayEquals(greedy.get(i).tokenIds(), beam.get(i).tokenIds(), "prompt " + i);
            assertEquals(greedy.get(i).stopReason(), beam.get(i).stopReason());
        }
    }

    @Test
    void theOutputDoesNotDependOnTheBatchSize() {
        List<Generation> one = new Generator(model, null, null, cfg(12, 1, 4, 1.0), null).generateIds(PROMPTS);
        List<Generation> all = new Generator(model, null, null, cfg(12, 3, 4, 1.0), null).generateIds(PROMPTS);
        for (int i = 0; i < PROMPTS.length; i++) {
            assertArrayEquals(one.get(i).tokenIds(), all.get(i).tokenIds(), "prompt " + i);
            assertEquals(i, all.get(i).index());
        }
    }

    /**
     * With two tokens and end-of-sequence allowed per step and 4 new tokens at most, 32 beams hold every
     * hypothesis (at most 8 live, 31 finished), so beam search must return the exhaustive optimum of
     * score / length^α, for α = 0 and α = 1.
     */
    @Test
    void wideEnoughBeamsFindTheExhaustiveOptimum() {
        TokenPolicy twoAndEos = (out, logits, rows, vocab) -> restrict(logits, rows, vocab);
        List<String> chosen = new ArrayList<>();
        for (double alpha : new double[] {0.0, 1.0}) {
            List<Generation> beam = decode(cfg(4, 3, 32, alpha), twoAndEos);
            beam.forEach(g -> chosen.add(Arrays.toString(g.tokenIds())));
            for (int i = 0; i < PROMPTS.length; i++) {
                int[] best = exhaustive(PROMPTS[i], 4, alpha);
                assertArrayEquals(best, beam.get(i).tokenIds(), "prompt " + i + ", alpha " + alpha + ": "
                        + Arrays.toString(beam.get(i).tokenIds()));
                assertEquals(best[best.length - 1] == eos ? StopReason.EOS : StopReason.MAX_TOKENS,
                        beam.get(i).stopReason());
            }
        }
        // The length penalty matters here: raw sums and per-token averages pick different outputs.
        assertTrue(!chosen.subList(0, 3).equals(chosen.subList(3, 6)), chosen.toString());
    }

    @Test
    void aPolicyThatExcludesEveryTokenIsAnErrorNamingThePrompt() {
        TokenPolicy none = (out, logits, rows, vocab) -> {
            Arrays.fill(logits, Float.NEGATIVE_INFINITY);
            return logits;
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> decode(cfg(4, 3, 2, 1.0), none));
        assertEquals("prompt 1: beam search found no token with a finite score (expected the policy to allow at least one)",
                e.getMessage());
    }

    /** Keeps the two most likely non-EOS tokens and EOS (scored between them) per row; the rest get −∞. */
    private static float[] restrict(float[] logits, int rows, int vocab) {
        for (int r = 0; r < rows; r++) {
            int a = -1;
            int b = -1;
            for (int v = 0; v < vocab; v++) {
                if (v == eos) {
                    continue;
                }
                float x = logits[r * vocab + v];
                if (a < 0 || x > logits[r * vocab + a]) {
                    b = a;
                    a = v;
                } else if (b < 0 || x > logits[r * vocab + b]) {
                    b = v;
                }
            }
            // EOS between the two, so hypotheses of every length compete.
            float mid = (logits[r * vocab + a] + logits[r * vocab + b]) / 2;
            for (int v = 0; v < vocab; v++) {
                if (v != a && v != b) {
                    logits[r * vocab + v] = v == eos ? mid : Float.NEGATIVE_INFINITY;
                }
            }
        }
        return logits;
    }

    /** Every hypothesis of the restricted policy, scored from a fresh prefill of each prefix. */
    private static int[] exhaustive(int[] prompt, int maxNew, double alpha) {
        List<int[]> seqs = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        expand(prompt, new int[0], 0.0, maxNew, seqs, scores);
        int best = 0;
        for (int j = 1; j < seqs.size(); j++) {
            if (scores.get(j) / Math.pow(seqs.get(j).length, alpha)
                    > scores.get(best) / Math.pow(seqs.get(best).length, alpha)) {
                best = j;
            }
        }
        assertTrue(seqs.size() == 31, "hypotheses: " + seqs.size());
        return seqs.get(best);
    }

    private static void expand(int[] prompt, int[] prefix, double score, int maxNew, List<int[]> seqs,
            List<Double> scores) {
        float[] row;
        try (NDManager m = NDManager.newBaseManager()) {
            int[] ids = Arrays.copyOf(prompt, prompt.length + prefix.length);
            System.arraycopy(prefix, 0, ids, prompt.length, prefix.length);
            try (KvCache c = model.prefill(m, new int[][] {ids}, 1)) {
                StepOutput out = c.last();
                row = restrict(out.logits().toFloatArray(), 1, model.config().vocabSize());
            }
        }
        double lse = TokenPolicy.logSumExp(row, 0, row.length);
        for (int v = 0; v < row.length; v++) {
            if (row[v] == Float.NEGATIVE_INFINITY) {
                continue;
            }
            int[] next = Arrays.copyOf(prefix, prefix.length + 1);
            next[prefix.length] = v;
            double s = score + row[v] - lse;
            if (v == eos || next.length == maxNew) {
                seqs.add(next);
                scores.add(s);
            } else {
                expand(prompt, next, s, maxNew, seqs, scores);
            }
        }
    }
}
