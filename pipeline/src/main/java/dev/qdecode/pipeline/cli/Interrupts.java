package dev.qdecode.pipeline.cli;

import dev.qdecode.models.NativeCalls;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C for the long jobs that can save their work ({@code train}, {@code sft}): the first
 * interrupt asks the job to stop at the end of its current step and write a checkpoint (the job
 * then exits with {@link ExitCodes#INTERRUPTED} and says how to resume); a second one quits at once (after
 * the native inference call in flight, if any: see {@link #quitNow}).
 * A job that cannot save its work says so ({@link #quitWithNotice}). Commands that call neither keep the
 * handler in place before (in the CLI, {@code Main}'s {@link NativeCalls#handleTerminationSignals()}: Ctrl-C ends
 * them once no native call is in flight), and {@link #restoreDefault()} gives SIGINT back to it.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is used because the JDK has no public way to
 * handle SIGINT without the JVM shutting down; a shutdown hook cannot let the job finish its step.
 */
final class Interrupts {
    /** Waits at most this long for the first interrupt's notice before a later one quits. */
    static final long NOTICE_WAIT_MILLIS = 1_000;
    /** Taken by the first interrupt under {@link #install}: the job is asked to stop ({@link #requested()}). */
    private static final FirstNotice REQUESTED = new FirstNotice(NOTICE_WAIT_MILLIS);
    /** Taken by the first interrupt under {@link #quitWithNotice}: the process is quitting. */
    private static final FirstNotice QUITTING = new FirstNotice(NOTICE_WAIT_MILLIS);
    /**
     * The SIGINT handler in place before this class installed its own, which {@link #restoreDefault()} puts back;
     * null while none of this class's handlers is installed.
     */
    private static SignalHandler before;

    private Interrupts() {}

    /**
     * Installs the handler (once per process; later calls only change where the notice goes).
     *
     * @param err where the notice of the first interrupt is printed
     * @param what what is saved, for the notice (e.g. "a checkpoint after the current rollout")
     */
    static synchronized void install(PrintWriter err, String what) {
        handle(saveOrQuit(err, what, REQUESTED, Interrupts::quitNow));
    }

    /**
     * {@link #install}'s handler: the first interrupt prints the notice (the job, which polls {@link #requested()},
     * then stops); a later one quits, once the first one's notice is printed. The JVM runs each signal's handler on
     * a thread of its own, so a second Ctrl-C right after the first halted the JVM while the first was still
     * printing: the process ended with no notice, or only its leading blank line.
     *
     * @param err where the notice is printed
     * @param what what is saved, for the notice
     * @param notice taken by the first interrupt
     * @param quit ends the process ({@link #quitNow} in the CLI)
     * @return the handler
     */
    static SignalHandler saveOrQuit(PrintWriter err, String what, FirstNotice notice, Runnable quit) {
        return s -> {
            if (notice.take()) {
                try {
                    err.println();
                    err.println("qdecode: interrupted: saving " + what + " (Ctrl-C again to quit without saving)");
                    err.flush();
                } finally {
                    notice.printed();
                }
                return;
            }
            notice.awaitPrinted();
            quit.run();
        };
    }

    /**
     * For a job that cannot save its work: Ctrl-C prints one line saying so and what to do, then exits
     * with {@link ExitCodes#INTERRUPTED} at once (the line is printed once, also when Ctrl-C is pressed again while
     * the process quits: see {@link #noticeThenQuit}).
     *
     * @param err where the line is printed
     * @param notice the line, without the {@code qdecode: } prefix
     */
    static synchronized void quitWithNotice(PrintWriter err, String notice) {
        handle(noticeThenQuit(err, notice, QUITTING, Interrupts::quitNow));
    }

    /**
     * {@link #quitWithNotice}'s handler. The JVM runs each signal's handler on a thread of its own, and the first
     * interrupt's quit waits for the native call in flight ({@link #quitNow}) before the JVM halts, so a second
     * Ctrl-C can arrive while the first is still quitting: only the first to take {@code once} prints the notice (it
     * was printed twice), but every one asks to quit, a later one once the notice is printed (or
     * {@link FirstNotice}'s wait is over, should the first be held up printing).
     *
     * @param err where the notice is printed
     * @param notice the line, without the {@code qdecode: } prefix
     * @param once taken by the first interrupt, which prints the notice
     * @param quit ends the process ({@link #quitNow} in the CLI)
     * @return the handler
     */
    static SignalHandler noticeThenQuit(PrintWriter err, String notice, FirstNotice once, Runnable quit) {
        return s -> {
            if (once.take()) {
                try {
                    err.println();
                    err.println("qdecode: " + notice);
                    err.flush();
                } finally {
                    once.printed();
                }
            } else {
                once.awaitPrinted(); // else this one's halt could cut the first one's notice short
            }
            quit.run();
        };
    }

    /**
     * Ends the JVM with {@link ExitCodes#INTERRUPTED} without running the job's remaining code or the
     * shutdown hooks, once no thread is inside an ONNX Runtime call ({@link NativeCalls}): a halt still
     * runs the native libraries' exit-time destructors, which must not run under a MiniLM batch. The
     * wait is the rest of that call, usually well under a second.
     */
    private static void quitNow() {
        NativeCalls.PROCESS.quiesce(NativeCalls.SHUTDOWN_WAIT_MILLIS);
        Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
    }

    /**
     * Gives Ctrl-C back to the handler that was in place before {@link #install} or {@link #quitWithNotice} (in the
     * CLI, {@link NativeCalls#handleTerminationSignals()}'s, which ends the process once no ONNX Runtime call is in
     * flight), e.g. once a job's work is saved; nothing changes when neither installed a handler.
     */
    static synchronized void restoreDefault() {
        if (before == null) {
            return;
        }
        try {
            Signal.handle(new Signal("INT"), before);
        } catch (IllegalArgumentException e) {
            // cannot happen where ours was installed; the handler stays as it is
        }
        before = null;
    }

    /**
     * Sets the SIGINT handler, where the platform lets the JVM have one, keeping the one it replaces for
     * {@link #restoreDefault()} unless that is one of this class's own.
     */
    private static void handle(SignalHandler h) {
        try {
            SignalHandler old = Signal.handle(new Signal("INT"), h);
            if (before == null) {
                before = old;
            }
        } catch (IllegalArgumentException e) {
            // no SIGINT on this platform, or the JVM reserves it (-Xrs): the default stays
        }
    }

    /**
     * Whether an interrupt has asked the job to stop.
     *
     * @return true after the first Ctrl-C
     */
    static boolean requested() {
        return REQUESTED.taken();
    }

    /**
     * A notice that the first of several interrupts prints, each on a thread of its own: the others wait until it is
     * printed (at most a bounded time, so that a stderr that blocks does not keep them from quitting).
     */
    static final class FirstNotice {
        private final AtomicBoolean taken = new AtomicBoolean();
        private final CountDownLatch printed = new CountDownLatch(1);
        private final long waitMillis;

        /**
         * A notice not taken yet.
         *
         * @param waitMillis how long {@link #awaitPrinted()} waits at most
         */
        FirstNotice(long waitMillis) {
            this.waitMillis = waitMillis;
        }

        /**
         * Takes the notice for the caller, which then prints it and calls {@link #printed()}.
         *
         * @return true for the first caller only
         */
        boolean take() {
            return !taken.getAndSet(true);
        }

        /**
         * Whether an interrupt has taken the notice.
         *
         * @return true once {@link #take()} has been called
         */
        boolean taken() {
            return taken.get();
        }

        /** Says that the notice is printed (or that printing it failed): {@link #awaitPrinted()} returns. */
        void printed() {
            printed.countDown();
        }

        /** Waits until the notice is printed, at most the wait given (an interrupt of the waiting thread ends it). */
        void awaitPrinted() {
            try {
                printed.await(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
