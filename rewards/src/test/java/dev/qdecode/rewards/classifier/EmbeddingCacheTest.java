package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk embedding cache: hits, keys, and recovery from corrupt files. */
class EmbeddingCacheTest {

    /** A deterministic encoder that counts the texts it embeds (the cache logic is under test here). */
    static final class CountingEncoder implements SentenceEncoder {
        final String id;
        final String content;
        int embedded;

        CountingEncoder(String id) {
            this(id, null);
        }

        CountingEncoder(String id, String content) {
            this.id = id;
            this.content = content;
        }

        @Override
        public String contentSha256() {
            return content;
        }

        @Override
        public int dimension() {
            return 5;
        }

        @Override
        public float[][] embed(List<String> texts) {
            embedded += texts.size();
            float[][] out = new float[texts.size()][5];
            for (int i = 0; i < texts.size(); i++) {
                for (int d = 0; d < 5; d++) {
                    out[i][d] = texts.get(i).hashCode() * 1e-9f + d;
                }
            }
            return out;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public void close() {}
    }

    private static final List<String> TEXTS = List.of("first", "second text", "", "é ünïcode");

    @Test
    void secondCallIsServedFromDisk(@TempDir Path dir) {
        EmbeddingCache cache = new EmbeddingCache(dir.resolve("sub/dir"));
        CountingEncoder enc = new CountingEncoder("fake");
        float[][] a = cache.embed(enc, TEXTS);
        assertEquals(4, enc.embedded);
        assertTrue(Files.isRegularFile(cache.fileFor("fake", TEXTS)));
        float[][] b = cache.embed(enc, TEXTS);
        assertEquals(4, enc.embedded, "no recomputation on a hit");
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0f);
        }
    }

    @Test
    void temporariesLeftByAnInterruptedWriteAreRemovedOnceStale(@TempDir Path dir) throws Exception {
        Path stale = Files.writeString(dir.resolve("emb123.tmp"), "half a file");
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - EmbeddingCache.STALE_TEMPORARY_MILLIS - 60_000));
        Path fresh = Files.writeString(dir.resolve("emb456.tmp"), "another process, writing now");
        new EmbeddingCache(dir).embed(new CountingEncoder("fake"), TEXTS);
        assertTrue(Files.notExists(stale), "stale temporary removed");
        assertTrue(Files.exists(fresh), "a recent temporary is left alone");
    }

    /** A model directory re-used under its path after its weights changed must not get the old vectors. */
    @Test
    void keyDependsOnTheEncodersContent(@TempDir Path dir) {
        EmbeddingCache cache = new EmbeddingCache(dir);
        CountingEncoder before = new CountingEncoder("hf:/m", "a".repeat(64));
        CountingEncoder after = new CountingEncoder("hf:/m", "b".repeat(64));
        cache.embed(before, TEXTS);
        cache.embed(after, TEXTS);
        assertEquals(4, after.embedded, "same id, other weights: embedded again, not read from the cache");
        assertNotEquals(cache.fileFor(before, TEXTS), cache.fileFor(after, TEXTS));
        assertTrue(cache.fileFor(before, TEXTS).getFileName().toString().startsWith("hf__m-waaaaaaaaaaaaaaaa-"),
                cache.fileFor(before, TEXTS).toString());
        cache.embed(before, TEXTS);
        assertEquals(4, before.embedded, "its own entry is still a hit");
        // An entry written under another content digest (e.g. a file name shared by a digest prefix) is not
        // taken: the file records the whole digest.
        CountingEncoder samePrefix = new CountingEncoder("hf:/m", "a".repeat(63) + "c");
        assertEquals(cache.fileFor(before, TEXTS), cache.fileFor(samePrefix, TEXTS));
        cache.embed(samePrefix, TEXTS);
        assertEquals(4, samePrefix.embedded);
    }

    @Test
    void keyDependsOnEncoderAndEveryText(@TempDir Path dir) {
        EmbeddingCache cache = new EmbeddingCache(dir);
        assertNotEquals(cache.fileFor("a", TEXTS), cache.fileFor("b", TEXTS));
        assertNotEquals(cache.fileFor("a", TEXTS), cache.fileFor("a", List.of("first", "second text", "", "x")));
        // Length-prefixed digest: moving a boundary changes the key.
        assertNotEquals(EmbeddingCache.sha256(List.of("ab", "c")), EmbeddingCache.sha256(List.of("a", "bc")));
        assertEquals(64, EmbeddingCache.sha256(TEXTS).length());
    }

    @Test
    void corruptFilesAreRecomputedNotFatal(@TempDir Path dir) throws Exception {
        EmbeddingCache cache = new EmbeddingCache(dir);
        CountingEncoder enc = new CountingEncoder("fake");
        float[][] good = cache.embed(enc, TEXTS);
        Path file = cache.fileFor("fake", TEXTS);
        byte[] bytes = Files.readAllBytes(file);

        byte[] flipped = bytes.clone();
        flipped[flipped.length - 20] ^= 0x01; // a float bit: checksum mismatch
        Files.write(file, flipped);
        float[][] again = cache.embed(enc, TEXTS);
        assertEquals(8, enc.embedded);
        assertArrayEquals(good[3], again[3], 0f);
        assertArrayEquals(bytes, Files.readAllBytes(file), "rewritten");

        Files.write(file, java.util.Arrays.copyOf(bytes, 30)); // truncated
        cache.embed(enc, TEXTS);
        assertEquals(12, enc.embedded);

        Files.write(file, new byte[0]);
        cache.embed(enc, TEXTS);
        assertEquals(16, enc.embedded);
        assertEquals(bytes.length, Files.size(file));
    }

    @Test
    void unwritableCacheOnlyWarns(@TempDir Path dir) throws Exception {
        Path notADir = dir.resolve("file");
        Files.writeString(notADir, "x");
        CountingEncoder enc = new CountingEncoder("fake");
        float[][] v = new EmbeddingCache(notADir).embed(enc, TEXTS);
        assertEquals(4, v.length);
    }
}
