package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A task kind: which fields its examples have, which columns they come from by default, which
 * values they may take, and how a row becomes an example.
 *
 * <p>Fields are <em>required</em> (the column must exist and every value must be non-blank) or
 * <em>optional</em> (the default column is used when the file has it; a column mapped explicitly
 * must exist; mapping a field to the empty string switches it off). A value that is present must be
 * non-blank and, when the field has allowed values, one of them.
 *
 * <table>
 *   <caption>Fields and default columns</caption>
 *   <tr><th>task</th><th>required</th><th>optional</th></tr>
 *   <tr><td>classification</td><td>text=sentence, label=label</td><td>id=id (else the row
 *       index)</td></tr>
 *   <tr><td>prompts</td><td>prompt=prompt</td><td>id=id</td></tr>
 *   <tr><td>translation</td><td>source=en, target=(none: map it, e.g. target=de); a JSON array
 *       (JSON lines only: a TSV or CSV cell is one string, whatever it holds) gives several
 *       references</td><td>id=id</td></tr>
 *   <tr><td>dialogue</td><td>context=context (turns joined with {@code __eou__}, or a JSON
 *       array of the turns, each element one turn), response=response</td><td>id=dialog_id, turn=turn (must equal the number of
 *       context turns), topic=topic (1..10), response_act=response_act (1..4),
 *       response_emotion=response_emotion (0..6)</td></tr>
 * </table>
 *
 * <p>Dialogue ids are {@code dialog_id#turn}; see {@link DialogueExample#dialogId()}.
 *
 * @param <T> the example type
 */
public final class Task<T> {

  /** Labelled texts, e.g. SST-2 ({@code sentence}, {@code label}). */
  public static final Task<ClassificationExample> CLASSIFICATION =
      new Task<>(
          "classification",
          List.of(optional("id", "id"), required("text", "sentence"), required("label", "label")),
          Map.of(),
          (row, b) ->
              new ClassificationExample(
                  b.idOrIndex(row), b.required(row, "text"), b.requiredName(row, "label")));

  /** Prompts to continue, e.g. the story prompts ({@code id}, {@code prompt}). */
  public static final Task<PromptExample> PROMPTS =
      new Task<>(
          "prompts",
          List.of(optional("id", "id"), required("prompt", "prompt")),
          Map.of(),
          (row, b) -> new PromptExample(b.idOrIndex(row), b.required(row, "prompt")));

  /** Source sentences with reference translations, e.g. Multi30k ({@code id}, {@code en}, …). */
  public static final Task<TranslationExample> TRANSLATION =
      new Task<>(
          "translation",
          List.of(
              optional("id", "id"),
              required("source", TranslationExample.DEFAULT_SOURCE_COLUMN),
              required("target", "")),
          Map.of(),
          (row, b) ->
              new TranslationExample(
                  b.idOrIndex(row), b.required(row, "source"), b.requiredList(row, "target")));

  /** Dialogue context/response pairs with labels, e.g. XDailyDialog {@code pairs_en_*.tsv}. */
  public static final Task<DialogueExample> DIALOGUE =
      new Task<>(
          "dialogue",
          List.of(
              optional("id", "dialog_id"),
              optional("turn", "turn"),
              required("context", "context"),
              required("response", "response"),
              optional("topic", "topic"),
              optional("response_act", "response_act"),
              optional("response_emotion", "response_emotion")),
          Map.of(
              "topic", range(1, 10),
              "response_act", range(1, 4),
              "response_emotion", range(0, 6)),
          DialogueMapper::map);

  private static final List<Task<?>> ALL = List.of(CLASSIFICATION, PROMPTS, TRANSLATION, DIALOGUE);

  /** A field of a task and its default column ("" for none). */
  record Field(String name, String defaultColumn, boolean required) {}

  /** Turns a row into an example, using the file's field → column binding. */
  @FunctionalInterface
  interface Mapper<T> {
    T map(Row row, Binding binding);
  }

  private final String name;
  private final List<Field> fields;
  private final Map<String, List<String>> defaultAllowed;
  private final Mapper<T> mapper;

  Task(
      String name, List<Field> fields, Map<String, List<String>> defaultAllowed, Mapper<T> mapper) {
    this.name = name;
    this.fields = List.copyOf(fields);
    this.defaultAllowed = Map.copyOf(defaultAllowed);
    this.mapper = mapper;
  }

  /**
   * The task's name as typed on the command line.
   *
   * @return e.g. {@code classification}
   */
  public String name() {
    return name;
  }

  /**
   * The task's fields in order.
   *
   * @return e.g. {@code [id, text, label]}
   */
  public List<String> fields() {
    List<String> names = new ArrayList<>();
    fields.forEach(f -> names.add(f.name()));
    return Collections.unmodifiableList(names);
  }

  /**
   * Field → default column ({@code ""} where the user must choose, as for translation targets).
   *
   * @return the defaults, in field order
   */
  public Map<String, String> defaultColumns() {
    Map<String, String> m = new LinkedHashMap<>();
    fields.forEach(f -> m.put(f.name(), f.defaultColumn()));
    return Collections.unmodifiableMap(m);
  }

  /**
   * Field → the values it may take by default (fields not listed take any non-blank value).
   *
   * @return the default allowed values
   */
  public Map<String, List<String>> defaultAllowedValues() {
    return defaultAllowed;
  }

  /**
   * The task with a name ({@code classification}, {@code prompts}, {@code translation}, {@code
   * dialogue}; case-insensitive).
   *
   * @param name the name
   * @return the task
   * @throws IllegalArgumentException naming the known tasks
   * @throws NullPointerException naming {@code name} when it is null
   */
  public static Task<?> byName(String name) {
    Objects.requireNonNull(name, "name");
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (Task<?> t : ALL) {
      if (t.name.equals(n)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown task '"
            + name
            + "': expected one of classification, prompts, translation,"
            + " dialogue");
  }

  /**
   * All task kinds.
   *
   * @return classification, prompts, translation, dialogue
   */
  public static List<Task<?>> all() {
    return ALL;
  }

  List<Field> fieldSpecs() {
    return fields;
  }

  Mapper<T> mapper() {
    return mapper;
  }

  /** The task's name. */
  @Override
  public String toString() {
    return name;
  }

  private static Field required(String field, String column) {
    return new Field(field, column, true);
  }

  private static Field optional(String field, String column) {
    return new Field(field, column, false);
  }

  private static List<String> range(int from, int to) {
    List<String> values = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      values.add(Integer.toString(i));
    }
    return List.copyOf(values);
  }
}
