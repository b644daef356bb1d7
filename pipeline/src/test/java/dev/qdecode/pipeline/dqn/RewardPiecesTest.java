package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Potential-based shaping, the adaptive KL coefficient and divergence detection. */
class RewardPiecesTest {

    @Test
    void shapingTelescopesToTheTerminalReward() {
        double[] phi = {0.2, 0.5, 0.4, 0.9, 0.7};
        int[] every1 = Shaping.scoredPrefixes(5, 1);
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, every1);
        float[] r = Shaping.rewards(5, 0.1, every1, phi);
        assertArrayEquals(new float[] {0.1f, 0.3f, -0.1f, 0.5f, -0.2f}, r, 1e-6f);
        double sum = 0;
        for (float x : r) {
            sum += x;
        }
        assertEquals(0.7 - 0.1, sum, 1e-6); // Φ(final) − Φ(empty)
        // Scoring only every 2 tokens: Φ held in between, same sum.
        int[] every2 = Shaping.scoredPrefixes(5, 2);
        assertArrayEquals(new int[] {2, 4, 5}, every2);
        float[] r2 = Shaping.rewards(5, 0.1, every2, new double[] {0.5, 0.9, 0.7});
        assertArrayEquals(new float[] {0f, 0.4f, 0f, 0.4f, -0.2f}, r2, 1e-6f);
        assertArrayEquals(new float[] {0f, 0f, 0.8f}, Shaping.terminal(3, 0.8), 0f);
    }

    @Test
    void discountedShapingIsGammaPhiNextMinusPhi() {
        // γ = 0.5, Φ(empty) = 0.1, Φ at prefixes 1..3 = 0.2, 0.6, R = 0.8:
        // r0 = 0.5·0.2 − 0.1 = 0, r1 = 0.5·0.6 − 0.2 = 0.1, r2 = 0.8 − 0.6 = 0.2 (last step: Φ(terminal) = 0)
        float[] r = Shaping.rewards(3, 0.1, new int[] {1, 2, 3}, new double[] {0.2, 0.6, 0.8}, 0.5);
        assertArrayEquals(new float[] {0f, 0.1f, 0.2f}, r, 1e-6f);
        // discounted return from step 0: 0 + 0.5·0.1 + 0.25·0.2 = 0.1 = γ²·R − Φ(empty) = 0.2 − 0.1
        assertEquals(0.1, r[0] + 0.5 * r[1] + 0.25 * r[2], 1e-6);
        // Φ scored at prefixes 2 and 4 only, held in between: Φ = 0.1, 0.1, 0.5, 0.5, R = 0.9
        // r = 0.5·0.1 − 0.1, 0.5·0.5 − 0.1, 0.5·0.5 − 0.5, 0.9 − 0.5
        float[] r2 = Shaping.rewards(4, 0.1, new int[] {2, 4}, new double[] {0.5, 0.9}, 0.5);
        assertArrayEquals(new float[] {-0.05f, 0.15f, -0.25f, 0.4f}, r2, 1e-6f);
        // γ = 1 gives the undiscounted rewards exactly
        double[] phi = {0.2, 0.5, 0.4, 0.9, 0.7};
        assertArrayEquals(Shaping.rewards(5, 0.1, Shaping.scoredPrefixes(5, 2), new double[] {0.5, 0.9, 0.7}),
                Shaping.rewards(5, 0.1, Shaping.scoredPrefixes(5, 2), new double[] {0.5, 0.9, 0.7}, 1.0), 0f);
        assertArrayEquals(Shaping.rewards(5, 0.1, Shaping.scoredPrefixes(5, 1), phi),
                new float[] {0.1f, 0.3f, -0.1f, 0.5f, -0.2f}, 1e-6f);
    }

    @Test
    void klControllerAdaptsTowardTheTarget() {
        KlController fixed = new KlController(0.05, 0, 10000);
        assertEquals(0.05, fixed.update(10, 32), 0);
        assertEquals(-0.05 * (-1.0 - -3.0), fixed.penalty(-1.0, -3.0), 1e-12);
        KlController adaptive = new KlController(0.1, 2.0, 1000);
        // KL 3× the target: error clipped to +0.2 → β·(1 + 0.2·32/1000)
        assertEquals(0.1 * (1 + 0.2 * 32 / 1000.0), adaptive.update(6.0, 32), 1e-12);
        double b = adaptive.beta();
        // KL at 1.8 (10 % under target, inside the clip): β·(1 − 0.1·32/1000)
        assertEquals(b * (1 - 0.1 * 32 / 1000.0), adaptive.update(1.8, 32), 1e-12);
    }

    @Test
    void repeatsAndDivergenceAreDetected() {
        assertTrue(DivergenceMonitor.hasRepeat(new int[] {1, 2, 2, 2, 2, 3}, 4));
        assertFalse(DivergenceMonitor.hasRepeat(new int[] {1, 2, 2, 2, 3, 2}, 4));
        assertEquals(0.5, DivergenceMonitor.repeatFraction(List.of(new int[] {5, 5, 5, 5}, new int[] {1, 2, 3})), 0);
        DivergenceMonitor m = new DivergenceMonitor(1.0);
        assertNull(m.checkRepeats(0.1));
        assertNotNull(m.checkRepeats(0.5));
        assertTrue(m.checkRepeats(0.87).contains("87%"));
        for (int i = 0; i < 8; i++) {
            assertNull(m.checkQ(0.3));
        }
        String w = m.checkQ(2.5);
        assertNotNull(w);
        assertTrue(w.contains("mean |Q| 2.5"), w);
        DivergenceMonitor growth = new DivergenceMonitor(Double.NaN);
        for (int i = 0; i < 8; i++) {
            assertNull(growth.checkQ(0.5));
        }
        assertNotNull(growth.checkQ(3.0)); // grew 6× within the window
        assertNotNull(growth.checkQ(Double.NaN));
    }

    /**
     * A monitor restored from a checkpoint's counters and values warns as the uninterrupted one does: the
     * mean |Q| history was not saved, so a resumed run's first checks compared against nothing and missed a
     * growth the uninterrupted run reports.
     */
    @Test
    void aRestoredDivergenceMonitorWarnsAsTheUninterruptedOne() {
        double[] before = {0.1, 0.12, 0.1, 0.11, 0.1, 0.1, 0.13, 0.1, 0.1, 0.1, 0.12};
        double[] after = {0.6, 0.1, 0.7, 0.8, 0.1, 0.9, 0.5, 0.4, 3.5, 0.1};
        DivergenceMonitor full = new DivergenceMonitor(1.0);
        DivergenceMonitor first = new DivergenceMonitor(1.0);
        for (double q : before) {
            assertEquals(full.checkQ(q), first.checkQ(q));
        }
        java.util.Map<String, Long> counters = new java.util.LinkedHashMap<>();
        java.util.Map<String, Double> values = new java.util.LinkedHashMap<>();
        first.save(counters, values);
        assertEquals(before.length, counters.get(DivergenceMonitor.CHECKS_KEY));
        assertEquals(DivergenceMonitor.WINDOW, values.size());
        DivergenceMonitor resumed = new DivergenceMonitor(1.0);
        resumed.load(counters, values);
        DivergenceMonitor fresh = new DivergenceMonitor(1.0); // what a resume got before
        List<String> expected = new java.util.ArrayList<>();
        List<String> got = new java.util.ArrayList<>();
        List<String> unsaved = new java.util.ArrayList<>();
        for (double q : after) {
            expected.add(full.checkQ(q));
            got.add(resumed.checkQ(q));
            unsaved.add(fresh.checkQ(q));
        }
        assertEquals(expected, got);
        assertTrue(expected.get(0).contains("grew from 0.110 to 0.600 within 8 checks"), expected.get(0));
        assertNull(unsaved.get(0)); // the warning an unsaved history misses
        assertEquals(full.checks(), resumed.checks());

        // an older checkpoint (no history), or one missing a slot, resumes with an empty history, as a new run
        DivergenceMonitor old = new DivergenceMonitor(1.0);
        old.load(java.util.Map.of(), java.util.Map.of());
        assertEquals(0, old.checks());
        values.remove(DivergenceMonitor.HISTORY_PREFIX + 3);
        DivergenceMonitor partial = new DivergenceMonitor(1.0);
        partial.load(counters, values);
        assertEquals(0, partial.checks());
        assertNull(partial.checkQ(0.6));
    }
}
