package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM (a batch scheduler's stop: Slurm, Kubernetes, systemd, {@code timeout}) and SIGHUP are handled as the first
 * Ctrl-C is: the job is asked to stop and save, the notice names the signal, and the job exits with 128 + its number
 * (143, 129), as the README's exit-code table says; a second signal of any kind quits without saving, with that
 * status. SIGTERM used to go to {@code NativeCalls}' handler only, which exited 143 at once with no word: a
 * {@code kill -TERM} of {@code train} ended at a progress line and lost the work since the last checkpoint.
 */
class InterruptsSignalsTest {
    private static final Signal INT = new Signal("INT");
    private static final Signal TERM = new Signal("TERM");
    private static final Signal HUP = new Signal("HUP");
    private static final String NL = System.lineSeparator();

    @Test
    void sigtermAsksToSaveAndNamesItselfThenASecondSignalQuitsWithItsStatus() {
        StringWriter text = new StringWriter();
        List<Integer> quits = new ArrayList<>();
        Interrupts.FirstNotice notice = new Interrupts.FirstNotice(60_000);
        SignalHandler h = Interrupts.saveOrQuit(new PrintWriter(text), "a checkpoint", notice, quits::add);
        h.handle(TERM);
        assertEquals("qdecode: interrupted by SIGTERM: saving a checkpoint (SIGTERM or Ctrl-C again to quit "
                + "without saving)" + NL, text.toString());
        assertEquals(List.of(), quits, "the first signal only asks the job to stop");
        assertEquals(true, notice.taken());
        assertEquals(ExitCodes.TERMINATED, notice.status());
        h.handle(INT); // a Ctrl-C after the scheduler's SIGTERM
        h.handle(TERM);
        assertEquals(List.of(ExitCodes.TERMINATED, ExitCodes.TERMINATED), quits);
        assertEquals(ExitCodes.TERMINATED, notice.status(), "the first signal's status stays");
    }

    @Test
    void eachSignalGivesItsOwnStatus() {
        assertEquals(ExitCodes.INTERRUPTED, status(INT));
        assertEquals(ExitCodes.TERMINATED, status(TERM));
        assertEquals(ExitCodes.HANGUP, status(HUP));
        assertEquals(ExitCodes.INTERRUPTED, new Interrupts.FirstNotice(0).status(), "no signal yet");
    }

    @Test
    void aJobThatCannotSaveNamesTheSignalAndQuitsWithItsStatus() {
        StringWriter text = new StringWriter();
        List<Integer> quits = new ArrayList<>();
        SignalHandler h = Interrupts.noticeThenQuit(new PrintWriter(text), "nothing was saved to runs/x",
                new Interrupts.FirstNotice(60_000), quits::add);
        h.handle(HUP);
        h.handle(TERM);
        assertEquals("qdecode: interrupted by SIGHUP: nothing was saved to runs/x" + NL, text.toString());
        assertEquals(List.of(ExitCodes.HANGUP, ExitCodes.HANGUP), quits);
    }

    @Test
    void ctrlCKeepsItsNotice() {
        StringWriter text = new StringWriter();
        Interrupts.FirstNotice notice = new Interrupts.FirstNotice(60_000);
        Interrupts.saveOrQuit(new PrintWriter(text), "a checkpoint", notice, s -> { }).handle(INT);
        assertEquals("qdecode: interrupted: saving a checkpoint (Ctrl-C again to quit without saving)" + NL,
                text.toString());
        assertEquals(ExitCodes.INTERRUPTED, notice.status());
    }

    private static int status(Signal s) {
        Interrupts.FirstNotice notice = new Interrupts.FirstNotice(60_000);
        Interrupts.saveOrQuit(new PrintWriter(new StringWriter()), "a checkpoint", notice, x -> { }).handle(s);
        return notice.status();
    }
}
