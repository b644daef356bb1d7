package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Candidate restriction: top-k, top-p, minimum size, EOS, banned and allowed sets, renormalisation. */
class CandidatesTest {
    // probabilities ∝ exp(logit): ids 3 > 0 > 5 > 1 > 2 = 4 (tie) ; id 6 impossible
    private static final float[] LOGITS = {2f, 1f, 0f, 3f, 0f, 1.5f, Float.NEGATIVE_INFINITY};

    private static double prob(int id) {
        double z = 0;
        for (float x : LOGITS) {
            z += Math.exp(x);
        }
        return Math.exp(LOGITS[id]) / z;
    }

    @Test
    void topKSortedByProbabilityWithRenormalisedLogProbs() {
        Candidates.Set s = new Candidates(3, 1.0, 1).select(LOGITS, 0, 7, null, null);
        assertArrayEquals(new int[] {3, 0, 5}, s.ids());
        double mass = prob(3) + prob(0) + prob(5);
        for (int j = 0; j < 3; j++) {
            assertEquals(Math.log(prob(s.ids()[j]) / mass), s.logp()[j], 1e-6);
        }
        assertEquals(Math.log(mass), s.logMass(), 1e-6);
        assertEquals(1, s.indexOf(0));
        assertEquals(-1, s.indexOf(1));
    }

    @Test
    void tiesGoToTheLowerId() {
        assertArrayEquals(new int[] {3, 0, 5, 1, 2}, new Candidates(5, 1.0, 1).select(LOGITS, 0, 7, null, null).ids());
        // the full sort path (k > 64 or no limit) orders the same way, and skips impossible tokens
        assertArrayEquals(new int[] {3, 0, 5, 1, 2, 4}, new Candidates(0, 1.0, 1).select(LOGITS, 0, 7, null, null).ids());
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingTheMass() {
        double p3 = prob(3);
        double p30 = p3 + prob(0);
        assertArrayEquals(new int[] {3}, new Candidates(0, p3 - 1e-3, 1).select(LOGITS, 0, 7, null, null).ids());
        assertArrayEquals(new int[] {3, 0}, new Candidates(0, p3 + 1e-3, 1).select(LOGITS, 0, 7, null, null).ids());
        assertArrayEquals(new int[] {3, 0, 5}, new Candidates(0, p30 + 1e-3, 1).select(LOGITS, 0, 7, null, null).ids());
        // top-k caps top-p, and the minimum size lifts it
        assertArrayEquals(new int[] {3, 0}, new Candidates(2, 0.999, 1).select(LOGITS, 0, 7, null, null).ids());
        assertArrayEquals(new int[] {3, 0, 5}, new Candidates(4, 0.1, 3).select(LOGITS, 0, 7, null, null).ids());
    }

    @Test
    void bannedAndAllowedSets() {
        // EOS (id 3 here) banned before the minimum length
        assertArrayEquals(new int[] {0, 5}, new Candidates(2, 1.0, 1).select(LOGITS, 0, 7, null, new int[] {3}).ids());
        // token healing: only ids 1, 2, 4 allowed; top-p measured within the allowed set
        Candidates.Set s = new Candidates(0, 0.5, 1).select(LOGITS, 0, 7, new int[] {4, 2, 1}, null);
        assertArrayEquals(new int[] {1}, s.ids()); // p(1 | allowed) = e/(e+2) = 0.576 ≥ 0.5
        assertArrayEquals(new float[] {0f}, s.logp(), 1e-7f);
        assertArrayEquals(new int[] {1, 2}, new Candidates(0, 0.5, 2).select(LOGITS, 0, 7, new int[] {4, 2, 1}, null).ids());
        assertArrayEquals(new int[] {2}, new Candidates(3, 1.0, 1).select(LOGITS, 0, 7, new int[] {2, 1}, new int[] {1}).ids());
        assertThrows(IllegalStateException.class,
                () -> new Candidates(3, 1.0, 1).select(LOGITS, 0, 7, new int[] {6}, null));
    }

    @Test
    void aDemonstratedTokenOutsideTheSetJoinsItRenormalised() {
        float[] two = new float[14];
        System.arraycopy(LOGITS, 0, two, 7, 7);
        Candidates.Set top = new Candidates(2, 1.0, 1).select(two, 7, 7, null, null);
        Candidates.Set s = Candidates.include(top, two, 7, 2);
        assertArrayEquals(new int[] {3, 0, 2}, s.ids());
        double mass = prob(3) + prob(0) + prob(2);
        for (int j = 0; j < 3; j++) {
            assertEquals(Math.log(prob(s.ids()[j]) / mass), s.logp()[j], 1e-6);
        }
        assertEquals(Math.log(mass), s.logMass(), 1e-6);
        // a token already in the set leaves it as it is
        assertSame(top, Candidates.include(top, two, 7, 0));
    }

    @Test
    void rowOffsetsAndConfig() {
        float[] two = new float[14];
        System.arraycopy(LOGITS, 0, two, 7, 7);
        assertArrayEquals(new int[] {3, 0}, new Candidates(2, 1.0, 1).select(two, 7, 7, null, null).ids());
        Candidates c = Candidates.of(DqnConfig.defaults());
        assertEquals(20, c.maxSize(2048));
        assertEquals(7, c.maxSize(7));
        assertThrows(IllegalArgumentException.class, () -> new Candidates(2, 1.0, 3));
    }
}
