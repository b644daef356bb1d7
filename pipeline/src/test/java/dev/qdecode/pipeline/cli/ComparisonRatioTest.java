package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The base-vs-trained table's ratio column. A reward on a signed scale (VADER's compound score) can have a
 * negative base mean: a gain from −0.2 to +0.3 used to read "-1.500x", and a drop from −0.2 to −0.4 "2.000x".
 */
class ComparisonRatioTest {

    @Test
    void aRatioOnlyBetweenNonNegativeValuesWithABaseAboveZero() {
        assertEquals("   1.234x", DqnCli.ratio(0.8025, 0.990302));
        assertEquals("   0.000x", DqnCli.ratio(0.5, 0));
        assertEquals("        -", DqnCli.ratio(-0.2, 0.3));
        assertEquals("        -", DqnCli.ratio(-0.2, -0.4));
        assertEquals("        -", DqnCli.ratio(0.2, -0.1));
        assertEquals("        -", DqnCli.ratio(0, 0.5));
    }
}
