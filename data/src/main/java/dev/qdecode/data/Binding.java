package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which column each field of a task reads in one file, and which values it may take: the task's
 * defaults overridden by {@link ReadOptions}, checked against the file's header.
 */
final class Binding {
  private final String taskName;

  /** field → column; absent when the field is switched off or its default column is missing. */
  private final Map<String, String> columns;

  /** Fields whose column may be missing from a JSON-lines row (optional, default column). */
  private final Set<String> lenient;

  private final Map<String, List<String>> allowed;
  private final Map<String, Set<String>> allowedSets;

  /**
   * Per name field, the number a name spells (see {@link #numberSpelled}) → its first spelling in this
   * file and that row's line, so that {@code 0} and {@code 0.0} do not become two classes.
   */
  private final Map<String, Map<String, String[]>> numericNames = new HashMap<>();

  /** An integer literal: optional sign and digits, nothing else. */
  private static final java.util.regex.Pattern INTEGER = java.util.regex.Pattern.compile("[+-]?\\d+");

  private Binding(
      String taskName,
      Map<String, String> columns,
      Set<String> lenient,
      Map<String, List<String>> allowed) {
    this.taskName = taskName;
    this.columns = columns;
    this.lenient = lenient;
    this.allowed = allowed;
    Map<String, Set<String>> sets = new HashMap<>();
    allowed.forEach((f, v) -> sets.put(f, Set.copyOf(v)));
    this.allowedSets = sets;
  }

  /** Rejects option keys that are not fields of the task (typos), before any file is opened. */
  static void checkOptions(Task<?> task, ReadOptions opts) {
    List<String> fields = task.fields();
    for (String key : opts.columns().keySet()) {
      if (!fields.contains(key)) {
        throw new IllegalArgumentException(unknownField(task, key, "column mapping"));
      }
    }
    for (String key : opts.allowedValues().keySet()) {
      if (!fields.contains(key)) {
        throw new IllegalArgumentException(unknownField(task, key, "allowed values"));
      }
    }
    for (Task.Field f : task.fieldSpecs()) {
      if (f.required() && "".equals(opts.columns().get(f.name()))) {
        throw new IllegalArgumentException(
            "field '"
                + f.name()
                + "' of task "
                + task.name()
                + " is required and cannot be"
                + " switched off (mapped to an empty column name)");
      }
    }
  }

  private static String unknownField(Task<?> task, String key, String what) {
    return what
        + ": unknown field '"
        + key
        + "' for task "
        + task.name()
        + ": expected one of "
        + String.join(", ", task.fields());
  }

  /**
   * Binds a task's fields to a file's columns.
   *
   * @param header the header's columns, or {@code null} for JSON lines (checked row by row)
   * @throws DataException if a required or explicitly mapped column is not in the header, or a
   *     required field has no column
   */
  static Binding bind(Task<?> task, ReadOptions opts, String source, List<String> header) {
    Map<String, String> columns = new HashMap<>();
    Set<String> lenient = new HashSet<>();
    for (Task.Field f : task.fieldSpecs()) {
      boolean explicit = opts.columns().containsKey(f.name());
      String column = explicit ? opts.columns().get(f.name()) : f.defaultColumn();
      if (column.isEmpty()) {
        if (f.required()) {
          throw new DataException(
              source
                  + ": task "
                  + task.name()
                  + " needs a column for field '"
                  + f.name()
                  + "': map it (e.g. "
                  + f.name()
                  + "=<column>)"
                  + headerList(header));
        }
        continue;
      }
      if (header != null && !header.contains(column)) {
        if (f.required() || explicit) {
          throw new DataException(
              source
                  + ":1: missing column '"
                  + column
                  + "' (field '"
                  + f.name()
                  + "' of task "
                  + task.name()
                  + ")"
                  + headerList(header));
        }
        continue;
      }
      columns.put(f.name(), column);
      if (!f.required() && !explicit) {
        lenient.add(f.name());
      }
    }
    for (Task.Field a : task.fieldSpecs()) {
      for (Task.Field b : task.fieldSpecs()) {
        String col = columns.get(a.name());
        if (a.name().compareTo(b.name()) < 0 && col != null && col.equals(columns.get(b.name()))) {
          throw new DataException(
              source
                  + ": fields '"
                  + a.name()
                  + "' and '"
                  + b.name()
                  + "' of task "
                  + task.name()
                  + " both read column '"
                  + col
                  + "' (expected a different column for each)");
        }
      }
    }
    Map<String, List<String>> allowed = new HashMap<>(task.defaultAllowedValues());
    allowed.putAll(opts.allowedValues());
    allowed.values().removeIf(List::isEmpty);
    return new Binding(task.name(), columns, lenient, allowed);
  }

  /** Binds raw rows: every mapped column must exist; allowed values are checked. */
  static Binding bindRows(ReadOptions opts, String source, List<String> header) {
    Map<String, String> columns = new HashMap<>();
    for (Map.Entry<String, String> e : opts.columns().entrySet()) {
      if (e.getValue().isEmpty()) {
        continue;
      }
      if (header != null && !header.contains(e.getValue())) {
        throw new DataException(
            source + ":1: missing column '" + e.getValue() + "'" + headerList(header));
      }
      columns.put(e.getKey(), e.getValue());
    }
    for (String key : opts.allowedValues().keySet()) {
      if (!columns.containsKey(key)) {
        throw new IllegalArgumentException(
            "allowed values given for '"
                + key
                + "', which is not in the column mapping "
                + opts.columns().keySet());
      }
    }
    Map<String, List<String>> allowed = new HashMap<>(opts.allowedValues());
    allowed.values().removeIf(List::isEmpty);
    return new Binding("rows", columns, Set.of(), allowed);
  }

  /** Checks a raw row: mapped columns present, allowed values respected. */
  Row check(Row row) {
    for (Map.Entry<String, String> e : columns.entrySet()) {
      if (!row.has(e.getValue())) {
        row.get(e.getValue()); // throws the standard "missing" message
      }
      if (allowed.containsKey(e.getKey())) {
        checkAllowed(row, e.getKey(), e.getValue(), row.get(e.getValue()));
      }
    }
    return row;
  }

  private static String headerList(List<String> header) {
    return header == null ? "" : "; the header has columns: " + String.join(", ", header);
  }

  /** The column bound to a field, or {@code null}. */
  String column(String field) {
    return columns.get(field);
  }

  /** A required field's value: non-blank and allowed. */
  String required(Row row, String field) {
    String column = columns.get(field);
    return checked(row, field, column, row.get(column));
  }

  /**
   * A required field's value that names something (a label): as {@link #required}, without
   * leading or trailing white space, which would make {@code "1 "} a class of its own, and spelled as
   * the earlier rows of the file spell the same whole number: {@code 0.0} after {@code 0} (or {@code
   * true} after {@code 1}, as a JSON boolean reads) would be another class. Two integer literals
   * ({@code 07}, {@code 7}) are codes and stay apart.
   */
  String requiredName(Row row, String field) {
    String value = required(row, field);
    if (!value.equals(value.strip())) {
      throw row.error(
          columns.get(field),
          "expected no leading or trailing spaces (field '"
              + field
              + "' of task "
              + taskName
              + ") but found "
              + Sources.quote(value));
    }
    String number = numberSpelled(value);
    if (number != null) {
      Map<String, String[]> seen = numericNames.computeIfAbsent(field, f -> new HashMap<>());
      String[] first = seen.putIfAbsent(number, new String[] {value, Long.toString(row.line())});
      // two integer literals ("07" and "7") are codes, kept apart; a fraction, exponent or boolean is a
      // number written another way (a float column's "0.0", JSON's true)
      if (first != null && !first[0].equals(value) && !(INTEGER.matcher(first[0]).matches()
          && INTEGER.matcher(value).matches())) {
        throw row.error(
            columns.get(field),
            "expected one spelling per "
                + field
                + " but found "
                + Sources.quote(value)
                + ", the same number as "
                + Sources.quote(first[0])
                + " on line "
                + first[1]);
      }
    }
    return value;
  }

  /**
   * The whole number a name spells, in one canonical form, or {@code null} when it spells none: a decimal
   * with an integer value such as {@code 1}, {@code 1.0}, {@code +1} or {@code 1e0}, and {@code
   * true}/{@code false} (any case) as 1 and 0. {@code 1.1} and {@code 1.10} spell no whole number: such
   * labels (section numbers, versions) are kept as written.
   */
  static String numberSpelled(String name) {
    if (name.equalsIgnoreCase("true")) {
      return "1E0";
    }
    if (name.equalsIgnoreCase("false")) {
      return "0E0";
    }
    if (!dev.qdecode.tokenizer.Decimals.isDecimal(name)) {
      return null;
    }
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(name).stripTrailingZeros();
      if (d.scale() > 0) {
        return null; // not a whole number
      }
      return d.signum() == 0 ? "0E0" : d.unscaledValue() + "E" + (-(long) d.scale());
    } catch (NumberFormatException | ArithmeticException e) {
      return null; // an exponent beyond what BigDecimal holds: compared as text
    }
  }

  /** A required field's values (a JSON array gives several): each non-blank and allowed. */
  List<String> requiredList(Row row, String field) {
    String column = columns.get(field);
    List<String> values = row.getAll(column);
    if (values.isEmpty()) {
      throw row.error(column, "expected at least one value but found an empty array");
    }
    List<String> out = new ArrayList<>(values.size());
    for (String v : values) {
      out.add(checked(row, field, column, v));
    }
    return Collections.unmodifiableList(out);
  }

  /** An optional field's value, or {@code null} when the field is off or absent from the row. */
  String optional(Row row, String field) {
    String column = columns.get(field);
    if (column == null || (lenient.contains(field) && !row.has(column))) {
      return null;
    }
    return checked(row, field, column, row.get(column));
  }

  /** The row's id field if bound and present, else its index. */
  String idOrIndex(Row row) {
    String id = optional(row, "id");
    return id == null ? Long.toString(row.index()) : id;
  }

  private String checked(Row row, String field, String column, String value) {
    if (Sources.blank(value)) {
      throw row.error(
          column,
          "expected a non-blank value (field '"
              + field
              + "' of task "
              + taskName
              + ") but found "
              + Sources.quote(value));
    }
    checkAllowed(row, field, column, value);
    return value;
  }

  private void checkAllowed(Row row, String field, String column, String value) {
    Set<String> ok = allowedSets.get(field);
    if (ok != null && !ok.contains(value)) {
      throw row.error(
          column,
          "expected one of "
              + String.join(",", allowed.get(field))
              + " but found "
              + Sources.quote(value));
    }
  }
}
