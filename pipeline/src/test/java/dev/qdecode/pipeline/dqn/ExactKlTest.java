package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The reported "KL to pi_ref" is the exact per-state KL(π ‖ π_ref) from the two distributions, not the sampled-token
 * term log π(a) − log π_ref(a), which is negative whenever the sampled token is less likely under π than under π_ref.
 */
class ExactKlTest {

    /** π_ref over C = {a, b} is (0.5, 0.5) renormalised; Q/τ_Q = (ln 4, 0) makes π = (0.8, 0.2). */
    private static double[] guided() {
        float[] logRef = {(float) Math.log(0.5), (float) Math.log(0.5)};
        double tau = 0.1;
        float[] q = {(float) (tau * Math.log(4)), 0f};
        return PolicyMath.guidedLogProbs(logRef, q, 0, 2, tau);
    }

    @Test
    void exactKlIsNonNegativeWhereTheSampledTermIsNegative() {
        double[] logPi = guided();
        float[] logRef = {(float) Math.log(0.5), (float) Math.log(0.5)};
        assertEquals(0.8, Math.exp(logPi[0]), 1e-6);
        assertEquals(0.2, Math.exp(logPi[1]), 1e-6);
        // the sampled-token term of token b: log 0.2 − log 0.5 < 0
        double sampled = logPi[1] - logRef[1];
        assertEquals(Math.log(0.4), sampled, 1e-6);
        assertTrue(sampled < 0);
        // by hand: 0.8·ln(0.8/0.5) + 0.2·ln(0.2/0.5) = 0.8·0.4700036 − 0.2·0.9162907 = 0.1927448
        double kl = PolicyMath.exactKl(logPi, logRef, 0.0);
        assertEquals(0.1927448, kl, 1e-6);
        // C holds half of π_ref's mass: log π_ref(a) = log 0.25, so the KL grows by −ln 0.5 = 0.6931472
        assertEquals(0.1927448 + 0.6931472, PolicyMath.exactKl(logPi, logRef, Math.log(0.5)), 1e-6);
    }

    @Test
    void theBasePolicyRestrictedToCandidatesHasTheTruncationCostAsKl() {
        float[] logRef = {(float) Math.log(0.75), (float) Math.log(0.25)};
        double[] logPi = {Math.log(0.75), Math.log(0.25)};
        assertEquals(0.0, PolicyMath.exactKl(logPi, logRef, 0.0), 1e-7);
        // the candidates hold 0.6 of π_ref's mass: KL(π_ref|C ‖ π_ref) = −ln 0.6
        assertEquals(-Math.log(0.6), PolicyMath.exactKl(logPi, logRef, Math.log(0.6)), 1e-6);
    }

    /** The reference mass counts only the eligible tokens: an allowed set restricts π_ref too. */
    @Test
    void candidateSetsCarryTheirShareOfTheEligibleMass() {
        // logits of 4 tokens with softmax (0.4, 0.3, 0.2, 0.1)
        float[] logits = {(float) Math.log(0.4), (float) Math.log(0.3), (float) Math.log(0.2), (float) Math.log(0.1)};
        Candidates.Set all = new Candidates(2, 1.0, 1).select(logits, 0, 4, null, null);
        assertEquals(Math.log(0.7), all.logEligibleMass(), 1e-6);
        assertEquals(Math.log(0.7), all.logMass(), 1e-6);
        Candidates.Set allowed = new Candidates(1, 1.0, 1).select(logits, 0, 4, new int[] {1, 2}, null);
        // tokens 1 and 2 are eligible (mass 0.5 of the vocabulary); C = {1} holds 0.3 / 0.5 of it
        assertEquals(Math.log(0.6), allowed.logEligibleMass(), 1e-6);
        assertEquals(Math.log(0.3), allowed.logMass(), 1e-6);
    }
}
