package dev.qdecode.data;

import java.nio.file.Path;

/** How files are named in messages. */
final class Sources {
  private Sources() {}

  /**
   * The file as the user gave it (a shortened form such as {@code sst2/train.tsv} read as a wrong
   * relative path from the working directory).
   */
  static String display(Path file) {
    return file.toString();
  }

  /** "FILE: file not found", with the absolute path when FILE is relative. */
  static String notFound(Path file) {
    return display(file)
        + ": file not found"
        + (file.isAbsolute() ? "" : " (" + file.toAbsolutePath().normalize() + ")");
  }

  /**
   * Whether a value is empty or only whitespace, no-break spaces included (every character Python's
   * {@code str.isspace()} accepts, what the BLEU/chrF tokenizers split on); {@link String#isBlank()}
   * keeps U+00A0, U+2007, U+202F and U+0085.
   */
  static boolean blank(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!Character.isWhitespace(c) && !Character.isSpaceChar(c) && c != '\u0085') {
        return false;
      }
    }
    return true;
  }

  /** Quotes a value for a message, shortening long ones and escaping control characters. */
  static String quote(String value) {
    String v = value.length() > 60 ? value.substring(0, 57) + "..." : value;
    return "'" + v.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n") + "'";
  }
}
