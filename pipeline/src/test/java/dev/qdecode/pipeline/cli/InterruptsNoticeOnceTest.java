package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link Interrupts#quitWithNotice}'s handler prints its notice once, however many interrupts arrive before the JVM
 * halts. The JVM runs each SIGINT's handler on a thread of its own, and the first one's halt waits for the ONNX
 * Runtime call in flight ({@code NativeCalls.quiesce}, a MiniLM batch in {@code classifier train}) or for the halt
 * itself: a second Ctrl-C in that time printed the notice again (seen with two SIGINTs 0-100 ms apart on
 * {@code classifier train} and {@code tokenizer train}). Every interrupt still asks to quit, so that a later one
 * quits even when the first is stuck printing.
 */
class InterruptsNoticeOnceTest {
    private static final Signal INT = new Signal("INT");
    private static final String NOTICE = "interrupted: nothing was saved to runs/x";

    @Test
    void aSecondInterruptDoesNotPrintTheNoticeAgain() {
        StringWriter text = new StringWriter();
        AtomicInteger quits = new AtomicInteger();
        SignalHandler h = Interrupts.noticeThenQuit(new PrintWriter(text), NOTICE, new AtomicBoolean(),
                quits::incrementAndGet); // stands for quitNow, which has not halted yet when the second arrives
        h.handle(INT);
        h.handle(INT);
        assertEquals(System.lineSeparator() + "qdecode: " + NOTICE + System.lineSeparator(), text.toString());
        assertEquals(2, quits.get());
    }

    @Test
    void interruptsOnThreadsOfTheirOwnPrintTheNoticeOnce() throws InterruptedException {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch quitting = new CountDownLatch(n);
        SignalHandler h = Interrupts.noticeThenQuit(err, NOTICE, new AtomicBoolean(), quitting::countDown);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                h.handle(INT);
            }, "SIGINT handler " + i);
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(0, quitting.getCount(), "every interrupt asks to quit");
        long printed = text.toString().lines().filter(l -> l.equals("qdecode: " + NOTICE)).count();
        assertEquals(1, printed, text.toString());
    }
}
