package dev.qdecode.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** Raw rows of one file in one format. */
interface RowSource extends Closeable {

  /**
   * The next row, or {@code null} at the end of the file.
   *
   * @throws DataException a bad-row error ({@link DataException#isRowLevel()}) after which reading
   *     may go on, or a fatal one
   */
  Row next();

  /** The header's columns, or {@code null} for formats without a header (JSON lines). */
  List<String> header();

  /** The file as named in messages. */
  String source();

  @Override
  void close();

  /** Opens a source for a file; a {@code null} format is chosen from the file extension. */
  static RowSource open(Path file, Format format) {
    String source = Sources.display(file);
    InputStream in = openStream(file, source);
    try {
      Format f = format != null ? format : Format.of(file);
      return f == Format.JSONL
          ? new JsonLinesSource(file, source, in)
          : new DelimitedSource(file, source, in, f);
    } catch (RuntimeException e) {
      closeQuietly(in, e);
      throw e;
    }
  }

  private static InputStream openStream(Path file, String source) {
    if (Files.isDirectory(file)) {
      throw new DataException(source + ": expected a file but found a directory");
    }
    try {
      return Utf8.skipBom(Files.newInputStream(file));
    } catch (NoSuchFileException e) {
      throw new DataException(Sources.notFound(file), e);
    } catch (IOException e) {
      throw new DataException(source + ": cannot open: " + e, e);
    }
  }

  private static void closeQuietly(Closeable c, Throwable primary) {
    try {
      c.close();
    } catch (IOException e) {
      primary.addSuppressed(e);
    }
  }
}
