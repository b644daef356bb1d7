package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --task classification} says where it caches the embeddings: the directory it uses
 * ({@code QDECODE_EMBEDDING_CACHE} or the {@code qdecode.cache.embeddings} property when set), not always
 * {@code ~/.cache/qdecode/embeddings}.
 */
class ClassificationCacheMessageTest {

    @Test
    void namesTheCacheDirectoryItUses(@TempDir Path tmp) throws Exception {
        StringBuilder b = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 16; i++) {
            b.append(i % 2 == 0 ? "The day was happy.\t1\n" : "The day was sad.\t0\n");
        }
        Path data = Files.writeString(tmp.resolve("data.tsv"), b.toString());
        Path cache = tmp.resolve("own-cache");
        String before = System.getProperty("qdecode.cache.embeddings");
        System.setProperty("qdecode.cache.embeddings", cache.toString());
        try {
            CliRunner.Result r = CliRunner.run("train", "--task", "classification", "--model",
                    CliRunner.model("TinyStories-656K"), "--data", data.toString(), "--dev", data.toString(),
                    "--episodes", "16", "--out", tmp.resolve("run").toString());
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(r.err().contains("(embedding the texts first; cached under " + cache.toAbsolutePath().normalize()
                    + ")"), r.err());
            try (var files = Files.list(cache)) {
                assertTrue(files.findAny().isPresent(), "the embeddings went to " + cache);
            }
        } finally {
            if (before != null) {
                System.setProperty("qdecode.cache.embeddings", before);
            } else {
                System.clearProperty("qdecode.cache.embeddings");
            }
        }
    }
}
