package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The positive threshold a run gets when none is given: a classifier probability counts as positive above
 * half its weight, however the spec is written; anything else (a margin, VADER, a mix) above 0.
 */
class DefaultThresholdTest {
    @Test
    void aClassifierProbabilityIsPositiveAboveHalfItsWeight() {
        assertEquals(0.5, DqnCli.defaultThreshold(List.of("classifier:model=m")));
        // a weight written out (it was 0.0: every probability counted as positive)
        assertEquals(0.5, DqnCli.defaultThreshold(List.of("1*classifier:model=m")));
        assertEquals(0.5, DqnCli.defaultThreshold(List.of("classifier:model=m,mode=prob")));
        assertEquals(0.5, DqnCli.defaultThreshold(List.of("0.5*classifier:model=a", "0.5*classifier:model=b")));
        assertEquals(0.5, DqnCli.defaultThreshold(List.of("0.5*classifier:model=a + 0.5*classifier:model=b")));
        assertEquals(1.0, DqnCli.defaultThreshold(List.of("2*classifier:model=m")));
    }

    @Test
    void otherRewardsArePositiveAboveZero() {
        // a logit margin is unbounded and centred on 0 (it got 0.5 by its id)
        assertEquals(0.0, DqnCli.defaultThreshold(List.of("classifier:model=m,mode=margin")));
        assertEquals(0.0, DqnCli.defaultThreshold(List.of("vader")));
        assertEquals(0.0, DqnCli.defaultThreshold(List.of("classifier:model=m", "0.2*repetition")));
        assertEquals(0.0, DqnCli.defaultThreshold(List.of("-1*classifier:model=m")));
        assertEquals(0.0, DqnCli.defaultThreshold(List.of("classifier2")));
    }
}
