package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier benchmark stopped by a signal (Ctrl-C, or a kill) while it runs leaves no temporary
 * classifier directory behind: before, {@code qdecode bench rewards classifier-reward-q} interrupted
 * during its timed runs left {@code /tmp/qdecode-bench-clf*} (classifier.json, head.safetensors). Nor
 * does the JVM crash on the way out (SIGSEGV in libonnxruntime, see {@code NativeCalls}).
 */
class ClassifierBenchInterruptTest {
    private static final Path SHARED = Path.of(System.getProperty("qdecode.shared"));

    @TempDir Path tmp;

    @Test
    void aBenchmarkEndedBySignalDeletesItsTemporaryClassifier() throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        // Many timed runs: the signal lands while the workload (and its temporary classifier) exists.
        Process p = new ProcessBuilder(java, "-Xmx2g", "-Djava.io.tmpdir=" + tmp,
                // a crash while the signal stops it writes its hs_err log here, not into the module directory
                "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"), "-cp",
                System.getProperty("java.class.path"), RewardBenchmarks.class.getName(), "classifier-reward-q",
                "--runs", "100000", "--warmup", "0", "--shared", SHARED.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while (!saved() && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(saved(), "the child saved its temporary classifier: " + Files.readString(tmp.resolve("child.log")));
            // into the timed runs: the signal lands once the child's main thread is inside the workload's run (a
            // point read from its stack, not a delay, which on a loaded machine could still be in the set-up)
            awaitTimedRuns(p, deadline);
            // SIGTERM: the JVM shuts down as on Ctrl-C (SIGINT may be ignored by a child started in the background).
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child stopped");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of(), benchDirs(), "no qdecode-bench-clf directory left behind");
        // The JVM ends as SIGTERM asks (128 + 15), not by crashing (134, an hs_err log): ONNX Runtime's own
        // shutdown hook released its environment under the MiniLM batch in flight (5 crashes in 12 such
        // SIGTERMs on a loaded machine before NativeCalls, 0 in 20 after).
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith("hs_err")).toList(),
                    "no JVM crash log: " + Files.readString(tmp.resolve("child.log")));
        }
        assertEquals(143, p.exitValue(), "exit status: " + Files.readString(tmp.resolve("child.log")));
    }

    /**
     * Waits until the child's stack ({@code jcmd PID Thread.print}) shows a classifier workload's {@code run}, the
     * timed runs' body (an anonymous {@code RewardBenchmarks$N}); fails when the child ends or the deadline passes.
     */
    private void awaitTimedRuns(Process p, long deadline) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Pattern inRun = Pattern.compile("at " + Pattern.quote(RewardBenchmarks.class.getName()) + "\\$\\d+\\.run\\(");
        String stacks = "";
        while (!inRun.matcher(stacks).find()) {
            assertTrue(p.isAlive(), "the child ended before its timed runs: " + Files.readString(tmp.resolve("child.log")));
            assertTrue(System.nanoTime() < deadline, "no timed run within the deadline; the child's threads:\n" + stacks);
            Process j = new ProcessBuilder(jcmd.toString(), Long.toString(p.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            stacks = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            j.waitFor();
        }
    }

    private boolean saved() throws Exception {
        return benchDirs().stream().anyMatch(d -> Files.exists(d.resolve("classifier.json")));
    }

    private List<Path> benchDirs() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(d -> d.getFileName().toString().startsWith("qdecode-bench-clf")).toList();
        }
    }
}
