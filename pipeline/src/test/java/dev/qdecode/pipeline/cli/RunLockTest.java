package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One job per run directory: a second one is refused while the first holds the lock. */
class RunLockTest {

    @Test
    void aSecondJobIsRefusedUntilTheFirstEnds(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        try (RunLock first = RunLock.acquire(run)) {
            assertTrue(Files.exists(run.resolve(RunLock.FILE)));
            CliException e = assertThrows(CliException.class, () -> RunLock.acquire(run));
            assertEquals(ExitCodes.USAGE, e.exitCode());
            assertEquals("--out " + run + ": another qdecode job is writing there (expected one job per directory: wait "
                    + "for it to end, or choose another --out)", e.getMessage());
            Files.writeString(run.resolve("metrics.jsonl"), "{}\n");
        }
        assertFalse(Files.exists(run.resolve(RunLock.FILE)));
        assertTrue(Files.exists(run.resolve("metrics.jsonl")));
        try (RunLock again = RunLock.acquire(run)) {
            assertTrue(Files.exists(run.resolve(RunLock.FILE)));
        }
        // a directory the lock created, left empty by a refused job, is removed again
        Path fresh = tmp.resolve("fresh");
        RunLock.acquire(fresh).close();
        assertFalse(Files.exists(fresh));
    }
}
