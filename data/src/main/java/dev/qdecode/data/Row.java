package dev.qdecode.data;

import com.google.gson.JsonElement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One data row of a file, with its position for messages. Values are strings; in JSON lines a
 * number or boolean is given as its JSON text and an array of scalars as a list ({@link #getAll}).
 */
public final class Row {
  private final String source;
  private final long line;
  private final long index;
  private final List<String> columns;
  private final Map<String, Integer> positions;
  private final Object[] values;

  /**
   * @param values per column: a String, a List of Strings, {@code null} (JSON null) or a {@link
   *     JsonElement} that is no scalar (reported as a type error when read)
   */
  Row(
      String source,
      long line,
      long index,
      List<String> columns,
      Map<String, Integer> positions,
      Object[] values) {
    this.source = source;
    this.line = line;
    this.index = index;
    this.columns = columns;
    this.positions = positions;
    this.values = values;
  }

  /**
   * The file, as named in messages.
   *
   * @return e.g. {@code sst2/train.tsv}
   */
  public String source() {
    return source;
  }

  /**
   * The 1-based line on which the row starts (the header is line 1 in TSV and CSV).
   *
   * @return the line number
   */
  public long line() {
    return line;
  }

  /**
   * The 0-based position of the row among the file's data rows, bad rows included; stable, so used
   * as the id of rows that have none.
   *
   * @return the row index
   */
  public long index() {
    return index;
  }

  /**
   * The row's column names: the header for TSV and CSV, the object's keys for JSON lines.
   *
   * @return the column names, in file order
   */
  public List<String> columns() {
    return columns;
  }

  /**
   * Whether the row has a column.
   *
   * @param column the column name
   * @return true if present (even when empty or JSON null)
   * @throws NullPointerException naming {@code column} when it is null
   */
  public boolean has(String column) {
    Objects.requireNonNull(column, "column");
    return positions.containsKey(column);
  }

  /**
   * A column's value as a string (possibly empty).
   *
   * @param column the column name
   * @return the value
   * @throws DataException naming file, line and column if the column is missing or its value is not
   *     a single string
   * @throws NullPointerException naming {@code column} when it is null
   */
  public String get(String column) {
    Objects.requireNonNull(column, "column");
    Object v = raw(column);
    if (v instanceof String) {
      return (String) v;
    }
    if (v instanceof List) {
      List<?> list = (List<?>) v;
      if (list.size() == 1) {
        return (String) list.get(0);
      }
      throw error(column, "expected a single value but found a list of " + list.size());
    }
    throw error(column, "expected a string but found " + describe(v));
  }

  /**
   * A column's values: a one-element list for a string, the elements of a JSON array.
   *
   * @param column the column name
   * @return the values (immutable)
   * @throws DataException naming file, line and column if the column is missing or not text
   * @throws NullPointerException naming {@code column} when it is null
   */
  public List<String> getAll(String column) {
    Objects.requireNonNull(column, "column");
    Object v = raw(column);
    if (v instanceof String) {
      return List.of((String) v);
    }
    if (v instanceof List) {
      @SuppressWarnings("unchecked")
      List<String> list = (List<String>) v;
      return list;
    }
    throw error(column, "expected a string or an array of strings but found " + describe(v));
  }

  /**
   * Whether a column's value is a JSON array (even of one element), rather than a single string.
   *
   * @param column the column name
   * @return true for an array
   * @throws DataException naming file, line and column if the column is missing
   */
  boolean isArray(String column) {
    return raw(column) instanceof List;
  }

  /**
   * A one-line message about this row, prefixed with {@code file:line:}.
   *
   * @param message what was wrong
   * @return the exception to throw; a skippable bad-row error
   */
  DataException error(String message) {
    return DataException.badRow(source + ":" + line + ": " + message);
  }

  /** A one-line message about a column of this row. */
  DataException error(String column, String message) {
    return error("column '" + column + "': " + message);
  }

  private Object raw(String column) {
    Integer p = positions.get(column);
    if (p == null) {
      throw error(column, "missing; the row has columns: " + String.join(", ", columns));
    }
    return values[p];
  }

  private static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    JsonElement e = (JsonElement) v;
    if (e.isJsonObject()) {
      return "a JSON object";
    }
    return e.isJsonArray() ? "a JSON array that holds more than strings" : "JSON " + e;
  }

  /** The row as {@code file:line}, for debugging. */
  @Override
  public String toString() {
    return source + ":" + line;
  }
}
