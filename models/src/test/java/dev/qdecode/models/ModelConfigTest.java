package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.ModelConfig.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigTest {
    private static final String LLAMA = "{\"model_type\":\"llama\",\"vocab_size\":100,\"hidden_size\":32,"
            + "\"num_hidden_layers\":2,\"num_attention_heads\":4,\"num_key_value_heads\":2,\"intermediate_size\":48,"
            + "\"max_position_embeddings\":64,\"rms_norm_eps\":1e-5,\"rope_theta\":500.0,\"bos_token_id\":1,"
            + "\"eos_token_id\":[2,3]";

    @Test
    void readsTinyStoriesConfig() {
        ModelConfig c = ModelConfig.load(Fixtures.model("TinyStories-656K"));
        assertEquals("llama", c.modelType());
        assertEquals(Family.LLAMA, c.family());
        assertEquals(2048, c.vocabSize());
        assertEquals(128, c.hiddenSize());
        assertEquals(2, c.numLayers());
        assertEquals(8, c.numHeads());
        assertEquals(4, c.numKvHeads());
        assertEquals(16, c.headDim()); // derived: hidden / heads
        assertEquals(384, c.intermediateSize());
        assertEquals(512, c.maxPositions());
        assertEquals(1e-6, c.normEps());
        assertEquals(10000.0, c.ropeTheta());
        assertTrue(c.tieWordEmbeddings());
        assertFalse(c.attentionBias());
        assertEquals(1, c.bosTokenId());
        assertArrayEquals(new int[] {2}, c.eosTokenIds());
        assertEquals(-1, c.padTokenId());
        assertEquals(656_000, c.parameterCount());
    }

    @Test
    void readsStories260KWithExplicitHeadDim() {
        ModelConfig c = ModelConfig.load(Fixtures.model("stories260K"));
        assertEquals(8, c.headDim());
        assertEquals(1e-5, c.normEps());
        assertEquals(260_032, c.parameterCount()); // as published in shared/README.md
    }

    @Test
    void readsQwen2WithBiasAndGpt2Names() {
        ModelConfig q = ModelConfig.load(Fixtures.randomModel("random-qwen2"));
        assertEquals(Family.LLAMA, q.family());
        assertTrue(q.attentionBias(), "qwen2 always has q/k/v bias");
        assertFalse(q.tieWordEmbeddings());
        assertEquals(1e6, q.ropeTheta());
        ModelConfig g = ModelConfig.load(Fixtures.randomModel("random-gpt2"));
        assertEquals(Family.GPT2, g.family());
        assertEquals(64, g.hiddenSize());
        assertEquals(4, g.numHeads());
        assertEquals(4, g.numKvHeads());
        assertEquals(16, g.headDim());
        assertEquals(256, g.intermediateSize()); // n_inner null -> 4 * n_embd
        assertEquals(128, g.maxPositions());
        assertEquals("gelu_new", g.activation());
        assertTrue(g.tieWordEmbeddings());
    }

    @Test
    void parsesDefaultsListsAndGenerationConfig(@TempDir Path dir) throws IOException {
        ModelConfig c = ModelConfig.fromJson(LLAMA + "}", "x/config.json");
        assertEquals(8, c.headDim());
        assertEquals(500.0, c.ropeTheta());
        assertArrayEquals(new int[] {2, 3}, c.eosTokenIds());
        assertTrue(c.isEos(3));
        assertFalse(c.isEos(1));
        Files.writeString(dir.resolve("config.json"), LLAMA + "}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":7,\"pad_token_id\":0}");
        ModelConfig g = ModelConfig.load(dir);
        assertArrayEquals(new int[] {7}, g.eosTokenIds(), "generation_config.json overrides eos");
        assertEquals(0, g.padTokenId());
        assertEquals(1, g.bosTokenId());
        ModelConfig mistral = ModelConfig.fromJson(LLAMA.replace("llama", "mistral") + ",\"sliding_window\":16}", "m");
        assertEquals(16, mistral.maxPositions(), "context limited to the sliding window");
    }

    @Test
    void recordIsAValueWithDefensiveCopies() {
        ModelConfig a = ModelConfig.fromJson(LLAMA + "}", "a");
        ModelConfig b = ModelConfig.fromJson(LLAMA + "}", "b");
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.eosTokenIds()[0] = 99;
        assertArrayEquals(new int[] {2, 3}, a.eosTokenIds());
    }

    @Test
    void rejectsUnknownModelType() {
        ModelException e = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson(LLAMA.replace("\"llama\"", "\"bert\"") + "}", "dir/config.json"));
        assertTrue(e.getMessage().contains("dir/config.json") && e.getMessage().contains("model_type")
                && e.getMessage().contains("bert"), e.getMessage());
    }

    @Test
    void rejectsRopeScaling() {
        ModelException e = assertThrows(ModelException.class, () -> ModelConfig.fromJson(
                LLAMA + ",\"rope_scaling\":{\"type\":\"linear\",\"factor\":2.0}}", "dir/config.json"));
        assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("dir/config.json"), e.getMessage());
        // explicit null is fine
        ModelConfig.fromJson(LLAMA + ",\"rope_scaling\":null}", "dir/config.json");
    }

    @Test
    void rejectsMissingAndMistypedFields() {
        ModelException missing = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson(LLAMA.replace("\"hidden_size\":32,", "") + "}", "dir/config.json"));
        assertEquals("dir/config.json: missing required field 'hidden_size'", missing.getMessage());
        ModelException gpt = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson("{\"model_type\":\"gpt2\",\"vocab_size\":10,\"n_embd\":8,\"n_head\":2,"
                        + "\"n_positions\":16}", "g/config.json"));
        assertEquals("g/config.json: missing required field 'n_layer'", gpt.getMessage());
        ModelException typed = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson(LLAMA.replace("\"hidden_size\":32", "\"hidden_size\":\"32\"") + "}", "c"));
        assertTrue(typed.getMessage().contains("'hidden_size' must be an integer"), typed.getMessage());
        ModelException inconsistent = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson(LLAMA.replace("\"num_key_value_heads\":2", "\"num_key_value_heads\":3") + "}", "c"));
        assertTrue(inconsistent.getMessage().contains("num_key_value_heads"), inconsistent.getMessage());
        ModelException malformed = assertThrows(ModelException.class, () -> ModelConfig.fromJson("{\"model_type\":", "c"));
        assertEquals("c:1: malformed JSON at column 15: the text ends before the JSON value is complete",
                malformed.getMessage());
        // a trailing comma (a hand-edited --init config.json) is named at the comma
        ModelException comma = assertThrows(ModelException.class, () -> ModelConfig.fromJson(LLAMA + ",\n}", "c"));
        assertEquals("c:1: malformed JSON at column " + (LLAMA.length() + 1)
                + ": expected a key after ',' but got '}' on line 2 (trailing comma?)", comma.getMessage());
        ModelException act = assertThrows(ModelException.class,
                () -> ModelConfig.fromJson(LLAMA + ",\"hidden_act\":\"gelu\"}", "c"));
        assertTrue(act.getMessage().contains("hidden_act"), act.getMessage());
    }

    @Test
    void rejectsMissingDirectoryAndConfig(@TempDir Path dir) {
        ModelException noDir = assertThrows(ModelException.class, () -> ModelConfig.load(dir.resolve("nope")));
        assertTrue(noDir.getMessage().contains("model directory not found"), noDir.getMessage());
        ModelException noConfig = assertThrows(ModelException.class, () -> ModelConfig.load(dir));
        assertTrue(noConfig.getMessage().contains("config.json not found"), noConfig.getMessage());
    }

    /**
     * A token id of generation_config.json outside the vocabulary used to be reported as config.json's
     * ({@code config.json: eos_token_id: 9999 is outside ...}), sending the user to a file that has no such value.
     */
    @Test
    void anOutOfRangeIdNamesTheFileItCameFrom(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), LLAMA + "}");
        for (String field : new String[] {"bos_token_id", "eos_token_id", "pad_token_id"}) {
            Files.writeString(dir.resolve("generation_config.json"), "{\"" + field + "\":9999}");
            assertEquals(dir.resolve("generation_config.json") + ": " + field + ": 9999 is outside the vocabulary [0, 100)",
                    assertThrows(ModelException.class, () -> ModelConfig.load(dir)).getMessage());
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":[2,100]}");
        assertEquals(dir.resolve("generation_config.json") + ": eos_token_id: 100 is outside the vocabulary [0, 100)",
                assertThrows(ModelException.class, () -> ModelConfig.load(dir)).getMessage());
        Files.delete(dir.resolve("generation_config.json"));
        Files.writeString(dir.resolve("config.json"), LLAMA.replace("\"bos_token_id\":1", "\"bos_token_id\":100") + "}");
        assertEquals(dir.resolve("config.json") + ": bos_token_id: 100 is outside the vocabulary [0, 100)",
                assertThrows(ModelException.class, () -> ModelConfig.load(dir)).getMessage());
    }

    /** A fractional or too large id in an eos_token_id list used to be truncated ([2.7] read as 2, 4294967298 as 2). */
    @Test
    void eosIdListsHoldIntegers() {
        for (String bad : new String[] {"[2.7]", "[2, 4294967298]", "[\"2\"]"}) {
            ModelException e = assertThrows(ModelException.class,
                    () -> ModelConfig.fromJson(LLAMA.replace("[2,3]", bad) + "}", "x/config.json"));
            assertEquals("x/config.json: field 'eos_token_id' must be an integer or a list of integers, found "
                    + bad.replace(" ", ""), e.getMessage());
        }
    }
}
