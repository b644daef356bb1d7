package dev.qdecode.data;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/** The layout of a data file. */
public enum Format {
  /** Tab-separated, one header row, no quoting: every line is split on tabs only. */
  TSV,
  /** Comma-separated as in RFC 4180, one header row, fields may be quoted with {@code "}. */
  CSV,
  /** JSON lines: one JSON object per line; keys are the column names. */
  JSONL;

  /**
   * The format implied by a file name: {@code .tsv}/{@code .tab} → TSV, {@code .csv} → CSV, {@code
   * .jsonl}/{@code .ndjson}/{@code .json} → JSONL (case-insensitive).
   *
   * @param file the data file
   * @return its format
   * @throws DataException if the extension is none of these
   * @throws NullPointerException naming {@code file} when it is null
   */
  public static Format of(Path file) {
    Objects.requireNonNull(file, "file");
    Format f = implied(file);
    if (f == null) {
      throw new DataException(
          Sources.display(file)
              + ": cannot tell the format from the file name: expected an extension .tsv, .csv,"
              + " .jsonl or .json, or an explicit format (tsv, csv, jsonl)");
    }
    return f;
  }

  /**
   * Whether the file name implies a format (as {@link #of} reads it); commands that also take plain
   * text read every other file one segment per line.
   *
   * @param file the data file
   * @return true for a table file (TSV, CSV or JSONL by its extension)
   * @throws NullPointerException naming {@code file} when it is null
   */
  public static boolean isTable(Path file) {
    Objects.requireNonNull(file, "file");
    return implied(file) != null;
  }

  private static Format implied(Path file) {
    Path name = file.getFileName();
    String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
    if (n.endsWith(".tsv") || n.endsWith(".tab")) {
      return TSV;
    }
    if (n.endsWith(".csv")) {
      return CSV;
    }
    if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".json")) {
      return JSONL;
    }
    return null;
  }

  /**
   * Parses a format name as typed by a user ({@code tsv}, {@code csv}, {@code jsonl} or {@code
   * json}, case-insensitive).
   *
   * @param name the name
   * @return the format
   * @throws IllegalArgumentException naming the accepted values
   * @throws NullPointerException naming {@code name} when it is null
   */
  public static Format parse(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    switch (n) {
      case "tsv":
        return TSV;
      case "csv":
        return CSV;
      case "jsonl":
      case "json":
      case "ndjson":
        return JSONL;
      default:
        throw new IllegalArgumentException(
            "unknown data format '" + name + "': expected one of tsv, csv, jsonl");
    }
  }
}
