package dev.qdecode.pipeline.dqn;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Atomic file replacement: the content goes to a temporary file in the same directory, is forced to
 * disk, and is then moved over the destination with {@code ATOMIC_MOVE}, so a reader (or a resumed
 * run after a kill) sees either the old file or the new one, never a torn one.
 */
final class AtomicFiles {

    /** Writes the content of a stream. */
    @FunctionalInterface
    interface Writer {
        /**
         * Writes everything.
         *
         * @param out the stream (buffered; do not close)
         * @throws IOException on failure
         */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Replaces a file with the given bytes, atomically.
     *
     * @param file the destination
     * @param bytes the content
     * @throws IOException when it cannot be written
     */
    static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /**
     * Replaces a file with what {@code writer} produces, atomically.
     *
     * @param file the destination
     * @param writer produces the content
     * @throws IOException when it cannot be written
     */
    static void write(Path file, Writer writer) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream os = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                writer.write(os);
                os.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
