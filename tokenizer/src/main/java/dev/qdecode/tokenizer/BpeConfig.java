package dev.qdecode.tokenizer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link BpeTrainer} trains. Immutable; validated on construction.
 *
 * <p>Token ids: {@code <unk>}, {@code <s>}, {@code </s>}, {@code <pad>} are 0..3 ({@link
 * #DEFAULT_SPECIAL_TOKENS}), the {@code extraSpecialTokens} follow in the order given, then the 256
 * byte tokens, then the characters of the training data (Llama style only), then the merges.
 *
 * @param vocabSize the number of token ids to train, special and byte tokens included; at least the
 *     special tokens + 256 byte tokens (+ the training data's distinct characters in Llama style)
 * @param minFrequency a pair is merged only if it occurs at least this often (≥ 1); training stops
 *     early, with a smaller vocabulary, when no pair is that frequent
 * @param byteFallback {@code true}: Llama/SentencePiece style ({@code ▁} word marker, characters of
 *     the data as base alphabet, unseen characters encoded as {@code <0xHH>} byte tokens, and, as
 *     SentencePiece does, no piece mixing letters, digits and punctuation); {@code false}: GPT-2
 *     byte-level style (the 256 bytes as base alphabet, GPT-2's pre-tokenizer regex). Both
 *     round-trip every text exactly, except in Llama style a text with a special token in it (each
 *     side of the special token gets its own {@code ▁}, so {@code a<sep>b} decodes as {@code
 *     a<sep> b}) or with the marker {@code ▁} (U+2581) itself (decoded as a space; {@link
 *     BpeTrainer#train} refuses training text that contains it)
 * @param extraSpecialTokens further special tokens (e.g. {@code <sep>}, {@code <eot>}), ids 4.. in
 *     this order; never split by the tokenizer, dropped by {@code decode(ids, true)}
 */
public record BpeConfig(int vocabSize, int minFrequency, boolean byteFallback, List<String> extraSpecialTokens) {

    /** The special tokens every trained tokenizer has, at ids 0..3: unk, bos, eos, pad. */
    public static final List<String> DEFAULT_SPECIAL_TOKENS = List.of("<unk>", "<s>", "</s>", "<pad>");

    /**
     * The command-line option of the extra special tokens ({@code qdecode tokenizer train --special-tokens}), which
     * the validation messages name, as those of the vocabulary size and minimum frequency name theirs.
     */
    public static final String SPECIAL_TOKENS_OPTION = "--special-tokens";

    private static final String OPTION = SPECIAL_TOKENS_OPTION;

    /** Number of byte tokens: every byte value has one (so every text can be encoded). */
    static final int BYTE_TOKENS = 256;

    /**
     * Validates and copies the extra special tokens.
     *
     * @param vocabSize see the record description
     * @param minFrequency see the record description
     * @param byteFallback see the record description
     * @param extraSpecialTokens see the record description
     * @throws TokenizerException (one line, naming the command-line option: {@code --vocab-size},
     *     {@code --min-frequency}, {@code --special-tokens TOKEN}) on a vocabulary size below the special +
     *     byte tokens, a minimum frequency below 1, or an empty, whitespace-containing or duplicate special
     *     token, or one spelled like a base piece that stands for other text (in byte-level style a byte
     *     character such as {@code Ġ}, in Llama style the word marker {@code ▁}) or any other single
     *     character
     * @throws NullPointerException naming {@code extraSpecialTokens} when it is null
     */
    public BpeConfig {
        Objects.requireNonNull(extraSpecialTokens, "extraSpecialTokens");
        Set<String> seen = new HashSet<>(DEFAULT_SPECIAL_TOKENS);
        List<String> extras = new ArrayList<>(extraSpecialTokens.size());
        for (String t : extraSpecialTokens) {
            if (t == null || t.isEmpty()) {
                throw new TokenizerException(OPTION + ": an empty token (expected non-empty tokens such as <sep>)");
            }
            if (t.codePoints().anyMatch(Character::isWhitespace)) {
                throw new TokenizerException(OPTION + " \"" + t + "\": contains whitespace (expected a token without "
                        + "any, e.g. <sep>)");
            }
            if (!seen.add(t)) {
                throw new TokenizerException(OPTION + " " + t + ": duplicate special token (the defaults are "
                        + String.join(", ", DEFAULT_SPECIAL_TOKENS) + "; expected each special token once)");
            }
            if (t.matches("<0x[0-9A-Fa-f]{2}>")) {
                throw new TokenizerException(OPTION + " " + t + ": collides with a byte token (<0x00>..<0xFF>; "
                        + "expected another token, e.g. <sep>)");
            }
            refuseBasePiece(t, byteFallback);
            extras.add(t);
        }
        extraSpecialTokens = List.copyOf(extras);
        if (minFrequency < 1) {
            throw new TokenizerException("--min-frequency " + minFrequency + ": expected at least 1");
        }
        int base = DEFAULT_SPECIAL_TOKENS.size() + extraSpecialTokens.size() + BYTE_TOKENS;
        if (vocabSize < base) {
            throw new TokenizerException("--vocab-size " + vocabSize + " is smaller than the base alphabet: at least "
                    + base + " needed (" + (DEFAULT_SPECIAL_TOKENS.size() + extraSpecialTokens.size())
                    + " special tokens + " + BYTE_TOKENS + " byte tokens"
                    + (byteFallback ? " + the characters of the training data)" : ")"));
        }
    }

    /**
     * Refuses a special token spelled like a base piece that stands for other text than its own
     * spelling: in byte-level style a byte character other than printable ASCII ({@code Ġ} is every
     * space, {@code é} the byte 0xE9 inside other characters), in Llama style the word marker {@code
     * ▁} (every space). The trainer would make that base piece the special token, so decoding with
     * special tokens skipped would drop every such byte or space. Any other single character is
     * refused too: a special token is special wherever the text spells it, so every occurrence of the
     * character (an {@code a} in every word) would become that token, dropped by {@code decode(ids,
     * true)} ({@code "A man eats a banana."} gave {@code "A mn ets  bnn."}) and, in Llama style,
     * followed by a space even when kept ({@code "A ma n ea ts a  ba na na ."}).
     */
    private static void refuseBasePiece(String token, boolean byteFallback) {
        if (byteFallback) {
            if (token.equals(String.valueOf(BpeWords.MARKER))) {
                throw new TokenizerException(OPTION + " " + token + ": the word marker, which stands for "
                        + "every space (expected a token such as <sep>)");
            }
        } else if (token.length() == 1) {
            for (int b = 0; b < BYTE_TOKENS; b++) {
                if (BpeWords.BYTE_CHARS[b] == token.charAt(0) && (b < '!' || b > '~')) {
                    throw new TokenizerException(String.format(java.util.Locale.ROOT, "%s %s: the "
                            + "byte-level token of byte 0x%02X, which every text containing that byte is written "
                            + "with (expected a token that is not such a byte character, e.g. <sep>)", OPTION, token, b));
                }
            }
        }
        if (token.codePointCount(0, token.length()) == 1) {
            throw new TokenizerException(OPTION + " " + token + ": a single character, which would replace "
                    + "that character in every text (dropped where special tokens are skipped); expected a longer "
                    + "token such as <sep>");
        }
    }

    /**
     * A Llama-style configuration with byte fallback, minimum pair frequency 2 and no extra special
     * tokens.
     *
     * @param vocabSize the number of token ids
     * @return the configuration
     * @throws TokenizerException (one line) when the size is below the base alphabet
     */
    public static BpeConfig of(int vocabSize) {
        return new BpeConfig(vocabSize, 2, true, List.of());
    }

    /**
     * A copy with another minimum pair frequency.
     *
     * @param n the minimum (≥ 1)
     * @return the new configuration
     */
    public BpeConfig withMinFrequency(int n) {
        return new BpeConfig(vocabSize, n, byteFallback, extraSpecialTokens);
    }

    /**
     * A copy with byte fallback (Llama style) switched on or off (GPT-2 byte-level style).
     *
     * @param on whether to use byte fallback
     * @return the new configuration
     */
    public BpeConfig withByteFallback(boolean on) {
        return new BpeConfig(vocabSize, minFrequency, on, extraSpecialTokens);
    }

    /**
     * A copy with other extra special tokens.
     *
     * @param tokens the extra special tokens, in id order
     * @return the new configuration
     * @throws NullPointerException naming {@code tokens} when it is null
     */
    public BpeConfig withExtraSpecialTokens(List<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        return new BpeConfig(vocabSize, minFrequency, byteFallback, tokens);
    }

    /**
     * All special tokens in id order: the defaults, then the extras.
     *
     * @return an unmodifiable list
     */
    public List<String> specialTokens() {
        List<String> all = new ArrayList<>(DEFAULT_SPECIAL_TOKENS);
        all.addAll(extraSpecialTokens);
        return List.copyOf(all);
    }
}
