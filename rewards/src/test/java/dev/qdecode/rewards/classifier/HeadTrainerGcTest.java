package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The classifier head's backward pass reads only memory its graph owns. The MLP head's ReLU was once
 * {@code maximum(0f)}: DJL put the 0 in a Java direct buffer released right after the op, autograd kept it
 * for the backward pass, and a garbage collection in between made the ReLU mask read freed memory (the
 * first layer's gradient changed by up to 0.24, so training under memory pressure gave other weights).
 */
class HeadTrainerGcTest {

    private static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /** The gradients of the MLP head's loss on one batch, with or without collections before backward. */
    private static List<float[]> gradients(boolean collectGarbage) throws InterruptedException {
        Random r = new Random(1);
        int n = 16;
        int d = 8;
        int h = 12;
        int k = 2;
        float[] oneHot = new float[n * k];
        for (int i = 0; i < n; i++) {
            oneHot[i * k + i % k] = 1;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(random(r, n * d, 1), new Shape(n, d));
            NDArray y = m.create(oneHot, new Shape(n, k));
            List<NDArray> params = List.of(m.create(random(r, d * h, 0.5), new Shape(d, h)), m.zeros(new Shape(h)),
                    m.create(random(r, h * k, 0.5), new Shape(h, k)), m.zeros(new Shape(k)));
            params.forEach(p -> p.setRequiresGradient(true));
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray loss = HeadTrainer.crossEntropy(HeadTrainer.forward(x, params, true, null), y);
                if (collectGarbage) {
                    // frees every unreachable direct buffer (freeing overwrites its first bytes)
                    for (int i = 0; i < 5; i++) {
                        System.gc();
                        Thread.sleep(40);
                    }
                }
                gc.backward(loss);
            }
            List<float[]> out = new ArrayList<>();
            for (NDArray p : params) {
                out.add(p.getGradient().toFloatArray());
            }
            return out;
        }
    }

    @Test
    void mlpGradientsDoNotDependOnGarbageCollectionBetweenForwardAndBackward() throws InterruptedException {
        List<float[]> quiet = gradients(false);
        for (int run = 0; run < 3; run++) {
            List<float[]> collected = gradients(true);
            for (int p = 0; p < quiet.size(); p++) {
                assertArrayEquals(quiet.get(p), collected.get(p), "gradient of parameter " + p + ", run " + run);
            }
        }
    }
}
