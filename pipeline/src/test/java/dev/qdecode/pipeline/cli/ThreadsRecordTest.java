package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A resumed train run records the PyTorch thread count of every session ({@code 2 then 1}), not only the last
 * session's (a run started with 2 threads and resumed with 1 recorded "1", as if it had run with 1 throughout).
 */
class ThreadsRecordTest {

    private String before;

    @BeforeEach
    void save() {
        before = System.getProperty("ai.djl.pytorch.num_threads");
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty("ai.djl.pytorch.num_threads");
        } else {
            System.setProperty("ai.djl.pytorch.num_threads", before);
        }
    }

    private static String note(String recorded) {
        StringWriter w = new StringWriter();
        TrainCommand.threadsNote(recorded, new PrintWriter(w, true));
        return w.toString();
    }

    @Test
    void theSameCountKeepsTheRecordAndSaysNothing() {
        System.setProperty("ai.djl.pytorch.num_threads", "2");
        assertEquals("2", DqnCli.resumedThreads("2"));
        assertEquals("1 then 2", DqnCli.resumedThreads("1 then 2"));
        assertEquals("", note("2"));
        assertEquals("", note("1 then 2"));
    }

    @Test
    void anotherCountIsAppendedAndWarnedOnce() {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        assertEquals("2 then 1", DqnCli.resumedThreads("2"));
        assertEquals("2 then 1", DqnCli.resumedThreads("2 then 1"));
        assertEquals("1 then 2 then 1", DqnCli.resumedThreads("1 then 2"));
        String first = note("2");
        assertTrue(first.startsWith("qdecode: warning: the run was started with 2 PyTorch threads and goes on with 1 "),
                first);
        assertTrue(first.contains("the run records threads '2 then 1'"), first);
        assertEquals(1, first.lines().count(), first);
        String again = note("1 then 2");
        assertEquals("qdecode: warning: the run was trained with 1 then 2 PyTorch threads and goes on with 1 "
                + "(QDECODE_THREADS): its result already differs from an uninterrupted run's (the run records threads "
                + "'1 then 2 then 1')", again.strip());
    }

    @Test
    void aRunFromBeforeTheCountWasRecordedSaysSo() {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        assertEquals("unrecorded then 1", DqnCli.resumedThreads(null));
        // said in one line (it resumed silently); once recorded, a resume with the same count says nothing
        assertEquals("qdecode: warning: the run's checkpoint was written before qdecode recorded its PyTorch thread "
                + "count, so this session's 1 (QDECODE_THREADS) is not compared with the run's; the run records threads "
                + "'unrecorded then 1' from now on", note(null).strip());
        assertEquals(1, note(null).lines().count());
        assertEquals("", note("unrecorded then 1"));
    }
}
