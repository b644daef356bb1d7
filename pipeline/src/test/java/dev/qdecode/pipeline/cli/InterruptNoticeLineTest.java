package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import sun.misc.Signal;

/**
 * An interrupt's notice starts a line of its own, after no blank line: it always followed an empty line (e.g. stderr
 * of {@code bench generate} stopped by SIGTERM, a log: {@code "\nqdecode: interrupted by SIGTERM: the benchmark did
 * not finish: ..."}), which was there to end a terminal's progress-bar line. Now the line is ended only when
 * something is left on it: a bar's redrawn line, or the {@code ^C} a terminal echoes for Ctrl-C.
 */
class InterruptNoticeLineTest {
    private static final Signal TERM = new Signal("TERM");
    private static final Signal INT = new Signal("INT");
    private static final String NL = System.lineSeparator();

    private static String notice(PrintWriter err, StringWriter text, Signal s) {
        Interrupts.noticeThenQuit(err, "the benchmark did not finish", new Interrupts.FirstNotice(60_000),
                status -> { }).handle(s);
        return text.toString();
    }

    @Test
    void withNothingOnTheLineTheNoticeFollowsNoBlankLine() {
        StringWriter text = new StringWriter();
        assertEquals("qdecode: interrupted by SIGTERM: the benchmark did not finish" + NL,
                notice(new PrintWriter(text), text, TERM));
        // a bar that logs whole lines (standard error not a terminal) leaves nothing open either
        StringWriter logged = new StringWriter();
        PrintWriter err = new PrintWriter(logged);
        ProgressBar bar = new ProgressBar(err, "rows", 4, 0, false);
        bar.update(1, "");
        String before = logged.toString();
        assertTrue(before.endsWith(NL), before);
        assertEquals(before + "qdecode: interrupted by SIGTERM: the benchmark did not finish" + NL,
                notice(err, logged, TERM));
    }

    @Test
    void aBarsOpenLineIsEndedOnce() {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        ProgressBar bar = new ProgressBar(err, "rows", 4, 0, true);
        bar.update(1, "");
        String drawn = text.toString();
        assertFalse(drawn.endsWith(NL), drawn);
        String all = notice(err, text, TERM);
        assertEquals(drawn + NL + "qdecode: interrupted by SIGTERM: the benchmark did not finish" + NL, all);
        // a finished bar ended its own line
        StringWriter closed = new StringWriter();
        PrintWriter err2 = new PrintWriter(closed);
        ProgressBar done = new ProgressBar(err2, "rows", 4, 0, true);
        done.update(4, "");
        done.close();
        String fin = closed.toString();
        assertTrue(fin.endsWith(NL), fin);
        assertFalse(ProgressBar.endLine(err2));
    }

    @Test
    void ctrlCAtATerminalEndsTheEchoedLine() {
        StringWriter text = new StringWriter();
        PrintWriter err = new PrintWriter(text);
        Interrupts.endLine(err, INT, true);
        err.flush();
        assertEquals(NL, text.toString(), "the terminal echoed ^C on the line");
        Interrupts.endLine(err, INT, false);
        Interrupts.endLine(err, TERM, true);
        err.flush();
        assertEquals(NL, text.toString(), "no echo: SIGTERM, or not a terminal");
    }
}
