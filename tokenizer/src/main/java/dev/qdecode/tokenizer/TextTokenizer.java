package dev.qdecode.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Text ↔ token ids for a Hugging Face model directory, backed by DJL's binding of the Rust {@code
 * tokenizers} library (so ids are exactly those the model authors' tokenizer produces).
 *
 * <p>Loaded from {@code tokenizer.json}; the special tokens come from the model's own files (see
 * {@link #bosId()}, {@link #eosIds()}, {@link #padId()}). Truncation and padding are always off:
 * {@link #encode} returns every token of the text, and {@link #encodeBatch} returns ragged rows.
 *
 * <p>Thread-safe: all methods may be called concurrently (the Rust tokenizer is immutable and the
 * surface-text table is built once, lazily). Do not {@link #close()} while other threads use it.
 */
public final class TextTokenizer implements AutoCloseable {
    private final TokenizerFiles files;
    private final HuggingFaceTokenizer djl;
    private volatile SurfaceTable surfaces;

    private TextTokenizer(TokenizerFiles files, HuggingFaceTokenizer djl) {
        this.files = files;
        this.djl = djl;
    }

    /**
     * Loads the tokenizer of a model directory.
     *
     * <p>Reads {@code tokenizer.json} (required) and, when present, {@code tokenizer_config.json},
     * {@code special_tokens_map.json}, {@code generation_config.json} and {@code config.json} for the
     * special tokens. A path to a {@code tokenizer.json} file is accepted too (its folder is then
     * the model directory).
     *
     * @param modelDir the model directory
     * @return the tokenizer; close it when done
     * @throws TokenizerException (one line) when the directory or {@code tokenizer.json} is missing,
     *     a file is not valid JSON, or a special token named in a file is not in the vocabulary
     * @throws NullPointerException naming {@code modelDir} when it is null
     */
    public static TextTokenizer load(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        TokenizerFiles files = TokenizerFiles.read(modelDir);
        // Options: never truncate (DJL's default cuts at 512 tokens), never pad (DJL's default pads
        // batches with id 0, which is <unk> in Llama-style vocabularies).
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "false",
                "padding", "false",
                "withOverflowingTokens", "false");
        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(files.tokenizerJsonText.getBytes(StandardCharsets.UTF_8)), options);
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new TokenizerException(files.tokenizerJson + ": the Hugging Face tokenizer rejected it ("
                    + TokenizerFiles.oneLine(e) + ")", e);
        }
        return new TextTokenizer(files, djl);
    }

    /**
     * The model directory this tokenizer was loaded from.
     *
     * @return the directory
     */
    public Path modelDir() {
        return files.dir;
    }

    /**
     * Number of token ids, including added tokens: every id is in {@code [0, vocabSize())}.
     *
     * @return the vocabulary size
     */
    public int vocabSize() {
        return files.pieces.length;
    }

    /**
     * The beginning-of-sequence id. Sources, first found wins: {@code bos_token} of {@code
     * tokenizer_config.json}, then of {@code special_tokens_map.json}, {@code bos_token_id} of {@code
     * generation_config.json}, then of {@code config.json}, then the special token that the
     * post-processor of {@code tokenizer.json} puts first.
     *
     * @return the id, or -1 when the model has none
     */
    public int bosId() {
        return files.bosId;
    }

    /**
     * The end-of-sequence ids (generation stops on any of them): {@code eos_token_id} of {@code
     * generation_config.json} (an int or a list), then of {@code config.json}, then the {@code
     * eos_token} of the tokenizer files; duplicates removed, in that order.
     *
     * @return a fresh array, empty when the model has none
     */
    public int[] eosIds() {
        return files.eosIds.clone();
    }

    /**
     * Whether an id is one of {@link #eosIds()}.
     *
     * @param id a token id
     * @return true for an end-of-sequence id
     */
    public boolean isEos(int id) {
        for (int e : files.eosIds) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    /**
     * The padding id, only as declared by the model's files: {@code pad_token} of {@code
     * tokenizer_config.json} or {@code special_tokens_map.json}, else {@code pad_token_id} of {@code
     * generation_config.json} or {@code config.json}. There is no default: a model that declares no
     * pad token gives -1, and callers must use an attention mask. (Some models declare their
     * {@code <unk>} as pad token, e.g. TinyStories-656K: then this is the unk id, as declared.)
     *
     * @return the id, or -1 when the model declares none
     */
    public int padId() {
        return files.padId;
    }

    /**
     * The unknown-token id: {@code unk_token} of the tokenizer files, else the BPE model's {@code
     * unk_token}.
     *
     * @return the id, or -1 when the model has none
     */
    public int unkId() {
        return files.unkId;
    }

    /**
     * Encodes one text.
     *
     * @param text the text (not null)
     * @param addSpecialTokens whether the tokenizer's post-processor adds its special tokens (e.g.
     *     BOS); added tokens written in the text itself (e.g. {@code "<s>"}) are recognised either way
     * @return the ids
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        return toInts(djl.encode(text, addSpecialTokens, false).getIds());
    }

    /**
     * Encodes many texts in one call to the Rust tokenizer (which encodes them in parallel).
     *
     * @param texts the texts (none null)
     * @param addSpecialTokens as in {@link #encode}
     * @return one row of ids per text, unpadded (rows have their own lengths)
     * @throws NullPointerException naming {@code texts} when it is null
     */
    public int[][] encodeBatch(List<String> texts, boolean addSpecialTokens) {
        Objects.requireNonNull(texts, "texts");
        String[] arr = texts.toArray(new String[0]);
        for (int i = 0; i < arr.length; i++) {
            if (arr[i] == null) {
                throw new NullPointerException("texts[" + i + "] is null");
            }
        }
        if (arr.length == 0) {
            return new int[0][];
        }
        Encoding[] enc = djl.batchEncode(arr, addSpecialTokens, false);
        int[][] out = new int[enc.length][];
        for (int i = 0; i < enc.length; i++) {
            out[i] = toInts(enc[i].getIds());
        }
        return out;
    }

    /**
     * Where each token of {@code encode(text, false)} starts in {@code text}, so that text can be cut at a
     * token boundary without decoding ids back (which loses what {@code <unk>} stood for). The tokens of
     * one character split into bytes (byte fallback) all start where that character does.
     *
     * @param text the text (not null)
     * @return per token, its start as an index into {@code text} (a {@code char} index); -1 for a token
     *     that covers no text
     */
    public int[] tokenStarts(String text) {
        Objects.requireNonNull(text, "text");
        CharSpan[] spans = djl.encode(text, false, false).getCharTokenSpans();
        // The Rust tokenizer counts Unicode code points; Java indexes UTF-16 chars.
        int points = text.codePointCount(0, text.length());
        int[] index = new int[points + 1];
        for (int p = 0, i = 0; p < points; p++) {
            index[p] = i;
            i += Character.charCount(text.codePointAt(i));
        }
        index[points] = text.length();
        int[] out = new int[spans.length];
        for (int t = 0; t < spans.length; t++) {
            out[t] = spans[t] == null ? -1 : index[Math.min(Math.max(spans[t].getStart(), 0), points)];
        }
        return out;
    }

    /**
     * Decodes ids to text with the tokenizer's own decoder (for Llama-style tokenizers the leading
     * space of the first piece is removed; invalid byte-fallback sequences become U+FFFD).
     *
     * @param ids token ids, each in {@code [0, vocabSize())}
     * @param skipSpecialTokens whether tokens flagged special in {@code tokenizer.json} are dropped
     * @return the text
     * @throws NullPointerException naming {@code ids} when it is null
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        Objects.requireNonNull(ids, "ids");
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            l[i] = checkId(ids[i]);
        }
        return djl.decode(l, skipSpecialTokens);
    }

    /** Decodes already-checked ids (for the incremental decoder). */
    String decodeChecked(long[] ids, int from, int to, boolean skipSpecialTokens) {
        return djl.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }

    /**
     * The raw vocabulary string of a token, e.g. {@code "▁the"}, {@code "<0xE2>"}, {@code "<s>"}.
     *
     * @param id a token id
     * @return the piece ({@code ""} for an id that no token uses)
     */
    public String piece(int id) {
        String p = files.pieces[checkId(id)];
        return p == null ? "" : p;
    }

    /**
     * The id of a raw vocabulary string (inverse of {@link #piece}).
     *
     * @param piece a vocabulary string, e.g. {@code "▁the"}
     * @return its id, or -1 if it is not in the vocabulary
     * @throws NullPointerException naming {@code piece} when it is null
     */
    public int pieceId(String piece) {
        Objects.requireNonNull(piece, "piece");
        Integer id = files.pieceIds.get(piece);
        return id == null ? -1 : id;
    }

    /**
     * What this token contributes to decoded text in mid-sequence position ({@code "▁the"} → {@code
     * " the"}, {@code "ce▁"} → {@code "ce "}). Special tokens give their content, as {@code
     * decode(ids, false)} shows them. A token that contributes an incomplete UTF-8 sequence (a
     * byte-fallback piece such as {@code <0xE2>}, or a byte-level piece that splits a character)
     * gives U+FFFD here: use {@link #surfaceBytes} for its exact bytes.
     *
     * @param id a token id
     * @return the text (table built once, lazily, for the whole vocabulary)
     */
    public String surfaceText(int id) {
        return table().text(checkId(id));
    }

    /**
     * The exact UTF-8 bytes this token contributes in mid-sequence position ({@code <0xE2>} → the
     * single byte 0xE2). Concatenating these over a sequence gives the bytes of {@code decode(ids,
     * false)} except at its very start (where e.g. a Llama {@code Strip} decoder removes one space).
     *
     * @param id a token id
     * @return a fresh array
     */
    public byte[] surfaceBytes(int id) {
        return table().bytes(checkId(id)).clone();
    }

    /** Shared, not copied: for the package's own hot loops. */
    byte[] surfaceBytesShared(int id) {
        return table().bytes(id);
    }

    /**
     * Whether a token is flagged {@code "special": true} among the added tokens of {@code
     * tokenizer.json}: exactly the tokens that {@code decode(ids, true)} drops (e.g. BOS, EOS, unk).
     *
     * @param id a token id
     * @return true for a special token
     */
    public boolean isSpecial(int id) {
        return files.special[checkId(id)];
    }

    /**
     * Starts a streaming decoder (one per generated sequence; not thread-safe itself).
     *
     * @param skipSpecialTokens as in {@link #decode}
     * @return a new decoder
     */
    public IncrementalDecoder incrementalDecoder(boolean skipSpecialTokens) {
        return new IncrementalDecoder(this, skipSpecialTokens);
    }

    /** Releases the native tokenizer. */
    @Override
    public void close() {
        djl.close();
    }

    @Override
    public String toString() {
        return "TextTokenizer[" + files + "]";
    }

    TokenizerFiles files() {
        return files;
    }

    int checkId(int id) {
        if (id < 0 || id >= files.pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.."
                    + (files.pieces.length - 1) + ") of " + files.tokenizerJson);
        }
        return id;
    }

    private SurfaceTable table() {
        SurfaceTable t = surfaces;
        if (t == null) {
            synchronized (this) {
                t = surfaces;
                if (t == null) {
                    t = SurfaceTable.build(files, ids -> djl.decode(ids, false));
                    surfaces = t;
                }
            }
        }
        return t;
    }

    private static int[] toInts(long[] ids) {
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }
}
