package dev.qdecode.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The backslash escapes of the TSV files qdecode writes: a field's backslash, tab, newline and
 * carriage return are written as {@code \\ \t \n \r}, so every row stays on one line. A TSV file
 * whose run record ({@code FILE.run.json}, written beside it) declares them is read back with the
 * escapes undone, so generated text read again (e.g. scored by {@code rewards score}) is the text that
 * was generated; any other TSV file is read as it is, backslashes included.
 */
public final class TsvEscapes {
  /** The run record's key that declares the escapes, and its value. */
  public static final String RECORD_KEY = "tsv_escapes";

  /** {@link #RECORD_KEY}'s value for these escapes. */
  public static final String BACKSLASH = "backslash";

  private TsvEscapes() {}

  /**
   * Escapes a field.
   *
   * @param s the value
   * @return the value with backslash, tab, newline and carriage return escaped
   * @throws NullPointerException naming {@code s} when it is null
   */
  public static String escape(String s) {
    Objects.requireNonNull(s, "s");
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  /**
   * Undoes {@link #escape} (a backslash before any other character stands for that character).
   *
   * @param s an escaped field
   * @return the value
   * @throws NullPointerException naming {@code s} when it is null
   */
  public static String unescape(String s) {
    Objects.requireNonNull(s, "s");
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * The run record beside a file: {@code FILE.run.json}.
   *
   * @param file the data file
   * @return the record's path
   * @throws NullPointerException naming {@code file} when it is null
   */
  public static Path recordOf(Path file) {
    Objects.requireNonNull(file, "file");
    return file.resolveSibling(file.getFileName() + ".run.json");
  }

  /**
   * Whether a TSV file's run record declares these escapes (a file qdecode wrote).
   *
   * @param file the TSV file
   * @return true when its fields are to be unescaped
   */
  static boolean declaredFor(Path file) {
    Path record = recordOf(file);
    if (!Files.isRegularFile(record)) {
      return false;
    }
    try {
      JsonElement e = JsonParser.parseString(Files.readString(record, StandardCharsets.UTF_8));
      return e.isJsonObject()
          && e.getAsJsonObject().has(RECORD_KEY)
          && BACKSLASH.equals(e.getAsJsonObject().get(RECORD_KEY).getAsString());
    } catch (IOException | RuntimeException e) {
      return false; // not a record of this kind: the file is read as it is
    }
  }
}
