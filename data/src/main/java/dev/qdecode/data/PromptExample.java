package dev.qdecode.data;

import java.util.Objects;

/**
 * A prompt to continue.
 *
 * @param id the example's id (the {@code id} column, or the row index)
 * @param prompt the prompt text, exactly as in the file (no trimming)
 */
public record PromptExample(String id, String prompt) {
  /**
   * Checks that nothing is null.
   *
   * @param id the example's id (the {@code id} column, or the row index)
   * @param prompt the prompt text, exactly as in the file (no trimming)
   */
  public PromptExample {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(prompt, "prompt");
  }
}
