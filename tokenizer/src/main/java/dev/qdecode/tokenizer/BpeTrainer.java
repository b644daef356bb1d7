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
     * @param lines the training text, one segment per element (iterated once; may be streamed)
     * @param cfg what to train
     * @return the trained tokenizer
     * @throws TokenizerException (one line) when no line has text (only empty or white-space lines), a line is null, or the
     *     vocabulary size is below the base alphabet (the message says the minimum)
     */
    public static TrainedTokenizer train(Iterable<String> lines, BpeConfig cfg) {
        Objects.requireNonNull(lines, "lines");
        Objects.requireNonNull(cfg, "cfg");
        BpeWords words = new BpeWords(cfg.byteFallback());
        boolean anyText = false;
        for (String line : lines) {
            if (line == null) {
                throw new TokenizerException("training data: line " + (words.lines() + 1) + " is null (expected text)");
            }
            anyText |= !line.isBlank();
            words.add(line);
        }
        if (words.counts().isEmpty() || !anyText) {
            throw new TokenizerException("training data is empty: " + words.lines()
                    + " lines, none with text (expected at least one line that is not blank)");
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
            throw new TokenizerException("--vocab-size " + cfg.vocabSize() + " is smaller than the base alphabet: at least "
                    + base + " needed (" + specials + " special tokens + " + BpeConfig.BYTE_TOKENS + " byte tokens + "
                    + (base - reservedBelow) + " distinct characters of the training data)");
        }
        BpeMerger merger = new BpeMerger(vocab, ids, reservedBelow, words.counts(), cfg.byteFallback());
        String stoppedEarly = merger.run(cfg.vocabSize(), cfg.minFrequency());
        List<String[]> merges = new ArrayList<>(merger.merges().size());
        for (int[] m : merger.merges()) {
            merges.add(new String[] {vocab.get(m[0]), vocab.get(m[1])});
        }
        return new TrainedTokenizer(cfg, vocab, merges, base, words.lines(), stoppedEarly);
    }

    private static void add(List<String> vocab, Map<String, Integer> ids, String token) {
        if (!ids.containsKey(token)) {
            ids.put(token, vocab.size());
            vocab.add(token);
        }
    }
}
