package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
 *
 * <p>Both handlers ({@link Interrupts#noticeThenQuit} and {@link Interrupts#saveOrQuit}, {@link Interrupts#install}'s)
 * let a later interrupt quit only once the first one's notice is printed: a second SIGINT 0 ms after the first on
 * {@code sft} halted the JVM between the notice's leading blank line and the notice, so the process ended (130)
 * with no word of what happened (1 of 6 runs).
 */
class InterruptsNoticeOnceTest {
    private static final Signal INT = new Signal("INT");
    private static final String NOTICE = "nothing was saved to runs/x";

    @Test
    void aSecondInterruptDoesNotPrintTheNoticeAgain() {
        StringWriter text = new StringWriter();
        AtomicInteger quits = new AtomicInteger();
        SignalHandler h = Interrupts.noticeThenQuit(new PrintWriter(text), NOTICE, new Interrupts.FirstNotice(60_000),
                status -> quits.incrementAndGet()); // stands for quitNow, not halted yet when the second arrives
        h.handle(INT);
        h.handle(INT);
        // no blank line before it: nothing was left on the line (InterruptNoticeLineTest)
        assertEquals("qdecode: interrupted: " + NOTICE + System.lineSeparator(), text.toString());
        assertEquals(2, quits.get());
    }

    @Test
    void interruptsOnThreadsOfTheirOwnPrintTheNoticeOnce() throws InterruptedException {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch quitting = new CountDownLatch(n);
        SignalHandler h = Interrupts.noticeThenQuit(err, NOTICE, new Interrupts.FirstNotice(60_000),
                status -> quitting.countDown());
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
        long printed = text.toString().lines().filter(l -> l.equals("qdecode: interrupted: " + NOTICE)).count();
        assertEquals(1, printed, text.toString());
    }

    @Test
    void aQuittingInterruptWaitsForTheFirstOnesNotice() throws InterruptedException {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        String save = "qdecode: interrupted: saving a checkpoint (Ctrl-C again to quit without saving)";
        assertEquals(List.of("printed: " + save, "quit"), secondWhileFirstPrints(events, save,
                (err, quit) -> Interrupts.saveOrQuit(err, "a checkpoint", new Interrupts.FirstNotice(60_000), quit)));
        events.clear();
        assertEquals(List.of("printed: qdecode: interrupted: " + NOTICE, "quit", "quit"), secondWhileFirstPrints(events,
                "qdecode: interrupted: " + NOTICE,
                (err, quit) -> Interrupts.noticeThenQuit(err, NOTICE, new Interrupts.FirstNotice(60_000), quit)));
    }

    /**
     * Runs a handler for a first interrupt whose printing is held up at the notice line, then for a second one on
     * another thread, lets the first print once the second is waiting (or done), and returns what happened in order.
     */
    private static List<String> secondWhileFirstPrints(List<String> events, String line,
            java.util.function.BiFunction<PrintWriter, java.util.function.IntConsumer, SignalHandler> handler) throws InterruptedException {
        CountDownLatch inNotice = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Writer held = new Writer() {
            private final StringBuilder pending = new StringBuilder();

            @Override
            public void write(char[] buf, int off, int len) {
                pending.append(buf, off, len);
                int nl;
                while ((nl = pending.indexOf(System.lineSeparator())) >= 0) {
                    String l = pending.substring(0, nl);
                    pending.delete(0, nl + System.lineSeparator().length());
                    if (l.equals(line)) {
                        inNotice.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        events.add("printed: " + l);
                    }
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        SignalHandler h = handler.apply(new PrintWriter(held), status -> events.add("quit"));
        Thread first = new Thread(() -> h.handle(INT), "SIGINT handler 1");
        first.start();
        inNotice.await();
        Thread second = new Thread(() -> h.handle(INT), "SIGINT handler 2");
        second.start();
        while (second.isAlive() && second.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait(); // the second has quit already, or waits for the notice
        }
        release.countDown();
        first.join();
        second.join();
        return List.copyOf(events);
    }
}
