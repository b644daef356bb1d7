package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
        List<String> lines = sigtermDuringTheCall(p);
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
        List<String> lines = sigtermDuringTheCall(p);
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

    /** Sends SIGTERM while the child's call is in flight, ends the call two seconds later; the child's lines. */
    private static List<String> sigtermDuringTheCall(Process p) throws Exception {
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8)) {
            String first = out.readLine();
            assertEquals("entered", first);
            lines.add(first);
            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close the pipes)
            // Give a JVM without the handler the time to run its hooks: they must still wait for the call.
            Thread.sleep(2000);
            in.write("go\n");
            in.flush();
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                lines.add(l);
            }
        } finally {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
            p.destroyForcibly();
        }
        return lines;
    }
}
