package dev.qdecode.pipeline.generate;

import dev.qdecode.tokenizer.IncrementalDecoder;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.Objects;

/**
 * Streams the text of one generated continuation: an {@link IncrementalDecoder} primed with the
 * prompt (so the first piece gets its mid-text spacing) whose output loses the prompt text that
 * token healing has the first new tokens re-create ({@link PromptEncoder.Encoded#removedText()}), so
 * the continuation never repeats the end of the prompt. Shared by the step-by-step generator, beam
 * search and the DQN rollouts. Not thread-safe: one instance per sequence.
 */
public final class ContinuationDecoder {
    private final IncrementalDecoder dec;
    private String strip;

    /**
     * Creates a decoder for one encoded prompt.
     *
     * @param tokenizer the model's tokenizer
     * @param prompt the encoded prompt (its ids prime the decoder)
     * @throws NullPointerException naming {@code tokenizer} or {@code prompt} when it is null
     */
    public ContinuationDecoder(TextTokenizer tokenizer, PromptEncoder.Encoded prompt) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(tokenizer, "tokenizer");
        this.dec = tokenizer.incrementalDecoder(true);
        this.strip = prompt.removedText();
        for (int id : prompt.ids()) {
            dec.push(id);
        }
    }

    /**
     * Adds one generated token.
     *
     * @param id the token id
     * @return the newly complete continuation text (possibly empty)
     */
    public String push(int id) {
        return stripHealed(dec.push(id));
    }

    /**
     * Returns whatever the decoder still holds back (see {@link IncrementalDecoder#flush()}).
     *
     * @return the remaining continuation text, possibly empty
     */
    public String flush() {
        return stripHealed(dec.flush());
    }

    /** Drops the start of {@code piece} that re-creates backed-up prompt text, until all of it has come out. */
    private String stripHealed(String piece) {
        if (strip.isEmpty()) {
            return piece;
        }
        int k = 0;
        while (k < piece.length() && k < strip.length() && piece.charAt(k) == strip.charAt(k)) {
            k++;
        }
        String rest = piece.substring(k);
        // Once the continuation departs from the backed-up text (or has re-created all of it), stop stripping.
        strip = k == strip.length() || !rest.isEmpty() ? "" : strip.substring(k);
        return rest;
    }
}
