package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The median that {@code qdecode bench train} reports, as {@code bench generate} and {@code bench rewards} do. */
class DqnBenchTest {
    /** Before, an even count gave the upper of the two middle values: the median of 2 runs was the faster one. */
    @Test
    void theMedianOfAnEvenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.0, DqnBench.median(new double[] {3, 1}));
        assertEquals(2.5, DqnBench.median(new double[] {4, 1, 2, 3}));
        assertEquals(2.0, DqnBench.median(new double[] {3, 1, 2}));
        assertEquals(7.0, DqnBench.median(new double[] {7}));
    }
}
