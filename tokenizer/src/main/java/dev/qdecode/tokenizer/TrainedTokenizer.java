package dev.qdecode.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A tokenizer trained by {@link BpeTrainer}: its vocabulary and merges, and how to write it as a
 * Hugging Face tokenizer directory. Immutable.
 */
public final class TrainedTokenizer {
    private final BpeConfig config;
    private final List<String> vocab;
    private final List<String[]> merges;
    private final int baseSize;
    private final long lines;
    private final long blankLines;
    private final String stoppedEarly;

    TrainedTokenizer(BpeConfig config, List<String> vocab, List<String[]> merges, int baseSize, long lines,
            long blankLines, String stoppedEarly) {
        this.config = config;
        this.vocab = List.copyOf(vocab);
        List<String[]> m = new ArrayList<>(merges.size());
        for (String[] pair : merges) {
            m.add(pair.clone());
        }
        this.merges = m;
        this.baseSize = baseSize;
        this.lines = lines;
        this.blankLines = blankLines;
        this.stoppedEarly = stoppedEarly;
    }

    /**
     * The configuration it was trained with.
     *
     * @return the configuration
     */
    public BpeConfig config() {
        return config;
    }

    /**
     * Number of token ids: {@link BpeConfig#vocabSize()}, or fewer when training {@link
     * #stoppedEarly() stopped early}.
     *
     * @return the vocabulary size
     */
    public int vocabSize() {
        return vocab.size();
    }

    /**
     * The vocabulary strings by id, e.g. {@code "<s>"}, {@code "<0x41>"}, {@code "▁the"} (Llama style)
     * or {@code "Ġthe"} (byte-level style).
     *
     * @return an unmodifiable list, index = id
     */
    public List<String> pieces() {
        return vocab;
    }

    /**
     * Number of ids before the first merge: special tokens, byte tokens and (Llama style) the
     * characters of the training data.
     *
     * @return the base vocabulary size
     */
    public int baseSize() {
        return baseSize;
    }

    /**
     * Number of merges, in rank order as written to {@code tokenizer.json}. Usually {@code vocabSize()
     * - baseSize()}; more when two merge orders spell the same token.
     *
     * @return the merge count
     */
    public int mergeCount() {
        return merges.size();
    }

    /**
     * Number of training lines trained on: those with text, the {@link #blankLines() blank} ones not
     * included.
     *
     * @return the line count
     */
    public long trainingLines() {
        return lines;
    }

    /**
     * Number of training lines read and skipped because they were blank (empty or white-space only):
     * they hold no text to train on.
     *
     * @return the skipped line count
     */
    public long blankLines() {
        return blankLines;
    }

    /**
     * Why the vocabulary is smaller than asked, if it is (e.g. no pair left that occurs {@link
     * BpeConfig#minFrequency()} times).
     *
     * @return the reason, or empty when the asked size was reached
     */
    public Optional<String> stoppedEarly() {
        return Optional.ofNullable(stoppedEarly);
    }

    /**
     * Writes {@code tokenizer.json}, {@code tokenizer_config.json} and {@code special_tokens_map.json}
     * into a directory (created if missing; existing files of those names are replaced). The
     * directory then loads with {@link TextTokenizer#load} and with Hugging Face's {@code
     * AutoTokenizer}; bos/eos/unk/pad are {@code <s>}, {@code </s>}, {@code <unk>}, {@code <pad>}.
     *
     * @param dir the output directory
     * @throws TokenizerException (one line) when the directory or a file cannot be written
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public void save(Path dir) {
        Objects.requireNonNull(dir, "dir");
        TokenizerJsonWriter.write(dir, this);
    }

    List<String[]> merges() {
        return merges;
    }

    @Override
    public String toString() {
        return "TrainedTokenizer[vocab " + vocab.size() + ", base " + baseSize + ", merges " + merges.size()
                + ", " + (config.byteFallback() ? "llama/byte-fallback" : "byte-level") + ", lines " + lines + ", blank lines skipped " + blankLines + "]";
    }
}
