package dev.qdecode.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Reads task data sets from TSV, CSV and JSON-lines files.
 *
 * <pre>{@code
 * ReadOptions binary = ReadOptions.defaults().withAllowedLabels(List.of("0", "1"));
 * Dataset<ClassificationExample> sst2 =
 *     Datasets.classification(shared.resolve("data/sst2/dev.tsv"), binary);
 * Dataset<TranslationExample> enDe = Datasets.translation(
 *     shared.resolve("data/multi30k/en-de.val.tsv"), ReadOptions.defaults().withColumn("target", "de"));
 * ReadOptions column = ReadOptions.defaults().withColumn("text", "sentence");
 * try (DataReader<Row> rows = Datasets.rows(file, column)) {
 *   rows.forEachRemaining(r -> System.out.println(r.get("sentence")));
 * }
 * }</pre>
 *
 * <p>The format comes from the file extension unless {@link ReadOptions#format()} is set; fields
 * map to columns as described in {@link Task}. All problems are {@link DataException}s with a
 * one-line message naming the file, line and column.
 */
public final class Datasets {
  private Datasets() {}

  /**
   * Loads labelled texts (defaults: {@code sentence}, {@code label}; optional {@code id}).
   *
   * @param file the data file
   * @param opts how to read it
   * @return the examples in file order and the read report
   * @throws DataException on a bad file or (unless skipping) a bad row
   * @throws NullPointerException naming {@code file} or {@code opts} when it is null
   */
  public static Dataset<ClassificationExample> classification(Path file, ReadOptions opts) {
    return load(file, Task.CLASSIFICATION, opts);
  }

  /**
   * Loads prompts (defaults: {@code id}, {@code prompt}).
   *
   * @param file the data file
   * @param opts how to read it
   * @return the examples in file order and the read report
   * @throws DataException on a bad file or (unless skipping) a bad row
   * @throws NullPointerException naming {@code file} or {@code opts} when it is null
   */
  public static Dataset<PromptExample> prompts(Path file, ReadOptions opts) {
    return load(file, Task.PROMPTS, opts);
  }

  /**
   * Loads translation pairs (defaults: source {@code en}; the target column must be mapped, e.g.
   * {@code opts.withColumn("target", "de")}).
   *
   * @param file the data file
   * @param opts how to read it
   * @return the examples in file order and the read report
   * @throws DataException on a bad file or (unless skipping) a bad row
   * @throws NullPointerException naming {@code file} or {@code opts} when it is null
   */
  public static Dataset<TranslationExample> translation(Path file, ReadOptions opts) {
    return load(file, Task.TRANSLATION, opts);
  }

  /**
   * Loads dialogue context/response pairs (defaults: XDailyDialog's {@code pairs_en_*.tsv}
   * columns).
   *
   * @param file the data file
   * @param opts how to read it
   * @return the examples in file order and the read report
   * @throws DataException on a bad file or (unless skipping) a bad row
   * @throws NullPointerException naming {@code file} or {@code opts} when it is null
   */
  public static Dataset<DialogueExample> dialogue(Path file, ReadOptions opts) {
    return load(file, Task.DIALOGUE, opts);
  }

  /**
   * Loads all examples of a task kind into memory.
   *
   * @param file the data file
   * @param task the task kind
   * @param opts how to read it
   * @param <T> the example type
   * @return the examples in file order and the read report
   * @throws DataException on a bad file or (unless skipping) a bad row
   * @throws IllegalArgumentException if the options name fields the task does not have
   * @throws NullPointerException naming {@code file}, {@code task} or {@code opts} when it is null
   */
  public static <T> Dataset<T> load(Path file, Task<T> task, ReadOptions opts) {
    return open(file, task, opts).readAll();
  }

  /**
   * Opens a streaming reader of a task's examples. The header is read and the column mapping
   * checked before this returns.
   *
   * @param file the data file
   * @param task the task kind
   * @param opts how to read it
   * @param <T> the example type
   * @return the reader; close it
   * @throws DataException on a bad file, header or column mapping
   * @throws IllegalArgumentException if the options name fields the task does not have
   * @throws NullPointerException naming {@code file}, {@code task} or {@code opts} when it is null
   */
  public static <T> DataReader<T> open(Path file, Task<T> task, ReadOptions opts) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(task, "task");
    Objects.requireNonNull(opts, "opts");
    Binding.checkOptions(task, opts);
    RowSource source = open(file, opts);
    try {
      Binding binding = Binding.bind(task, opts, source.source(), source.header());
      Task.Mapper<T> mapper = task.mapper();
      return new DataReader<>(source, row -> mapper.map(row, binding), opts);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * Opens a streaming reader of raw rows, for any columns. The columns named in {@link
   * ReadOptions#columns()} (under any field names) must exist; {@link ReadOptions#allowedValues()}
   * (keyed by those field names) is checked.
   *
   * @param file the data file
   * @param opts how to read it
   * @return the reader; close it
   * @throws DataException on a bad file or header, or a mapped column missing from the header
   * @throws NullPointerException naming {@code file} or {@code opts} when it is null
   */
  public static DataReader<Row> rows(Path file, ReadOptions opts) {
    RowSource source = open(file, opts);
    try {
      Binding binding = Binding.bindRows(opts, source.source(), source.header());
      return new DataReader<>(source, binding::check, opts);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
  }

  /**
   * Where a data row is, for a message about an example read earlier whose record keeps no line:
   * {@code FILE:LINE}, the line found by reading the file's rows again with the same options.
   *
   * @param file the data file, as the message should name it
   * @param opts the options the examples were read with (no bad row skipped, so that the {@code
   *     index}-th example is the {@code index}-th data row)
   * @param index the 0-based position of the row among the file's data rows ({@link Row#index()})
   * @return {@code FILE:LINE} ({@link Row#line()}: 1-based, the header is line 1 in TSV and CSV),
   *     or just {@code FILE} when the file no longer has such a row or cannot be read again
   */
  public static String rowLocation(Path file, ReadOptions opts, long index) {
    try (DataReader<Row> rows = rows(file, opts)) {
      for (long i = 0; rows.hasNext(); i++) {
        Row r = rows.next();
        if (i == index) {
          return file + ":" + r.line();
        }
      }
    } catch (DataException e) {
      // the file changed since it was read: name it without a line
    }
    return file.toString();
  }

  /**
   * The next line of a text, without its end: a line ends at {@code \n} or {@code \r\n}, and a
   * carriage return elsewhere is text and stays in the line, as qdecode reads every line-based file
   * ({@code .jsonl}, plain text). {@link java.io.BufferedReader#readLine} would end a line at a lone
   * {@code \r}, dropping it from the text and numbering the lines after it one further than the
   * file's.
   *
   * @param reader the text (buffer it: it is read a character at a time)
   * @return the line, or {@code null} at the end of the text
   * @throws IOException as the reader throws it
   * @throws NullPointerException naming {@code reader} when it is null
   */
  public static String nextLine(java.io.Reader reader) throws IOException {
    Objects.requireNonNull(reader, "reader");
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = reader.read()) >= 0 && c != '\n') {
      sb.append((char) c);
    }
    if (c < 0 && sb.length() == 0) {
      return null;
    }
    int n = sb.length();
    if (c == '\n' && n > 0 && sb.charAt(n - 1) == '\r') { // a \r at the very end, with no \n, is text
      sb.setLength(n - 1);
    }
    return sb.toString();
  }

  /**
   * The error for a file that is not valid UTF-8, as the table readers give it: the line and byte
   * offset of its first invalid byte, found by scanning the file again ({@code FILE:LINE: not valid
   * UTF-8: byte 0xFF at byte offset 1234 (the file must be UTF-8)}). For readers of other files
   * (plain text, one segment per line), whose decoder fails where it happens to be decoding ahead,
   * not at the line read.
   *
   * @param file the file, as the message should name it
   * @param cause the decoding failure, kept as the cause
   * @return the exception to throw (one line)
   * @throws NullPointerException naming {@code file} or {@code cause} when it is null
   */
  public static DataException notUtf8(Path file, Throwable cause) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(cause, "cause");
    return Utf8.notUtf8(file, Sources.display(file), cause);
  }

  /**
   * A value as data errors show it: single-quoted, cut to 60 characters, tabs and line breaks escaped.
   *
   * @param value the value
   * @return the quoted value
   * @throws NullPointerException naming {@code value} when it is null
   */
  public static String quote(String value) {
    Objects.requireNonNull(value, "value");
    return Sources.quote(value);
  }

  /**
   * Whether two paths name the same file or directory: links resolved where both exist, otherwise
   * the normalized absolute paths compared. Used to recognise an input given twice, an output that
   * is an input, or a moved or linked file.
   *
   * @param a a path
   * @param b another path
   * @return true when they are the same
   * @throws NullPointerException naming {@code a} or {@code b} when it is null
   */
  public static boolean sameFile(Path a, Path b) {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    try {
      if (Files.exists(a) && Files.exists(b)) {
        return Files.isSameFile(a, b);
      }
    } catch (IOException e) {
      // fall through to comparing the paths
    }
    return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
  }

  /**
   * How a resume refuses an input file given again whose content is not the run's: {@code OPTION
   * GIVEN is not the run's OPTION RECORDED (sha256 NOW, the run's: WAS)}, with {@code ; EXPECTED}
   * before the closing parenthesis when {@code expected} is not null. The one wording of {@code
   * train --resume} and {@code sft --resume}.
   *
   * @param option the option that names the file, e.g. {@code --dev}
   * @param given the file given to the resume
   * @param recorded the run's own file
   * @param now the given file's {@link #sha256}
   * @param was the run's recorded sha256
   * @param expected what to do instead, or null
   * @return the description, without a final period
   * @throws NullPointerException naming {@code option}, {@code given}, {@code recorded}, {@code
   *     now} or {@code was} when it is null
   */
  public static String notTheRuns(
      String option, String given, String recorded, String now, String was, String expected) {
    Objects.requireNonNull(option, "option");
    Objects.requireNonNull(given, "given");
    Objects.requireNonNull(recorded, "recorded");
    return option + " " + given + " is not the run's " + option + " " + recorded
        + runsHashes(now, was, expected);
  }

  /**
   * How a resume refuses an input file whose content changed since the run started: {@code FILE
   * changed since the run started (sha256 NOW, the run's: WAS)}, with {@code ; EXPECTED} before the
   * closing parenthesis when {@code expected} is not null.
   *
   * @param file how the message names the file, e.g. {@code the run's --dev dev.tsv}
   * @param now the file's {@link #sha256} now
   * @param was the run's recorded sha256
   * @param expected what to do instead, or null
   * @return the description, without a final period
   * @throws NullPointerException naming {@code file}, {@code now} or {@code was} when it is null
   */
  public static String changedSinceRun(String file, String now, String was, String expected) {
    Objects.requireNonNull(file, "file");
    return file + " changed since the run started" + runsHashes(now, was, expected);
  }

  /** {@code  (sha256 NOW, the run's: WAS[; EXPECTED])}. */
  private static String runsHashes(String now, String was, String expected) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(was, "was");
    return " (sha256 " + now + ", the run's: " + was + (expected == null ? "" : "; " + expected) + ")";
  }

  /**
   * The SHA-256 of a file's bytes, for provenance records.
   *
   * @param file the file
   * @return 64 lowercase hex digits
   * @throws DataException if the file cannot be read
   * @throws NullPointerException naming {@code file} when it is null
   */
  public static String sha256(Path file) {
    Objects.requireNonNull(file, "file");
    String source = Sources.display(file);
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new DataException(Sources.notFound(file), e);
    } catch (IOException e) {
      throw new DataException(source + ": cannot read: " + e, e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static RowSource open(Path file, ReadOptions opts) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(opts, "opts");
    return RowSource.open(file, opts.format());
  }
}
