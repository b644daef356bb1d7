package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How to read a data file. Immutable; start from {@link #defaults()} and use the {@code with...}
 * methods.
 *
 * @param format the file layout, or {@code null} to choose it from the file extension ({@link
 *     Format#of})
 * @param columns task field → column name, overriding the task's defaults (see {@link
 *     Task#defaultColumns()}); an empty column name switches an optional field off. For {@link
 *     Datasets#rows} the mapped columns are the columns the file must have.
 * @param skipBadRows skip rows that fail validation instead of throwing, counting them in the
 *     {@link ReadReport}. Problems with the file as a whole (missing, not UTF-8, bad header, broken
 *     CSV quoting) always throw.
 * @param limit read at most this many good examples; 0 means no limit
 * @param allowedValues task field → the values it may take, overriding the task's defaults (see
 *     {@link Task#defaultAllowedValues()}); an empty list allows any non-empty value
 */
public record ReadOptions(
    Format format,
    Map<String, String> columns,
    boolean skipBadRows,
    int limit,
    Map<String, List<String>> allowedValues) {

  private static final ReadOptions DEFAULTS = new ReadOptions(null, Map.of(), false, 0, Map.of());

  /**
   * Validates and copies the maps (keeping their order).
   *
   * @param format the file layout, or {@code null} to choose it from the file extension ({@link
   *     Format#of})
   * @param columns task field → column name, overriding the task's defaults (see {@link
   *     Task#defaultColumns()}); an empty column name switches an optional field off. For {@link
   *     Datasets#rows} the mapped columns are the columns the file must have.
   * @param skipBadRows skip rows that fail validation instead of throwing, counting them in the
   *     {@link ReadReport}. Problems with the file as a whole (missing, not UTF-8, bad header,
   *     broken CSV quoting) always throw.
   * @param limit read at most this many good examples; 0 means no limit
   * @param allowedValues task field → the values it may take, overriding the task's defaults (see
   *     {@link Task#defaultAllowedValues()}); an empty list allows any non-empty value
   */
  public ReadOptions {
    Objects.requireNonNull(columns, "columns");
    Objects.requireNonNull(allowedValues, "allowedValues");
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0 (0 = no limit) but was " + limit);
    }
    Map<String, String> c = new LinkedHashMap<>();
    columns.forEach(
        (field, column) -> {
          if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("column mapping has an empty field name");
          }
          if (column == null) {
            throw new IllegalArgumentException("column mapping for field '" + field + "' is null");
          }
          c.put(field, column);
        });
    columns = Collections.unmodifiableMap(c);
    Map<String, List<String>> a = new LinkedHashMap<>();
    allowedValues.forEach(
        (field, values) -> {
          if (field == null || field.isBlank()) {
            throw new IllegalArgumentException("allowed values given for an empty field name");
          }
          if (values == null || values.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException(
                "allowed values for field '" + field + "' must be a list without nulls");
          }
          a.put(field, List.copyOf(values));
        });
    allowedValues = Collections.unmodifiableMap(a);
  }

  /**
   * The defaults: format from the extension, the task's default columns, bad rows throw, no limit.
   *
   * @return the default options
   */
  public static ReadOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns these options with an explicit format.
   *
   * @param format the format, or {@code null} to choose it from the file extension
   * @return the new options
   */
  public ReadOptions withFormat(Format format) {
    return new ReadOptions(format, columns, skipBadRows, limit, allowedValues);
  }

  /**
   * Returns these options with one field mapped to a column.
   *
   * @param field the task field, e.g. {@code target}
   * @param column the column name, e.g. {@code de}; empty to switch an optional field off
   * @return the new options
   * @throws NullPointerException naming {@code field} or {@code column} when it is null
   */
  public ReadOptions withColumn(String field, String column) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(column, "column");
    Map<String, String> c = new LinkedHashMap<>(columns);
    c.put(field, column);
    return new ReadOptions(format, c, skipBadRows, limit, allowedValues);
  }

  /**
   * Returns these options with several fields mapped (added to the existing mapping).
   *
   * @param mapping field → column
   * @return the new options
   * @throws NullPointerException naming {@code mapping} when it is null
   */
  public ReadOptions withColumns(Map<String, String> mapping) {
    Objects.requireNonNull(mapping, "mapping");
    Map<String, String> c = new LinkedHashMap<>(columns);
    c.putAll(mapping);
    return new ReadOptions(format, c, skipBadRows, limit, allowedValues);
  }

  /**
   * Returns these options with bad-row skipping switched on or off.
   *
   * @param skip whether to skip (and count) bad rows
   * @return the new options
   */
  public ReadOptions withSkipBadRows(boolean skip) {
    return new ReadOptions(format, columns, skip, limit, allowedValues);
  }

  /**
   * Returns these options with a limit on the number of examples.
   *
   * @param maxExamples at most this many good examples; 0 for no limit
   * @return the new options
   */
  public ReadOptions withLimit(int maxExamples) {
    return new ReadOptions(format, columns, skipBadRows, maxExamples, allowedValues);
  }

  /**
   * Returns these options with the values one field may take.
   *
   * @param field the task field, e.g. {@code label}
   * @param values the allowed values, in the order to list them in messages; empty for any
   * @return the new options
   * @throws NullPointerException naming {@code field} or {@code values} when it is null
   */
  public ReadOptions withAllowedValues(String field, Collection<String> values) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(values, "values");
    Map<String, List<String>> a = new LinkedHashMap<>(allowedValues);
    a.put(field, new ArrayList<>(values));
    return new ReadOptions(format, columns, skipBadRows, limit, a);
  }

  /**
   * Shorthand for {@code withAllowedValues("label", labels)} (classification).
   *
   * @param labels the allowed labels, e.g. {@code List.of("0", "1")}
   * @return the new options
   * @throws NullPointerException naming {@code labels} when it is null
   */
  public ReadOptions withAllowedLabels(Collection<String> labels) {
    Objects.requireNonNull(labels, "labels");
    return withAllowedValues("label", labels);
  }
}
