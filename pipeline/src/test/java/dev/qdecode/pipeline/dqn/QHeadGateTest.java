package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.NativeCalls;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The Q head's PyTorch work (scores, update, Polyak step) is a gated native call ({@link NativeCalls}): before,
 * {@code train}'s updates and the head's scores in rollouts, {@code evaluate} and {@code generate} could be halted
 * by a second Ctrl-C or SIGTERM in the middle of a PyTorch call. Asserted on thread states, not durations.
 */
class QHeadGateTest {
    private static final int H = 5;

    @Test
    void scoresUpdateAndPolyakEnterTheHeadsGate() throws Exception {
        float[] phi = new float[2 * H];
        java.util.Arrays.fill(phi, 0.5f);
        try (QHead head = new QHead(H, 4, 7, DqnConfig.Activation.RELU, 11)) {
            entersTheGate(head, "q", () -> head.q(phi, 2, new int[] {0, 1, 2, 3}, 2));
            entersTheGate(head, "train", () -> head.train(phi, 2, new int[] {1, 2}, new float[] {1, 0}, null, 0.01,
                    1, 1));
            entersTheGate(head, "polyak", () -> head.polyak(0.5));
        }
    }

    /** Under an open gate {@code op} leaves it as it was; under a quiesced one it waits in it (then is interrupted). */
    private static void entersTheGate(QHead head, String what, Runnable op) throws Exception {
        head.gate = new NativeCalls();
        op.run();
        assertEquals(0, head.gate.inFlight(), what + " left its gate entered");
        NativeCalls closed = new NativeCalls();
        assertTrue(closed.quiesce(0));
        head.gate = closed;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                op.run();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.isAlive() && t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, what + " never waited: " + t.getState());
            Thread.sleep(5);
        }
        assertTrue(t.isAlive(), what + " ran under a quiesced gate");
        t.interrupt();
        t.join(60_000);
        assertTrue(failure.get() instanceof IllegalStateException, what + ": " + failure.get());
        assertEquals(0, closed.inFlight());
    }
}
