package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Checks that an operation is a gated native call: it leaves its gate as it found it, and it starts no native work
 * once the gate is quiesced (it waits in {@link NativeCalls#enter()}, as the JVM's second-signal halt requires), all
 * asserted on thread states, not durations.
 */
public final class GateChecks {
    private GateChecks() {}

    /**
     * Runs {@code op} under an open gate, then under a quiesced one on a thread of its own, which must wait in the
     * gate (and is then interrupted out of it).
     *
     * @param what the operation's name, for the messages
     * @param install gives the object under test the gate to enter
     * @param op the operation
     * @throws Exception when interrupted
     */
    public static void entersTheGate(String what, Consumer<NativeCalls> install, Runnable op) throws Exception {
        NativeCalls open = new NativeCalls();
        install.accept(open);
        op.run();
        assertEquals(0, open.inFlight(), what + " left its gate entered");
        NativeCalls closed = new NativeCalls();
        assertTrue(closed.quiesce(0));
        install.accept(closed);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                op.run();
                failure.set(new AssertionError(what + " ran under a quiesced gate"));
            } catch (RuntimeException | AssertionError e) {
                failure.set(e);
            }
        }, "gate-check");
        t.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.isAlive() && t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, what + " never waited: " + t.getState());
            Thread.sleep(5);
        }
        boolean waited = t.isAlive();
        t.interrupt();
        t.join(60_000);
        assertFalse(t.isAlive());
        assertTrue(waited, what + " did not wait for a quiesced gate: " + failure.get());
        assertTrue(failure.get() instanceof IllegalStateException, what + ": " + failure.get());
        assertEquals("native call refused: the JVM is shutting down", failure.get().getMessage());
        assertEquals(0, closed.inFlight(), what + " entered a quiesced gate");
    }
}
