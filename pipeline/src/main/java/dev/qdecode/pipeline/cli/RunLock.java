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
    /** The outermost directory this lock created (removed again if nothing else is written in it), or null. */
    private final Path created;

    private RunLock(Path file, FileChannel channel, FileLock lock, Path created) {
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
            Path top = outermostMissing(dir.toAbsolutePath());
            Files.createDirectories(dir);
            return lock(dir.toAbsolutePath().resolve(FILE), top, "--out " + dir + ": another qdecode job is writing there "
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
        Path f = output.toAbsolutePath().resolveSibling(output.getFileName() + ".lock");
        Path top = outermostMissing(f.getParent());
        try {
            Files.createDirectories(f.getParent());
            return lock(f, top, option + " " + output + ": another qdecode job is writing it (expected one job "
                    + "per output: wait for it to end, or choose another " + option + ")");
        } catch (IOException | UncheckedIOException e) {
            removeEmpty(f.getParent(), top);
            String why = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
            throw new CliException(option + " " + output + ": cannot write there (" + why + ")");
        }
    }

    /**
     * The outermost of {@code dir} and its parents that does not exist yet: what creating {@code dir}
     * creates, and what the lock removes again if nothing is written in it.
     *
     * @return that directory, or null when {@code dir} exists
     */
    private static Path outermostMissing(Path dir) {
        Path top = null;
        for (Path d = dir; d != null && !Files.exists(d); d = d.getParent()) {
            top = d;
        }
        return top;
    }

    /** Removes {@code dir} and its parents up to {@code top} while they are empty (none when top is null). */
    private static void removeEmpty(Path dir, Path top) {
        if (top == null) {
            return;
        }
        for (Path d = dir; d != null && d.startsWith(top); d = d.getParent()) {
            try (java.util.stream.Stream<Path> left = Files.list(d)) {
                if (left.findAny().isPresent()) {
                    return;
                }
                Files.delete(d);
            } catch (IOException e) {
                return; // best effort: an empty directory left behind is harmless
            }
        }
    }

    private static RunLock lock(Path f, Path createdDir, String busy) {
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
                removeEmpty(f.getParent(), createdDir);
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
            removeEmpty(file.getParent(), created); // a job refused before writing anything leaves no trace
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
