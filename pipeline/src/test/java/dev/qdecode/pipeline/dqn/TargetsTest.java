package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Bellman targets on the 3-state toy MDP ({@link ToyMdp}), computed by hand. */
class TargetsTest {
    private static final double TOL = 1e-5;
    // Soft values τ·log Σ π_ref·exp(Q_target/τ) with τ = 0.5, written out term by term:
    private static final double V1 = 0.5 * Math.log(0.6 * Math.exp(0.3 / 0.5) + 0.4 * Math.exp(0.6 / 0.5));
    private static final double V2 = 0.5 * Math.log(0.7 * Math.exp(-0.2 / 0.5) + 0.3 * Math.exp(0.1 / 0.5));

    @Test
    void softValueMatchesHandComputation() {
        // Independent decimal values (computed with Python's math module).
        assertEquals(0.4421560201922349, V1, 1e-12);
        assertEquals(-0.08977578257896641, V2, 1e-12);
        float[] lp = {(float) Math.log(0.6), (float) Math.log(0.4)};
        float[] q = {0.3f, 0.6f};
        assertEquals(V1, Targets.softValue(lp, 0, q, 0, 2, 0.5), TOL);
        // τ → 0 approaches the hard max; τ → ∞ the π_ref-average.
        assertEquals(0.6, Targets.softValue(lp, 0, q, 0, 2, 1e-4), 1e-3);
        assertEquals(0.6 * 0.3 + 0.4 * 0.6, Targets.softValue(lp, 0, q, 0, 2, 100), 5e-4);
    }

    @Test
    void hardAndDoubleValues() {
        float[] qT = {0.3f, 0.6f};
        float[] qO = {0.5f, 0.2f};
        assertEquals(0.6, Targets.hardValue(qT, 0, 2), 1e-7);
        assertEquals(0.3, Targets.doubleValue(qO, 0, qT, 0, 2), 1e-7); // online argmax 0, target value 0.3
        assertEquals(0, Targets.argmax(new float[] {1f, 1f, 0f}, 0, 3)); // ties: first (most likely)
    }

    @Test
    void nStepFormula() {
        float[] r = {0.5f, -0.25f, 1.0f};
        // y = r0 + γ r1 + γ c1 + γ² v
        assertEquals(0.5 + 0.9 * -0.25 + 0.9 * 0.1 + 0.81 * 2.0,
                Targets.nStep(r, 0, 2, 0.9, new double[] {0.1}, true, 2.0), TOL);
        // terminal: no bootstrap term
        assertEquals(0.5 + 0.9 * -0.25 + 0.81 * 1.0, Targets.nStep(r, 0, 3, 0.9, null, false, 99), TOL);
        assertEquals(1.0, Targets.clip(1.04, -0.5, 1.0), 0);
        assertEquals(-0.5, Targets.clip(-3, -0.5, 1.0), 0);
    }

    private static float[] targets(DqnConfig.Backup backup, int n, int... steps) {
        ReplayEpisode e = ToyMdp.episode();
        ReplayEpisode[] eps = new ReplayEpisode[steps.length];
        java.util.Arrays.fill(eps, e);
        try (QHead head = ToyMdp.head()) {
            DqnConfig cfg = ToyMdp.config(backup, n);
            return new Learner(head, ReplayBuffer.of(cfg), cfg, -10, 10).targets(eps, steps);
        }
    }

    @Test
    void oneStepTargetsThroughTheHead() {
        // soft: y0 = r0 + γ V(s1); y1 = r1 + γ V(s2); y2 = r2 (terminal)
        assertArrayEquals(new float[] {(float) (0.5 + 0.9 * V1), (float) (-0.25 + 0.9 * V2), 1.0f},
                targets(DqnConfig.Backup.SOFT, 1, 0, 1, 2), (float) TOL);
        assertEquals(0.8979404181730114, targets(DqnConfig.Backup.SOFT, 1, 0)[0], TOL);
        // hard: y0 = 0.5 + 0.9·max(0.3, 0.6); y1 = −0.25 + 0.9·max(Q(s2,2) = −0.2, Q(s2,0) = 0.1)
        assertArrayEquals(new float[] {1.04f, -0.25f + 0.9f * 0.1f, 1.0f},
                targets(DqnConfig.Backup.HARD, 1, 0, 1, 2), (float) TOL);
        // double: online argmax at s1 is action 0 (0.5 > 0.2) → target 0.3; at s2 action 2 (0.3 > 0) → −0.2
        assertArrayEquals(new float[] {0.5f + 0.9f * 0.3f, -0.25f + 0.9f * -0.2f, 1.0f},
                targets(DqnConfig.Backup.DOUBLE, 1, 0, 1, 2), (float) TOL);
    }

    @Test
    void nStepSoftTargetsIncludeThePathConsistencyCorrection() {
        // n = 2 from t = 0: r0 + γ r1 + γ (V(s1) − Q(s1, a1 = 0)) + γ² V(s2)
        double y0 = 0.5 + 0.9 * -0.25 + 0.9 * (V1 - 0.3) + 0.81 * V2;
        // n = 2 from t = 1: r1 + γ r2 + γ (V(s2) − Q(s2, a2 = 2)); t + 2 = T so no bootstrap
        double y1 = -0.25 + 0.9 * 1.0 + 0.9 * (V2 - -0.2);
        assertArrayEquals(new float[] {(float) y0, (float) y1, 1.0f}, targets(DqnConfig.Backup.SOFT, 2, 0, 1, 2),
                (float) TOL);
        assertEquals(0.3302220342840486, y0, 1e-12);
        assertEquals(0.7492017956789303, y1, 1e-12);
        // n = 4 runs past the end: all rewards, both corrections, no bootstrap
        double y04 = 0.5 + 0.9 * -0.25 + 0.81 * 1.0 + 0.9 * (V1 - 0.3) + 0.81 * (V2 + 0.2);
        assertEquals(1.3022220342840487, y04, 1e-12);
        assertEquals(y04, targets(DqnConfig.Backup.SOFT, 4, 0)[0], TOL);
    }

    @Test
    void nStepHardTargetsHaveNoCorrection() {
        // n = 2 from t = 0: r0 + γ r1 + γ² max Q(s2)
        assertEquals(0.356, targets(DqnConfig.Backup.HARD, 2, 0)[0], TOL);
        // double: the online head picks action 2 at s2 (0.3 > 0), whose target value is −0.2
        assertEquals(0.5 + 0.9 * -0.25 + 0.81 * -0.2, targets(DqnConfig.Backup.DOUBLE, 2, 0)[0], TOL);
    }

    @Test
    void targetsAreClippedToTheReturnRange() {
        ReplayEpisode e = ToyMdp.episode();
        try (QHead head = ToyMdp.head()) {
            DqnConfig cfg = ToyMdp.config(DqnConfig.Backup.HARD, 1).toBuilder().clipTargets(true).build();
            float[] y = new Learner(head, ReplayBuffer.of(cfg), cfg, -0.5, 1.0)
                    .targets(new ReplayEpisode[] {e, e, e}, new int[] {0, 1, 2});
            assertArrayEquals(new float[] {1.0f, -0.25f + 0.9f * 0.1f, 1.0f}, y, 1e-6f); // 1.04 → 1.0
        }
    }
}
