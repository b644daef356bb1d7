package dev.qdecode.pipeline.generate;

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
     * Number of generated tokens.
     *
     * @return the count
     */
    public int newTokens() {
        return tokenIds.length;
    }
}
