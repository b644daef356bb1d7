package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link Interrupts#restoreDefault()} gives SIGINT, SIGTERM and SIGHUP back to the handlers that were in place before
 * {@link Interrupts} installed its own (in the CLI: {@code NativeCalls.handleTerminationSignals}'s, which lets a native
 * ONNX Runtime call end before the JVM does). It set the OS default (SIG_DFL) instead, so a Ctrl-C during the report
 * after a saved run ended the process without that gate. {@link Interrupts} handles SIGTERM and SIGHUP as it handles
 * SIGINT (a scheduler's SIGTERM went to NativeCalls' handler, which exited 143 with no word and lost the work since the
 * last checkpoint), so it gives those back too.
 */
class InterruptsRestoreTest {

    @Test
    void restoreGivesBackTheHandlersInstalledBefore() {
        assumeFalse(CliRunner.sigintIgnored(), "SIGINT is ignored in this process: no handler can be installed");
        // a command run in this JVM before (a CLI test) may have left Interrupts' handlers installed and their
        // predecessors recorded: give them back first, so that what is recorded below is this test's own
        Interrupts.restoreDefault();
        Map<Signal, SignalHandler> gates = new LinkedHashMap<>(); // each stands for NativeCalls' handler
        Map<Signal, SignalHandler> jvm = new LinkedHashMap<>();
        for (String name : Interrupts.SIGNALS) {
            Signal s = new Signal(name);
            SignalHandler gate = x -> { };
            gates.put(s, gate);
            jvm.put(s, Signal.handle(s, gate));
        }
        try {
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            Interrupts.install(quiet, "a checkpoint");
            for (Map.Entry<Signal, SignalHandler> e : gates.entrySet()) { // puts the gates back in place
                assertSame(Interrupts.class, enclosing(Signal.handle(e.getKey(), e.getValue())),
                        e.getKey() + " is handled by Interrupts after install");
            }
            Interrupts.install(quiet, "a checkpoint");
            Interrupts.install(quiet, "a checkpoint"); // a second install must not take Interrupts' own as the previous
            Interrupts.restoreDefault();
            gates.forEach((s, gate) -> assertSame(gate, Signal.handle(s, gate), s.toString()));

            Interrupts.quitWithNotice(quiet, "nothing was saved");
            Interrupts.restoreDefault();
            gates.forEach((s, gate) -> assertSame(gate, Signal.handle(s, gate), s.toString()));

            Interrupts.restoreDefault(); // nothing of Interrupts' own in place: the handlers stay
            gates.forEach((s, gate) -> assertSame(gate, Signal.handle(s, gate), s.toString()));
        } finally {
            jvm.forEach(Signal::handle);
        }
    }

    /** The class whose code made this handler (a lambda's is its enclosing class, whose name it starts with). */
    private static Class<?> enclosing(SignalHandler h) {
        String name = h.getClass().getName();
        return name.startsWith(Interrupts.class.getName() + "$$Lambda") ? Interrupts.class : h.getClass();
    }
}
