package dev.qdecode.models;

import java.util.List;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Keeps the JVM from ending under a thread that is inside a native ONNX Runtime call.
 *
 * <p>ONNX Runtime's Java API releases its native environment ({@code OrtReleaseEnv}) from a JVM
 * shutdown hook of its own ({@code OrtEnvironment$OrtEnvCloser}), and shutdown hooks run concurrently
 * with each other and with the threads still running. Ctrl-C or SIGTERM with the JVM's own handling
 * (it calls {@code System.exit} at once) thus freed the environment while the MiniLM encoder was inside
 * {@code OrtSession.run} or {@code createSession}: SIGSEGV or SIGBUS in {@code libonnxruntime} ("A fatal
 * error has been detected by the Java Runtime Environment") instead of the exit code. No hook can be
 * ordered before another, so the wait happens before the shutdown starts:
 *
 * <ul>
 *   <li>code that makes such a call brackets it with {@link #enter()} and {@link #exit()};
 *   <li>a command-line entry point calls {@link #handleTerminationSignals()} first: SIGINT, SIGTERM and
 *       SIGHUP then {@link #quiesce(long) quiesce} {@link #PROCESS} (refuse new calls, wait for those in
 *       flight: a batch, usually well under a second) and only then {@code System.exit(128 + signal)},
 *       as the JVM's own handler would;
 *   <li>code that halts the JVM ({@code Runtime.halt} also runs the native libraries' exit-time
 *       destructors) quiesces {@link #PROCESS} first;
 *   <li>{@link #PROCESS}'s own shutdown hook quiesces it too, so that no call starts once the JVM is
 *       ending some other way ({@code System.exit} from another thread); it cannot hold back ONNX
 *       Runtime's hook for a call already in flight then.
 * </ul>
 *
 * <p>A call entered after {@link #quiesce(long)} blocks until the JVM ends (it is not refused with an
 * exception, which would print an error on the way out of an interrupted command); a thread
 * interrupted while so blocked gets an {@link IllegalStateException}.
 */
public final class NativeCalls {
    /** How long the JVM's shutdown waits for native calls in flight, at most: longer than any batch. */
    public static final long SHUTDOWN_WAIT_MILLIS = 30_000;

    /** The process-wide gate: a shutdown hook quiesces it when the JVM starts to end. */
    public static final NativeCalls PROCESS = new NativeCalls();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(
                    new Thread(() -> PROCESS.quiesce(SHUTDOWN_WAIT_MILLIS), "qdecode-native-calls"));
        } catch (IllegalStateException shuttingDown) {
            // first used while the JVM is already ending: nothing is in flight, and nothing may start
            PROCESS.quiesce(0);
        }
    }

    private int inFlight;
    private boolean quiesced;

    /**
     * A gate of its own, which no shutdown hook quiesces (for tests); the process's native calls use
     * {@link #PROCESS}.
     */
    public NativeCalls() {}

    /**
     * Enters a native call. Pair it with {@link #exit()} in a {@code finally} block.
     *
     * @throws IllegalStateException when the thread is interrupted while the gate is quiesced
     *     (otherwise a call entered after {@link #quiesce(long)} waits until the JVM has ended)
     */
    public synchronized void enter() {
        while (quiesced) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("native call refused: the JVM is shutting down", e);
            }
        }
        inFlight++;
    }

    /**
     * Enters a native call unless the gate is quiesced (for releasing native resources, which can be
     * skipped while the JVM ends). When it returns true, pair it with {@link #exit()}.
     *
     * @return whether the call may go on
     */
    public synchronized boolean tryEnter() {
        if (quiesced) {
            return false;
        }
        inFlight++;
        return true;
    }

    /** Leaves a native call entered with {@link #enter()} or {@link #tryEnter()}. */
    public synchronized void exit() {
        if (inFlight <= 0) {
            throw new IllegalStateException("NativeCalls.exit() without a matching enter()");
        }
        inFlight--;
        notifyAll();
    }

    /**
     * Refuses new native calls (they wait, see {@link #enter()}) and waits for those in flight.
     * Called more than once, the later calls only wait.
     *
     * @param timeoutMillis the longest wait (0: do not wait)
     * @return true when no call is in flight any more, false when the wait timed out or was interrupted
     */
    public synchronized boolean quiesce(long timeoutMillis) {
        quiesced = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMillis));
        while (inFlight > 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            try {
                wait(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Ends the JVM with {@code System.exit(status)} (shutdown hooks included) once {@link #PROCESS} is
     * quiesced: no native call in flight, none started any more.
     *
     * @param status the exit status
     */
    public static void exitWhenQuiet(int status) {
        PROCESS.quiesce(SHUTDOWN_WAIT_MILLIS);
        System.exit(status);
    }

    /**
     * Makes SIGINT, SIGTERM and SIGHUP end the JVM through {@link #exitWhenQuiet} with the status the
     * JVM's own handler gives (128 + the signal's number: 130, 143, 129), so that no native call is in
     * flight when the shutdown hooks run. A signal that the process ignores (e.g. SIGHUP under
     * {@code nohup}, SIGINT for a background job) stays ignored, and nothing changes where the JVM
     * reserves the signals ({@code -Xrs}). Call it first thing in a {@code main}; a later
     * {@code Signal.handle} for one of them (e.g. a Ctrl-C that saves work) replaces it for that signal.
     */
    public static void handleTerminationSignals() {
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                Signal signal = new Signal(name);
                int status = 128 + signal.getNumber();
                Signal.handle(signal, s -> exitWhenQuiet(status));
            } catch (IllegalArgumentException e) {
                // not on this platform, or reserved by the JVM (-Xrs): its own handling stays
            }
        }
    }

    /**
     * The number of native calls in flight.
     *
     * @return calls entered and not yet exited
     */
    public synchronized int inFlight() {
        return inFlight;
    }
}
