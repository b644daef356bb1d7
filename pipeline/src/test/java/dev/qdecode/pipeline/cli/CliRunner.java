package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in-process and captures its output. */
final class CliRunner {
    private CliRunner() {}

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Runs the CLI with these arguments in its own JVM, sends it SIGINT (Ctrl-C) once {@code out/checkpoint.qdq}
     * exists, and checks that it stopped with {@link ExitCodes#INTERRUPTED}. Skipped (a JUnit assumption) where
     * this process ignores SIGINT ({@link #sigintIgnored}).
     *
     * @param out the run directory whose first checkpoint triggers the interrupt
     * @param log where the child's output goes
     * @param args the CLI arguments
     * @return the child's output
     */
    static String interruptedAfterCheckpoint(Path out, Path log, List<String> args) throws Exception {
        return interruptedAfterCheckpoint(out, log, List.of(), args);
    }

    /**
     * As {@link #interruptedAfterCheckpoint(Path, Path, List)}, with these options for the child JVM (e.g.
     * {@code -Dai.djl.pytorch.num_threads=2}, as {@code QDECODE_THREADS=2} gives).
     *
     * @param out the run directory whose first checkpoint triggers the interrupt
     * @param log where the child's output goes
     * @param jvmArgs options for the child JVM, before its main class
     * @param args the CLI arguments
     * @return the child's output
     */
    static String interruptedAfterCheckpoint(Path out, Path log, List<String> jvmArgs, List<String> args)
            throws Exception {
        assumeFalse(sigintIgnored(), "SIGINT is ignored in this process (started in the background?), so the child "
                + "run cannot be interrupted with it");
        return signalledAfterCheckpoint("INT", ExitCodes.INTERRUPTED, out, log, jvmArgs, args);
    }

    /**
     * As {@link #interruptedAfterCheckpoint(Path, Path, List, List)}, with another signal (e.g. {@code TERM}, which
     * a batch scheduler sends), and checks the exit status it gives.
     *
     * @param signal the signal's name for {@code kill}, e.g. {@code TERM}
     * @param status the exit status expected
     * @param out the run directory whose first checkpoint triggers the signal
     * @param log where the child's output goes
     * @param jvmArgs options for the child JVM, before its main class
     * @param args the CLI arguments
     * @return the child's output
     */
    static String signalledAfterCheckpoint(String signal, int status, Path out, Path log, List<String> jvmArgs,
            List<String> args) throws Exception {
        assumeFalse(ignored(new sun.misc.Signal(signal).getNumber()), "SIG" + signal + " is ignored in this process, "
                + "so the child run cannot be stopped with it");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dqdecode.shared=" + System.getProperty("qdecode.shared")));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        Process p = pb.start();
        // the signal's moment is the run's first checkpoint, not a delay; the deadline only guards against a hang
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (!Files.exists(out.resolve("checkpoint.qdq")) && p.isAlive()) {
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("no checkpoint within 10 minutes: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        assertTrue(p.isAlive(), Files.readString(log));
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = Files.readString(log);
        assertEquals(status, p.exitValue(), text);
        return text;
    }

    /**
     * Whether this process ignores SIGINT ({@code SigIgn} of {@code /proc/self/status}), as a process started in
     * the background by a non-interactive shell ({@code cmd &}, {@code nohup}) does. Its children inherit that,
     * and the JVM cannot handle a signal ignored at its start, so a test that interrupts a child JVM with SIGINT
     * cannot run there.
     *
     * @return true when SIGINT is ignored; false when it is not, or where {@code /proc} does not say
     */
    static boolean sigintIgnored() {
        return ignored(2);
    }

    /**
     * Whether this process ignores the signal with this number ({@code SigIgn} of {@code /proc/self/status}; see
     * {@link #sigintIgnored}).
     *
     * @param number the signal's number, e.g. 15 for SIGTERM
     * @return true when it is ignored; false when it is not, or where {@code /proc} does not say
     */
    static boolean ignored(int number) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) { // bit n-1: signal n
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (number - 1))) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** Bad usage (exit 2) with one {@code qdecode:} error line on stderr that contains {@code text}. */
    static void assertUsage(Result r, String text) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains(text), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("qdecode:")).count(), r.err());
    }

    /**
     * Trains the smallest real run, on stories260K (4 episodes of at most 4 tokens, one update, 2 evaluation
     * prompts), and checks that it succeeded: a run for tests of the commands that read one.
     *
     * @param out the run directory
     * @param extra further train options
     * @return {@code out}
     */
    static Path tinyRun(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", model("stories260K"), "--episodes",
                "4", "--rollout-episodes", "4", "--max-new-tokens", "4", "--min-new-tokens", "1", "--batch-size", "4",
                "--updates-per-rollout", "1", "--eval-limit", "2", "--eval-samples", "1", "--out", out.toString()));
        args.addAll(List.of(extra));
        Result t = run(args.toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        return out;
    }

    /**
     * Trains the smallest real run on the default model (TinyStories-656K, whose prompt format the tests of
     * recorded formats need): 8 episodes of at most 4 tokens, 2 evaluation prompts; checks that it succeeded.
     *
     * @param out the run directory
     * @param extra further train options
     * @return {@code out}
     */
    static Path tinyDefaultRun(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "4", "--min-new-tokens", "1", "--batch-size", "8", "--eval-limit", "2",
                "--eval-samples", "1"));
        args.addAll(List.of(extra));
        args.addAll(List.of("--out", out.toString()));
        Result t = run(args.toArray(String[]::new));
        assertEquals(0, t.code(), t.err());
        return out;
    }

    static Path shared() {
        return Path.of(System.getProperty("qdecode.shared"));
    }

    static String model(String name) {
        return shared().resolve("models").resolve(name).toString();
    }
}
