package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.qdecode.models.train.Safetensors.RawTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors reading, dtype widening, name variants, shards and every load error. */
class WeightLoadingTest {
    private static final int[][] PROBE = {{1, 5, 77, 300, 12}, {9, 4}};

    private static byte[] shorts(int... bits) {
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int s : bits) {
            b.putShort((short) s);
        }
        return b.array();
    }

    private static float[] read(Path file, String name) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            ByteBuffer b = f.readFloat32(name);
            float[] out = new float[b.remaining() / 4];
            b.asFloatBuffer().get(out);
            return out;
        }
    }

    @Test
    void widensF16AndBf16Exactly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .put("h", new RawTensor("F16", new long[] {6},
                        shorts(0x3C00, 0xC100, 0x7BFF, 0x0001, 0x3555, 0x8000)))
                .put("b", new RawTensor("BF16", new long[] {2, 2}, shorts(0x3F80, 0xC049, 0x0000, 0x4120)))
                .putF32("f", new long[] {3}, new float[] {0.1f, -7f, 1e-30f})
                .write(file);
        assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f, 0.333251953125f, -0f}, read(file, "h"));
        assertArrayEquals(new float[] {1f, -3.140625f, 0f, 10f}, read(file, "b"));
        assertArrayEquals(new float[] {0.1f, -7f, 1e-30f}, read(file, "f"));
        for (int bits = 0; bits < 0x10000; bits += 7) { // spot-check the whole binary16 range
            float v = SafetensorsFile.halfToFloat((short) bits);
            int exp = (bits >>> 10) & 0x1F;
            if (exp != 0x1F) {
                double expected = (exp == 0 ? (bits & 0x3FF) * Math.pow(2, -24)
                        : (1 + (bits & 0x3FF) / 1024.0) * Math.pow(2, exp - 15)) * ((bits & 0x8000) != 0 ? -1 : 1);
                assertEquals(expected, v, 0.0, "half bits " + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void bf16CheckpointMatchesItsF32Widening() {
        // random-qwen2-bf16 loads (DJL's own decoder would abort on BF16) and its weights are exactly
        // representable: every loaded value has a zero low half.
        try (CausalLM m = CausalLM.load(Fixtures.randomModel("random-qwen2-bf16"))) {
            for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
                for (float f : e.getValue().toFloatArray()) {
                    assertEquals(0, Float.floatToRawIntBits(f) & 0xFFFF, e.getKey());
                }
            }
        }
    }

    private static Path modelCopy(Path dir, String fixture, SafetensorsWriter weights) throws IOException {
        Files.createDirectories(dir);
        Files.copy(Fixtures.randomModel(fixture).resolve("config.json"), dir.resolve("config.json"));
        if (weights != null) {
            weights.write(dir.resolve("model.safetensors"));
        }
        return dir;
    }

    private static float[] logits(CausalLM m) {
        try (NDManager nm = NDManager.newBaseManager()) {
            return m.logits(nm, PROBE).toFloatArray();
        }
    }

    @Test
    void gpt2WithoutPrefixAndWithAttentionBuffers(@TempDir Path dir) throws IOException {
        Path src = Fixtures.randomModel("random-gpt2").resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().copyFrom(src, n -> n.substring("transformer.".length()));
        float[] tri = new float[128 * 128];
        w.putF32("h.0.attn.bias", new long[] {1, 1, 128, 128}, tri);
        w.putF32("h.0.attn.masked_bias", new long[] {}, new float[] {-1e4f});
        Path bare = modelCopy(dir.resolve("bare"), "random-gpt2", w);
        try (CausalLM ref = CausalLM.load(Fixtures.randomModel("random-gpt2")); CausalLM m = CausalLM.load(bare)) {
            assertArrayEquals(logits(ref), logits(m));
            assertTrue(m.parameters().containsKey("transformer.h.0.attn.c_attn.weight"));
            assertEquals(m.config().parameterCount(),
                    m.parameters().values().stream().mapToLong(NDArray::size).sum());
        }
    }

    @Test
    void shardedCheckpoint(@TempDir Path dir) throws IOException {
        Path src = Fixtures.randomModel("random-qwen2").resolve("model.safetensors");
        SafetensorsWriter all = new SafetensorsWriter().copyFrom(src, n -> n);
        SafetensorsWriter a = new SafetensorsWriter();
        SafetensorsWriter b = new SafetensorsWriter();
        StringBuilder index = new StringBuilder("{\"metadata\":{},\"weight_map\":{");
        int i = 0;
        for (Map.Entry<String, RawTensor> e : all.tensors().entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).put(e.getKey(), e.getValue());
            index.append(i > 1 ? "," : "").append('"').append(e.getKey()).append("\":\"")
                    .append(first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
        }
        Path d = modelCopy(dir.resolve("sharded"), "random-qwen2", null);
        a.write(d.resolve("model-00001-of-00002.safetensors"));
        b.write(d.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(d.resolve("model.safetensors.index.json"), index.append("}}").toString());
        try (CausalLM ref = CausalLM.load(Fixtures.randomModel("random-qwen2")); CausalLM m = CausalLM.load(d)) {
            assertArrayEquals(logits(ref), logits(m));
        }
    }

    private static ModelException loadFails(Path dir) {
        return assertThrows(ModelException.class, () -> CausalLM.load(dir).close());
    }

    /**
     * A real model (TinyStories-656K) with NaN in its final norm used to load and generate empty tokens with
     * exit 0; the load now names the file and the tensor.
     */
    @Test
    void nonFiniteWeightsNameTheFileAndTensor(@TempDir Path dir) throws IOException {
        Path real = Fixtures.model("TinyStories-656K");
        Path d = dir.resolve("nan");
        Files.createDirectories(d);
        Files.copy(real.resolve("config.json"), d.resolve("config.json"));
        float[] nan = new float[128];
        Arrays.fill(nan, Float.NaN);
        new SafetensorsWriter().copyFrom(real.resolve("model.safetensors"), n -> n.equals("model.norm.weight") ? null : n)
                .putF32("model.norm.weight", new long[] {128}, nan).write(d.resolve("model.safetensors"));
        assertEquals(d.resolve("model.safetensors") + ": tensor 'model.norm.weight' holds non-finite values (NaN at "
                + "element 0 of 128; expected finite weights)", loadFails(d).getMessage());

        // Infinity and NaN in each dtype, found wherever they are (also past the first 16384-float chunk).
        float[] big = new float[40_000];
        big[39_999] = Float.NEGATIVE_INFINITY;
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .put("h", new RawTensor("F16", new long[] {3}, shorts(0x3C00, 0x0000, 0x7C00)))
                .put("b", new RawTensor("BF16", new long[] {2}, shorts(0x7FC0, 0x3F80)))
                .putF32("f", new long[] {40_000}, big)
                .putF32("ok", new long[] {3}, new float[] {Float.MAX_VALUE, -Float.MIN_VALUE, 0f})
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(file + ": tensor 'h' holds non-finite values (Infinity at element 2 of 3; expected finite "
                    + "weights)", assertThrows(ModelException.class, () -> f.readFloat32("h")).getMessage());
            assertTrue(assertThrows(ModelException.class, () -> f.readFloat32("b")).getMessage()
                    .contains("(NaN at element 0 of 2;"));
            assertTrue(assertThrows(ModelException.class, () -> f.readFloat32("f")).getMessage()
                    .contains("(-Infinity at element 39999 of 40000;"));
        }
        assertArrayEquals(new float[] {Float.MAX_VALUE, -Float.MIN_VALUE, 0f}, read(file, "ok"));
    }

    @Test
    void wrongShapeNamesTensorShapesAndFile(@TempDir Path dir) throws IOException {
        Path src = Fixtures.randomModel("random-gpt2").resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().copyFrom(src, n -> n.equals("transformer.ln_f.bias") ? null : n);
        w.putF32("transformer.ln_f.bias", new long[] {32}, new float[32]);
        Path d = modelCopy(dir.resolve("m"), "random-gpt2", w);
        ModelException e = loadFails(d);
        assertEquals(d.resolve("model.safetensors") + ": tensor 'transformer.ln_f.bias' has shape [32], expected [64]"
                + " (n_embd 64)", e.getMessage());
    }

    @Test
    void missingTensor(@TempDir Path dir) throws IOException {
        Path src = Fixtures.randomModel("random-qwen2").resolve("model.safetensors");
        Path d = modelCopy(dir.resolve("m"), "random-qwen2",
                new SafetensorsWriter().copyFrom(src, n -> n.contains("layers.1.mlp.up_proj") ? null : n));
        ModelException e = loadFails(d);
        assertTrue(e.getMessage().contains("tensor 'model.layers.1.mlp.up_proj.weight' not found")
                && e.getMessage().contains("[160, 64]") && e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void unsupportedDtypeIsReportedWhenRead(@TempDir Path dir) throws IOException {
        Path src = Fixtures.randomModel("random-gpt2").resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().copyFrom(src, n -> n.equals("transformer.ln_f.weight") ? null : n);
        w.put("transformer.ln_f.weight", new RawTensor("I64", new long[] {64}, new byte[64 * 8]));
        ModelException e = loadFails(modelCopy(dir.resolve("m"), "random-gpt2", w));
        assertTrue(e.getMessage().contains("'transformer.ln_f.weight' has unsupported dtype I64"), e.getMessage());
    }

    @Test
    void truncatedDataNamesTheTensor(@TempDir Path dir) throws IOException {
        Path d = modelCopy(dir.resolve("m"), "random-gpt2", null);
        Path file = d.resolve("model.safetensors");
        Files.copy(Fixtures.randomModel("random-gpt2").resolve("model.safetensors"), file);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 100);
        }
        ModelException e = loadFails(d);
        assertTrue(e.getMessage().startsWith(file + ": truncated file: tensor 'transformer.ln_f.bias'"), e.getMessage());
    }

    @Test
    void corruptHeaders(@TempDir Path dir) throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("declared header length", ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(1_000_000).putLong(0).array());
        cases.put("too short", new byte[] {1, 2, 3});
        byte[] json = "{\"a\": [1, 2".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        cases.put("not valid JSON", ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array());
        byte[] bad = "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8);
        cases.put("needs 16 bytes but its data_offsets span 8", ByteBuffer.allocate(8 + bad.length + 8)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(bad.length).put(bad).array());
        for (Map.Entry<String, byte[]> c : cases.entrySet()) {
            Path d = modelCopy(dir.resolve("m" + c.getKey().hashCode()), "random-gpt2", null);
            Files.write(d.resolve("model.safetensors"), c.getValue());
            ModelException e = loadFails(d);
            assertTrue(e.getMessage().startsWith(d.resolve("model.safetensors") + ": ")
                    && e.getMessage().contains(c.getKey()), e.getMessage());
        }
    }

    @Test
    void missingWeightsAndBadConfigs(@TempDir Path dir) throws IOException {
        ModelException noDir = loadFails(dir.resolve("absent"));
        assertTrue(noDir.getMessage().contains("model directory not found"), noDir.getMessage());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertTrue(loadFails(empty).getMessage().contains("config.json not found"));
        Path noWeights = modelCopy(dir.resolve("noweights"), "random-gpt2", null);
        assertTrue(loadFails(noWeights).getMessage().contains("no model.safetensors or model.safetensors.index.json"));
        Path unknown = modelCopy(dir.resolve("unknown"), "random-gpt2", null);
        Files.writeString(unknown.resolve("config.json"),
                Files.readString(unknown.resolve("config.json")).replace("\"gpt2\"", "\"t5\""));
        assertTrue(loadFails(unknown).getMessage().contains("unsupported model_type 't5'"));
        Path scaled = modelCopy(dir.resolve("scaled"), "random-qwen2", null);
        Files.writeString(scaled.resolve("config.json"), Files.readString(scaled.resolve("config.json"))
                .replace("\"rope_theta\"", "\"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}, \"rope_theta\""));
        ModelException e = loadFails(scaled);
        assertTrue(e.getMessage().startsWith(scaled.resolve("config.json") + ": rope_scaling is not supported"),
                e.getMessage());
    }
}
