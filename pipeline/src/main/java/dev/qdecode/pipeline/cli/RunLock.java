package dev.qdecode.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One job per run directory: while {@code train} or {@code sft} writes into a directory it holds an
 * operating-system lock on a file there, so a second job started on the same {@code --out} is refused
 * instead of interleaving its checkpoints and metrics with the first one's. The lock is released
 * when the job ends, also when it is killed; the file is removed on a normal end, and so is a
 * directory the lock created when nothing else was written there.
 */
final class RunLock implements AutoCloseable {
    /** The lock file's name (ignored when a directory is checked for earlier work). */
    static final String FILE = ".qdecode.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final boolean created;

    private RunLock(Path file, FileChannel channel, FileLock lock, boolean created) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.created = created;
    }

    /**
     * Takes the directory's lock, creating the directory when needed.
     *
     * @param dir the run directory
     * @return the lock (close it when the job ends)
     * @throws CliException (usage) when another job holds it
     */
    static RunLock acquire(Path dir) {
        try {
            boolean created = !Files.exists(dir);
            Files.createDirectories(dir);
            return lock(dir.resolve(FILE), created, "--out " + dir + ": another qdecode job is writing there "
                    + "(expected one job per directory: wait for it to end, or choose another --out)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Takes a lock on one output file: the lock file {@code NAME.lock} beside it.
     *
     * @param output the output file
     * @param option the option that names it, for the message (e.g. "--output")
     * @return the lock (close it when the job ends)
     * @throws CliException (usage) when another job holds it
     */
    static RunLock acquireFile(Path output, String option) {
        Path f = output.resolveSibling(output.getFileName() + ".lock");
        try {
            Files.createDirectories(f.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new CliException(option + " " + output + ": cannot create its directory (" + e.getMessage() + ")");
        }
        return lock(f, false, option + " " + output + ": another qdecode job is writing it (expected one job per "
                + "output: wait for it to end, or choose another " + option + ")");
    }

    private static RunLock lock(Path f, boolean createdDir, String busy) {
        try {
            FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null; // held by this process (another job in the same JVM)
            }
            if (l == null) {
                ch.close();
                throw new CliException(busy, ExitCodes.USAGE);
            }
            return new RunLock(f, ch, l, createdDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
            Files.deleteIfExists(file);
            Path dir = file.getParent();
            if (created) {
                try (java.util.stream.Stream<Path> left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) {
                        Files.delete(dir); // a job refused before writing anything leaves no trace
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
