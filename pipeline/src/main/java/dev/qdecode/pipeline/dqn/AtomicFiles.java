package dev.qdecode.pipeline.dqn;

import dev.qdecode.models.train.Safetensors;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Atomic file replacement: the content goes to a temporary file in the same directory, is forced to
 * disk, and is then moved over the destination with {@code ATOMIC_MOVE}, so a reader (or a resumed
 * run after a kill) sees either the old file or the new one, never a torn one. The pipeline's
 * name for {@link Safetensors#atomicWrite}, which does the work.
 */
final class AtomicFiles {

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
    static void write(Path file, Safetensors.Content writer) throws IOException {
        Safetensors.atomicWrite(file, writer);
    }
}
