package dev.qdecode.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's syntax errors in words for the person who wrote the JSON: what was expected where Gson
 * only says "Expected name", and a trailing comma ({@code {"a": 1,}}, {@code [1, 2,]}) named as
 * such, at the comma, where Gson names the bracket after it (and, in an array, reads it as a
 * leniency problem). Used by {@link StrictJson} ({@code --config} files) and JSON lines data;
 * {@code dev.qdecode.tokenizer.JsonErrors} does the same for model and tokenizer files.
 */
final class JsonSyntax {
  /** Gson's position in a message or a reader's description. */
  static final Pattern POSITION = Pattern.compile("at line (\\d+) column (\\d+)");

  private JsonSyntax() {}

  /**
   * A trailing comma found where Gson stopped.
   *
   * @param line the comma's line (1-based)
   * @param column the comma's column (1-based)
   * @param what what was expected and found, e.g. {@code expected a value after ',' but got ']'
   *     (trailing comma?)}
   */
  record TrailingComma(int line, int column, String what) {}

  /**
   * The trailing comma that made Gson stop at {@code line}, {@code column} (Gson's position: the
   * column just after the character it stopped at), if that is what it stopped at.
   *
   * @param text the JSON text
   * @param line Gson's line (1-based)
   * @param column Gson's column (1-based)
   * @return the comma, or null when the error is something else
   */
  static TrailingComma trailingComma(String text, int line, int column) {
    int end = offset(text, line, column);
    int ln = 1;
    int lineStart = 0;
    boolean inString = false;
    int commaLine = 0;
    int commaColumn = 0;
    boolean afterComma = false;
    char beforeComma = 0;
    char last = 0;
    for (int i = 0; i < Math.min(text.length(), end + 1); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        ln++;
        lineStart = i + 1;
      }
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
          last = '"';
        }
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      // a comma after a value (not after '{', '[', ':' or another comma), then the closing bracket
      // where Gson stopped (the character before its position)
      if ((c == '}' || c == ']') && afterComma && "{[:,".indexOf(beforeComma) < 0 && i >= end - 2) {
        return new TrailingComma(commaLine, commaColumn, "expected " + (c == '}' ? "a key" : "a value")
            + " after ',' but got '" + c + "'" + (ln != commaLine ? " on line " + ln : "")
            + " (trailing comma?)");
      }
      afterComma = c == ',';
      if (afterComma) {
        commaLine = ln;
        commaColumn = i - lineStart + 1;
        beforeComma = last;
      }
      inString = c == '"';
      last = c;
    }
    return null;
  }

  /** The index in {@code text} of Gson's line and column (the character after the one it read last). */
  private static int offset(String text, int line, int column) {
    int start = 0;
    for (int l = 1; l < line; l++) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        return text.length();
      }
      start = nl + 1;
    }
    return Math.min(text.length(), start + Math.max(0, column - 1));
  }

  /**
   * Gson's words for the common syntax errors, as what was expected.
   *
   * @param gson Gson's message without its position (e.g. {@code Expected name})
   * @return the reworded message, or {@code gson} as it is
   */
  static String reword(String gson) {
    return switch (gson.strip()) {
      case "Expected name" -> "expected a key (a string in double quotes)";
      case "Expected ':'" -> "expected ':' after the key";
      case "Expected value" -> "expected a value";
      case "Unterminated object" -> "expected ',' or '}' after the value";
      case "Unterminated array" -> "expected ',' or ']' after the value";
      default -> gson;
    };
  }

  /**
   * Gson's line and column in a message or a reader's description.
   *
   * @param s the text holding {@code at line L column C}
   * @return {line, column}, or null when there is none
   */
  static int[] position(String s) {
    Matcher m = POSITION.matcher(s == null ? "" : s);
    return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
  }
}
