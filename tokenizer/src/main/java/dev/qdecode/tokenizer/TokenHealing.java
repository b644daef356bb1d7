package dev.qdecode.tokenizer;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Token healing: a prompt that ends mid-piece (e.g. {@code "… Soon,"} for TinyStories-656K, whose
 * pieces carry a trailing {@code ▁} such as {@code ",▁"}) is shortened by its last token, and the
 * first generated token is constrained to start with the removed text. The model then completes the
 * prompt with a piece it saw in training ({@code ",▁"}) instead of continuing after an unusual split.
 */
public final class TokenHealing {
    private TokenHealing() {}

    /**
     * Backs up the last prompt token.
     *
     * <p>The allowed set holds every non-special token whose {@linkplain TextTokenizer#surfaceBytes
     * surface bytes} start with the removed token's surface bytes (so byte-fallback pieces are
     * matched exactly); it always contains the removed token itself. Nothing is backed up when the
     * prompt is empty, ends with a special token (e.g. only BOS), or its last token contributes no
     * text: then the prompt is returned unchanged, {@code removedText} is empty and every id is
     * allowed.
     *
     * @param tok the model's tokenizer
     * @param promptIds the encoded prompt (not modified)
     * @return the shortened prompt and the constraint for the first generated token
     * @throws NullPointerException naming {@code tok} or {@code promptIds} when it is null
     */
    public static Healed heal(TextTokenizer tok, int[] promptIds) {
        Objects.requireNonNull(promptIds, "promptIds");
        Objects.requireNonNull(tok, "tok");
        int n = promptIds.length;
        if (n == 0 || tok.isSpecial(promptIds[n - 1]) || tok.surfaceBytesShared(tok.checkId(promptIds[n - 1])).length == 0) {
            return new Healed(promptIds, "", IntStream.range(0, tok.vocabSize()).toArray());
        }
        int last = promptIds[n - 1];
        byte[] removed = tok.surfaceBytesShared(last);
        int[] allowed = IntStream.range(0, tok.vocabSize())
                .filter(id -> !tok.isSpecial(id) && startsWith(tok.surfaceBytesShared(id), removed))
                .toArray();
        return new Healed(Arrays.copyOf(promptIds, n - 1), tok.surfaceText(last), allowed);
    }

    private static boolean startsWith(byte[] s, byte[] prefix) {
        if (s.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (s[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The result of {@link #heal}. Arrays are copied in and out.
     *
     * @param promptIds the prompt without its last token (or unchanged when nothing was healed)
     * @param removedText the surface text of the removed token ({@code ""} when nothing was healed;
     *     U+FFFD for a byte-fallback piece that is part of a character)
     * @param allowedFirstTokens ascending ids allowed as the first generated token
     */
    public record Healed(int[] promptIds, String removedText, int[] allowedFirstTokens) {
        /**
         * Copies the arrays.
         *
         * @param promptIds the shortened prompt
         * @param removedText the removed token's surface text
         * @param allowedFirstTokens ascending allowed ids
         * @throws NullPointerException naming {@code promptIds}, {@code allowedFirstTokens} or {@code
         *     removedText} when it is null
         */
        public Healed {
            Objects.requireNonNull(removedText, "removedText");
            Objects.requireNonNull(promptIds, "promptIds");
            Objects.requireNonNull(allowedFirstTokens, "allowedFirstTokens");
            promptIds = promptIds.clone();
            allowedFirstTokens = allowedFirstTokens.clone();
        }

        /**
         * The shortened prompt.
         *
         * @return a fresh array
         */
        @Override
        public int[] promptIds() {
            return promptIds.clone();
        }

        /**
         * The ids allowed as first generated token, ascending.
         *
         * @return a fresh array
         */
        @Override
        public int[] allowedFirstTokens() {
            return allowedFirstTokens.clone();
        }

        /**
         * Whether a token was backed up.
         *
         * @return false when the prompt was returned unchanged
         */
        public boolean healed() {
            return !removedText.isEmpty();
        }

        /**
         * Whether an id is allowed as the first generated token.
         *
         * @param id a token id
         * @return true if allowed
         */
        public boolean allows(int id) {
            return Arrays.binarySearch(allowedFirstTokens, id) >= 0;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Healed h && Arrays.equals(promptIds, h.promptIds)
                    && removedText.equals(h.removedText) && Arrays.equals(allowedFirstTokens, h.allowedFirstTokens);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(promptIds) + removedText.hashCode()) + Arrays.hashCode(allowedFirstTokens);
        }

        @Override
        public String toString() {
            return "Healed[promptIds=" + Arrays.toString(promptIds) + ", removedText=\"" + removedText
                    + "\", allowedFirstTokens=" + allowedFirstTokens.length + " ids]";
        }
    }
}
