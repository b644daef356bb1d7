package dev.qdecode.rewards;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One finished (or partial) episode handed to a {@link Reward}: the prompt, the generated text and
 * its token ids, the references (translation/dialogue), the gold label (classification) and free
 * metadata (task-specific fields such as a target emotion).
 *
 * @param prompt the prompt text the generation continued (never null; may be empty)
 * @param text the generated text (never null; may be empty)
 * @param tokenIds the generated token ids (never null; may be empty when not known); an episode that the model
 *     ended holds its end-of-sequence token last, as its final action
 * @param references reference texts (never null; empty when the task has none)
 * @param label the gold label, or null when the task has none
 * @param metadata extra per-episode fields (never null)
 */
public record Episode(
        String prompt,
        String text,
        int[] tokenIds,
        List<String> references,
        String label,
        Map<String, String> metadata) {

    /**
     * Validates and defensively copies the collections.
     *
     * @param prompt the prompt text; not null
     * @param text the generated text; not null
     * @param tokenIds the generated token ids, copied; null means none
     * @param references the reference texts, copied; null means none
     * @param label the gold label, or null
     * @param metadata extra per-episode fields, copied; null means none
     * @throws NullPointerException if {@code prompt} or {@code text} is null, or a reference or a
     *     metadata key or value is null
     */
    public Episode {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(text, "text");
        tokenIds = tokenIds == null ? new int[0] : tokenIds.clone();
        references = references == null ? List.of() : List.copyOf(references);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /**
     * An episode with only a generated text (prompt empty, no references, no label).
     *
     * @param text the generated text
     * @return the episode
     */
    public static Episode ofText(String text) {
        return new Episode("", text, null, null, null, null);
    }

    /**
     * An episode with a generated text and its references.
     *
     * @param text the generated text
     * @param references the reference texts
     * @return the episode
     * @throws NullPointerException naming {@code references} when it is null
     */
    public static Episode withReferences(String text, List<String> references) {
        Objects.requireNonNull(references, "references");
        return new Episode("", text, null, references, null, null);
    }

    /**
     * The same episode with another generated text (used to score prefixes for reward shaping).
     *
     * @param newText the replacement text
     * @param newTokenIds the replacement token ids, copied; null means none (as in the constructor)
     * @return a copy with the text and token ids replaced
     * @throws NullPointerException naming {@code newText} when it is null
     */
    public Episode withText(String newText, int[] newTokenIds) {
        Objects.requireNonNull(newText, "newText");
        return new Episode(prompt, newText, newTokenIds, references, label, metadata);
    }
}
