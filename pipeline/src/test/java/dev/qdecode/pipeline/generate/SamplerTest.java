package dev.qdecode.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {0.0f, 3.0f, 1.0f, 2.0f, -1.0f};

    @Test
    void greedyPicksArgmaxAndRespectsBansAndAllowedSets() {
        Sampler s = new Sampler(SamplingConfig.greedyDecoding());
        SplittableRandom r = new SplittableRandom(1);
        assertEquals(1, s.pick(LOGITS, 0, 5, null, null, r));
        assertEquals(3, s.pick(LOGITS, 0, 5, null, new int[] {1}, r));
        assertEquals(2, s.pick(LOGITS, 0, 5, new int[] {0, 2, 4}, null, r));
        // Row offset: second row of a 2 x 5 batch.
        float[] two = new float[10];
        System.arraycopy(LOGITS, 0, two, 5, 5);
        assertEquals(1, s.pick(two, 5, 5, null, null, r));
    }

    @Test
    void topKOneIsGreedyAndTopKLimitsTheSupport() {
        SplittableRandom r = new SplittableRandom(7);
        Sampler k1 = new Sampler(new SamplingConfig(false, 1.0, 1, 1.0));
        for (int i = 0; i < 50; i++) {
            assertEquals(1, k1.pick(LOGITS, 0, 5, null, null, r));
        }
        Sampler k2 = new Sampler(new SamplingConfig(false, 1.0, 2, 1.0));
        for (int i = 0; i < 500; i++) {
            int t = k2.pick(LOGITS, 0, 5, null, null, r);
            assertTrue(t == 1 || t == 3, "top-2 support is {1,3}, got " + t);
        }
    }

    @Test
    void topPKeepsTheSmallestNucleus() {
        // softmax(LOGITS): p1=.6439, p3=.2369, p2=.0871, p0=.0321, p4=.0118
        SplittableRandom r = new SplittableRandom(3);
        Sampler p = new Sampler(new SamplingConfig(false, 1.0, 0, 0.85));
        for (int i = 0; i < 500; i++) {
            int t = p.pick(LOGITS, 0, 5, null, null, r);
            assertTrue(t == 1 || t == 3, "nucleus 0.85 is {1,3}, got " + t);
        }
    }

    @Test
    void samplingFrequenciesFollowTheSoftmax() {
        SplittableRandom r = new SplittableRandom(11);
        Sampler s = new Sampler(new SamplingConfig(false, 1.0, 0, 1.0));
        int n = 40_000;
        int[] counts = new int[5];
        for (int i = 0; i < n; i++) {
            counts[s.pick(LOGITS, 0, 5, null, null, r)]++;
        }
        double z = 0;
        for (float l : LOGITS) {
            z += Math.exp(l);
        }
        for (int i = 0; i < 5; i++) {
            double expected = Math.exp(LOGITS[i]) / z;
            assertEquals(expected, counts[i] / (double) n, 0.01, "token " + i);
        }
    }

    @Test
    void sameSeedSameSequenceAndTemperatureSharpens() {
        Sampler s = new Sampler(new SamplingConfig(false, 1.0, 0, 1.0));
        SplittableRandom a = new SplittableRandom(5);
        SplittableRandom b = new SplittableRandom(5);
        for (int i = 0; i < 100; i++) {
            assertEquals(s.pick(LOGITS, 0, 5, null, null, a), s.pick(LOGITS, 0, 5, null, null, b));
        }
        Sampler cold = new Sampler(new SamplingConfig(false, 0.05, 0, 1.0));
        SplittableRandom r = new SplittableRandom(9);
        int notBest = 0;
        for (int i = 0; i < 1000; i++) {
            if (cold.pick(LOGITS, 0, 5, null, null, r) != 1) {
                notBest++;
            }
        }
        assertEquals(0, notBest);
    }

    @Test
    void partialSortOrdersTheTopKWithTiesByLowerId() {
        float[] x = {1f, 5f, 5f, 2f, 9f, 0f};
        int[] idx = {0, 1, 2, 3, 4, 5};
        Sampler.partialSortDescending(x, idx, 6, 3);
        assertEquals(4, idx[0]);
        assertEquals(1, idx[1]);
        assertEquals(2, idx[2]);
        assertNotEquals(idx[2], idx[1]);
    }

    @Test
    void invalidSettingsNameTheOption() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(false, 0, 0, 1))
                .getMessage().startsWith("--temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(false, 1, -1, 1))
                .getMessage().startsWith("--top-k"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(false, 1, 0, 1.5))
                .getMessage().startsWith("--top-p"));
    }
}
