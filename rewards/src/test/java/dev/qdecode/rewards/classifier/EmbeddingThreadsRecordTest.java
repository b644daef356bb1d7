package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedding cache records beside each entry the thread count that computed it ({@link
 * SentenceEncoder#threads()}), so that a run reading cached embeddings records that count, not its own: the
 * count of the job that computed the entry, {@code A then B} when a job with B finished what one with A began,
 * {@code unrecorded then B} for batches left without a record, and nothing for an encoder without a count.
 */
class EmbeddingThreadsRecordTest {
    @TempDir Path dir;

    /** {@link PartialEmbeddingsTest.BatchingEncoder} with a given thread count. */
    private static final class Counted implements SentenceEncoder {
        final PartialEmbeddingsTest.BatchingEncoder inner = new PartialEmbeddingsTest.BatchingEncoder();
        final String threads;

        Counted(String threads) {
            this.threads = threads;
        }

        @Override
        public int dimension() {
            return inner.dimension();
        }

        @Override
        public float[][] embed(List<String> texts) {
            return inner.embed(texts);
        }

        @Override
        public float[][] embedBatches(List<String> texts, BatchSink batches) {
            return inner.embedBatches(texts, batches);
        }

        @Override
        public String id() {
            return inner.id();
        }

        @Override
        public String threads() {
            return threads;
        }

        @Override
        public void close() {}
    }

    private static Counted encoder(String threads) {
        return new Counted(threads);
    }

    private static List<String> texts() {
        return IntStream.range(0, 20).mapToObj(i -> "text number " + i + "x".repeat(i % 5)).toList();
    }

    @Test
    void aCachedEntryKeepsTheCountThatComputedIt() {
        EmbeddingCache cache = new EmbeddingCache(dir);
        List<String> texts = texts();
        assertNull(cache.threadsOf(encoder("2"), texts)); // nothing cached yet
        cache.embed(encoder("2"), texts);
        Counted later = encoder("1");
        cache.embed(later, texts);
        assertEquals(0, later.inner.embedded); // read from the cache: this job computed nothing
        assertEquals("2", cache.threadsOf(later, texts)); // before, a run recorded its own count, "1"
    }

    @Test
    void anEntryFinishedByAnotherCountRecordsBoth() {
        EmbeddingCache cache = new EmbeddingCache(dir);
        List<String> texts = texts();
        Counted first = encoder("2");
        first.inner.failAfter = 2; // stopped after two batches: they wait in the .part file
        assertThrows(IllegalStateException.class, () -> cache.embed(first, texts));
        Counted second = encoder("1");
        cache.embed(second, texts);
        assertEquals(texts.size() - 6, second.inner.embedded);
        assertEquals("2 then 1", cache.threadsOf(second, texts));
        // the unfinished entry's record goes with it
        Path entry = cache.fileFor(second, texts);
        assertEquals(List.of(entry.getFileName().toString(), entry.getFileName() + ".threads"),
                names());
    }

    @Test
    void batchesWithoutARecordAreUnrecorded() {
        EmbeddingCache cache = new EmbeddingCache(dir);
        List<String> texts = texts();
        Counted first = encoder(null); // e.g. a qdecode that did not record counts
        first.inner.failAfter = 1;
        assertThrows(IllegalStateException.class, () -> cache.embed(first, texts));
        cache.embed(encoder("1"), texts);
        assertEquals("unrecorded then 1", cache.threadsOf(encoder("1"), texts));
    }

    @Test
    void anEncoderWithoutACountRecordsNothing() {
        EmbeddingCache cache = new EmbeddingCache(dir);
        List<String> texts = texts();
        cache.embed(encoder(null), texts);
        assertNull(cache.threadsOf(encoder(null), texts));
        assertEquals(List.of(cache.fileFor(encoder(null), texts).getFileName().toString()), names());
    }

    /**
     * classifier.json records the count that computed the training embeddings ({@code training.encoderThreads}):
     * it recorded none.
     */
    @Test
    void aClassifierRecordsTheCountThatComputedItsTrainingEmbeddings() throws Exception {
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        List<String> texts = texts();
        List<String> labels = IntStream.range(0, texts.size()).mapToObj(i -> i % 2 == 0 ? "a" : "b").toList();
        cache.embed(encoder("2"), texts); // cached by a job with 2 threads
        TextClassifier c = TextClassifier.train(encoder("1"), texts, labels, ClassifierConfig.logistic(), cache);
        c.save(dir.resolve("clf"));
        com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(
                Files.readString(dir.resolve("clf/classifier.json"))).getAsJsonObject();
        assertEquals("2", json.getAsJsonObject("training").get("encoderThreads").getAsString());
        TextClassifier direct = TextClassifier.train(encoder("3"), texts, labels, ClassifierConfig.logistic(), null);
        direct.save(dir.resolve("direct"));
        assertEquals("3", com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("direct/classifier.json")))
                .getAsJsonObject().getAsJsonObject("training").get("encoderThreads").getAsString());
    }

    /**
     * Dev metrics record the count that embedded the dev texts (this job's: a prediction embeds them here), which
     * may differ from the training embeddings' (read from the cache): they recorded none.
     */
    @Test
    void devMetricsRecordTheCountThatEmbeddedTheDevTexts() throws Exception {
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        List<String> texts = texts();
        List<String> labels = IntStream.range(0, texts.size()).mapToObj(i -> i % 2 == 0 ? "a" : "b").toList();
        cache.embed(encoder("2"), texts); // the training embeddings, cached by a job with 2 threads
        Counted now = encoder("1");
        TextClassifier c = TextClassifier.train(now, texts, labels, ClassifierConfig.logistic(), cache);
        List<String> dev = texts.subList(0, 6);
        c = c.withMetrics("dev", c.evaluatePredicted(c.predict(dev), labels.subList(0, 6)), now.threads());
        c.save(dir.resolve("clf"));
        com.google.gson.JsonObject json = com.google.gson.JsonParser.parseString(
                Files.readString(dir.resolve("clf/classifier.json"))).getAsJsonObject();
        assertEquals("2", json.getAsJsonObject("training").get("encoderThreads").getAsString());
        assertEquals("1", json.getAsJsonObject("metrics").getAsJsonObject("dev").get("encoderThreads").getAsString());
        assertEquals(java.util.Map.of("dev", "1"), TextClassifier.load(dir.resolve("clf"), now).metricsEncoderThreads());
        // metrics given without a count record none, replacing a count recorded before
        TextClassifier without = c.withMetrics("dev", c.metrics().get("dev"));
        assertEquals(java.util.Map.of(), without.metricsEncoderThreads());
        without.save(dir.resolve("without"));
        assertNull(com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("without/classifier.json")))
                .getAsJsonObject().getAsJsonObject("metrics").getAsJsonObject("dev").get("encoderThreads"));
    }

    /**
     * A cache that cannot be written (only a warning) still knows the count that computed the embeddings it
     * returned: it said null, which runs recorded as "unrecorded" though this job computed them.
     */
    @Test
    void aCacheThatCannotBeWrittenStillKnowsWhoComputedItsEmbeddings() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("file"), "not a directory");
        EmbeddingCache cache = new EmbeddingCache(notADirectory.resolve("cache"));
        List<String> texts = texts();
        cache.embed(encoder("2"), texts);
        assertEquals("2", cache.threadsOf(encoder("2"), texts));
        assertEquals("2", cache.threadsOf(encoder("1"), texts)); // the count that computed them, not the asker's
        assertNull(cache.threadsOf(encoder("2"), texts.subList(0, 5))); // texts it did not embed
        // the classifier trained through such a cache records it too
        List<String> labels = IntStream.range(0, texts.size()).mapToObj(i -> i % 2 == 0 ? "a" : "b").toList();
        TextClassifier c = TextClassifier.train(encoder("3"), texts, labels, ClassifierConfig.logistic(),
                new EmbeddingCache(notADirectory.resolve("cache")));
        c.save(dir.resolve("clf"));
        assertEquals("3", com.google.gson.JsonParser.parseString(Files.readString(dir.resolve("clf/classifier.json")))
                .getAsJsonObject().getAsJsonObject("training").get("encoderThreads").getAsString());
    }

    @Test
    void joinsACountOnlyWhenItDiffersFromTheLast() {
        assertEquals("1", EmbeddingCache.joinThreads(null, "1"));
        assertEquals("2 then 1", EmbeddingCache.joinThreads("2", "1"));
        assertEquals("2 then 1", EmbeddingCache.joinThreads("2 then 1", "1"));
        assertEquals("2 then 1 then 2", EmbeddingCache.joinThreads("2 then 1", "2"));
    }

    private List<String> names() {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
