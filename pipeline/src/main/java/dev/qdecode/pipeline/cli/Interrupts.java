package dev.qdecode.pipeline.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C for the long jobs that can save their work ({@code train}, {@code sft}): the first
 * interrupt asks the job to stop at the end of its current step and write a checkpoint (the job
 * then exits with {@link ExitCodes#INTERRUPTED} and says how to resume); a second one quits at once.
 * A job that cannot save its work says so ({@link #quitWithNotice}). Commands that call neither keep the
 * JVM's default: Ctrl-C ends them.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is used because the JDK has no public way to
 * handle SIGINT without the JVM shutting down; a shutdown hook cannot let the job finish its step.
 */
final class Interrupts {
    private static final AtomicBoolean REQUESTED = new AtomicBoolean();

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
                Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
            }
            err.println();
            err.println("qdecode: interrupted: saving " + what + " (Ctrl-C again to quit without saving)");
            err.flush();
        });
    }

    /**
     * For a job that cannot save its work: Ctrl-C prints one line saying so and what to do, then exits
     * with {@link ExitCodes#INTERRUPTED} at once.
     *
     * @param err where the line is printed
     * @param notice the line, without the {@code qdecode: } prefix
     */
    static synchronized void quitWithNotice(PrintWriter err, String notice) {
        handle(s -> {
            err.println();
            err.println("qdecode: " + notice);
            err.flush();
            Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
        });
    }

    /** Gives Ctrl-C back to the JVM's default (it ends the process), e.g. once a job's unsaved work is done. */
    static synchronized void restoreDefault() {
        handle(SignalHandler.SIG_DFL);
    }

    /** Sets the SIGINT handler, where the platform lets the JVM have one. */
    private static void handle(SignalHandler h) {
        try {
            Signal.handle(new Signal("INT"), h);
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
