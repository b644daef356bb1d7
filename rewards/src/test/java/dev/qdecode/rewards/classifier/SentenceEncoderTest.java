package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MiniLM encoder against similarities published for all-MiniLM-L6-v2 by sentence-transformers. */
class SentenceEncoderTest {
    private static SentenceEncoder fp32;
    private static SentenceEncoder quantized;

    @BeforeAll
    static void open() {
        fp32 = SentenceEncoders.open("minilm");
        quantized = SentenceEncoders.open("minilm-q", 4);
    }

    @AfterAll
    static void close() {
        fp32.close();
        quantized.close();
    }

    static double cos(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** Printed to 4 decimals in the docs: a match means |ours - published| <= 0.00005. */
    private static final double FOUR_DECIMALS = 5e-5 + 1e-6;

    /**
     * sbert.net Quickstart (sentence-transformers docs/quickstart.rst, also in
     * docs/sentence_transformer/usage/semantic_textual_similarity.rst):
     * tensor([[1.0000, 0.6660, 0.1046], [0.6660, 1.0000, 0.1411], [0.1046, 0.1411, 1.0000]]).
     */
    @Test
    void quickstartSimilaritiesMatchPublishedValues() {
        float[][] e = fp32.embed(List.of(
                "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."));
        double[][] published = {{1.0, 0.6660, 0.1046}, {0.6660, 1.0, 0.1411}, {0.1046, 0.1411, 1.0}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(published[i][j], cos(e[i], e[j]), FOUR_DECIMALS, "similarity[" + i + "][" + j + "]");
            }
        }
    }

    /**
     * sbert.net "Semantic Textual Similarity" usage page
     * (sentence-transformers docs/sentence_transformer/usage/semantic_textual_similarity.rst),
     * sentences1 x sentences2 printed with 4 decimals.
     */
    @Test
    void semanticTextualSimilarityPageMatchesPublishedValues() {
        List<String> s1 = List.of("The new movie is awesome", "The cat sits outside", "A man is playing guitar");
        List<String> s2 = List.of("The dog plays in the garden", "The new movie is so great", "A woman watches TV");
        double[][] published = {
            {0.0543, 0.8939, -0.0502},
            {0.2838, -0.0029, 0.1310},
            {0.2277, -0.0136, -0.0327},
        };
        float[][] e1 = fp32.embed(s1);
        float[][] e2 = fp32.embed(s2);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(published[i][j], cos(e1[i], e2[j]), FOUR_DECIMALS, s1.get(i) + " / " + s2.get(j));
            }
        }
    }

    @Test
    void quantizedModelIsCloseToPublishedValues() {
        float[][] e = quantized.embed(List.of(
                "The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."));
        // int8 weights: same ranking, values within a few hundredths of the fp32 model's.
        assertEquals(0.6660, cos(e[0], e[1]), 0.03);
        assertEquals(0.1046, cos(e[0], e[2]), 0.03);
        assertEquals(0.1411, cos(e[1], e[2]), 0.03);
        assertEquals("minilm-q", quantized.id());
    }

    @Test
    void embeddingsHaveTheRightShapeAndUnitNorm() {
        float[][] e = fp32.embed(List.of("a", "", "a much longer sentence with several words in it ."));
        assertEquals(3, e.length);
        assertEquals(384, fp32.dimension());
        for (float[] v : e) {
            assertEquals(384, v.length);
            assertEquals(1.0, Math.sqrt(cos(v, v)), 1e-5);
        }
        assertEquals(0, fp32.embed(List.of()).length);
        assertEquals("minilm", fp32.id());
        // With progress (quantized: batches of 4): the same vectors, a report per batch, the last one all texts.
        List<String> seven = List.of("a", "bb", "a cat", "the dog ran", "", "sun", "rain again");
        List<Integer> reports = new ArrayList<>();
        float[][] p = quantized.embed(seven, reports::add);
        assertEquals(List.of(4, 7), reports);
        float[][] q = quantized.embed(seven);
        for (int i = 0; i < seven.size(); i++) {
            assertArrayEquals(q[i], p[i], "progress must not change row " + i);
        }
    }

    @Test
    void sortedBatchingRestoresTheCallersOrder() {
        // Lengths deliberately interleaved so that sorting reorders them; batch size 4 < 9 texts.
        List<String> texts = interleavedLengths();
        try (SentenceEncoder small = SentenceEncoders.open("minilm", 4)) {
            float[][] batched = small.embed(texts);
            for (int i = 0; i < texts.size(); i++) {
                float[] single = fp32.embed(List.of(texts.get(i)))[0];
                // fp32: padding is fully masked, so a text's vector does not depend on its batch.
                assertArrayEquals(single, batched[i], 1e-5f, "text " + i);
            }
        }
    }

    @Test
    void quantizedVectorsDependOnlySlightlyOnTheirBatch() {
        // The int8 model quantizes activations dynamically with one scale per batch tensor, so a
        // text's vector moves a little with its batch mates; it must still be the same text.
        List<String> texts = interleavedLengths();
        float[][] batched = quantized.embed(texts);
        for (int i = 0; i < texts.size(); i++) {
            float[] single = quantized.embed(List.of(texts.get(i)))[0];
            assertTrue(cos(single, batched[i]) > 0.95, "text " + i + ": cos " + cos(single, batched[i]));
            for (int j = 0; j < texts.size(); j++) {
                if (j != i) {
                    assertTrue(cos(single, batched[i]) > cos(single, batched[j]), "text " + i + " vs " + j);
                }
            }
        }
    }

    private static List<String> interleavedLengths() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            texts.add(("word" + i + " ").repeat(i % 2 == 0 ? 20 - 2 * i : i + 1).trim());
        }
        return texts;
    }

    @Test
    void longTextsAreTruncatedTo256WordPieces() {
        MiniLmEncoder enc = (MiniLmEncoder) fp32;
        assertEquals(256, enc.tokenIds("word ".repeat(600)).length);
        assertEquals(List.of("attention_mask", "input_ids", "token_type_ids"),
                enc.inputNames().stream().sorted().toList());
        float[] v = fp32.embed(List.of("word ".repeat(600)))[0];
        assertEquals(1.0, Math.sqrt(cos(v, v)), 1e-5);
    }

    @Test
    void unknownEncoderIdIsOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SentenceEncoders.open("bert"));
        assertTrue(e.getMessage().contains("minilm"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    /** An hf: id names a model directory: one that is not there is a bad input, said as such. */
    @Test
    void anHfIdWithoutItsDirectoryNamesTheDirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("f"), "x");
        dev.qdecode.models.ModelException e = assertThrows(dev.qdecode.models.ModelException.class,
                () -> SentenceEncoders.open("hf:" + tmp.resolve("none")));
        assertEquals("hf:" + tmp.resolve("none") + ": no such directory (expected a Hugging Face model directory)",
                e.getMessage());
        e = assertThrows(dev.qdecode.models.ModelException.class, () -> SentenceEncoders.open("hf:" + file));
        assertEquals("hf:" + file + ": not a directory (expected a Hugging Face model directory)", e.getMessage());
    }
}
