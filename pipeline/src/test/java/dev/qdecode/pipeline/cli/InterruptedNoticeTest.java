package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The line of {@code generate --output}, {@code evaluate} and {@code rewards score --output} stopped by Ctrl-C or
 * SIGTERM: where the rows so far are and how to continue, or, for a new output stopped before its first batch was
 * written (which leaves no {@code .part} file), that nothing was written. It said "the episodes so far are in
 * OUT/episodes.jsonl.part (continue with the same command plus --resume)" after 0/9600 episodes, with no such file
 * (nor OUT), so the --resume it advised was refused.
 */
class InterruptedNoticeTest {
    private static final Path PART = Path.of("runs/ev/episodes.jsonl.part");

    @Test
    void aNewOutputWithNoRowSaysThatNothingWasWritten() {
        assertEquals("qdecode: interrupted after 0/9600 episodes, before the first batch was written; nothing was "
                + "written (run the same command again)",
                ResumableOutput.interruptedNotice(0, 9600, "episodes", "episodes", PART, true, false));
    }

    @Test
    void rowsKeptSayWhereAndHowToResume() {
        assertEquals("qdecode: interrupted after 192/9600 episodes; the episodes so far are in " + PART
                + " (continue with the same command plus --resume)",
                ResumableOutput.interruptedNotice(192, 9600, "episodes", "episodes", PART, false, false));
        // a resume stopped before its first new batch keeps the rows it resumed from
        assertEquals("qdecode: interrupted after 0/300 prompts; the rows so far are in " + PART
                + " (continue with the same command plus --resume, without --overwrite)",
                ResumableOutput.interruptedNotice(0, 300, "prompts", "rows", PART, false, true));
    }
}
