package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The reported "KL to pi_ref" is the exact per-state KL(π ‖ π_ref) from the two distributions on the candidate set,
 * not the sampled-token term log π(a) − log π_ref(a), which is negative whenever the sampled token is less likely
 * under π than under π_ref.
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
        assertEquals(0.1927448, PolicyMath.exactKl(logPi, logRef), 1e-6);
    }

    /** The base model is its own reference: 0, whatever share of the vocabulary's mass the candidates hold. */
    @Test
    void theBasePolicyOnItsCandidatesHasNoKl() {
        float[] logRef = {(float) Math.log(0.75), (float) Math.log(0.25)};
        double[] logPi = {Math.log(0.75), Math.log(0.25)};
        assertEquals(0.0, PolicyMath.exactKl(logPi, logRef), 1e-7);
    }

    /** A candidate the policy never takes (log π = −∞) adds nothing, as 0·log 0 = 0. */
    @Test
    void aCandidateWithoutPolicyMassAddsNothing() {
        float[] logRef = {(float) Math.log(0.5), (float) Math.log(0.5)};
        double[] logPi = {0.0, Double.NEGATIVE_INFINITY};
        assertEquals(Math.log(2), PolicyMath.exactKl(logPi, logRef), 1e-6);
    }
}
