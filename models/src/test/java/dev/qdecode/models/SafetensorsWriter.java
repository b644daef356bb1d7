package dev.qdecode.models;

import dev.qdecode.models.train.Safetensors;
import dev.qdecode.models.train.Safetensors.RawTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Test helper: collects tensors of any dtype (also copied out of existing files) and writes them
 * with {@link Safetensors#writeRaw}.
 */
final class SafetensorsWriter {
    private final Map<String, RawTensor> tensors = new LinkedHashMap<>();

    SafetensorsWriter put(String name, RawTensor t) {
        tensors.put(name, t);
        return this;
    }

    SafetensorsWriter putF32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return put(name, new RawTensor("F32", shape, b.array()));
    }

    /** Copies every tensor of a file, renamed by {@code rename} (null result drops it). */
    SafetensorsWriter copyFrom(Path file, UnaryOperator<String> rename) throws IOException {
        byte[] all = Files.readAllBytes(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            long start = 8 + ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            for (SafetensorsFile.TensorInfo t : f.tensors().values()) {
                String name = rename.apply(t.name());
                if (name != null) {
                    byte[] data = Arrays.copyOfRange(all, (int) (start + t.begin()), (int) (start + t.end()));
                    put(name, new RawTensor(t.dtype(), t.shape(), data));
                }
            }
        }
        return this;
    }

    Map<String, RawTensor> tensors() {
        return tensors;
    }

    void write(Path file) throws IOException {
        Safetensors.writeRaw(file, tensors, Map.of());
    }
}
