package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The gate that keeps the JVM from ending while a native inference call runs: before it, Ctrl-C or
 * SIGTERM during a MiniLM batch let the JVM run ONNX Runtime's static destructors under the running
 * {@code OrtSession.run}, a SIGSEGV in libonnxruntime. A gate of its own per test: quiescing
 * {@link NativeCalls#PROCESS} would block the other tests' encoders.
 */
class NativeCallsTest {

    @Test
    void quiesceWaitsForTheCallInFlight() throws Exception {
        NativeCalls gate = new NativeCalls();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread call = new Thread(() -> {
            gate.enter();
            try {
                entered.countDown();
                await(finish);
                events.add("call done");
            } finally {
                gate.exit();
            }
        });
        call.start();
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        assertEquals(1, gate.inFlight());
        Thread quiescer = new Thread(() -> events.add("quiesced " + gate.quiesce(60_000)));
        quiescer.start();
        waitUntilBlocked(quiescer);
        assertEquals(List.of(), events, "quiesce returned while a call was in flight");
        finish.countDown();
        quiescer.join(60_000);
        call.join(60_000);
        assertEquals(List.of("call done", "quiesced true"), events);
        assertEquals(0, gate.inFlight());
    }

    @Test
    void aCallEnteredAfterQuiesceWaitsAndIsRefusedWhenInterrupted() throws Exception {
        NativeCalls gate = new NativeCalls();
        assertTrue(gate.quiesce(0), "nothing in flight");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread late = new Thread(() -> {
            try {
                gate.enter();
                failure.set(new AssertionError("entered a quiesced gate"));
            } catch (IllegalStateException e) {
                failure.set(e);
            }
        });
        late.start();
        waitUntilBlocked(late);
        assertEquals(0, gate.inFlight(), "the late call did not start");
        late.interrupt();
        late.join(60_000);
        assertTrue(failure.get() instanceof IllegalStateException, String.valueOf(failure.get()));
        assertEquals("native call refused: the JVM is shutting down", failure.get().getMessage());
        assertEquals(0, gate.inFlight());
    }

    @Test
    void quiesceGivesUpAfterItsTimeout() throws Exception {
        NativeCalls gate = new NativeCalls();
        gate.enter();
        assertFalse(gate.quiesce(0), "a call is in flight");
        assertFalse(CompletableFuture.supplyAsync(() -> gate.quiesce(1)).get(60, TimeUnit.SECONDS));
        gate.exit();
        assertTrue(gate.quiesce(0));
    }

    @Test
    void tryEnterIsRefusedOnceQuiesced() {
        NativeCalls gate = new NativeCalls();
        assertTrue(gate.tryEnter());
        assertEquals(1, gate.inFlight());
        gate.exit();
        assertTrue(gate.quiesce(0));
        assertFalse(gate.tryEnter(), "a quiesced gate starts no call");
        assertEquals(0, gate.inFlight());
    }

    @Test
    void exitWithoutEnterIsRefused() {
        NativeCalls gate = new NativeCalls();
        IllegalStateException e = assertThrows(IllegalStateException.class, gate::exit);
        assertEquals("NativeCalls.exit() without a matching enter()", e.getMessage());
    }

    @Test
    void theProcessGateIsOpen() {
        NativeCalls.PROCESS.enter();
        try {
            assertTrue(NativeCalls.PROCESS.inFlight() >= 1);
        } finally {
            NativeCalls.PROCESS.exit();
        }
    }

    /**
     * A call made inside another on the same thread (a forward pass inside an sft step, {@code logits} through
     * {@code hiddenStates}) goes on once the gate is quiesced: the outer call is in flight. Before the gate was
     * re-entrant, the inner call waited for the quiesce, which waited for the outer call: the second Ctrl-C
     * hung for {@link NativeCalls#SHUTDOWN_WAIT_MILLIS}.
     */
    @Test
    void aCallInsideAnotherGoesOnOnceQuiesced() throws Exception {
        NativeCalls gate = new NativeCalls();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch nest = new CountDownLatch(1);
        Thread call = new Thread(() -> {
            gate.enter();
            try {
                entered.countDown();
                await(nest);
                events.add("inner " + gate.call(() -> "ran"));
                events.add("in flight " + gate.inFlight());
            } finally {
                gate.exit();
            }
        });
        call.start();
        assertTrue(entered.await(30, TimeUnit.SECONDS));
        Thread quiescer = new Thread(() -> events.add("quiesced " + gate.quiesce(60_000)));
        quiescer.start();
        waitUntilBlocked(quiescer);
        nest.countDown();
        call.join(60_000);
        quiescer.join(60_000);
        boolean stuck = call.isAlive();
        call.interrupt();
        assertFalse(stuck, "the inner call waited for the quiesce that waited for the outer call");
        assertEquals(List.of("inner ran", "in flight 1", "quiesced true"), events);
        assertEquals(0, gate.inFlight());
    }

    @Test
    void callAndRunHoldTheGateWhileTheirBodyRuns() {
        NativeCalls gate = new NativeCalls();
        assertEquals(1, gate.call(gate::inFlight));
        List<Integer> seen = new CopyOnWriteArrayList<>();
        gate.run(() -> seen.add(gate.inFlight()));
        assertEquals(List.of(1), seen);
        assertThrows(ArithmeticException.class, () -> gate.run(() -> {
            throw new ArithmeticException("boom");
        }));
        assertEquals(0, gate.inFlight(), "left also when the body throws");
        assertTrue(gate.quiesce(0));
    }

    @Test
    void exitOnAnotherThreadThanEnterIsRefused() throws Exception {
        NativeCalls gate = new NativeCalls();
        gate.enter();
        IllegalStateException e = CompletableFuture.supplyAsync(() -> assertThrows(IllegalStateException.class,
                gate::exit)).get(60, TimeUnit.SECONDS);
        assertEquals("NativeCalls.exit() without a matching enter()", e.getMessage());
        assertEquals(1, gate.inFlight());
        gate.exit();
        assertEquals(0, gate.inFlight());
    }

    @Test
    void exitStatusIs128PlusTheSignalNumberAsAShellReportsIt() {
        assertEquals(130, NativeCalls.exitStatus(new sun.misc.Signal("INT")));
        assertEquals(143, NativeCalls.exitStatus(new sun.misc.Signal("TERM")));
        assertEquals(129, NativeCalls.exitStatus(new sun.misc.Signal("HUP")));
    }

    /** Waits (up to a minute) until the thread is parked in a wait: a state, not a duration, is asserted. */
    private static void waitUntilBlocked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertTrue(t.isAlive(), "the thread ended instead of waiting");
            assertTrue(System.nanoTime() < deadline, "the thread never waited: " + t.getState());
            Thread.sleep(5);
        }
    }

    private static void await(CountDownLatch l) {
        try {
            assertTrue(l.await(60, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
