package dev.qdecode.pipeline.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

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
        return lock(f, createdDir, busy, () -> { });
    }

    /**
     * Locks {@code f}, created when missing.
     *
     * @param afterOpen run between opening the file and locking it (tests: where another job's end may fall)
     */
    static RunLock lock(Path f, Path createdDir, String busy, Runnable afterOpen) {
        try {
            // the name /proc/self/fd shows for it (links in the directory's path resolved)
            Path real = f.toAbsolutePath().getParent().toRealPath().resolve(f.getFileName());
            for (int attempt = 0; ; attempt++) {
                Map<String, String> before = descriptors(real);
                FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                afterOpen.run();
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by this process (another job in the same JVM)
                }
                Map<String, String> mine = descriptors(real);
                mine.keySet().removeAll(before.keySet());
                if (l != null && mine.size() == 1 && !mine.containsValue(real.toString())) {
                    // The job that held the lock deleted its file as it ended, after this one opened it: holding a
                    // lock on the deleted file would let a third job lock the new file at the path as well. Lock
                    // that one instead.
                    l.release();
                    ch.close();
                    if (attempt < 10) {
                        continue;
                    }
                    l = null;
                }
                if (l == null) {
                    ch.close();
                    removeEmpty(f.getParent(), createdDir);
                    throw new CliException(busy, ExitCodes.USAGE);
                }
                return new RunLock(f, ch, l, createdDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * This process's descriptors of files named {@code real}, with what each points to: Linux shows them in
     * {@code /proc/self/fd} as links to the name, or to {@code "NAME (deleted)"} once the file was deleted.
     * The file itself is not opened again, as reading it would be: closing a second descriptor of a file
     * releases the process's lock on it. Empty where there is no {@code /proc}.
     *
     * @param real a path with the links in its directory's path resolved
     * @return descriptor number to link target, for the targets {@code real} and {@code real (deleted)}
     */
    static Map<String, String> descriptors(Path real) {
        Map<String, String> found = new java.util.HashMap<>();
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return found;
        }
        String name = real.toString();
        try (java.util.stream.Stream<Path> s = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) s::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals(name) || target.equals(name + " (deleted)")) {
                        found.put(fd.getFileName().toString(), target);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // closed meanwhile, or not a link: not a descriptor of the lock file
                }
            }
        } catch (IOException e) {
            found.clear(); // cannot be told: as without /proc
        }
        return found;
    }

    @Override
    public void close() {
        try {
            // deleted while still locked, so a job that opened it before cannot lock it unnoticed
            // (lock() checks that the file it locked is still linked)
            Files.deleteIfExists(file);
            lock.release();
            channel.close();
            removeEmpty(file.getParent(), created); // a job refused before writing anything leaves no trace
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
