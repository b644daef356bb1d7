package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.NativeCalls;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code classifier train}'s head training steps and validation passes are gated native calls ({@link NativeCalls}):
 * before, a second Ctrl-C or SIGTERM could halt the JVM in the middle of a PyTorch backward pass or Adam step.
 * Asserted on thread states, not durations.
 */
class HeadTrainerGateTest {

    @Test
    void trainingStepsEnterTheGate() throws Exception {
        Random r = new Random(5);
        float[][] x = new float[12][4];
        int[] y = new int[12];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i] = i % 2;
        }
        int[] train = {0, 1, 2, 3, 4, 5, 6, 7};
        int[] val = {8, 9, 10, 11};
        ClassifierConfig cfg = ClassifierConfig.mlp().withMaxEpochs(2);
        NativeCalls open = new NativeCalls();
        HeadTrainer.train(x, y, 2, train, val, cfg, open);
        assertEquals(0, open.inFlight(), "training left its gate entered");

        NativeCalls closed = new NativeCalls();
        assertTrue(closed.quiesce(0));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                HeadTrainer.train(x, y, 2, train, val, cfg, closed);
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.isAlive() && t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "training never waited: " + t.getState());
            Thread.sleep(5);
        }
        assertTrue(t.isAlive(), "training ran under a quiesced gate");
        t.interrupt();
        t.join(60_000);
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertEquals(0, closed.inFlight());
    }
}
