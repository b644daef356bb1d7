package dev.qdecode.rewards.classifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: remembers the vector of every text it has embedded (per JVM), so that tests which
 * evaluate the same dev sentences repeatedly embed them once. Same id and dimension as the wrapped
 * encoder.
 */
final class MemoEncoder implements SentenceEncoder {
    private final SentenceEncoder inner;
    private final Map<String, float[]> memo = new HashMap<>();

    MemoEncoder(SentenceEncoder inner) {
        this.inner = inner;
    }

    @Override
    public int dimension() {
        return inner.dimension();
    }

    @Override
    public synchronized float[][] embed(List<String> texts) {
        java.util.LinkedHashSet<String> unseen = new java.util.LinkedHashSet<>();
        for (String t : texts) {
            if (!memo.containsKey(t)) {
                unseen.add(t);
            }
        }
        List<String> missing = new ArrayList<>(unseen);
        if (!missing.isEmpty()) {
            float[][] v = inner.embed(missing);
            for (int i = 0; i < v.length; i++) {
                memo.put(missing.get(i), v[i]);
            }
        }
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = memo.get(texts.get(i)).clone();
        }
        return out;
    }

    @Override
    public String id() {
        return inner.id();
    }

    @Override
    public String contentSha256() {
        return inner.contentSha256();
    }

    @Override
    public void close() {
        inner.close();
    }
}
