package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

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
     * Whether this process ignores SIGINT ({@code SigIgn} of {@code /proc/self/status}), as a process started in
     * the background by a non-interactive shell ({@code cmd &}, {@code nohup}) does. Its children inherit that,
     * and the JVM cannot handle a signal ignored at its start, so a test that interrupts a child JVM with SIGINT
     * cannot run there.
     *
     * @return true when SIGINT is ignored; false when it is not, or where {@code /proc} does not say
     */
    static boolean sigintIgnored() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0; // bit 1: SIGINT
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

    static Path shared() {
        return Path.of(System.getProperty("qdecode.shared"));
    }

    static String model(String name) {
        return shared().resolve("models").resolve(name).toString();
    }
}
