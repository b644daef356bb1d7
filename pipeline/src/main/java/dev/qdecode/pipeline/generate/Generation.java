package dev.qdecode.pipeline.generate;

import java.util.Objects;

/**
 * One generated continuation.
 *
 * @param index the prompt's position in the input
 * @param prompt the prompt text
 * @param text the generated text (without the prompt; cut before a stop string)
 * @param tokenIds the generated token ids (an EOS that ended the generation is included)
 * @param promptTokens the number of prompt tokens fed to the model
 * @param stopReason why it ended
 */
public record Generation(
        int index, String prompt, String text, int[] tokenIds, int promptTokens, StopReason stopReason) {

    /**
     * Checks that {@code prompt}, {@code text}, {@code tokenIds} and {@code stopReason} are given.
     *
     * @param index see the record description
     * @param prompt see the record description
     * @param text see the record description
     * @param tokenIds see the record description
     * @param promptTokens see the record description
     * @param stopReason see the record description
     * @throws NullPointerException naming {@code prompt}, {@code text}, {@code tokenIds} or {@code stopReason} when it
     *     is null
     */
    public Generation {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(stopReason, "stopReason");
    }

    /**
     * Number of generated tokens.
     *
     * @return the count
     */
    public int newTokens() {
        return tokenIds.length;
    }
}
