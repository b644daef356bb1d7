package dev.qdecode.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: writes safetensors files (and copies tensors out of existing ones). */
final class SafetensorsWriter {
    /** One tensor to write: dtype name, shape and raw little-endian bytes. */
    record Tensor(String dtype, long[] shape, byte[] data) {}

    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    SafetensorsWriter put(String name, Tensor t) {
        tensors.put(name, t);
        return this;
    }

    SafetensorsWriter putF32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return put(name, new Tensor("F32", shape, b.array()));
    }

    /** Copies every tensor of a file, renamed by {@code rename} (null result drops it). */
    SafetensorsWriter copyFrom(Path file, java.util.function.UnaryOperator<String> rename) throws IOException {
        byte[] all = Files.readAllBytes(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            long start = 8 + ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            for (SafetensorsFile.TensorInfo t : f.tensors().values()) {
                String name = rename.apply(t.name());
                if (name != null) {
                    byte[] data = java.util.Arrays.copyOfRange(all, (int) (start + t.begin()), (int) (start + t.end()));
                    put(name, new Tensor(t.dtype(), t.shape(), data));
                }
            }
        }
        return this;
    }

    Map<String, Tensor> tensors() {
        return tensors;
    }

    void write(Path file) throws IOException {
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", e.getValue().dtype());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += e.getValue().data().length;
            off.add(offset);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        byte[] hp = new byte[padded];
        java.util.Arrays.fill(hp, (byte) ' ');
        System.arraycopy(h, 0, hp, 0, h.length);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(hp);
            for (Tensor t : tensors.values()) {
                out.write(t.data());
            }
        }
    }
}
