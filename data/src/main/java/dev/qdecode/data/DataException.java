package dev.qdecode.data;

/**
 * A problem with a data file: missing file, unreadable bytes, bad header, or a bad row.
 *
 * <p>The message is always one line of the form {@code file:line: column 'name': expected ... but
 * found ...} (or {@code file: ...} when no line applies), meant to be shown to the user as is.
 */
public class DataException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whether the problem concerns one row only, so that the reader may skip it on request. */
  private final boolean rowLevel;

  /**
   * Creates an exception with a one-line message.
   *
   * @param message one line naming the file, line and column and what was expected
   */
  public DataException(String message) {
    this(message, null, false);
  }

  /**
   * Creates an exception with a one-line message and its cause.
   *
   * @param message one line naming the file, line and column and what was expected
   * @param cause the underlying error
   */
  public DataException(String message, Throwable cause) {
    this(message, cause, false);
  }

  DataException(String message, Throwable cause, boolean rowLevel) {
    super(oneLine(message), cause);
    this.rowLevel = rowLevel;
  }

  /** A problem confined to one row; the reader skips it when asked to. */
  static DataException badRow(String message) {
    return new DataException(message, null, true);
  }

  boolean isRowLevel() {
    return rowLevel;
  }

  private static String oneLine(String message) {
    return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
  }
}
