package dev.qdecode.models.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.qdecode.models.ModelException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Float32 safetensors files: writing (atomically: a temporary file in the same directory, forced to
 * disk, then moved over the destination) and reading back files of float32 tensors; also the
 * writing of tensors of any dtype from their raw bytes, and the atomic replacement of any file.
 */
public final class Safetensors {
    private Safetensors() {}

    /**
     * One tensor as stored in a safetensors file.
     *
     * @param dtype the safetensors dtype name ({@code F32}, {@code F16}, {@code BF16}, {@code I64}…)
     * @param shape the shape
     * @param data the little-endian element bytes, written as they are
     */
    public record RawTensor(String dtype, long[] shape, byte[] data) {

        /**
         * Checks that every part is given.
         *
         * @param dtype see the record description
         * @param shape see the record description
         * @param data see the record description
         * @throws NullPointerException naming {@code dtype}, {@code shape} or {@code data} when it is null
         */
        public RawTensor {
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(data, "data");
        }
    }

    /** What the header says of one tensor. */
    private record Entry(String dtype, long[] shape, long bytes) {}

    /**
     * Writes float32 tensors, in the map's order, to a safetensors file (replacing it atomically).
     *
     * @param file the destination
     * @param tensors name to float32 array (any manager; not closed)
     * @param metadata string metadata for the {@code __metadata__} entry (may be empty)
     * @throws IOException when the file cannot be written
     * @throws IllegalArgumentException when a tensor is not float32
     * @throws NullPointerException naming {@code file}, {@code tensors} or {@code metadata} when it is null
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            if (a.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is " + a.getDataType()
                        + ", expected float32");
            }
            entries.put(e.getKey(), new Entry("F32", a.getShape().getShape(), a.size() * 4));
        }
        byte[] header = header(entries, metadata);
        atomicWrite(file, out -> {
            out.write(header);
            for (NDArray a : tensors.values()) {
                float[] v = a.toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                out.write(b.array());
            }
        });
    }

    /**
     * Writes tensors of any dtype from their raw bytes, in the map's order, to a safetensors file
     * (replacing it atomically). The bytes are not checked against dtype and shape.
     *
     * @param file the destination
     * @param tensors name to tensor
     * @param metadata string metadata for the {@code __metadata__} entry (may be empty)
     * @throws IOException when the file cannot be written
     * @throws NullPointerException naming {@code file}, {@code tensors} or {@code metadata} when it is null
     */
    public static void writeRaw(Path file, Map<String, RawTensor> tensors, Map<String, String> metadata)
            throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(tensors, "tensors");
        Objects.requireNonNull(metadata, "metadata");
        Map<String, Entry> entries = new LinkedHashMap<>();
        tensors.forEach((name, t) -> entries.put(name, new Entry(t.dtype(), t.shape(), t.data().length)));
        byte[] header = header(entries, metadata);
        atomicWrite(file, out -> {
            out.write(header);
            for (RawTensor t : tensors.values()) {
                out.write(t.data());
            }
        });
    }

    /**
     * The start of a safetensors file: the 8-byte little-endian header length, then the JSON header
     * (metadata first, then the tensors with consecutive data offsets, in order) padded with spaces
     * to a multiple of 8 bytes.
     */
    private static byte[] header(Map<String, Entry> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", e.getValue().dtype());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            offset += e.getValue().bytes();
            off.add(offset);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(h);
        while (out.hasRemaining()) {
            out.put((byte) ' ');
        }
        return out.array();
    }

    /**
     * Reads every tensor of a float32 safetensors file.
     *
     * @param file the file
     * @param manager owner of the returned arrays
     * @return name to array, in file order
     * @throws ModelException (one line naming the file and tensor) when the file is missing, corrupt
     *     or holds a tensor that is not F32
     * @throws NullPointerException naming {@code file} or {@code manager} when it is null
     */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(file, "file");
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (all.length < 8) {
            throw new ModelException(file + ": not a safetensors file (shorter than its 8-byte header length)");
        }
        long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (n <= 0 || 8 + n > all.length) {
            throw new ModelException(file + ": corrupt safetensors header length " + n);
        }
        JsonObject header;
        try {
            JsonElement root = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8));
            header = root.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new ModelException(file + ": corrupt safetensors header (" + e.getMessage() + ")", e);
        }
        long base = 8 + n;
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonObject t = e.getValue().getAsJsonObject();
            String dtype = t.get("dtype").getAsString();
            if (!dtype.equals("F32")) {
                throw new ModelException(file + ": tensor '" + e.getKey() + "' is " + dtype + ", expected F32");
            }
            JsonArray s = t.getAsJsonArray("shape");
            long[] shape = new long[s.size()];
            long size = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsLong();
                size *= shape[i];
            }
            JsonArray off = t.getAsJsonArray("data_offsets");
            long begin = off.get(0).getAsLong();
            long end = off.get(1).getAsLong();
            if (end - begin != size * 4 || base + end > all.length || begin < 0) {
                throw new ModelException(file + ": tensor '" + e.getKey() + "' has inconsistent data offsets");
            }
            ByteBuffer buf = ByteBuffer.allocateDirect((int) (size * 4)).order(ByteOrder.nativeOrder());
            ByteBuffer src = ByteBuffer.wrap(all, (int) (base + begin), (int) (size * 4)).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(src.asFloatBuffer());
            out.put(e.getKey(), manager.create(buf, new Shape(shape), DataType.FLOAT32));
        }
        return out;
    }

    /** Produces a file's content. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes everything.
         *
         * @param out the stream (buffered; do not close)
         * @throws IOException on failure
         */
        void write(OutputStream out) throws IOException;
    }

    /**
     * Replaces a file atomically with what {@code content} writes: the content goes to a temporary
     * file in the same directory, is forced to disk, and is then moved over the destination
     * ({@code ATOMIC_MOVE} where the file system supports it), so that a reader, or a run resumed
     * after a kill, sees either the old file or the new one, never a torn one.
     *
     * @param file the destination (its directory is created when missing)
     * @param content produces the content
     * @throws IOException when the file cannot be written
     * @throws NullPointerException naming {@code file} or {@code content} when it is null
     */
    public static void atomicWrite(Path file, Content content) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(content, "content");
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = newTempFile(dir, "." + abs.getFileName() + ".");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream os = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16)) {
                content.write(os);
                os.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A new empty file named {@code prefix + N + ".tmp"} in {@code dir}, created with the default
     * permissions (the umask's), not {@link Files#createTempFile}'s owner-only ones: the file becomes the
     * run's checkpoint, summary or model, which others may need to read as they read its other files.
     */
    private static Path newTempFile(Path dir, String prefix) throws IOException {
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(prefix + Long.toUnsignedString(rnd.nextLong(), 36) + ".tmp");
            try {
                return Files.createFile(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }
}
