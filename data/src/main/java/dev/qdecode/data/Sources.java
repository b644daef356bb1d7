package dev.qdecode.data;

import java.nio.file.Path;

/** How files are named in messages. */
final class Sources {
  private Sources() {}

  /** The file's parent folder and name, e.g. {@code sst2/train.tsv}: short but unambiguous. */
  static String display(Path file) {
    Path name = file.getFileName();
    if (name == null) {
      return file.toString();
    }
    Path parent = file.toAbsolutePath().getParent();
    Path parentName = parent == null ? null : parent.getFileName();
    return parentName == null ? name.toString() : parentName + "/" + name;
  }

  /** Quotes a value for a message, shortening long ones and escaping control characters. */
  static String quote(String value) {
    String v = value.length() > 60 ? value.substring(0, 57) + "..." : value;
    return "'" + v.replace("\t", "\\t").replace("\r", "\\r").replace("\n", "\\n") + "'";
  }
}
