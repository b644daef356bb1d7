package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Guided / Q-greedy decoding scores and ε-greedy exploration. */
class DqnPolicyTest {

    private static double[] softmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double[] p = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp(x[off + i] - max);
            z += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= z;
        }
        return p;
    }

    @Test
    void zeroInitialisedHeadDecodesExactlyLikeTheReferenceOverTheCandidates() {
        int h = 6;
        int v = 50;
        Rng r = new Rng(4);
        DqnConfig cfg = DqnConfig.builder().candidatesTopK(8).candidatesTopP(0.9).minCandidates(2).build();
        try (DqnPolicy policy = new DqnPolicy(new QHead(h, 16, v, DqnConfig.Activation.RELU, 3), cfg,
                DqnPolicy.Mode.GUIDED)) {
            int rows = 3;
            float[] logits = new float[rows * v];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (2 * r.nextGaussian());
            }
            float[] phi = new float[rows * h];
            for (int i = 0; i < phi.length; i++) {
                phi[i] = (float) r.nextGaussian();
            }
            float[] ref = logits.clone();
            float[] scores = policy.scores(phi, logits, rows, v);
            Candidates cands = Candidates.of(cfg);
            for (int row = 0; row < rows; row++) {
                Candidates.Set c = cands.select(ref, row * v, v, null, null);
                assertTrue(c.size() >= 2 && c.size() <= 8);
                double[] p = softmax(scores, row * v, v);
                double inC = 0;
                for (int j = 0; j < c.size(); j++) {
                    assertEquals(Math.exp(c.logp()[j]), p[c.ids()[j]], 1e-6, "π = π_ref renormalised over C");
                    inC += p[c.ids()[j]];
                }
                assertEquals(1.0, inC, 1e-6);
                // outside C: below every candidate, ordered like π_ref
                float minC = Float.POSITIVE_INFINITY;
                for (int id : c.ids()) {
                    minC = Math.min(minC, scores[row * v + id]);
                }
                for (int id = 0; id < v; id++) {
                    if (c.indexOf(id) < 0) {
                        assertTrue(scores[row * v + id] < minC - 1000);
                    }
                }
            }
        }
    }

    /** Threads sharing one policy get what each would get alone (candidate selection keeps scratch arrays). */
    @Test
    void threadsSharingAPolicyScoreAsOneThreadAlone() throws Exception {
        int h = 6;
        int v = 300;
        Rng r = new Rng(5);
        DqnConfig cfg = DqnConfig.builder().candidatesTopK(40).candidatesTopP(0.95).minCandidates(2).build();
        int tasks = 16;
        float[][] logits = new float[tasks][2 * v];
        float[][] phi = new float[tasks][2 * h];
        for (int t = 0; t < tasks; t++) {
            for (int i = 0; i < logits[t].length; i++) {
                logits[t][i] = (float) (3 * r.nextGaussian());
            }
            for (int i = 0; i < phi[t].length; i++) {
                phi[t][i] = (float) r.nextGaussian();
            }
        }
        try (DqnPolicy policy = new DqnPolicy(new QHead(h, 16, v, DqnConfig.Activation.RELU, 3), cfg,
                DqnPolicy.Mode.GUIDED)) {
            float[][] alone = new float[tasks][];
            for (int t = 0; t < tasks; t++) {
                alone[t] = policy.scores(phi[t], logits[t].clone(), 2, v);
            }
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 20; round++) {
                    List<java.util.concurrent.Future<float[]>> out = new java.util.ArrayList<>();
                    for (int t = 0; t < tasks; t++) {
                        int k = t;
                        out.add(pool.submit(() -> policy.scores(phi[k], logits[k].clone(), 2, v)));
                    }
                    for (int t = 0; t < tasks; t++) {
                        org.junit.jupiter.api.Assertions.assertArrayEquals(alone[t], out.get(t).get(),
                                "task " + t + ", round " + round);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void guidedScoresAddQOverTauAndQGreedyTakesTheArgmax() {
        // Toy head: online Q(s1, ·) = (0.5, 0.2, 0), τ_Q = 0.5; candidates = top-2 of π_ref = ids 1 and 0.
        DqnConfig cfg = DqnConfig.builder().candidatesTopK(2).tauQ(0.5).build();
        float[] logits = {(float) Math.log(0.3), (float) Math.log(0.6), (float) Math.log(0.1)};
        float[] phi = ToyMdp.oneHot(1);
        try (DqnPolicy guided = new DqnPolicy(ToyMdp.head(), cfg, DqnPolicy.Mode.GUIDED);
                DqnPolicy greedy = new DqnPolicy(ToyMdp.head(), cfg, DqnPolicy.Mode.Q_GREEDY)) {
            double[] p = softmax(guided.scores(phi, logits.clone(), 1, 3), 0, 3);
            // π(a) ∝ π_ref(a)·exp(Q(a)/τ) over C = {0, 1}
            double a0 = 0.3 * Math.exp(0.5 / 0.5);
            double a1 = 0.6 * Math.exp(0.2 / 0.5);
            assertEquals(a0 / (a0 + a1), p[0], 1e-6);
            assertEquals(a1 / (a0 + a1), p[1], 1e-6);
            assertEquals(0, p[2], 1e-12);
            float[] g = greedy.scores(phi, logits.clone(), 1, 3);
            assertEquals(0f, g[0]); // argmax Q on C is action 0 although π_ref prefers 1
            assertTrue(g[1] < g[0] && g[2] < g[1]);
            assertThrows(IllegalArgumentException.class, () -> guided.scores(phi, new float[4], 1, 4));
        }
        // decoding-time β and the target head: π ∝ π_ref·exp(β·Q_target/τ); target Q(s1, ·) = (0.3, 0.6, −0.5)
        try (DqnPolicy tuned = new DqnPolicy(ToyMdp.head(), cfg, DqnPolicy.Mode.GUIDED,
                new DqnPolicy.Decoding(2.0, true))) {
            double[] p = softmax(tuned.scores(phi, logits.clone(), 1, 3), 0, 3);
            double a0 = 0.3 * Math.exp(2 * 0.3 / 0.5);
            double a1 = 0.6 * Math.exp(2 * 0.6 / 0.5);
            assertEquals(a0 / (a0 + a1), p[0], 1e-6);
            assertEquals(a1 / (a0 + a1), p[1], 1e-6);
        }
        assertThrows(IllegalArgumentException.class, () -> new DqnPolicy.Decoding(0, false));
        assertEquals(DqnPolicy.Mode.Q_GREEDY, DqnPolicy.Mode.parse("q-greedy"));
        assertThrows(IllegalArgumentException.class, () -> DqnPolicy.Mode.parse("greedy"));
    }

    @Test
    void epsilonGreedyExploresUniformlyOverTheCandidates() {
        float[] q = {0.1f, 0.9f, 0.3f, 0.2f};
        double[] logPi = PolicyMath.guidedLogProbs(new float[] {-1.4f, -1.4f, -1.4f, -1.4f}, q, 0, 4, 0.1);
        Rng rng = new Rng(9);
        int[] counts = new int[4];
        int n = 20000;
        for (int i = 0; i < n; i++) {
            counts[PolicyMath.choose(DqnPolicy.Mode.Q_GREEDY, false, 0.3, logPi, q, 0, rng)]++;
        }
        double other = 0.3 / 4;
        assertEquals(n * (0.7 + other), counts[1], 4 * Math.sqrt(n * 0.25));
        assertEquals(n * other, counts[0], 4 * Math.sqrt(n * other));
        assertEquals(Math.log(0.7 + other), PolicyMath.behaviourLogProb(0.0, 0.3, 4), 1e-12);
        // guided sampling follows softmax(logp + q/τ)
        int[] c2 = new int[4];
        for (int i = 0; i < n; i++) {
            c2[PolicyMath.choose(DqnPolicy.Mode.GUIDED, false, 0, logPi, q, 0, rng)]++;
        }
        for (int j = 0; j < 4; j++) {
            double pj = Math.exp(logPi[j]);
            assertEquals(n * pj, c2[j], 4 * Math.sqrt(n * pj + 1));
        }
        assertEquals(1, PolicyMath.choose(DqnPolicy.Mode.GUIDED, true, 0, logPi, q, 0, rng));
    }

    @Test
    void rolloutTemperatureSharpensTheGuidedPolicy() {
        double[] logPi = {Math.log(0.5), Math.log(0.3), Math.log(0.2)};
        float[] q = new float[3];
        Rng rng = new Rng(4);
        int n = 20000;
        int[] c = new int[3];
        for (int i = 0; i < n; i++) {
            c[PolicyMath.choose(DqnPolicy.Mode.GUIDED, false, 0, logPi, q, 0, rng, 0.5)]++;
        }
        // π^(1/0.5) renormalised: 0.25, 0.09, 0.04 over 0.38
        double[] want = {0.25 / 0.38, 0.09 / 0.38, 0.04 / 0.38};
        for (int j = 0; j < 3; j++) {
            assertEquals(n * want[j], c[j], 4 * Math.sqrt(n * want[j]));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(0, PolicyMath.choose(DqnPolicy.Mode.GUIDED, false, 0, logPi, q, 0, rng, 0.0));
        }
        assertThrows(IllegalArgumentException.class, () -> DqnConfig.builder().rolloutTemperature(-1).build());
    }

    /** A null mode is refused by name (it loaded, then scored every step as q-greedy without a word). */
    @Test
    void loadRefusesANullModeOrDecoding() {
        NullPointerException mode = assertThrows(NullPointerException.class,
                () -> DqnPolicy.load(java.nio.file.Path.of("no-such-run"), null));
        assertEquals("mode", mode.getMessage());
        NullPointerException decoding = assertThrows(NullPointerException.class,
                () -> DqnPolicy.load(java.nio.file.Path.of("no-such-run"), DqnPolicy.Mode.GUIDED, null));
        assertEquals("decoding", decoding.getMessage());
    }

    /**
     * Arrays that do not hold the rows are refused in one line, as the Javadoc says for sizes that do not fit
     * (too few logits or allowed entries threw ArrayIndexOutOfBoundsException from candidate selection).
     */
    @Test
    void scoresRefuseArraysThatDoNotHoldTheRows() {
        int h = 4;
        int v = 10;
        try (DqnPolicy policy = new DqnPolicy(new QHead(h, 8, v, DqnConfig.Activation.RELU, 3),
                DqnConfig.builder().candidatesTopK(3).build(), DqnPolicy.Mode.GUIDED)) {
            IllegalArgumentException logits = assertThrows(IllegalArgumentException.class,
                    () -> policy.scores(new float[2 * h], new float[v], 2, v));
            assertEquals("logits: expected 2 rows of 10 (20 values) but got 10 values", logits.getMessage());
            IllegalArgumentException allowed = assertThrows(IllegalArgumentException.class,
                    () -> policy.scores(new float[2 * h], new float[2 * v], 2, v, new int[1][], null));
            assertEquals("allowed: expected an entry (null: all tokens) for each of the 2 rows but got 1",
                    allowed.getMessage());
            assertEquals(2 * v, policy.scores(new float[2 * h], new float[2 * v], 2, v, new int[2][], null).length);
        }
    }
}
