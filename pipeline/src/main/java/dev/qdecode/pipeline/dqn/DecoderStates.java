package dev.qdecode.pipeline.dqn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * φ(s) of a decoder backbone as a {@link SentenceEncoder}: the final-norm hidden state at the last
 * position of the task prompt ({@code template} with the text in place of {@code {text}}), so that the
 * DQN head and the supervised probe it is compared with read the very same embeddings (and share the
 * embedding cache). Rows are batched by length.
 */
final class DecoderStates implements SentenceEncoder {
    private static final int BATCH = 64;
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final PromptFormat format;
    private final String template;
    private final String id;
    private final int[] dropTail;
    private final int[] append;

    /**
     * @param model the frozen backbone
     * @param tokenizer its tokenizer
     * @param format its prompt format
     * @param template the task template with {@code {text}}
     * @param modelHash identifies the backbone's weights (part of the cache key)
     * @param dropTail tokens every prompt must end with, removed from it (the labels re-generate them
     *     merged with their first word; empty: none)
     * @param append tokens appended to every prompt after that (the labels' shared first tokens)
     */
    DecoderStates(CausalLM model, TextTokenizer tokenizer, PromptFormat format, String template, String modelHash,
            int[] dropTail, int[] append) {
        this.dropTail = dropTail.clone();
        this.append = append.clone();
        this.model = model;
        this.tokenizer = tokenizer;
        this.format = format;
        this.template = template;
        this.id = "state-" + dev.qdecode.rewards.classifier.EmbeddingCache.sha256(
                List.of(modelHash, format.toSpec(), template, Arrays.toString(dropTail),
                Arrays.toString(append))).substring(0, 16);
    }

    /** The token ids of a text's task prompt. */
    int[] promptIds(String text) {
        int[] ids = format.encode(tokenizer, template.replace("{text}", text));
        int n = ids.length - dropTail.length;
        if (n < 1 || !Arrays.equals(dropTail, Arrays.copyOfRange(ids, n, ids.length))) {
            throw new IllegalArgumentException("text '" + text + "': its prompt does not end in the template's tokens "
                    + Arrays.toString(dropTail) + " (expected the template's ending to tokenize the same for every text)");
        }
        int[] r = Arrays.copyOf(ids, n + append.length);
        System.arraycopy(append, 0, r, n, append.length);
        return r;
    }

    /**
     * Final-norm hidden states at the last position of each sequence.
     *
     * @param seqs token id sequences
     * @return one row of {@code hiddenSize} floats per sequence
     */
    float[][] lastStates(int[][] seqs) {
        return lastStates(seqs, (indices, vectors) -> { });
    }

    /** As {@link #lastStates(int[][])}, handing each finished batch to {@code batches}. */
    private float[][] lastStates(int[][] seqs, BatchSink batches) {
        int n = seqs.length;
        int h = model.config().hiddenSize();
        float[][] out = new float[n][];
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> seqs[i].length));
        try (NDManager root = NDManager.newBaseManager()) {
            for (int i = 0; i < n; i += BATCH) {
                int m = Math.min(n, i + BATCH) - i;
                int[][] batch = new int[m][];
                int[] rows = new int[m];
                float[][] vectors = new float[m][];
                for (int j = 0; j < m; j++) {
                    rows[j] = order[i + j];
                    batch[j] = seqs[rows[j]];
                }
                try (NDManager step = root.newSubManager()) {
                    NDArray hs = model.hiddenStates(step, batch);
                    for (int j = 0; j < m; j++) {
                        NDArray row = hs.get(new NDIndex("{}, {}, :", j, batch[j].length - 1));
                        vectors[j] = row.toFloatArray();
                        out[rows[j]] = vectors[j];
                    }
                }
                batches.accept(rows, vectors);
            }
        }
        for (float[] r : out) {
            if (r.length != h) {
                throw new IllegalStateException("hidden state of size " + r.length + ", expected " + h);
            }
        }
        return out;
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embedBatches(texts, (indices, vectors) -> { });
    }

    @Override
    public float[][] embedBatches(List<String> texts, BatchSink batches) {
        int[][] ids = new int[texts.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = promptIds(texts.get(i));
        }
        return lastStates(ids, batches);
    }

    @Override
    public String id() {
        return id;
    }

    /** Does nothing: the model belongs to the caller. */
    @Override
    public void close() {}
}
