package dev.qdecode.data;

import java.util.List;
import java.util.Objects;

/**
 * A source sentence and its reference translations.
 *
 * @param id the example's id (the {@code id} column, or the row index)
 * @param source the source sentence
 * @param references one or more reference translations (immutable, never empty)
 */
public record TranslationExample(String id, String source, List<String> references) {
  /**
   * The source column of a translation when none is given or recorded: {@value}, Multi30k's English (the
   * pair's file is {@code en-de.*.tsv}). The one place for this default: the commands' {@code --source-column},
   * a run or SFT model that recorded no columns, and the reader's {@code source} field all use it.
   */
  public static final String DEFAULT_SOURCE_COLUMN = "en";

  /**
   * The target (reference) column of a translation when none is given or recorded by the commands: {@value},
   * Multi30k's German (with {@link #DEFAULT_SOURCE_COLUMN}). The reader itself has no default target column.
   */
  public static final String DEFAULT_TARGET_COLUMN = "de";

  /**
   * Checks that nothing is null and that there is a reference; copies the list.
   *
   * @param id the example's id (the {@code id} column, or the row index)
   * @param source the source sentence
   * @param references one or more reference translations (immutable, never empty)
   * @throws NullPointerException naming {@code references} when it is null
   */
  public TranslationExample {
    Objects.requireNonNull(references, "references");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(source, "source");
    references = List.copyOf(references);
    if (references.isEmpty()) {
      throw new IllegalArgumentException("translation example " + id + " has no reference");
    }
  }
}
