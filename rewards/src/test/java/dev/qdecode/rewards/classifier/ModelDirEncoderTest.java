package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirEncoderTest {
    private static final Path MODEL = Path.of(System.getProperty("qdecode.shared"), "models", "stories260K");

    @Test
    void meanPooledUnitVectorsIndependentOfBatching() {
        List<String> texts = List.of("Once upon a time there was a cat.", "Lily was happy.", "The sun was hot and the dog ran.");
        try (SentenceEncoder big = SentenceEncoders.open(MODEL.toString(), 8);
                SentenceEncoder one = SentenceEncoders.open("hf:" + MODEL, 1)) {
            assertEquals(64, big.dimension());
            assertTrue(big.id().startsWith("hf:"));
            float[][] a = big.embed(texts);
            float[][] b = one.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                double norm = 0;
                for (float v : a[i]) {
                    norm += v * v;
                }
                assertEquals(1.0, norm, 1e-5);
                assertArrayEquals(a[i], b[i], 1e-4f, "padding in a batch must not change row " + i);
            }
            float[] again = big.embed(List.of(texts.get(1)))[0];
            assertArrayEquals(a[1], again, 1e-4f);
            // With progress: the same vectors, and one report per batch of 1, ending at the count.
            List<Integer> reports = new java.util.ArrayList<>();
            float[][] c = one.embed(texts, reports::add);
            assertEquals(List.of(1, 2, 3), reports);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(b[i], c[i], "progress must not change row " + i);
            }
        }
    }

    /** A tokenizer with ids past the model's vocabulary is named with the model, not blamed on the texts. */
    @Test
    void aTokenizerLargerThanTheModelIsRefusedAtOpen(@TempDir Path tmp) throws IOException {
        Path bigTokenizer = MODEL.resolveSibling("TinyStories-656K");
        try (Stream<Path> files = Files.list(MODEL)) {
            for (Path f : files.toList()) {
                Files.copy(f, tmp.resolve(f.getFileName()));
            }
        }
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            Files.copy(bigTokenizer.resolve(f), tmp.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        ModelException e = assertThrows(ModelException.class, () -> SentenceEncoders.open(tmp.toString()));
        assertEquals(tmp.resolve("config.json") + ": vocab_size is 512 but the tokenizer vocabulary has 2048 tokens "
                + "(expected at least the tokenizer's)", e.getMessage());
    }

    /**
     * A directory without config.json is a bad model input (a ModelException: exit 3), as a missing
     * tokenizer.json or an {@code hf:DIR} naming no directory are; it was an IllegalArgumentException, which
     * the CLI reported as bad usage (exit 2).
     */
    @Test
    void notAModelDirectoryIsAClearError() {
        for (String id : List.of(MODEL.getParent().toString(), "hf:" + MODEL.getParent())) {
            ModelException e = assertThrows(ModelException.class, () -> SentenceEncoders.open(id));
            assertEquals("encoder directory " + MODEL.getParent() + ": no config.json (expected a Hugging Face model "
                    + "directory)", e.getMessage());
        }
    }
}
