package dev.qdecode.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared test helpers: fixture paths, JSON access and a batched greedy decoder. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        String s = System.getProperty("qdecode.shared");
        if (s == null) {
            throw new IllegalStateException("system property qdecode.shared is not set (run through Maven surefire)");
        }
        return Path.of(s);
    }

    static Path model(String name) {
        return shared().resolve("models").resolve(name);
    }

    static Path randomModel(String name) {
        return shared().resolve("fixtures/random").resolve(name);
    }

    static JsonObject json(Path file) {
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsInt();
        }
        return r;
    }

    static float[] floats(JsonElement e) {
        JsonArray a = e.getAsJsonArray();
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsFloat();
        }
        return r;
    }

    static int argmax(float[] v, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[offset + i] > v[offset + best]) {
                best = i;
            }
        }
        return best;
    }

    static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("length " + a.length + " vs " + b.length);
        }
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /**
     * Batched greedy decoding through the KV cache; a row stops after emitting an EOS id when
     * {@code stopAtEos} (finished rows are dropped with retainRows).
     */
    static int[][] greedy(CausalLM model, int[][] prompts, int maxNew, boolean stopAtEos) {
        int b = prompts.length;
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            out.add(new ArrayList<>());
        }
        int vocab = model.config().vocabSize();
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager m = root.newSubManager();
            try (KvCache cache = model.prefill(m, prompts, maxNew)) {
                int[] alive = new int[b];
                for (int i = 0; i < b; i++) {
                    alive[i] = i;
                }
                NDArray logits = cache.last().logits();
                for (int step = 0; step < maxNew && alive.length > 0; step++) {
                    float[] l = logits.toFloatArray();
                    int[] next = new int[alive.length];
                    List<Integer> keep = new ArrayList<>();
                    for (int r = 0; r < alive.length; r++) {
                        next[r] = argmax(l, r * vocab, vocab);
                        out.get(alive[r]).add(next[r]);
                        if (!(stopAtEos && model.config().isEos(next[r]))) {
                            keep.add(r);
                        }
                    }
                    if (step == maxNew - 1 || keep.isEmpty()) {
                        break;
                    }
                    if (keep.size() < alive.length) {
                        int[] rows = keep.stream().mapToInt(Integer::intValue).toArray();
                        cache.retainRows(rows);
                        int[] nextKept = new int[rows.length];
                        int[] aliveKept = new int[rows.length];
                        for (int i = 0; i < rows.length; i++) {
                            nextKept[i] = next[rows[i]];
                            aliveKept[i] = alive[rows[i]];
                        }
                        next = nextKept;
                        alive = aliveKept;
                    }
                    m.close();
                    m = root.newSubManager();
                    logits = cache.step(m, next).logits();
                }
            } finally {
                m.close();
            }
        }
        int[][] r = new int[b][];
        for (int i = 0; i < b; i++) {
            r[i] = out.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return r;
    }
}
