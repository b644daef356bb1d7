package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdamWTest {
    /** Runs steps of loss = sum(w^3) + sum(b^2) and returns the final weights. */
    private static float[][] run(boolean fused, double clip, int steps) {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> p = new LinkedHashMap<>();
            p.put("w", m.create(new float[] {0.5f, -1f, 2f, 0.1f}, new ai.djl.ndarray.types.Shape(2, 2)));
            p.put("b", m.create(new float[] {1f, -3f}));
            p.values().forEach(a -> a.setRequiresGradient(true));
            double firstNorm = 0;
            try (AdamW opt = new AdamW(p, 0.1, fused)) {
                for (int s = 0; s < steps; s++) {
                    try (NDManager sm = m.newSubManager()) {
                        try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                            NDArray w = p.get("w");
                            NDArray b = p.get("b");
                            NDArray loss = w.mul(w).mul(w).sum().add(b.mul(b).sum());
                            loss.attach(sm);
                            gc.backward(loss);
                        }
                        double n = opt.step(sm, 0.1, clip);
                        if (s == 0) {
                            firstNorm = n;
                        }
                        for (NDArray a : p.values()) {
                            NDArray g = a.getGradient();
                            g.attach(sm);
                            g.muli(0);
                        }
                    }
                }
                assertEquals(steps, opt.steps());
            }
            // grad of w^3 is 3w^2, of b^2 is 2b: norm of (0.75, 3, 12, 0.03, 2, -6)
            assertEquals(Math.sqrt(0.75 * 0.75 + 9 + 144 + 0.0009 + 4 + 36), firstNorm, 1e-4);
            return new float[][] {p.get("w").toFloatArray(), p.get("b").toFloatArray()};
        }
    }

    @Test
    void fusedKernelAndNdArrayOpsGiveTheSameUpdate() {
        for (double clip : new double[] {0, 1.0}) {
            float[][] a = run(true, clip, 3);
            float[][] b = run(false, clip, 3);
            assertArrayEquals(a[0], b[0], 1e-6f);
            assertArrayEquals(a[1], b[1], 1e-6f);
        }
    }

    @Test
    void firstStepMovesEachWeightByLrAgainstTheGradientWithDecoupledDecayOnMatricesOnly() {
        // Adam's first step is lr * g/|g| (bias-corrected m/sqrt(v)); decay 0.1 * lr shrinks the matrix only
        float[][] r = run(false, 0, 1);
        assertArrayEquals(new float[] {0.5f * 0.99f - 0.1f, -1f * 0.99f - 0.1f, 2f * 0.99f - 0.1f, 0.1f * 0.99f - 0.1f},
                r[0], 1e-5f);
        assertArrayEquals(new float[] {0.9f, -2.9f}, r[1], 1e-5f);
    }
}
