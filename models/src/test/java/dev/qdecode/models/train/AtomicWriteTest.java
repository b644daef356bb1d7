package dev.qdecode.models.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Safetensors#atomicWrite}: the content, no temporary file left, and the permissions of any new file. */
class AtomicWriteTest {

    @Test
    void writesTheContentWithTheDefaultPermissionsAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("checkpoint.qdq");
        byte[] bytes = "first".getBytes(StandardCharsets.UTF_8);
        Safetensors.atomicWrite(file, out -> out.write(bytes));
        assertArrayEquals(bytes, Files.readAllBytes(file));
        Safetensors.atomicWrite(file, out -> out.write("second".getBytes(StandardCharsets.UTF_8)));
        assertEquals("second", Files.readString(file));
        // as a file the process creates plainly (the umask's permissions), not owner-only as createTempFile makes
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "only the file and the plain one: no temporary file left");
        }
    }
}
