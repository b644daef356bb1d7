package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.qdecode.models.train.Safetensors.RawTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints whose weights, header or shard index disagree with what is loaded: each used to load and give
 * wrong text with exit 0; each is now refused in one line naming the file and the tensor.
 */
class CheckpointConsistencyTest {
    private static final int[][] PROBE = {{1, 5, 77, 300, 12}, {1, 9, 4}};

    /** A copy of a real model directory (every file), to damage. */
    private static Path copy(Path dir, String name) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        try (Stream<Path> files = Files.list(Fixtures.model("stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, d.resolve(f.getFileName()));
            }
        }
        return d;
    }

    private static Path weights() {
        return Fixtures.model("stories260K").resolve("model.safetensors");
    }

    private static float[] logits(CausalLM m) {
        try (NDManager nm = NDManager.newBaseManager()) {
            return m.logits(nm, PROBE).toFloatArray();
        }
    }

    private static String loadFails(Path dir) {
        return assertThrows(ModelException.class, () -> CausalLM.load(dir).close()).getMessage();
    }

    /** stories260K has 5 layers: with num_hidden_layers 4 it used to load and generate "JJJJ…" with exit 0. */
    @Test
    void weightsOfLayersTheConfigLacksAreRefused(@TempDir Path dir) throws IOException {
        Path d = copy(dir, "layers4");
        Path config = d.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace("\"num_hidden_layers\": 5", "\"num_hidden_layers\": 4"));
        assertEquals(d.resolve("model.safetensors") + ": tensor 'model.layers.4.input_layernorm.weight' is not a "
                + "weight of the model that config.json describes (llama, num_hidden_layers 4, attention_bias false, "
                + "tie_word_embeddings true; 9 such tensors; expected a config.json that matches the weights)",
                loadFails(d));
    }

    /** A bias that attention_bias false leaves out used to be ignored; buffers (rotary inv_freq) still are. */
    @Test
    void unknownTensorsAreRefusedButBuffersAreNot(@TempDir Path dir) throws IOException {
        Path bias = copy(dir, "bias");
        new SafetensorsWriter().copyFrom(weights(), n -> n)
                .putF32("model.layers.0.self_attn.o_proj.bias", new long[] {64}, new float[64])
                .write(bias.resolve("model.safetensors"));
        assertTrue(loadFails(bias).startsWith(bias.resolve("model.safetensors")
                + ": tensor 'model.layers.0.self_attn.o_proj.bias' is not a weight of the model that config.json "
                + "describes"), loadFails(bias));

        Path buffers = copy(dir, "buffers");
        new SafetensorsWriter().copyFrom(weights(), n -> n)
                .putF32("model.layers.0.self_attn.rotary_emb.inv_freq", new long[] {4}, new float[] {1, 2, 3, 4})
                .write(buffers.resolve("model.safetensors"));
        try (CausalLM ref = CausalLM.load(Fixtures.model("stories260K")); CausalLM m = CausalLM.load(buffers)) {
            assertArrayEquals(logits(ref), logits(m));
        }
    }

    /** Tied embeddings stored twice: equal copies load; an LM head that differs is refused, not dropped. */
    @Test
    void tiedEmbeddingsStoredTwiceMustBeEqual(@TempDir Path dir) throws IOException {
        Path same = copy(dir, "same");
        SafetensorsWriter w = new SafetensorsWriter().copyFrom(weights(), n -> n);
        w.put("lm_head.weight", w.tensors().get("model.embed_tokens.weight"));
        w.write(same.resolve("model.safetensors"));
        try (CausalLM ref = CausalLM.load(Fixtures.model("stories260K")); CausalLM m = CausalLM.load(same)) {
            assertArrayEquals(logits(ref), logits(m));
        }

        Path differ = copy(dir, "differ");
        RawTensor emb = w.tensors().get("model.embed_tokens.weight");
        byte[] half = emb.data().clone();
        ByteBuffer b = ByteBuffer.wrap(half).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < half.length; i += 4) {
            b.putFloat(i, b.getFloat(i) * 0.5f);
        }
        w.put("lm_head.weight", new RawTensor("F32", emb.shape(), half)).write(differ.resolve("model.safetensors"));
        assertEquals(differ.resolve("model.safetensors") + ": tensors 'model.embed_tokens.weight' and 'lm_head.weight'"
                + " differ, but config.json has tie_word_embeddings true (expected one of them, or two equal copies; "
                + "tie_word_embeddings false for a separate LM head)", loadFails(differ));
    }

    /** A header whose tensors share bytes (or that names a tensor twice) used to load as garbage weights. */
    @Test
    void overlappingOrUncoveredDataIsACorruptHeader(@TempDir Path dir) throws IOException {
        byte[] all = Files.readAllBytes(weights());
        int n = (int) ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(all, 8, n, StandardCharsets.UTF_8).strip();
        String norm = "\"model.norm.weight\":";
        int at = header.indexOf(norm);
        String normEntry = header.substring(at, header.indexOf('}', at) + 1);
        String moved = normEntry.replaceFirst("\"data_offsets\":\\s*\\[\\d+,\\s*\\d+\\]", "\"data_offsets\":[0,256]");
        assertTrue(!moved.equals(normEntry), normEntry);

        Path overlap = copy(dir, "overlap");
        writeWithHeader(overlap.resolve("model.safetensors"), all, n, header.replace(normEntry, moved));
        String e = loadFails(overlap);
        assertTrue(e.startsWith(overlap.resolve("model.safetensors") + ": corrupt safetensors header: tensors '")
                && e.contains("overlap"), e);

        // the same name twice: JSON keeps the last entry, whose bytes are another tensor's
        Path twice = copy(dir, "twice");
        writeWithHeader(twice.resolve("model.safetensors"), all, n,
                header.substring(0, header.length() - 1) + "," + moved + "}");
        e = loadFails(twice);
        assertTrue(e.startsWith(twice.resolve("model.safetensors") + ": corrupt safetensors header: "), e);
    }

    private static void writeWithHeader(Path file, byte[] all, int oldLength, String header) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + all.length - 8 - oldLength).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(all, 8 + oldLength, all.length - 8 - oldLength);
        Files.write(file, out.array());
    }

    /** A tensor in two shards (the index names one) used to load the indexed copy without a word. */
    @Test
    void aTensorInTwoShardsIsRefused(@TempDir Path dir) throws IOException {
        Path d = copy(dir, "sharded");
        Files.delete(d.resolve("model.safetensors"));
        SafetensorsWriter all = new SafetensorsWriter().copyFrom(weights(), x -> x);
        SafetensorsWriter a = new SafetensorsWriter();
        SafetensorsWriter b = new SafetensorsWriter();
        StringBuilder index = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
        int i = 0;
        for (Map.Entry<String, RawTensor> t : all.tensors().entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).put(t.getKey(), t.getValue());
            index.append(i > 1 ? "," : "").append('"').append(t.getKey()).append("\":\"")
                    .append(first ? "a.safetensors" : "b.safetensors").append('"');
        }
        Files.writeString(d.resolve("model.safetensors.index.json"), index.append("}}").toString());
        a.write(d.resolve("a.safetensors"));
        b.write(d.resolve("b.safetensors"));
        try (CausalLM ref = CausalLM.load(Fixtures.model("stories260K")); CausalLM m = CausalLM.load(d)) {
            assertArrayEquals(logits(ref), logits(m));
        }
        // the index lists the embedding in a.safetensors; b.safetensors gets another copy of it
        b.put("model.embed_tokens.weight", new RawTensor("F32", new long[] {512, 64}, new byte[512 * 64 * 4]));
        b.write(d.resolve("b.safetensors"));
        assertEquals(d.resolve("b.safetensors") + ": tensor 'model.embed_tokens.weight' is also in a.safetensors, where "
                + "model.safetensors.index.json places it (expected each tensor in one shard)", loadFails(d));
    }

    /**
     * {@code qdecode generate --model .} run inside a sharded checkpoint used to fail with "shard
     * 'model-00001-of-00002.safetensors' of tensor ... not found in the model directory": the directory
     * normalizes to the empty path, which no shard path starts with.
     */
    @Test
    void shardsResolveInADirectoryGivenAsDot() {
        assertEquals(Path.of("model-00001-of-00002.safetensors"),
                TensorStore.shardFile(Path.of("."), "model-00001-of-00002.safetensors"));
        assertEquals(Path.of("m/a.safetensors"), TensorStore.shardFile(Path.of("m/x/.."), "a.safetensors"));
        assertEquals(Path.of("/tmp/m/a.safetensors"), TensorStore.shardFile(Path.of("/tmp/m"), "./a.safetensors"));
        assertNull(TensorStore.shardFile(Path.of("."), "../elsewhere/a.safetensors"));
        assertNull(TensorStore.shardFile(Path.of("/tmp/m"), "/etc/a.safetensors"));
        assertNull(TensorStore.shardFile(Path.of("/tmp/m"), "."));
    }
}
