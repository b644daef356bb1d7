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
