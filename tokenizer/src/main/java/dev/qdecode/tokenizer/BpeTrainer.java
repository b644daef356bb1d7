package dev.qdecode.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a byte-pair-encoding tokenizer on text lines and produces a Hugging Face {@code
 * tokenizer.json} that {@link TextTokenizer} (DJL's binding of the Rust {@code tokenizers}) loads.
 *
 * <p>Written here because nothing on Maven Central trains Hugging Face tokenizers: DJL's {@code
 * ai.djl.huggingface:tokenizers} 0.35.1 binding only loads, encodes and decodes (its JNI surface,
 * {@code TokenizersLibrary}, has no trainer).
 *
 * <p>Training (as Hugging Face's {@code BpeTrainer}): the lines are pre-tokenized into words exactly
 * as the written tokenizer pre-tokenizes at encode time (see {@link BpeConfig#byteFallback()} for
 * the two styles), counted into a word-frequency table, and the most frequent adjacent token pair is
 * merged repeatedly, with pair counts updated incrementally, until the vocabulary has {@link
 * BpeConfig#vocabSize()} tokens. Deterministic: the same lines and configuration always give the same
 * files, whatever the order of the lines (ties between equally frequent pairs are broken by
 * token id).
 *
 * <pre>{@code
 * TrainedTokenizer tok = BpeTrainer.train(lines, BpeConfig.of(8000).withExtraSpecialTokens(List.of("<sep>")));
 * tok.save(Path.of("out/tokenizer"));
 * try (TextTokenizer t = TextTokenizer.load(Path.of("out/tokenizer"))) { ... }
 * }</pre>
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /**
     * Trains a tokenizer.
     *
     * @param lines the training text, one segment per element (iterated once; may be streamed); a blank
     *     (empty or white-space only) segment has no text and is skipped, counted in {@link
     *     TrainedTokenizer#blankLines()}
     * @param cfg what to train
     * @return the trained tokenizer
     * @throws EmptyDataException when no line has text (only empty or white-space lines)
     * @throws VocabSizeTooSmallException when the vocabulary size is below the base alphabet (the
     *     message says the minimum)
     * @throws TokenizerException (one line) when a line is null
     */
    public static TrainedTokenizer train(Iterable<String> lines, BpeConfig cfg) {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(cfg, "cfg");
        BpeWords words = new BpeWords(cfg.byteFallback());
        long read = 0;
        long blank = 0;
        for (String line : lines) {
            if (line == null) {
                throw new TokenizerException("training data: line " + (read + 1) + " is null (expected text)");
            }
            read++;
            if (line.isBlank()) {
                blank++; // no text: not trained on, counted apart (TrainedTokenizer#blankLines)
                continue;
            }
            words.add(line);
        }
        if (words.counts().isEmpty()) {
            throw new EmptyDataException(read);
        }

        List<String> vocab = new ArrayList<>();
        Map<String, Integer> ids = new HashMap<>();
        for (String s : cfg.specialTokens()) {
            add(vocab, ids, s);
        }
        int specials = vocab.size();
        for (int b = 0; b < BpeConfig.BYTE_TOKENS; b++) {
            add(vocab, ids, cfg.byteFallback()
                    ? String.format("<0x%02X>", b)
                    : String.valueOf(BpeWords.BYTE_CHARS[b]));
        }
        int reservedBelow = vocab.size();
        for (int cp : words.alphabet()) { // Llama style: the characters of the data
            add(vocab, ids, new String(Character.toChars(cp)));
        }
        int base = vocab.size();
        if (base > cfg.vocabSize()) {
            throw new VocabSizeTooSmallException("--vocab-size " + cfg.vocabSize() + " is smaller than the base "
                    + "alphabet: at least " + base + " needed (" + specials + " special tokens + " + BpeConfig.BYTE_TOKENS
                    + " byte tokens + " + (base - reservedBelow) + " distinct characters of the training data)");
        }
        BpeMerger merger = new BpeMerger(vocab, ids, reservedBelow, words.counts(), cfg.byteFallback());
        String stoppedEarly = merger.run(cfg.vocabSize(), cfg.minFrequency());
        List<String[]> merges = new ArrayList<>(merger.merges().size());
        for (int[] m : merger.merges()) {
            merges.add(new String[] {vocab.get(m[0]), vocab.get(m[1])});
        }
        return new TrainedTokenizer(cfg, vocab, merges, base, read - blank, blank, stoppedEarly);
    }

    /**
     * No training line has text. The message names no file (the trainer sees only lines): callers
     * that read files say which.
     */
    public static final class EmptyDataException extends TokenizerException {
        private static final long serialVersionUID = 1L;
        private final long lines;

        EmptyDataException(long lines) {
            super("training data is empty: " + lines + " lines, none with text (expected at least one line that is "
                    + "not blank)");
            this.lines = lines;
        }

        /**
         * The number of lines read, all empty or blank.
         *
         * @return the count
         */
        public long lines() {
            return lines;
        }
    }

    /**
     * The vocabulary size asked for is below the base alphabet, which in Llama style depends on the
     * characters of the training data and so is known only after reading it. A fault of the size asked
     * for, not of the data: the message names {@code --vocab-size} and the minimum.
     */
    public static final class VocabSizeTooSmallException extends TokenizerException {
        private static final long serialVersionUID = 1L;

        VocabSizeTooSmallException(String message) {
            super(message);
        }
    }

    private static void add(List<String> vocab, Map<String, Integer> ids, String token) {
        if (!ids.containsKey(token)) {
            ids.put(token, vocab.size());
            vocab.add(token);
        }
    }
}
