package dev.qdecode.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small test files into a folder named {@code bad}, so messages read {@code bad/x.tsv}. */
final class TempFiles {
  private final Path dir;

  TempFiles(Path tempDir) {
    this.dir = tempDir.resolve("bad");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path write(String name, String content) {
    return write(name, content.getBytes(StandardCharsets.UTF_8));
  }

  Path write(String name, byte[] content) {
    try {
      return Files.write(dir.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path(String name) {
    return dir.resolve(name);
  }
}
