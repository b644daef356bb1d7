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
     * @throws MarkerInTextException in Llama style ({@link BpeConfig#byteFallback()}) when a line
     *     contains the word marker {@code ▁} (U+2581), which the written tokenizer could not decode back
     *     (it decodes as a space): such a line is refused rather than trained into a tokenizer that
     *     loses it
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
            int marker = cfg.byteFallback() ? line.indexOf(BpeWords.MARKER) : -1;
            if (marker >= 0) {
                throw new MarkerInTextException(read, line.codePointCount(0, marker) + 1);
            }
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

    /**
     * A training line contains the word marker {@code ▁} (U+2581) in Llama style. The written
     * tokenizer's normalizer turns every space into {@code ▁} and its decoder every {@code ▁} into a
     * space, so a {@code ▁} of the text would decode as a space; no {@code tokenizer.json} component
     * of that style tells the two apart. Byte-level style ({@code byteFallback false}) keeps it. The
     * message names the line by its number among the lines given; callers that read files say which
     * file and line (see {@link #line()}).
     */
    public static final class MarkerInTextException extends TokenizerException {
        private static final long serialVersionUID = 1L;
        private final long line;
        private final int column;

        MarkerInTextException(long line, int column) {
            super("training data line " + line + ": " + describe(column));
            this.line = line;
            this.column = column;
        }

        /**
         * What is wrong, without saying where the line is: e.g. {@code "character 7 is the word marker ▁
         * (U+2581), which a --byte-fallback tokenizer decodes as a space (expected text without it, or
         * no --byte-fallback: byte-level style keeps it)"}.
         *
         * @param column the character's position in its line (1-based, in code points)
         * @return the description
         */
        static String describe(int column) {
            return "character " + column + " is the word marker ▁ (U+2581), which a --byte-fallback tokenizer "
                    + "cannot decode back: it decodes as a space (expected text without it, or no --byte-fallback: "
                    + "byte-level style keeps it)";
        }

        /**
         * The line's number among the lines given to {@link BpeTrainer#train} (1-based, blank lines
         * counted).
         *
         * @return the line number
         */
        public long line() {
            return line;
        }

        /**
         * Where the first {@code ▁} is in the line: its position in code points, 1-based.
         *
         * @return the column
         */
        public int column() {
            return column;
        }

        /**
         * The message without the line number, for callers that name the line themselves (e.g. {@code
         * FILE:LINE}).
         *
         * @return the description
         */
        public String what() {
            return describe(column);
        }
    }

    private static void add(List<String> vocab, Map<String, Integer> ids, String token) {
        if (!ids.containsKey(token)) {
            ids.put(token, vocab.size());
            vocab.add(token);
        }
    }
}
