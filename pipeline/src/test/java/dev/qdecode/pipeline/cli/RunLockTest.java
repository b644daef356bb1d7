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

    /**
     * A job that opened the lock file just before its holder deleted it (as a job does when it ends) must not
     * lock the deleted file: a third job would lock the new file at the path, and both would write.
     */
    @Test
    void aLockFileDeletedBetweenOpeningAndLockingIsNotTheOneLocked(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out"));
        Path f = dir.resolve("o.tsv.lock");
        Path real = dir.toRealPath().resolve("o.tsv.lock");
        assertTrue(RunLock.descriptors(real).isEmpty());
        int[] opened = {0};
        try (RunLock l = RunLock.lock(f, null, "busy", () -> {
            if (opened[0]++ == 0) { // the holder ends: its file is deleted after this job opened it
                try {
                    Files.delete(f);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        })) {
            assertEquals(2, opened[0]);
            assertTrue(Files.exists(f));
            assertEquals(java.util.List.of(real.toString()), java.util.List.copyOf(RunLock.descriptors(real).values()));
            // so a third job, which would open the file at the path, is refused
            assertThrows(CliException.class, () -> RunLock.acquireFile(dir.resolve("o.tsv"), "--output"));
        }
        assertFalse(Files.exists(f));
        assertTrue(RunLock.descriptors(real).isEmpty());
        // a descriptor this process holds on a deleted lock file of that name is not the new lock's
        try (java.nio.channels.FileChannel stale = java.nio.channels.FileChannel.open(f,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            Files.delete(f);
            assertEquals(java.util.List.of(real + " (deleted)"), java.util.List.copyOf(RunLock.descriptors(real).values()));
            try (RunLock l = RunLock.acquireFile(dir.resolve("o.tsv"), "--output")) {
                assertTrue(Files.exists(f));
            }
        }
    }
}
