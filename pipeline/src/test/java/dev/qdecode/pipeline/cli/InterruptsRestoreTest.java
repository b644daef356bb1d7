package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.PrintWriter;
import java.io.Writer;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@link Interrupts#restoreDefault()} gives SIGINT back to the handler that was in place before {@link Interrupts}
 * installed its own (in the CLI: {@code NativeCalls.handleTerminationSignals}'s, which lets a native ONNX Runtime
 * call end before the JVM does). It set the OS default (SIG_DFL) instead, so a Ctrl-C during the report after a
 * saved run ended the process without that gate.
 */
class InterruptsRestoreTest {
    private static final Signal INT = new Signal("INT");

    @Test
    void restoreGivesBackTheHandlerInstalledBefore() {
        assumeFalse(CliRunner.sigintIgnored(), "SIGINT is ignored in this process: no handler can be installed");
        SignalHandler gate = s -> { }; // stands for NativeCalls' handler
        SignalHandler jvm = Signal.handle(INT, gate);
        try {
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            Interrupts.install(quiet, "a checkpoint");
            Interrupts.install(quiet, "a checkpoint"); // a second install must not take Interrupts' own as the previous
            Interrupts.restoreDefault();
            assertSame(gate, Signal.handle(INT, gate));

            Interrupts.quitWithNotice(quiet, "interrupted: nothing was saved");
            Interrupts.restoreDefault();
            assertSame(gate, Signal.handle(INT, gate));

            Interrupts.restoreDefault(); // nothing of Interrupts' own in place: the handler stays
            assertSame(gate, Signal.handle(INT, gate));
        } finally {
            Signal.handle(INT, jvm);
        }
    }
}
