package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM with {@link NativeCalls#handleTerminationSignals()} lets the native call in flight end before
 * any shutdown hook runs. Before, the JVM's own handler started the hooks at once, and ONNX Runtime's
 * hook released its environment under a running {@code OrtSession.run} or {@code createSession}
 * (SIGSEGV/SIGBUS in libonnxruntime). The child stands in for both: a "call" that ends when the test
 * says so, and a hook that prints when it runs.
 */
class NativeCallsSignalTest {

    /**
     * The child JVM: enters a call, ends it on a line from standard input, then waits to be ended; with the argument
     * {@code library}, as a program using the library would, without {@link NativeCalls#handleTerminationSignals()}.
     */
    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !"library".equals(args[0])) {
            NativeCalls.handleTerminationSignals();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("hook ran");
            System.out.flush();
        }));
        NativeCalls.PROCESS.enter();
        System.out.println("entered");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        in.readLine();
        System.out.println("call done");
        System.out.flush();
        NativeCalls.PROCESS.exit();
        NativeCalls.PROCESS.enter(); // a next call waits until the JVM has ended
        System.out.println("a call started after the signal");
        System.out.flush();
    }

    @Test
    void sigtermWaitsForTheCallInFlightBeforeTheShutdownHooks() throws Exception {
        Process p = child();
        // the call ends once the handler waits for it (in quiesce), the point where the JVM's own handling would
        // already be running the hooks
        List<String> lines = sigtermDuringTheCall(p, false);
        assertEquals(List.of("entered", "call done", "hook ran"), lines);
        assertEquals(143, p.exitValue(), "exit status as for the JVM's own SIGTERM handling");
    }

    /**
     * Why a program using the library needs no handler for PyTorch (see {@link NativeCalls}'s class comment): with the
     * JVM's own SIGTERM handling, {@link NativeCalls#PROCESS}'s shutdown hook holds the JVM's end (its exit-time
     * destructors) until the call in flight has returned, though the other hooks (ONNX Runtime's, here the child's
     * own) run at once: ONNX Runtime still needs the handler.
     */
    @Test
    void withoutTheHandlerTheShutdownStillWaitsForTheCallInFlight() throws Exception {
        Process p = child("library");
        // the call ends once the child's hook has run, so its line comes first however slowly the hooks start
        List<String> lines = sigtermDuringTheCall(p, true);
        assertEquals(List.of("entered", "hook ran", "call done"), lines);
        assertEquals(143, p.exitValue(), "the JVM's own SIGTERM status");
    }

    private static Process child(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                NativeCallsSignalTest.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * Sends SIGTERM while the child's call is in flight and ends the call at a point given by the child's state, not
     * by a delay: once its hook has printed ({@code afterHook}), else once a thread of the child waits in {@link
     * NativeCalls#quiesce} (the handler took the signal and waits for the call). A deadline only guards against a
     * child that never gets there. Returns the child's lines.
     */
    private static List<String> sigtermDuringTheCall(Process p, boolean afterHook) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        BlockingQueue<String> read = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = out.readLine(); l != null; l = out.readLine()) {
                    read.add(l);
                }
            } catch (IOException e) {
                read.add("(cannot read the child: " + e + ")");
            }
            read.add(EOF);
        }, "child output");
        reader.setDaemon(true);
        reader.start();
        List<String> lines = new ArrayList<>();
        try (Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            String first = read.poll(60, TimeUnit.SECONDS);
            assertEquals("entered", first);
            lines.add(first);
            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close the pipes)
            if (afterHook) {
                while (!lines.contains("hook ran")) {
                    String l = read.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    assertTrue(l != null && !EOF.equals(l), "no \"hook ran\" before the deadline: " + lines);
                    lines.add(l);
                }
            } else {
                String stacks = "";
                while (!waitsInQuiesce(stacks)) {
                    assertTrue(p.isAlive(), "the child ended: " + lines + read);
                    assertTrue(System.nanoTime() < deadline, "no thread waits in quiesce; the child's threads:\n"
                            + stacks);
                    stacks = threads(p);
                }
            }
            in.write("go\n");
            in.flush();
            for (String l = read.poll(60, TimeUnit.SECONDS); l != null && !EOF.equals(l);
                    l = read.poll(60, TimeUnit.SECONDS)) {
                lines.add(l);
            }
        } finally {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
            p.destroyForcibly();
        }
        return lines;
    }

    /** Stands for the end of the child's output in the reader's queue. */
    private static final String EOF = new String("(end of output)");

    /** The child's thread dump ({@code jcmd PID Thread.print}). */
    private static String threads(Process p) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print").redirectErrorStream(true)
                .start();
        String text = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        j.waitFor();
        return text;
    }

    /** Whether a thread dump shows a thread inside {@link NativeCalls#quiesce}. */
    private static boolean waitsInQuiesce(String threads) {
        return threads.contains("at " + NativeCalls.class.getName() + ".quiesce(");
    }
}
