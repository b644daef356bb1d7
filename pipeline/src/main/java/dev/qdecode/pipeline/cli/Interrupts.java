package dev.qdecode.pipeline.cli;

import dev.qdecode.models.NativeCalls;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C, SIGTERM and SIGHUP for the long jobs that can save their work ({@code train}, {@code sft},
 * {@code generate --output}, {@code evaluate}, {@code rewards score --output}): the first of these signals asks the
 * job to stop at the end of its current step and write a checkpoint (the job then exits with {@link #status()}:
 * 128 + the signal's number, {@link ExitCodes#INTERRUPTED} for Ctrl-C, and says how to resume); a second one (any of
 * the three) quits at once without saving (after the native call in flight, if any: see {@link #quitNow}).
 * A job that cannot save its work says so ({@link #quitWithNotice}). The three signals share one handler, so that a
 * batch scheduler's SIGTERM (Slurm, Kubernetes, systemd, {@code timeout}) saves what a Ctrl-C saves; it went to
 * {@link NativeCalls}' handler, which exited (143) with no word and lost the work since the last checkpoint.
 * Commands that call neither keep the handlers in place before (in the CLI, {@code Main}'s
 * {@link NativeCalls#handleTerminationSignals()}: a signal ends them once no native call is in flight), and
 * {@link #restoreDefault()} gives the signals back to them. A signal that the process ignores (SIGHUP under
 * {@code nohup}, SIGINT of a background job) stays ignored: the JVM installs no handler for it.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is used because the JDK has no public way to
 * handle SIGINT without the JVM shutting down; a shutdown hook cannot let the job finish its step.
 */
final class Interrupts {
    /** The signals handled, each with the same handler: Ctrl-C, a scheduler's stop, a closed terminal. */
    static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");
    /** Waits at most this long for the first interrupt's notice before a later one quits. */
    static final long NOTICE_WAIT_MILLIS = 1_000;
    /** Taken by the first interrupt under {@link #install}: the job is asked to stop ({@link #requested()}). */
    private static final FirstNotice REQUESTED = new FirstNotice(NOTICE_WAIT_MILLIS);
    /** Taken by the first interrupt under {@link #quitWithNotice}: the process is quitting. */
    private static final FirstNotice QUITTING = new FirstNotice(NOTICE_WAIT_MILLIS);
    /**
     * The handler of each of {@link #SIGNALS} in place before this class installed its own, which
     * {@link #restoreDefault()} puts back; empty while none of this class's handlers is installed.
     */
    private static final Map<String, SignalHandler> BEFORE = new LinkedHashMap<>();

    private Interrupts() {}

    /**
     * Installs the handler of Ctrl-C, SIGTERM and SIGHUP (once per process; later calls only change where the notice
     * goes).
     *
     * @param err where the notice of the first interrupt is printed
     * @param what what is saved, for the notice (e.g. "a checkpoint after the current rollout")
     */
    static synchronized void install(PrintWriter err, String what) {
        handle(saveOrQuit(err, what, REQUESTED, Interrupts::quitNow));
    }

    /**
     * {@link #install}'s handler: the first interrupt prints the notice naming the signal (the job, which polls
     * {@link #requested()}, then stops and exits with {@link #status()}); a later one, of any of the {@link #SIGNALS},
     * quits with the first one's status, once the first one's notice is printed. The JVM runs each signal's handler on
     * a thread of its own, so a second Ctrl-C right after the first halted the JVM while the first was still
     * printing: the process ended with no notice, or only its leading blank line.
     *
     * @param err where the notice is printed
     * @param what what is saved, for the notice
     * @param notice taken by the first interrupt
     * @param quit ends the process with the exit status given ({@link #quitNow} in the CLI)
     * @return the handler
     */
    static SignalHandler saveOrQuit(PrintWriter err, String what, FirstNotice notice, IntConsumer quit) {
        return s -> {
            if (!printedFirst(err, "qdecode: " + interrupted(s) + ": saving " + what + " (" + again(s)
                    + " to quit without saving)", notice, s)) {
                quit.accept(notice.status());
            }
        };
    }

    /**
     * Prints a notice's line when this interrupt is the first to take {@code notice}; a later one instead waits
     * until the first one's line is printed (else its quit could cut that line short).
     *
     * @param err where the line is printed, on a line of its own ({@link #endLine})
     * @param line the line
     * @param notice taken by the first interrupt
     * @param s the signal received
     * @return whether this interrupt was the first (and printed the line)
     */
    private static boolean printedFirst(PrintWriter err, String line, FirstNotice notice, Signal s) {
        if (!notice.take(s)) {
            notice.awaitPrinted();
            return false;
        }
        try {
            endLine(err, s, System.console() != null);
            err.println(line);
            err.flush();
        } finally {
            notice.printed();
        }
        return true;
    }

    /**
     * Ends the line the notice would otherwise continue, and only that: a progress bar's line left open on
     * {@code err} ({@link ProgressBar#endLine}), or, for Ctrl-C at a terminal, the line the terminal echoed
     * {@code ^C} on. A notice printed with nothing left on the line (no bar, or standard error not a terminal: a
     * log, a pipe) follows no blank line; it followed one always.
     *
     * @param err where the notice goes
     * @param s the signal received
     * @param terminal whether the process runs at a terminal ({@code System.console() != null})
     */
    static void endLine(PrintWriter err, Signal s, boolean terminal) {
        if (!ProgressBar.endLine(err) && terminal && "INT".equals(s.getName())) {
            err.println();
        }
    }

    /**
     * How a notice names the signal: "interrupted" for Ctrl-C, as before, "interrupted by SIGTERM" (or SIGHUP).
     *
     * @param s the signal received
     * @return the words
     */
    static String interrupted(Signal s) {
        return "INT".equals(s.getName()) ? "interrupted" : "interrupted by SIG" + s.getName();
    }

    /**
     * What quits without saving, for the notice: Ctrl-C at a terminal; a job stopped by a scheduler's SIGTERM (or a
     * SIGHUP) is told of SIGTERM too (any of {@link #SIGNALS} quits).
     */
    private static String again(Signal s) {
        return "INT".equals(s.getName()) ? "Ctrl-C again" : "SIGTERM or Ctrl-C again";
    }

    /**
     * For a job that cannot save its work: Ctrl-C, SIGTERM or SIGHUP prints one line saying so and what to do,
     * {@code qdecode: interrupted: NOTICE} (with " by SIGTERM" after "interrupted" for SIGTERM, likewise SIGHUP),
     * then exits with 128 + the signal's number ({@link ExitCodes#INTERRUPTED} for Ctrl-C) at once (the line is
     * printed once, also when a signal arrives again while the process quits: see {@link #noticeThenQuit}).
     *
     * @param err where the line is printed
     * @param notice what was lost and what to do, without the {@code qdecode: interrupted: } prefix
     */
    static synchronized void quitWithNotice(PrintWriter err, String notice) {
        handle(noticeThenQuit(err, notice, QUITTING, Interrupts::quitNow));
    }

    /**
     * {@link #quitWithNotice}'s handler. The JVM runs each signal's handler on a thread of its own, and the first
     * interrupt's quit waits for the native call in flight ({@link #quitNow}) before the JVM halts, so a second
     * Ctrl-C can arrive while the first is still quitting: only the first to take {@code once} prints the notice (it
     * was printed twice), but every one asks to quit, with the first one's status, a later one once the notice is
     * printed (or {@link FirstNotice}'s wait is over, should the first be held up printing).
     *
     * @param err where the notice is printed
     * @param notice what was lost and what to do, without the {@code qdecode: interrupted: } prefix
     * @param once taken by the first interrupt, which prints the notice
     * @param quit ends the process with the exit status given ({@link #quitNow} in the CLI)
     * @return the handler
     */
    static SignalHandler noticeThenQuit(PrintWriter err, String notice, FirstNotice once, IntConsumer quit) {
        return s -> {
            printedFirst(err, "qdecode: " + interrupted(s) + ": " + notice, once, s);
            quit.accept(once.status());
        };
    }

    /**
     * Ends the JVM with the status given (128 + the signal's number) without running the job's remaining code or the
     * shutdown hooks, once no thread is inside a gated native call ({@link NativeCalls}: a forward pass, a training
     * step or update, a MiniLM batch): a halt still runs the native libraries' exit-time destructors, which must not
     * run under PyTorch or ONNX Runtime. The wait is the rest of that call, usually well under a second.
     *
     * @param status the exit status
     */
    private static void quitNow(int status) {
        NativeCalls.PROCESS.quiesce(NativeCalls.SHUTDOWN_WAIT_MILLIS);
        Runtime.getRuntime().halt(status);
    }

    /**
     * Gives Ctrl-C, SIGTERM and SIGHUP back to the handlers that were in place before {@link #install} or
     * {@link #quitWithNotice} (in the CLI, {@link NativeCalls#handleTerminationSignals()}'s, which ends the process
     * once no native call is in flight), e.g. once a job's work is saved; nothing changes for a signal that
     * neither installed a handler for.
     */
    static synchronized void restoreDefault() {
        for (Map.Entry<String, SignalHandler> e : BEFORE.entrySet()) {
            try {
                Signal.handle(new Signal(e.getKey()), e.getValue());
            } catch (IllegalArgumentException cannot) {
                // cannot happen where ours was installed; the handler stays as it is
            }
        }
        BEFORE.clear();
    }

    /**
     * Sets the handler of each of {@link #SIGNALS}, where the platform lets the JVM have one, keeping the one it
     * replaces for {@link #restoreDefault()} unless that is one of this class's own. The JVM leaves a signal that the
     * process ignores ignored ({@code Signal.handle} then returns {@code SIG_IGN}, which is restored as it was).
     */
    private static void handle(SignalHandler h) {
        for (String name : SIGNALS) {
            try {
                SignalHandler old = Signal.handle(new Signal(name), h);
                BEFORE.putIfAbsent(name, old);
            } catch (IllegalArgumentException e) {
                // not on this platform, or the JVM reserves it (-Xrs): the default stays
            }
        }
    }

    /**
     * Whether an interrupt has asked the job to stop.
     *
     * @return true after the first Ctrl-C, SIGTERM or SIGHUP under {@link #install}
     */
    static boolean requested() {
        return REQUESTED.taken();
    }

    /**
     * The exit status of a job that stopped because {@link #requested()}: 128 + the number of the signal that asked
     * it to, as a shell reports a process ended by it ({@link ExitCodes#INTERRUPTED}, 130, for Ctrl-C;
     * {@link ExitCodes#TERMINATED}, 143, for SIGTERM; {@link ExitCodes#HANGUP}, 129, for SIGHUP).
     *
     * @return the status; {@link ExitCodes#INTERRUPTED} when no signal has been received
     */
    static int status() {
        return REQUESTED.status();
    }

    /**
     * A notice that the first of several interrupts prints, each on a thread of its own: the others wait until it is
     * printed (at most a bounded time, so that a stderr that blocks does not keep them from quitting).
     */
    static final class FirstNotice {
        private final AtomicBoolean taken = new AtomicBoolean();
        /** The exit status for the signal that took the notice (written before {@link #taken} is set). */
        private volatile int status = ExitCodes.INTERRUPTED;
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
         * Takes the notice for the caller, which then prints it and calls {@link #printed()}; the first caller's
         * signal sets {@link #status()}.
         *
         * @param s the signal received
         * @return true for the first caller only
         */
        boolean take(Signal s) {
            if (taken.get()) {
                return false;
            }
            synchronized (this) {
                if (taken.get()) {
                    return false;
                }
                status = NativeCalls.exitStatus(s);
                taken.set(true);
                return true;
            }
        }

        /**
         * The exit status for the signal that took the notice: 128 + its number ({@link NativeCalls#exitStatus}).
         *
         * @return the status; {@link ExitCodes#INTERRUPTED} while not taken
         */
        int status() {
            return status;
        }

        /**
         * Whether an interrupt has taken the notice.
         *
         * @return true once {@link #take(Signal)} has returned true
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
