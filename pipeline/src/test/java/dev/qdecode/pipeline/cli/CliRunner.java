package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
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
