package dev.qdecode.rewards.classifier;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelFiles;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * A sentence encoder from any Hugging Face model directory the models module can load: the mean of
 * the final-norm hidden states over the text's tokens (in the model's prompt format), L2-normalised.
 * Texts are batched by length to cut padding; over-long texts keep their first tokens. Its id is the
 * directory's path; {@link #contentSha256()} ties it to the directory's files.
 */
final class ModelDirEncoder implements SentenceEncoder {
    private final Path dir;
    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final PromptFormat format;
    private final int batchSize;
    private final String contentSha256;
    /** {@link CausalLM#threads()} when the encoder was opened: PyTorch computes its embeddings. */
    private final String threads = CausalLM.threads();

    private ModelDirEncoder(Path dir, CausalLM model, TextTokenizer tokenizer, int batchSize, String contentSha256) {
        this.dir = dir;
        this.contentSha256 = contentSha256;
        this.model = model;
        this.tokenizer = tokenizer;
        this.format = PromptFormat.forModel(dir, tokenizer);
        this.batchSize = batchSize;
    }

    static ModelDirEncoder open(Path dir, int batchSize) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            // a model input that is not one: bad input, as a missing tokenizer.json or an hf:DIR that names no directory
            throw new dev.qdecode.models.ModelException("encoder directory " + dir
                    + ": no config.json (expected a Hugging Face model directory)");
        }
        // once per process while the files are unchanged; generation settings do not change an embedding
        String sha256 = ModelFiles.contentSha256(dir, Set.of("generation_config.json"));
        TextTokenizer tok = TextTokenizer.load(dir);
        try {
            // CausalLM.load refuses a tokenizer too large
            return new ModelDirEncoder(dir, CausalLM.load(dir, tok), tok, batchSize, sha256);
        } catch (RuntimeException e) {
            tok.close();
            throw e;
        }
    }

    /**
     * The PyTorch intra-op thread count this encoder's model computes with ({@link CausalLM#threads()} when it was
     * opened), recorded where a MiniLM encoder's ONNX Runtime count is.
     *
     * @return the count
     */
    @Override
    public String threads() {
        return threads;
    }

    @Override
    public int dimension() {
        return model.config().hiddenSize();
    }

    @Override
    public String id() {
        return "hf:" + dir.toAbsolutePath().normalize();
    }

    /** The digest of the model directory's files ({@link ModelFiles#contentSha256}), taken when opened. */
    @Override
    public String contentSha256() {
        return contentSha256;
    }

    @Override
    public float[][] embed(List<String> texts) {
        return embedBatches(texts, (indices, vectors) -> { });
    }

    @Override
    public float[][] embedBatches(List<String> texts, BatchSink batches) {
        int n = texts.size();
        int max = model.config().maxPositions();
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            int[] t = format.encode(tokenizer, texts.get(i));
            if (t.length == 0) {
                t = new int[] {Math.max(0, tokenizer.bosId())};
            }
            ids[i] = t.length > max ? Arrays.copyOf(t, max) : t;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> ids[i].length));
        float[][] out = new float[n][];
        int h = dimension();
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            List<int[]> batch = new ArrayList<>(end - start);
            int[] rows = new int[end - start];
            float[][] vectors = new float[end - start][];
            for (int k = start; k < end; k++) {
                batch.add(ids[order[k]]);
                rows[k - start] = order[k];
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray hs = model.hiddenStates(m, batch.toArray(new int[0][]));
                float[] flat = hs.toFloatArray();
                int len = (int) hs.getShape().get(1);
                for (int r = 0; r < batch.size(); r++) {
                    int rowLen = batch.get(r).length;
                    float[] v = new float[h];
                    for (int t = 0; t < rowLen; t++) {
                        int base = (r * len + t) * h;
                        for (int j = 0; j < h; j++) {
                            v[j] += flat[base + j];
                        }
                    }
                    double norm = 0;
                    for (int j = 0; j < h; j++) {
                        v[j] /= rowLen;
                        norm += v[j] * (double) v[j];
                    }
                    float inv = (float) (1.0 / Math.max(Math.sqrt(norm), 1e-12));
                    for (int j = 0; j < h; j++) {
                        v[j] *= inv;
                    }
                    out[order[start + r]] = v;
                    vectors[r] = v;
                }
            }
            batches.accept(rows, vectors);
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
