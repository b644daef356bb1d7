package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The Q head: zero start, exact gradient/Adam steps against a plain-Java reference, target sync. */
class QHeadTest {
    private static final int H = 5;
    private static final int HID = 4;
    private static final int V = 7;

    private static float[] gaussian(Rng r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void zeroInitialisedOutputLayerGivesZeroQ() {
        Rng r = new Rng(3);
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, 11)) {
            float[] phi = gaussian(r, 3 * H);
            int[] ids = {0, 1, 2, 6, 5, 4};
            assertArrayEquals(new float[6], head.q(phi, 3, ids, 2));
            assertArrayEquals(new float[6], head.qTarget(phi, 3, ids, 2));
            assertEquals(HID * (H + 1) + V * (HID + 1), head.parameterCount());
        }
    }

    @Test
    void sameSeedSameInitialisation() {
        try (QHead a = new QHead(H, HID, V, DqnConfig.Activation.GELU, 5);
                QHead b = new QHead(H, HID, V, DqnConfig.Activation.GELU, 5);
                QHead c = new QHead(H, HID, V, DqnConfig.Activation.GELU, 6)) {
            assertArrayEquals(a.export().online(), b.export().online());
            assertTrue(!Arrays.equals(a.export().online(), c.export().online()));
        }
    }

    /**
     * Plain-Java double-precision reference of the same forward pass, loss (Huber, or the cross-entropy of
     * σ(z)), clipping and Adam.
     */
    private static final class Reference {
        /** The cross-entropy loss: the output is the logit z, and ∂loss/∂z = σ(z) − y. */
        boolean crossEntropy;
        final double[] w1 = new double[HID * (H + 1)];
        final double[] w2 = new double[V * (HID + 1)];
        final double[] m1 = new double[w1.length];
        final double[] v1 = new double[w1.length];
        final double[] m2 = new double[w2.length];
        final double[] v2 = new double[w2.length];
        int t;

        Reference(float[] online) {
            for (int i = 0; i < w1.length; i++) {
                w1[i] = online[i];
            }
            for (int i = 0; i < w2.length; i++) {
                w2[i] = online[w1.length + i];
            }
        }

        double[] hidden(float[] phi, int row) {
            double[] h = new double[HID + 1];
            for (int j = 0; j < HID; j++) {
                double s = w1[j * (H + 1) + H];
                for (int i = 0; i < H; i++) {
                    s += w1[j * (H + 1) + i] * phi[row * H + i];
                }
                h[j] = Math.max(0, s);
            }
            h[HID] = 1;
            return h;
        }

        double q(double[] h, int a) {
            double s = 0;
            for (int j = 0; j <= HID; j++) {
                s += w2[a * (HID + 1) + j] * h[j];
            }
            return s;
        }

        void step(float[] phi, int rows, int[] act, float[] y, float[] w, double lr, double clip, double delta) {
            double[] g1 = new double[w1.length];
            double[] g2 = new double[w2.length];
            boolean[] touched = new boolean[V];
            for (int r = 0; r < rows; r++) {
                double[] h = hidden(phi, r);
                double z = q(h, act[r]);
                double dq = w[r] / rows * (crossEntropy ? 1 / (1 + Math.exp(-z)) - y[r]
                        : Math.max(-delta, Math.min(delta, z - y[r])));
                touched[act[r]] = true;
                for (int j = 0; j <= HID; j++) {
                    g2[act[r] * (HID + 1) + j] += dq * h[j];
                }
                for (int j = 0; j < HID; j++) {
                    if (h[j] <= 0) {
                        continue;
                    }
                    double dh = dq * w2[act[r] * (HID + 1) + j];
                    for (int i = 0; i < H; i++) {
                        g1[j * (H + 1) + i] += dh * phi[r * H + i];
                    }
                    g1[j * (H + 1) + H] += dh;
                }
            }
            double sq = 0;
            for (double g : g1) {
                sq += g * g;
            }
            for (double g : g2) {
                sq += g * g;
            }
            double norm = Math.sqrt(sq);
            double scale = clip > 0 && norm > clip ? clip / norm : 1;
            t++;
            double lrc = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < w1.length; i++) {
                adam(w1, m1, v1, i, g1[i] * scale, lrc);
            }
            for (int a = 0; a < V; a++) {
                if (touched[a]) { // lazy Adam: only rows with a gradient
                    for (int j = 0; j <= HID; j++) {
                        adam(w2, m2, v2, a * (HID + 1) + j, g2[a * (HID + 1) + j] * scale, lrc);
                    }
                }
            }
        }

        private static void adam(double[] w, double[] m, double[] v, int i, double g, double lrc) {
            m[i] = 0.9 * m[i] + 0.1 * g;
            v[i] = 0.999 * v[i] + 0.001 * g * g;
            w[i] -= lrc * m[i] / (Math.sqrt(v[i]) + 1e-8);
        }
    }

    @Test
    void trainingStepsMatchAPlainJavaReference() {
        trainingStepsMatchTheReference(DqnConfig.ValueLoss.HUBER);
    }

    @Test
    void crossEntropyStepsMatchAPlainJavaReference() {
        trainingStepsMatchTheReference(DqnConfig.ValueLoss.CROSS_ENTROPY);
    }

    private static void trainingStepsMatchTheReference(DqnConfig.ValueLoss loss) {
        boolean ce = loss == DqnConfig.ValueLoss.CROSS_ENTROPY;
        Rng r = new Rng(17);
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, loss, 23)) {
            Reference ref = new Reference(head.export().online());
            ref.crossEntropy = ce;
            int rows = 6;
            for (int step = 0; step < 5; step++) {
                float[] phi = gaussian(r, rows * H);
                int[] act = {1, 3, 3, 5, 1, 0};
                float[] y = gaussian(r, rows);
                if (ce) { // targets in [0, 1]
                    for (int i = 0; i < rows; i++) {
                        y[i] = (float) (1 / (1 + Math.exp(-y[i])));
                    }
                }
                float[] w = {1f, 0.5f, 0.25f, 1f, 0.8f, 0.3f};
                double clip = step == 3 ? 0.01 : 10; // one clipped step
                double[] h0 = ref.hidden(phi, 1);
                double z = ref.q(h0, act[1]);
                double qRef = ce ? 1 / (1 + Math.exp(-z)) : z;
                QHead.TrainStats s = head.train(phi, rows, act, y, w, 0.05, clip, 0.7);
                assertEquals(qRef, s.q()[1], 1e-5, "Q before the step");
                assertEquals(s.q()[1] - y[1], s.tdError()[1], 1e-6);
                ref.step(phi, rows, act, y, w, 0.05, clip, 0.7);
                float[] p = head.export().online();
                for (int i = 0; i < ref.w1.length; i++) {
                    assertEquals(ref.w1[i], p[i], 1e-5, "W1[" + i + "] after step " + step);
                }
                for (int i = 0; i < ref.w2.length; i++) {
                    assertEquals(ref.w2[i], p[ref.w1.length + i], 1e-5, "W2[" + i + "] after step " + step);
                }
            }
            assertEquals(5, head.adamStep());
            // Rows never taken (2, 4, 6) are untouched by the lazy Adam: still exactly zero.
            float[] p = head.export().online();
            for (int a : new int[] {2, 4, 6}) {
                for (int j = 0; j <= HID; j++) {
                    assertEquals(0f, p[HID * (H + 1) + a * (HID + 1) + j]);
                }
            }
        }
    }

    @Test
    void firstStepOfAdamMovesTheTakenRowByTheLearningRate() {
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, 1)) {
            float[] phi = {1f, -0.5f, 0.25f, 2f, 0f};
            float[] before = head.export().online();
            head.train(phi, 1, new int[] {4}, new float[] {3f}, null, 0.01, 0, 1.0);
            float[] after = head.export().online();
            int base = HID * (H + 1) + 4 * (HID + 1);
            // Q = 0 < y: the gradient on row 4 is −[h, 1]; Adam's first step is lr·sign, so the bias
            // entry rises by exactly lr and hidden entries by lr where h > 0.
            assertEquals(0.01, after[base + HID], 1e-6);
            for (int i = 0; i < HID * (H + 1); i++) {
                assertEquals(before[i], after[i], 0f, "W1 has no gradient while W2 is zero");
            }
        }
    }

    @Test
    void linearActivationMakesQAffineInTheEmbedding() {
        Rng r = new Rng(12);
        try (QHead lin = new QHead(H, HID, V, DqnConfig.Activation.LINEAR, 4);
                QHead relu = new QHead(H, HID, V, DqnConfig.Activation.RELU, 4)) {
            for (int i = 0; i < 5; i++) {
                float[] phi = gaussian(r, 4 * H);
                float[] y = gaussian(r, 4);
                lin.train(phi, 4, new int[] {0, 1, 2, 3}, y, null, 0.05, 0, 1);
                relu.train(phi, 4, new int[] {0, 1, 2, 3}, y, null, 0.05, 0, 1);
            }
            // Q(a·x + (1−a)·z) = a·Q(x) + (1−a)·Q(z) for every action when the head is affine in φ.
            float[] x = gaussian(r, H);
            float[] z = gaussian(r, H);
            float[] mix = new float[H];
            for (int i = 0; i < H; i++) {
                mix[i] = 0.3f * x[i] + 0.7f * z[i];
            }
            int[] ids = {0, 1, 2, 3};
            float[] both = new float[3 * H];
            System.arraycopy(x, 0, both, 0, H);
            System.arraycopy(z, 0, both, H, H);
            System.arraycopy(mix, 0, both, 2 * H, H);
            int[] ids3 = new int[12];
            for (int j = 0; j < 3; j++) {
                System.arraycopy(ids, 0, ids3, 4 * j, 4);
            }
            float[] ql = lin.q(both, 3, ids3, 4);
            float[] qr = relu.q(both, 3, ids3, 4);
            double reluGap = 0;
            for (int a = 0; a < 4; a++) {
                assertEquals(0.3 * ql[a] + 0.7 * ql[4 + a], ql[8 + a], 1e-5, "action " + a);
                assertTrue(Math.abs(ql[a]) > 1e-3, "the linear head learned something");
                reluGap = Math.max(reluGap, Math.abs(0.3 * qr[a] + 0.7 * qr[4 + a] - qr[8 + a]));
            }
            assertTrue(reluGap > 1e-3, "a ReLU head is not affine: " + reluGap);
        }
    }

    @Test
    void hardSyncCopiesAndPolyakAverages() {
        Rng r = new Rng(2);
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, 4)) {
            for (int i = 0; i < 3; i++) {
                head.train(gaussian(r, 4 * H), 4, new int[] {0, 1, 2, 3}, gaussian(r, 4), null, 0.05, 0, 1);
            }
            HeadState s0 = head.export();
            assertTrue(!Arrays.equals(s0.online(), s0.target()));
            head.polyak(0.25);
            HeadState s1 = head.export();
            for (int i = 0; i < s0.online().length; i++) {
                assertEquals(0.75 * s0.target()[i] + 0.25 * s0.online()[i], s1.target()[i], 1e-6);
            }
            assertArrayEquals(s0.online(), s1.online());
            head.syncTarget();
            HeadState s2 = head.export();
            assertArrayEquals(s2.online(), s2.target());
            // and the target network now evaluates like the online one
            float[] phi = gaussian(r, 2 * H);
            int[] ids = {0, 1, 2, 3};
            assertArrayEquals(head.q(phi, 2, ids, 2), head.qTarget(phi, 2, ids, 2), 1e-6f);
        }
    }

    @Test
    void exportLoadRoundTrip() {
        Rng r = new Rng(8);
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.GELU, 9)) {
            head.train(gaussian(r, 2 * H), 2, new int[] {6, 2}, new float[] {1f, -1f}, null, 0.1, 0, 1);
            head.polyak(0.5);
            HeadState s = head.export();
            try (QHead copy = QHead.of(s)) {
                HeadState c = copy.export();
                assertArrayEquals(s.online(), c.online());
                assertArrayEquals(s.target(), c.target());
                assertArrayEquals(s.adamM(), c.adamM());
                assertArrayEquals(s.adamV(), c.adamV());
                assertEquals(s.adamStep(), c.adamStep());
                float[] phi = gaussian(r, 3 * H);
                int[] ids = {0, 6, 2, 3, 1, 5};
                assertArrayEquals(head.q(phi, 3, ids, 2), copy.q(phi, 3, ids, 2));
                // identical next steps
                float[] y = {0.3f, 0.1f};
                float[] p = gaussian(r, 2 * H);
                head.train(p, 2, new int[] {6, 6}, y, null, 0.1, 0, 1);
                copy.train(p, 2, new int[] {6, 6}, y, null, 0.1, 0, 1);
                assertArrayEquals(head.export().online(), copy.export().online());
            }
        }
    }

    @Test
    void badInputsAreRejected() {
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, 1)) {
            float[] phi = new float[H];
            assertThrows(IllegalArgumentException.class,
                    () -> head.train(phi, 1, new int[] {0}, new float[] {Float.NaN}, null, 0.1, 0, 1));
            assertThrows(IllegalArgumentException.class,
                    () -> head.train(phi, 1, new int[] {V}, new float[] {0}, null, 0.1, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> head.q(phi, 1, new int[] {-1}, 1));
            assertThrows(IllegalArgumentException.class, () -> head.polyak(0));
        }
    }

    /**
     * A cross-entropy head reads its output as a logit: Q ≡ σ(0) = ½ at the start, Q converges to the
     * mean of 0/1 targets (the Bernoulli cross-entropy's minimiser, the expected return), the loss travels
     * with the exported state, and a target outside [0, 1] is refused.
     */
    @Test
    void crossEntropyHeadLearnsTheMeanOfBernoulliTargetsAsAProbability() {
        Rng r = new Rng(8);
        try (QHead head = new QHead(H, HID, V, DqnConfig.Activation.RELU, DqnConfig.ValueLoss.CROSS_ENTROPY, 2)) {
            float[] phi = gaussian(r, H);
            int[] ids = {2, 5};
            assertArrayEquals(new float[] {0.5f, 0.5f}, head.q(phi, 1, ids, 2));
            float[] x = new float[8 * H];
            for (int i = 0; i < 8; i++) {
                System.arraycopy(phi, 0, x, i * H, H);
            }
            // action 2 pays 1 in 1 of 4 draws, action 5 in 3 of 4: each batch holds the exact frequencies
            int[] act = {2, 2, 2, 2, 5, 5, 5, 5};
            float[] y = {1, 0, 0, 0, 1, 1, 0, 1};
            for (int step = 0; step < 400; step++) {
                head.train(x, 8, act, y, null, 0.02, 0, 1.0);
            }
            float[] q = head.q(phi, 1, ids, 2);
            assertEquals(0.25, q[0], 0.01);
            assertEquals(0.75, q[1], 0.01);
            HeadState st = head.export();
            assertEquals(DqnConfig.ValueLoss.CROSS_ENTROPY, st.valueLoss());
            try (QHead copy = QHead.of(st)) {
                assertArrayEquals(q, copy.q(phi, 1, ids, 2));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> head.train(phi, 1, new int[] {2}, new float[] {1.5f}, null, 0.1, 0, 1));
            assertTrue(e.getMessage().contains("outside [0, 1]"), e.getMessage());
            try (QHead huber = new QHead(H, HID, V, DqnConfig.Activation.RELU, 2)) {
                assertThrows(IllegalArgumentException.class, () -> huber.load(st));
            }
        }
    }
}
