package dev.qdecode.data;

import java.util.Objects;

/**
 * A labelled text.
 *
 * @param id the example's id (the {@code id} column, or the row index)
 * @param text the text, exactly as in the file (no trimming)
 * @param label the label as written in the file, e.g. {@code "1"}
 */
public record ClassificationExample(String id, String text, String label) {
  /**
   * Checks that nothing is null.
   *
   * @param id the example's id (the {@code id} column, or the row index)
   * @param text the text, exactly as in the file (no trimming)
   * @param label the label as written in the file, e.g. {@code "1"}
   */
  public ClassificationExample {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(label, "label");
  }
}
