package dev.qdecode.pipeline.generate;

import dev.qdecode.tokenizer.IncrementalDecoder;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import dev.qdecode.tokenizer.TokenHealing;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns prompt text into model input: the prompt format, token healing at the prompt boundary and
 * the context-length check (or truncation when asked).
 */
public final class PromptEncoder {

    /**
     * A prompt ready for the model.
     *
     * @param ids the token ids to prefill
     * @param removedText the prompt text that token healing backed up and the first new tokens re-create, as
     *     the streaming decoder will emit it ("" when none; a whole character when the backed-up token is the
     *     last byte of a byte-fallback character)
     * @param allowedFirst the ids allowed as first new token (null = no constraint)
     */
    public record Encoded(int[] ids, String removedText, int[] allowedFirst) {

        /**
         * Checks that {@code ids} and {@code removedText} are given.
         *
         * @param ids see the record description
         * @param removedText see the record description
         * @param allowedFirst see the record description
         * @throws NullPointerException naming {@code ids} or {@code removedText} when it is null
         */
        public Encoded {
            Objects.requireNonNull(ids, "ids");
            Objects.requireNonNull(removedText, "removedText");
        }
    }

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
     * @throws NullPointerException naming {@code tokenizer} or {@code format} when it is null
     */
    public PromptEncoder(TextTokenizer tokenizer, PromptFormat format, boolean tokenHealing, boolean truncate,
            int maxPositions) {
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(format, "format");
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
     * @throws GenerationException when the prompt is empty or too long (bad input; truncation off), or
     *     {@code maxNewTokens} leaves no room for any prompt (bad usage)
     * @throws NullPointerException naming {@code prompt} when it is null
     */
    public Encoded encode(String prompt, int index, int maxNewTokens) {
        Objects.requireNonNull(prompt, "prompt");
        return encodeFormatted(format.encode(tokenizer, prompt), index, maxNewTokens);
    }

    /**
     * {@link #encode} of a prompt already formatted and tokenized ({@code format.encode(tokenizer, prompt)}), for a
     * caller that needs those ids too (e.g. the token that healing backs up) without tokenizing the prompt twice.
     *
     * @param formatted the prompt's ids in the prompt format, as {@link PromptFormat#encode} gives them (not modified)
     * @param index the prompt's position (for error messages, 0-based)
     * @param maxNewTokens the tokens that will be generated after it
     * @return the encoded prompt
     * @throws GenerationException as {@link #encode}
     * @throws NullPointerException naming {@code formatted} when it is null
     */
    public Encoded encodeFormatted(int[] formatted, int index, int maxNewTokens) {
        int[] ids = Objects.requireNonNull(formatted, "formatted");
        if (ids.length == 0) {
            throw new GenerationException("prompt " + (index + 1) + " is empty after encoding: expected at least one "
                    + "token", true);
        }
        String removed = "";
        int[] allowed = null;
        if (tokenHealing && ids.length > 1) {
            TokenHealing.Healed h = TokenHealing.heal(tokenizer, ids);
            if (h.allowedFirstTokens().length > 0 && h.promptIds().length > 0) {
                removed = reCreatedText(ids, h);
                ids = h.promptIds();
                allowed = h.allowedFirstTokens();
            }
        }
        int room = maxPositions - maxNewTokens;
        if (room < 1) { // no prompt could fit: the option is wrong, not the prompt
            throw new GenerationException("--max-new-tokens " + maxNewTokens + ": the model's context is "
                    + maxPositions + " positions (max_position_embeddings; expected fewer new tokens, leaving room "
                    + "for the prompt)");
        }
        if (ids.length > room) {
            if (!truncate || room <= 0) {
                throw new GenerationException("prompt " + (index + 1) + " has " + ids.length + " tokens; with "
                        + maxNewTokens + " new tokens it exceeds the model's max_position_embeddings "
                        + maxPositions + " (expected at most " + room + " tokens: shorten it or lower --max-new-tokens; "
                        + "generate also takes --truncate-prompt)", true);
            }
            ids = Arrays.copyOfRange(ids, ids.length - room, ids.length);
        }
        return new Encoded(ids, removed, allowed);
    }

    /**
     * The text that re-generating the backed-up token adds after the shortened prompt, as an {@link
     * IncrementalDecoder} primed with that prompt emits it. This is more than the token's own surface text
     * when the token completes a character: backing up the last byte piece of {@code 文} leaves the decoder
     * holding the character's first bytes, and the re-generated byte then brings out the whole {@code 文}.
     */
    private String reCreatedText(int[] fullIds, TokenHealing.Healed h) {
        IncrementalDecoder dec = tokenizer.incrementalDecoder(true);
        for (int id : h.promptIds()) {
            dec.push(id);
        }
        String text = dec.push(fullIds[fullIds.length - 1]) + dec.flush();
        return text.isEmpty() ? h.removedText() : text;
    }
}
