package dev.qdecode.pipeline.generate;

import dev.qdecode.pipeline.cli.CliException;
import dev.qdecode.pipeline.cli.ExitCodes;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import dev.qdecode.tokenizer.TokenHealing;
import java.util.Arrays;

/**
 * Turns prompt text into model input: the prompt format, token healing at the prompt boundary and
 * the context-length check (or truncation when asked).
 */
public final class PromptEncoder {

    /**
     * A prompt ready for the model.
     *
     * @param ids the token ids to prefill
     * @param removedText the text backed up by token healing ("" when none)
     * @param allowedFirst the ids allowed as first new token (null = no constraint)
     */
    public record Encoded(int[] ids, String removedText, int[] allowedFirst) {}

    private final TextTokenizer tokenizer;
    private final PromptFormat format;
    private final boolean tokenHealing;
    private final boolean truncate;
    private final int maxPositions;

    /**
     * Creates an encoder.
     *
     * @param tokenizer the tokenizer
     * @param format the prompt format
     * @param tokenHealing whether to heal the prompt boundary
     * @param truncate drop the oldest tokens instead of failing when the prompt is too long
     * @param maxPositions the model's context length
     */
    public PromptEncoder(TextTokenizer tokenizer, PromptFormat format, boolean tokenHealing, boolean truncate,
            int maxPositions) {
        this.tokenizer = tokenizer;
        this.format = format;
        this.tokenHealing = tokenHealing;
        this.truncate = truncate;
        this.maxPositions = maxPositions;
    }

    /**
     * Encodes one prompt.
     *
     * @param prompt the prompt text
     * @param index the prompt's position (for error messages, 0-based)
     * @param maxNewTokens the tokens that will be generated after it
     * @return the encoded prompt
     * @throws CliException when the prompt is empty or too long (and truncation is off)
     */
    public Encoded encode(String prompt, int index, int maxNewTokens) {
        int[] ids = format.encode(tokenizer, prompt);
        if (ids.length == 0) {
            throw new CliException("prompt " + (index + 1) + " is empty after encoding: expected at least one token");
        }
        String removed = "";
        int[] allowed = null;
        if (tokenHealing && ids.length > 1) {
            TokenHealing.Healed h = TokenHealing.heal(tokenizer, ids);
            if (h.allowedFirstTokens().length > 0 && h.promptIds().length > 0) {
                ids = h.promptIds();
                removed = h.removedText();
                allowed = h.allowedFirstTokens();
            }
        }
        int room = maxPositions - maxNewTokens;
        if (room < 1) { // no prompt could fit: the option is wrong, not the prompt
            throw new CliException("--max-new-tokens " + maxNewTokens + ": the model's context is " + maxPositions
                    + " positions (max_position_embeddings; expected fewer new tokens, leaving room for the prompt)",
                    ExitCodes.USAGE);
        }
        if (ids.length > room) {
            if (!truncate || room <= 0) {
                throw new CliException("prompt " + (index + 1) + " has " + ids.length + " tokens; with "
                        + maxNewTokens + " new tokens it exceeds the model's max_position_embeddings "
                        + maxPositions + " (expected at most " + room + " tokens: shorten it or lower --max-new-tokens; "
                        + "generate also takes --truncate-prompt)");
            }
            ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
        }
        return new Encoded(ids, removed, allowed);
    }
}
