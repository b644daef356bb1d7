package dev.qdecode.pipeline.cli;

import dev.qdecode.models.NativeCalls;
import java.io.PrintWriter;
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
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();
    /** Set once {@link #quitWithNotice}'s notice is printed: the process is quitting, later interrupts print nothing. */
    private static final AtomicBoolean QUITTING = new AtomicBoolean();
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
        handle(s -> {
            if (REQUESTED.getAndSet(true)) {
                quitNow();
            }
            err.println();
            err.println("qdecode: interrupted: saving " + what + " (Ctrl-C again to quit without saving)");
            err.flush();
        });
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
     * Ctrl-C can arrive while the first is still quitting: only the first to set {@code once} prints the notice (it
     * was printed twice), but every one asks to quit, so a later one still ends the process should the first be
     * held up printing (e.g. stderr a full pipe).
     *
     * @param err where the notice is printed
     * @param notice the line, without the {@code qdecode: } prefix
     * @param once set by the first interrupt that prints the notice
     * @param quit ends the process ({@link #quitNow} in the CLI)
     * @return the handler
     */
    static SignalHandler noticeThenQuit(PrintWriter err, String notice, AtomicBoolean once, Runnable quit) {
        return s -> {
            if (!once.getAndSet(true)) {
                err.println();
                err.println("qdecode: " + notice);
                err.flush();
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
        return REQUESTED.get();
    }
}
