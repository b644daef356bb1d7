package dev.qdecode.tokenizer;

import java.util.Arrays;

/**
 * Streaming decode of one token sequence: push ids one at a time and get the text that became
 * complete; {@link #flush()} at the end. The concatenation of everything returned equals {@code
 * tok.decode(allIds, skipSpecialTokens)} whenever the ids decode to valid UTF-8.
 *
 * <p>Never emits half a character: byte-fallback pieces such as {@code <0xE2><0x80><0x99>} come out
 * as one {@code ’} with the push that completes them, and nothing is returned while the text ends in
 * an incomplete sequence (U+FFFD). Works for any decoder because each step decodes with the
 * tokenizer itself, over a short window: it decodes the ids from {@code prefixOffset} (the start of
 * the previously emitted chunk, which gives context such as a preceding space) to the end and
 * emits what extends the window's already-emitted text, as Hugging Face's text-generation-inference
 * does.
 *
 * <p>If the model emits bytes that are not UTF-8 (e.g. {@code é} followed by a lone {@code
 * <0xE2>}), the stream shows U+FFFD for them; the count of U+FFFD may then differ from a one-shot
 * decode, which replaces a whole run of byte pieces.
 *
 * <p>Not thread-safe: use one instance per sequence.
 */
public final class IncrementalDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final TextTokenizer tok;
    private final boolean skipSpecialTokens;
    private long[] ids = new long[16];
    private int size;
    private int prefixOffset;
    private int readOffset;

    IncrementalDecoder(TextTokenizer tok, boolean skipSpecialTokens) {
        this.tok = tok;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /**
     * Adds one token.
     *
     * @param id a token id in {@code [0, vocabSize())}
     * @return the newly complete text (often empty, never a partial character)
     */
    public String push(int id) {
        tok.checkId(id);
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        return emit(false);
    }

    /**
     * Returns whatever is still held back (an incomplete trailing byte sequence comes out as
     * U+FFFD, as in a one-shot decode). Pushing may continue afterwards.
     *
     * @return the remaining text, possibly empty
     */
    public String flush() {
        return emit(true);
    }

    /**
     * All ids pushed so far.
     *
     * @return a fresh array
     */
    public int[] ids() {
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = (int) ids[i];
        }
        return out;
    }

    private String emit(boolean force) {
        if (readOffset == size) {
            return "";
        }
        String prefixText = tok.decodeChecked(ids, prefixOffset, readOffset, skipSpecialTokens);
        String newText = tok.decodeChecked(ids, prefixOffset, size, skipSpecialTokens);
        boolean complete = !newText.isEmpty() && newText.charAt(newText.length() - 1) != REPLACEMENT
                && !Character.isHighSurrogate(newText.charAt(newText.length() - 1));
        if (force || (newText.length() > prefixText.length() && complete)) {
            String out = newText.length() > prefixText.length() ? newText.substring(prefixText.length()) : "";
            if (out.isEmpty() && !force) {
                return "";
            }
            prefixOffset = readOffset;
            readOffset = size;
            return out;
        }
        return "";
    }
}
