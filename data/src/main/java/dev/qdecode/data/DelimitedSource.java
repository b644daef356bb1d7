package dev.qdecode.data;

import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/** TSV (tab-separated, no quoting) and CSV (RFC 4180) files with one header row. */
final class DelimitedSource implements RowSource {

  /** Tab-separated, quoting off: a {@code "} is an ordinary character; spaces are kept. */
  static final CSVFormat TSV =
      CSVFormat.TDF
          .builder()
          .setQuote(null)
          .setEscape(null)
          .setCommentMarker(null)
          .setIgnoreSurroundingSpaces(false)
          .setTrim(false)
          .setIgnoreEmptyLines(false)
          .build();

  /** RFC 4180; empty lines are kept so that they are reported, not silently dropped. */
  static final CSVFormat CSV =
      CSVFormat.RFC4180
          .builder()
          .setIgnoreSurroundingSpaces(false)
          .setTrim(false)
          .setIgnoreEmptyLines(false)
          .build();

  private final Path file;
  private final String source;
  private final Format format;
  private final CSVParser parser;
  private final Iterator<CSVRecord> records;
  private final List<String> header;
  private final Map<String, Integer> positions;

  /** The line on which the last record read ended. */
  private long lastLine;

  /** The line on which the last record read started. */
  private long lineOfLastRecord;

  private long index = -1;

  /** Whether fields carry qdecode's backslash escapes ({@link TsvEscapes}), undone when read. */
  private final boolean unescape;

  DelimitedSource(Path file, String source, InputStream in, Format format) {
    this.file = file;
    this.source = source;
    this.format = format;
    this.unescape = format == Format.TSV && file != null && TsvEscapes.declaredFor(file);
    try {
      this.parser =
          format == Format.TSV
              ? TSV.parse(new LineEnds(Utf8.strictReader(in), source))
              : CSV.parse(Utf8.strictReader(in));
    } catch (IOException e) {
      throw new DataException(source + ": cannot read: " + e.getMessage(), e);
    }
    this.records = parser.iterator();
    CSVRecord first = read();
    if (first == null) {
      throw new DataException(source + ": the file is empty: expected a header row");
    }
    List<String> names = first.toList();
    Map<String, Integer> pos = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name.isEmpty()) {
        throw new DataException(
            source
                + ":1: header: column "
                + (i + 1)
                + " has an empty name; the header is: "
                + String.join(", ", names));
      }
      if (pos.put(name, i) != null) {
        throw new DataException(
            source
                + ":1: header: column '"
                + name
                + "' appears twice; the header is: "
                + String.join(", ", names));
      }
    }
    this.header = Collections.unmodifiableList(new ArrayList<>(names));
    this.positions = Collections.unmodifiableMap(pos);
  }

  @Override
  public Row next() {
    CSVRecord r = read();
    if (r == null) {
      return null;
    }
    long line = lineOfLastRecord;
    index++;
    if (r.size() != header.size()) {
      if (r.size() == 1 && r.get(0).isEmpty()) {
        throw DataException.badRow(
            source
                + ":"
                + line
                + ": empty line: expected "
                + header.size()
                + " "
                + separatorName()
                + "-separated fields ("
                + String.join(", ", header)
                + ")");
      }
      throw DataException.badRow(
          source
              + ":"
              + line
              + ": expected "
              + header.size()
              + " "
              + separatorName()
              + "-separated fields ("
              + String.join(", ", header)
              + ") but found "
              + r.size());
    }
    String[] values = r.values();
    if (unescape) {
      for (int i = 0; i < values.length; i++) {
        values[i] = TsvEscapes.unescape(values[i]);
      }
    }
    return new Row(source, line, index, header, positions, values);
  }

  /** Reads one record, keeping track of the line it starts on; {@code null} at the end. */
  private CSVRecord read() {
    try {
      if (!records.hasNext()) {
        return null;
      }
      CSVRecord r = records.next();
      lineOfLastRecord = lastLine + 1;
      lastLine = parser.getCurrentLineNumber();
      return r;
    } catch (UncheckedIOException e) {
      throw translate(e.getCause());
    } catch (IllegalStateException e) {
      // Commons CSV reports some parse problems as IllegalStateException wrapping an IOException.
      throw translate(
          e.getCause() instanceof IOException
              ? (IOException) e.getCause()
              : new IOException(e.getMessage(), e));
    }
  }

  private DataException translate(IOException e) {
    if (e instanceof CharacterCodingException) {
      return Utf8.notUtf8(file, source, e);
    }
    long line = lastLine + 1;
    if (format == Format.CSV) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("EOF reached before encapsulated token finished")) {
        m = "a quoted field starting on this line is never closed";
      } else if (m.contains("Invalid character between encapsulated token and delimiter")) {
        m = "text after a closing quote (a quote inside a quoted field is written \"\")";
      }
      return new DataException(source + ":" + line + ": malformed CSV (RFC 4180): " + m, e);
    }
    return new DataException(source + ":" + line + ": cannot read: " + e.getMessage(), e);
  }

  /**
   * Passes TSV text through, refusing a carriage return that does not end a line: Commons CSV would
   * read it as a line break, splitting one line into two records (or shifting every later line
   * number), whereas a TSV line ends at {@code \n} or {@code \r\n}. A CR that ends the file ends its
   * last line.
   */
  static final class LineEnds extends FilterReader {
    private final String source;
    private long line = 1;
    private long character;
    /** A CR was the last character read: the next one must be LF. */
    private boolean pendingCr;

    LineEnds(Reader in, String source) {
      super(in);
      this.source = source;
    }

    @Override
    public int read() throws IOException {
      char[] one = new char[1];
      return read(one, 0, 1) < 0 ? -1 : one[0];
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      for (int i = off; i < off + n; i++) {
        char c = buf[i];
        if (pendingCr && c != '\n') {
          throw new DataException(
              source
                  + ":"
                  + line
                  + ": a carriage return (\\r) inside the line at character "
                  + character
                  + ": expected lines ending in \\n or \\r\\n (a TSV field cannot hold a line"
                  + " break)");
        }
        pendingCr = c == '\r';
        if (c == '\n') {
          line++;
          character = 0;
        } else {
          character++;
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      char[] buf = new char[(int) Math.min(n, 8192)];
      int r = read(buf, 0, buf.length);
      return Math.max(r, 0);
    }
  }

  private String separatorName() {
    return format == Format.TSV ? "tab" : "comma";
  }

  @Override
  public List<String> header() {
    return header;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public void close() {
    try {
      parser.close();
    } catch (IOException e) {
      throw new DataException(source + ": cannot close: " + e.getMessage(), e);
    }
  }
}
