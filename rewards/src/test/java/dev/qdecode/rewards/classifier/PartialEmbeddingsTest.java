package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedding stopped part-way keeps the vectors of its finished batches ({@code .emb.part}), and
 * the next call for the same texts embeds only the rest, with the same vectors as one uninterrupted
 * call; a torn or corrupt tail is dropped, never used.
 */
class PartialEmbeddingsTest {
    @TempDir Path dir;

    /**
     * Embeds in batches of 3 in length order (as the real encoders do), counts the texts it embeds, and
     * throws after {@code failAfter} batches when that is positive.
     */
    static final class BatchingEncoder implements SentenceEncoder {
        int embedded;
        int failAfter;

        @Override
        public int dimension() {
            return 4;
        }

        @Override
        public float[][] embed(List<String> texts) {
            return embedBatches(texts, (indices, vectors) -> { });
        }

        @Override
        public float[][] embedBatches(List<String> texts, BatchSink batches) {
            Integer[] order = IntStream.range(0, texts.size()).boxed().toArray(Integer[]::new);
            java.util.Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
            float[][] out = new float[texts.size()][];
            int batchesDone = 0;
            for (int start = 0; start < order.length; start += 3) {
                if (failAfter > 0 && batchesDone == failAfter) {
                    throw new IllegalStateException("stopped after " + failAfter + " batches");
                }
                int end = Math.min(order.length, start + 3);
                int[] rows = new int[end - start];
                float[][] v = new float[rows.length][];
                for (int k = 0; k < rows.length; k++) {
                    rows[k] = order[start + k];
                    String t = texts.get(rows[k]);
                    v[k] = new float[] {t.length(), t.hashCode() * 1e-9f, 1, -1};
                    out[rows[k]] = v[k];
                }
                embedded += rows.length;
                batches.accept(rows, v);
                batchesDone++;
            }
            return out;
        }

        @Override
        public String id() {
            return "batching";
        }

        @Override
        public void close() {}
    }

    private static final List<String> TEXTS = IntStream.range(0, 10).mapToObj(i -> "text " + "x".repeat(i * 7 % 10))
            .toList();

    private float[][] uninterrupted() {
        return new EmbeddingCache(dir.resolve("reference")).embed(new BatchingEncoder(), TEXTS);
    }

    /** Runs a call that stops after {@code batches} batches; returns the cache. */
    private EmbeddingCache stoppedAfter(int batches) {
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("cache"));
        BatchingEncoder enc = new BatchingEncoder();
        enc.failAfter = batches;
        assertThrows(IllegalStateException.class, () -> cache.embed(enc, TEXTS));
        assertFalse(Files.exists(cache.fileFor(enc, TEXTS)), "no cache entry for an unfinished list");
        assertTrue(Files.isRegularFile(part(cache)), "the finished batches are kept");
        return cache;
    }

    private static Path part(EmbeddingCache cache) {
        Path entry = cache.fileFor("batching", TEXTS);
        return entry.resolveSibling(entry.getFileName() + ".part");
    }

    private static void assertSame(float[][] expected, float[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], 0f, "text " + i);
        }
    }

    @Test
    void aStoppedEmbeddingGoesOnFromItsFinishedBatches() {
        EmbeddingCache cache = stoppedAfter(2);
        BatchingEncoder enc = new BatchingEncoder();
        List<Integer> progress = new ArrayList<>();
        float[][] v = cache.embed(enc, TEXTS, progress::add);
        assertEquals(4, enc.embedded, "only the 4 texts of the unfinished batches are embedded again");
        assertEquals(List.of(6, 9, 10), progress, "progress starts from the kept count");
        assertSame(uninterrupted(), v);
        assertFalse(Files.exists(part(cache)), "deleted once the entry is written");
        BatchingEncoder again = new BatchingEncoder();
        assertSame(v, cache.embed(again, TEXTS));
        assertEquals(0, again.embedded, "served from the entry");
    }

    @Test
    void aTornLastRecordIsDroppedAndTheEarlierOnesKept() throws IOException {
        EmbeddingCache cache = stoppedAfter(2);
        Files.write(part(cache), new byte[] {3, 0, 0, 0, 1, 0, 0}, StandardOpenOption.APPEND); // a record cut short
        BatchingEncoder enc = new BatchingEncoder();
        assertSame(uninterrupted(), cache.embed(enc, TEXTS));
        assertEquals(4, enc.embedded);
    }

    @Test
    void aRecordThatFailsItsChecksumIsDroppedWithEverythingAfterIt() throws IOException {
        EmbeddingCache cache = stoppedAfter(2);
        try (RandomAccessFile f = new RandomAccessFile(part(cache).toFile(), "rw")) {
            f.seek(f.length() - 12); // a value byte of the second (last) record
            int b = f.read();
            f.seek(f.length() - 12);
            f.write(b ^ 0x40);
        }
        BatchingEncoder enc = new BatchingEncoder();
        assertSame(uninterrupted(), cache.embed(enc, TEXTS));
        assertEquals(7, enc.embedded, "the first batch is kept, the corrupt second one embedded again");
    }

    /**
     * The warning tells a torn last record (a job stopped while writing) from one that fails its checks (a
     * corrupt file): it blamed every dropped record on a stopped job, even a corrupt first one followed by
     * good ones.
     */
    @Test
    void theWarningTellsATornRecordFromACorruptOne() throws IOException {
        EmbeddingCache cache = stoppedAfter(2);
        byte[] digest = java.util.HexFormat.of().parseHex(EmbeddingCache.sha256(TEXTS));
        String key = EmbeddingCache.key(new BatchingEncoder());
        Files.write(part(cache), new byte[] {3, 0, 0, 0, 1, 0, 0}, StandardOpenOption.APPEND);
        try (PartialEmbeddings p = PartialEmbeddings.open(part(cache), TEXTS.size(), 4, digest, key)) {
            assertEquals(6, p.done());
            assertTrue(p.dropped().startsWith("dropping 7 bytes after its last complete batch (left by a job"),
                    p.dropped());
        }
        long size = Files.size(part(cache));
        try (RandomAccessFile f = new RandomAccessFile(part(cache).toFile(), "rw")) {
            // a value byte of the first of the two records (each 4 + 3 * 4 + 3 * 4 * 4 + 8 = 72 bytes), the
            // second one intact
            long at = size - 2 * 72 + 4 + 3 * 4 + 4;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        try (PartialEmbeddings p = PartialEmbeddings.open(part(cache), TEXTS.size(), 4, digest, key)) {
            assertEquals(0, p.done());
            assertTrue(p.dropped().contains("whose batch record fails its checks (a corrupt file"), p.dropped());
        }
    }

    @Test
    void aPartFileWithAnotherHeaderIsStartedAfresh() throws IOException {
        EmbeddingCache cache = stoppedAfter(1);
        byte[] all = Files.readAllBytes(part(cache));
        all[9] ^= 1; // the row count
        Files.write(part(cache), all);
        BatchingEncoder enc = new BatchingEncoder();
        assertSame(uninterrupted(), cache.embed(enc, TEXTS));
        assertEquals(10, enc.embedded);
    }

    @Test
    void aSecondOpenerInTheSameProcessKeepsNothingAndLeavesTheFirstOneWriting() throws IOException {
        Path file = dir.resolve("same.emb.part");
        byte[] digest = new byte[32];
        try (PartialEmbeddings first = PartialEmbeddings.open(file, 4, 2, digest, "k")) {
            long header = Files.size(file);
            try (PartialEmbeddings second = PartialEmbeddings.open(file, 4, 2, digest, "k")) {
                second.add(new int[] {0}, new float[][] {{1, 2}});
                assertEquals(header, Files.size(file), "the second opener writes nothing");
                second.delete();
                assertTrue(Files.exists(file), "nor deletes the first one's file");
            }
            first.add(new int[] {1, 2}, new float[][] {{3, 4}, {5, 6}});
            assertTrue(Files.size(file) > header, "the first one still writes");
        }
        try (PartialEmbeddings again = PartialEmbeddings.open(file, 4, 2, digest, "k")) {
            assertEquals(2, again.done());
            assertArrayEquals(new int[] {0, 3}, again.missing());
            assertArrayEquals(new float[] {5, 6}, again.vectors()[2], 0f);
        }
    }

    /** Run in a child JVM: prints whether another process can lock the file now. */
    public static final class TryLock {
        private TryLock() {}

        /**
         * Tries the lock.
         *
         * @param args the file
         * @throws IOException when the file cannot be opened
         */
        public static void main(String[] args) throws IOException {
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(Path.of(args[0]),
                    StandardOpenOption.WRITE)) {
                System.out.print(ch.tryLock() == null ? "locked" : "free");
            }
        }
    }

    private static String lockSeenByAnotherProcess(Path file) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), TryLock.class.getName(),
                file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    /** The lock holds against other processes while the file is open, also after a second opener in this one. */
    @Test
    void theLockHoldsAgainstOtherProcessesAfterASecondOpenerHere() throws Exception {
        Path file = dir.resolve("locked.emb.part");
        try (PartialEmbeddings first = PartialEmbeddings.open(file, 4, 2, new byte[32], "k")) {
            assertEquals("locked", lockSeenByAnotherProcess(file));
            PartialEmbeddings.open(file, 4, 2, new byte[32], "k").close();
            assertEquals("locked", lockSeenByAnotherProcess(file));
        }
        assertEquals("free", lockSeenByAnotherProcess(file));
    }

    @Test
    void aFileGivenUpAfterAFailureIsNotDeleted() throws IOException {
        Path file = dir.resolve("given-up.emb.part");
        try (PartialEmbeddings p = PartialEmbeddings.open(file, 2, 2, new byte[32], "k")) {
            p.add(new int[] {0}, new float[][] {{1, 2, 3}}); // a vector of the wrong length: stops keeping
            p.delete(); // another job may have locked the file since: it stays
            assertTrue(Files.exists(file));
        }
    }

    /**
     * With the real MiniLM encoder, the vectors of a resumed embedding are bit for bit those of one
     * uninterrupted call: the rest is batched exactly as the uninterrupted call batched it.
     */
    @Test
    void miniLmResumedVectorsAreBitForBitTheUninterruptedOnes() {
        List<String> texts = IntStream.range(0, 23)
                .mapToObj(i -> "review number " + i + " was " + "very ".repeat(i % 5) + (i % 2 == 0 ? "good" : "bad"))
                .toList();
        try (SentenceEncoder minilm = SentenceEncoders.open("minilm", 4)) {
            float[][] direct = minilm.embed(texts);
            SentenceEncoder stopping = new SentenceEncoder() {
                @Override
                public int dimension() {
                    return minilm.dimension();
                }

                @Override
                public float[][] embed(List<String> t) {
                    return embedBatches(t, (i, v) -> { });
                }

                @Override
                public float[][] embedBatches(List<String> t, BatchSink batches) {
                    int[] n = {0};
                    return minilm.embedBatches(t, (i, v) -> {
                        batches.accept(i, v);
                        if (++n[0] == 3) {
                            throw new IllegalStateException("stopped");
                        }
                    });
                }

                @Override
                public String id() {
                    return minilm.id();
                }

                @Override
                public void close() {}
            };
            EmbeddingCache cache = new EmbeddingCache(dir.resolve("minilm"));
            assertThrows(IllegalStateException.class, () -> cache.embed(stopping, texts));
            List<Integer> progress = new ArrayList<>();
            float[][] resumed = cache.embed(minilm, texts, progress::add);
            assertEquals(12, progress.get(0), "three batches of 4 were kept");
            assertSame(direct, resumed);
        }
    }

    /**
     * An encoder that hands every text over as one batch (the interface's default) with a list whose record
     * would pass 2 GiB (600,000 texts x 1,024 floats): the batch is not kept, and the embedding goes on, as
     * any other failure to keep batches does; it threw IllegalArgumentException (a negative buffer size).
     */
    @Test
    void aBatchTooLargeForOneRecordIsNotKeptAndTheEmbeddingGoesOn() throws IOException {
        int rows = 600_000;
        int dim = 1024;
        Path file = dir.resolve("big.emb.part");
        float[] v = new float[dim];
        float[][] batch = new float[rows][];
        java.util.Arrays.fill(batch, v);
        try (PartialEmbeddings p = PartialEmbeddings.open(file, rows, dim, new byte[32], "big")) {
            long header = Files.size(file);
            p.add(IntStream.range(0, rows).toArray(), batch);
            assertEquals(rows, p.done());
            assertEquals(0, p.missing().length);
            assertEquals(header, Files.size(file), "nothing appended");
        }
    }
}
