package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams the examples of one file, reading it row by row. Closes itself at the end of the file and
 * on a fatal error; close it yourself when stopping early (try-with-resources).
 *
 * <p>Bad rows throw a {@link DataException}, or with {@link ReadOptions#skipBadRows()} are skipped
 * and counted in {@link #report()}; the reader then logs the report's summary as a warning when it
 * closes.
 *
 * @param <T> the example type
 */
public final class DataReader<T> implements Iterator<T>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataReader.class);

  private final RowSource rows;
  private final Function<Row, T> mapper;
  private final boolean skipBadRows;
  private final int limit;
  private final List<String> messages = new ArrayList<>();
  private long read;
  private long accepted;
  private long skipped;
  private T pending;
  private boolean finished;
  private boolean closed;

  DataReader(RowSource rows, Function<Row, T> mapper, ReadOptions opts) {
    this.rows = rows;
    this.mapper = mapper;
    this.skipBadRows = opts.skipBadRows();
    this.limit = opts.limit();
  }

  /**
   * Reads ahead to the next good example.
   *
   * @return whether there is one
   * @throws DataException on a bad row (unless skipping) or a problem with the file
   */
  @Override
  public boolean hasNext() {
    if (pending != null) {
      return true;
    }
    if (finished) {
      return false;
    }
    try {
      while (limit == 0 || accepted < limit) {
        Row row;
        try {
          row = rows.next();
        } catch (DataException e) {
          read++;
          skipOrThrow(e);
          continue;
        }
        if (row == null) {
          break;
        }
        read++;
        T example;
        try {
          example = mapper.apply(row);
        } catch (DataException e) {
          skipOrThrow(e);
          continue;
        }
        accepted++;
        pending = example;
        return true;
      }
    } catch (RuntimeException e) {
      finished = true;
      closeAfter(e);
      throw e;
    }
    finished = true;
    close();
    return false;
  }

  /**
   * The next good example.
   *
   * @return the example
   * @throws NoSuchElementException at the end
   * @throws DataException as {@link #hasNext()}
   */
  @Override
  public T next() {
    if (!hasNext()) {
      throw new NoSuchElementException(rows.source() + ": no more examples");
    }
    T t = pending;
    pending = null;
    return t;
  }

  /**
   * The remaining examples as a sequential stream; closing the stream closes this reader.
   *
   * @return the stream
   */
  public Stream<T> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL),
            false)
        .onClose(this::close);
  }

  /**
   * Reads all remaining examples into memory and closes the reader.
   *
   * @return the examples and the report
   */
  public Dataset<T> readAll() {
    List<T> all = new ArrayList<>();
    try (this) {
      while (hasNext()) {
        all.add(next());
      }
    }
    return new Dataset<>(rows.source(), all, report());
  }

  /**
   * The file's header columns (TSV, CSV), or {@code null} for JSON lines.
   *
   * @return the header, in file order
   */
  public List<String> header() {
    return rows.header();
  }

  /**
   * What has been read so far: complete once the reader is exhausted.
   *
   * @return the counts and the first skip messages
   */
  public ReadReport report() {
    return new ReadReport(rows.source(), read, accepted, skipped, messages);
  }

  /** Closes the file; logs the summary if rows were skipped. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    rows.close();
    if (skipped > 0) {
      LOG.warn("skipped bad rows: {}", report().summary());
    }
  }

  private void skipOrThrow(DataException e) {
    if (!skipBadRows || !e.isRowLevel()) {
      throw e;
    }
    skipped++;
    if (messages.size() < ReadReport.MAX_MESSAGES) {
      messages.add(e.getMessage());
    }
  }

  private void closeAfter(RuntimeException primary) {
    try {
      close();
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
