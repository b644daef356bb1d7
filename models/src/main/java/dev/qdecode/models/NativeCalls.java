package dev.qdecode.models;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import sun.misc.Signal;

/**
 * Keeps the JVM from ending under a thread that is inside a long native call: a PyTorch forward pass, backward
 * pass or optimizer step, or an ONNX Runtime call.
 *
 * <p>Ending the JVM ({@code System.exit} or {@code Runtime.halt}) runs the native libraries' exit-time destructors,
 * and ONNX Runtime's Java API also releases its native environment ({@code OrtReleaseEnv}) from a JVM shutdown hook
 * of its own ({@code OrtEnvironment$OrtEnvCloser}); shutdown hooks run concurrently with each other and with the
 * threads still running. A thread inside native code is not stopped by either: Ctrl-C or SIGTERM with the JVM's own
 * handling (it calls {@code System.exit} at once) crashed the MiniLM encoder inside {@code OrtSession.run} (SIGSEGV
 * or SIGBUS in {@code libonnxruntime}), and a halt under PyTorch's backward pass crashed {@code sft} (SIGSEGV in
 * {@code torchBackward}, an {@code hs_err_pid*.log}). So the wait happens before the JVM ends:
 *
 * <ul>
 *   <li>code that makes such a call brackets it with {@link #enter()} and {@link #exit()}, or passes it to
 *       {@link #call(Supplier)} or {@link #run(Runnable)}: the chokepoints are the model's forward passes
 *       ({@code CausalLM}, {@code KvCache#step}, {@code TrainableLlama}), the Q head's scores and update, the
 *       classifier head's training steps, {@code sft}'s training step and the MiniLM encoder's ONNX Runtime calls.
 *       The gate is re-entrant per thread: a call made inside another one (a forward inside a training step) does
 *       not wait, also once the gate is quiesced, since the outer call is in flight;
 *   <li>a command-line entry point calls {@link #handleTerminationSignals()} first: SIGINT, SIGTERM and
 *       SIGHUP then {@link #quiesce(long) quiesce} {@link #PROCESS} (refuse new calls, wait for those in
 *       flight: a batch, usually well under a second) and only then {@code System.exit(}{@link #exitStatus
 *       128 + signal}{@code )}, as the JVM's own handler would;
 *   <li>code that halts the JVM quiesces {@link #PROCESS} first;
 *   <li>{@link #PROCESS}'s own shutdown hook quiesces it too, so that no call starts once the JVM is
 *       ending some other way ({@code System.exit} from another thread, or the JVM's own signal handling).
 * </ul>
 *
 * <p>A program that uses the library without qdecode's command line needs no handler for PyTorch: however the JVM
 * ends through its shutdown ({@code System.exit}, or Ctrl-C or SIGTERM with the JVM's own handling), the exit-time
 * destructors run only after every shutdown hook has returned, and {@link #PROCESS}'s hook returns once no PyTorch
 * call is in flight (at most {@link #SHUTDOWN_WAIT_MILLIS}). No hook can be ordered before ONNX Runtime's, though:
 * a program that runs the MiniLM encoder (the {@code classifier} reward) should call {@link
 * #handleTerminationSignals()} first thing in its {@code main}, as qdecode's do, or, with signal handlers of its
 * own, {@code quiesce} {@link #PROCESS} before it exits. The library installs no signal handler by itself: they are
 * process-wide, and the program's own would be replaced.
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
    /** How deep the current thread is in calls entered on this gate (0: in none). */
    private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * A gate of its own, which no shutdown hook quiesces (for tests); the process's native calls use
     * {@link #PROCESS}.
     */
    public NativeCalls() {}

    /**
     * Enters a native call. Pair it with {@link #exit()} in a {@code finally} block. A thread already inside a call
     * on this gate enters at once (the outer call is in flight: a quiesce waits for it anyway).
     *
     * @throws IllegalStateException when the thread is interrupted while the gate is quiesced
     *     (otherwise a call entered after {@link #quiesce(long)} waits until the JVM has ended)
     */
    public void enter() {
        int[] d = depth.get();
        if (d[0] == 0) {
            synchronized (this) {
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
        }
        d[0]++;
    }

    /**
     * Enters a native call unless the gate is quiesced (for releasing native resources, which can be
     * skipped while the JVM ends); a thread already inside a call on this gate always enters. When it
     * returns true, pair it with {@link #exit()}.
     *
     * @return whether the call may go on
     */
    public boolean tryEnter() {
        int[] d = depth.get();
        if (d[0] == 0) {
            synchronized (this) {
                if (quiesced) {
                    return false;
                }
                inFlight++;
            }
        }
        d[0]++;
        return true;
    }

    /**
     * Leaves a native call entered with {@link #enter()} or {@link #tryEnter()} on the same thread.
     *
     * @throws IllegalStateException when the thread has no call on this gate to leave
     */
    public void exit() {
        int[] d = depth.get();
        if (d[0] <= 0) {
            throw new IllegalStateException("NativeCalls.exit() without a matching enter()");
        }
        if (--d[0] == 0) {
            synchronized (this) {
                inFlight--;
                notifyAll();
            }
        }
    }

    /**
     * Runs a native call between {@link #enter()} and {@link #exit()}.
     *
     * @param <T> what the call returns
     * @param body the call
     * @return what {@code body} returned
     * @throws IllegalStateException as {@link #enter()} does
     * @throws NullPointerException naming {@code body} when it is null
     */
    public <T> T call(Supplier<T> body) {
        Objects.requireNonNull(body, "body");
        enter();
        try {
            return body.get();
        } finally {
            exit();
        }
    }

    /**
     * Runs a native call that returns nothing between {@link #enter()} and {@link #exit()}.
     *
     * @param body the call
     * @throws IllegalStateException as {@link #enter()} does
     * @throws NullPointerException naming {@code body} when it is null
     */
    public void run(Runnable body) {
        Objects.requireNonNull(body, "body");
        enter();
        try {
            body.run();
        } finally {
            exit();
        }
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
     * JVM's own handler gives ({@link #exitStatus}: 130, 143, 129), so that no native call is in
     * flight when the shutdown hooks run. A signal that the process ignores (e.g. SIGHUP under
     * {@code nohup}, SIGINT for a background job) stays ignored, and nothing changes where the JVM
     * reserves the signals ({@code -Xrs}). Call it first thing in a {@code main}; a later
     * {@code Signal.handle} for one of them (e.g. a Ctrl-C that saves work) replaces it for that signal.
     * qdecode's own mains call it; the library never does (see the class comment for who else needs it).
     */
    public static void handleTerminationSignals() {
        for (String name : List.of("INT", "TERM", "HUP")) {
            try {
                Signal signal = new Signal(name);
                int status = exitStatus(signal);
                Signal.handle(signal, s -> exitWhenQuiet(status));
            } catch (IllegalArgumentException e) {
                // not on this platform, or reserved by the JVM (-Xrs): its own handling stays
            }
        }
    }

    /**
     * The exit status of a process ended by a signal, as a shell reports it and the JVM's own handler
     * exits with: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP).
     *
     * @param signal the signal
     * @return the status
     * @throws NullPointerException naming {@code signal} when it is null
     */
    public static int exitStatus(Signal signal) {
        Objects.requireNonNull(signal, "signal");
        return 128 + signal.getNumber();
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
