package dev.qdecode.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader for one {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}, plus an optional {@code __metadata__}) and the raw
 * little-endian tensor data.
 *
 * <p>The header is fully validated when the file is opened (well-formed JSON, non-negative shapes,
 * offsets consistent with shape and dtype, tensors whose bytes follow one another without overlap or gap, no
 * tensor running past the end of the file). Tensor data
 * is read through a read-only memory mapping and always copied (F16 and BF16 widened) into a fresh
 * native-order float32 buffer, so no array ever aliases the mapping. Only F32, F16 and BF16 tensors
 * can be read; other dtypes are accepted in the header and rejected only if such a tensor is read.
 * A tensor holding NaN or an infinity is rejected when read, naming the file and the tensor.
 */
final class SafetensorsFile implements AutoCloseable {
    /** Upper bound on the JSON header, as in the reference implementation (100 MB). */
    private static final long MAX_HEADER = 100L * 1024 * 1024;
    /** Largest mapping made at once. */
    private static final long MAX_MAP = 1L << 30;

    /** One header entry. */
    record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
        long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;

    private SafetensorsFile(Path path, FileChannel channel, long dataStart, Map<String, TensorInfo> tensors) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @param path the file
     * @return the open reader (close it to release the file)
     * @throws ModelException if the file is unreadable, the header corrupt or the data truncated
     */
    static SafetensorsFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            throw new ModelException(path + ": cannot open safetensors file (" + e + ")", e);
        }
        try {
            long size = ch.size();
            if (size < 8) {
                throw corrupt(path, "file is " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw corrupt(path, "declared header length " + headerLen + " does not fit the file size " + size);
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            Map<String, TensorInfo> tensors = parseHeader(path, json);
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            for (TensorInfo t : tensors.values()) {
                if (t.end() > dataSize) {
                    throw new ModelException(path + ": truncated file: tensor '" + t.name() + "' needs data bytes ["
                            + t.begin() + ", " + t.end() + ") but the data section has only " + dataSize + " bytes");
                }
            }
            checkLayout(path, tensors);
            return new SafetensorsFile(path, ch, dataStart, tensors);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new ModelException(path + ": cannot read safetensors file (" + e + ")", e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** The path of this file. */
    Path path() {
        return path;
    }

    /** Header entries by tensor name, in file order. */
    Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /**
     * Reads one tensor as float32 into a new direct buffer in native byte order.
     *
     * @param name the tensor name
     * @return a buffer positioned at 0 holding {@code numel * 4} bytes
     * @throws ModelException if the tensor is absent, has an unsupported dtype, cannot be read or holds
     *     NaN or an infinity
     */
    ByteBuffer readFloat32(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new ModelException(path + ": tensor '" + name + "' not found");
        }
        int srcSize = elementSize(t.dtype());
        if (srcSize < 0) {
            throw new ModelException(path + ": tensor '" + name + "' has unsupported dtype " + t.dtype()
                    + ", expected F32, F16 or BF16");
        }
        long numel = t.numel();
        if (numel * 4 > Integer.MAX_VALUE - 8) {
            throw new ModelException(path + ": tensor '" + name + "' has " + numel
                    + " elements, more than one float32 array can hold (2 GiB)");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) (numel * 4)).order(ByteOrder.nativeOrder());
        FloatBuffer outF = out.asFloatBuffer();
        long chunkElems = MAX_MAP / srcSize;
        try {
            for (long done = 0; done < numel; ) {
                long n = Math.min(chunkElems, numel - done);
                MappedByteBuffer src = channel.map(FileChannel.MapMode.READ_ONLY,
                        dataStart + t.begin() + done * srcSize, n * srcSize);
                src.order(ByteOrder.LITTLE_ENDIAN);
                convert(t.dtype(), src, outF, (int) n);
                done += n;
            }
        } catch (IOException | RuntimeException e) {
            throw new ModelException(path + ": cannot read tensor '" + name + "' (" + e + ")", e);
        }
        out.rewind();
        long bad = firstNonFinite(out.asIntBuffer());
        if (bad >= 0) {
            float v = out.asFloatBuffer().get((int) bad);
            throw new ModelException(path + ": tensor '" + name + "' holds non-finite values (" + v + " at element "
                    + bad + " of " + numel + "; expected finite weights)");
        }
        return out;
    }

    /**
     * The index of the first NaN or infinity among float32 bit patterns, or -1 (a model with such a weight
     * would otherwise load and then produce NaN logits, i.e. garbage text). One pass over chunks bulk-copied to
     * a heap array, with an integer test the JIT vectorizes (about 0.1 ns a weight).
     *
     * @param bits the floats' raw bits, from the buffer's position on (consumed)
     * @return the index relative to the starting position, or -1 when all are finite
     */
    static long firstNonFinite(IntBuffer bits) {
        int[] chunk = new int[Math.min(bits.remaining(), 1 << 14)];
        for (long base = 0; bits.hasRemaining(); base += chunk.length) {
            int m = Math.min(chunk.length, bits.remaining());
            bits.get(chunk, 0, m);
            // The exponent field is all ones only for NaN and ±inf: adding one unit of it then sets the top bit.
            int acc = 0;
            for (int i = 0; i < m; i++) {
                acc |= (chunk[i] & 0x7F800000) + 0x00800000;
            }
            if (acc < 0) {
                for (int i = 0; i < m; i++) {
                    if ((chunk[i] & 0x7F800000) == 0x7F800000) {
                        return base + i;
                    }
                }
            }
        }
        return -1;
    }

    private static void convert(String dtype, ByteBuffer src, FloatBuffer out, int n) {
        switch (dtype) {
            case "F32" -> {
                FloatBuffer f = src.asFloatBuffer();
                f.limit(n);
                out.put(f);
            }
            case "BF16" -> {
                ShortBuffer s = src.asShortBuffer();
                float[] tmp = new float[Math.min(n, 1 << 16)];
                for (int i = 0; i < n; ) {
                    int m = Math.min(tmp.length, n - i);
                    for (int j = 0; j < m; j++) {
                        tmp[j] = Float.intBitsToFloat((s.get(i + j) & 0xFFFF) << 16);
                    }
                    out.put(tmp, 0, m);
                    i += m;
                }
            }
            case "F16" -> {
                ShortBuffer s = src.asShortBuffer();
                float[] tmp = new float[Math.min(n, 1 << 16)];
                for (int i = 0; i < n; ) {
                    int m = Math.min(tmp.length, n - i);
                    for (int j = 0; j < m; j++) {
                        tmp[j] = halfToFloat(s.get(i + j));
                    }
                    out.put(tmp, 0, m);
                    i += m;
                }
            }
            default -> throw new IllegalStateException("unsupported dtype " + dtype);
        }
    }

    /** IEEE 754 binary16 to binary32 (exact; subnormals, infinities and NaN included). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Bytes per element of the readable dtypes, or -1. */
    static int elementSize(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    /** Bytes per element of every dtype the format defines, or -1 for unknown names. */
    private static int anyElementSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    private static Map<String, TensorInfo> parseHeader(Path path, String json) {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw corrupt(path, "header is not a JSON object");
            }
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            String msg = e.getMessage() == null ? "parse error" : e.getMessage().split("\n", 2)[0];
            throw corrupt(path, "header is not valid JSON (" + msg + ")");
        }
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> en : root.entrySet()) {
            String name = en.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            out.put(name, parseEntry(path, name, en.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo parseEntry(Path path, String name, JsonElement value) {
        try {
            JsonObject o = value.getAsJsonObject();
            String dtype = o.get("dtype").getAsString();
            JsonArray shapeArr = o.get("shape").getAsJsonArray();
            long[] shape = new long[shapeArr.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeArr.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw corrupt(path, "tensor '" + name + "' has a negative dimension " + Arrays.toString(shape));
                }
            }
            JsonArray off = o.get("data_offsets").getAsJsonArray();
            if (off.size() != 2) {
                throw corrupt(path, "tensor '" + name + "' data_offsets must have 2 entries, found " + off);
            }
            long begin = off.get(0).getAsLong();
            long end = off.get(1).getAsLong();
            if (begin < 0 || end < begin) {
                throw corrupt(path, "tensor '" + name + "' has invalid data_offsets " + off);
            }
            TensorInfo t = new TensorInfo(name, dtype, shape, begin, end);
            int es = anyElementSize(dtype);
            if (es < 0) {
                throw corrupt(path, "tensor '" + name + "' has unknown dtype '" + dtype + "'");
            }
            if (t.numel() * es != end - begin) {
                throw corrupt(path, "tensor '" + name + "' of dtype " + dtype + " and shape " + Arrays.toString(shape)
                        + " needs " + t.numel() * es + " bytes but its data_offsets span " + (end - begin));
            }
            return t;
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw corrupt(path, "tensor '" + name + "' entry is malformed, expected {dtype, shape, data_offsets}: "
                    + value);
        }
    }

    /**
     * Checks that the tensors' bytes follow one another from the start of the data section, as the format
     * requires (no tensor sharing bytes with another, no gap): a header whose entries overlap, or that names a
     * tensor twice (JSON keeps the last entry, which then points at bytes of another tensor or leaves its own as
     * a gap), would otherwise load wrong weights. Empty tensors may sit anywhere; bytes after the last tensor
     * are allowed.
     */
    private static void checkLayout(Path path, Map<String, TensorInfo> tensors) {
        TensorInfo[] sorted = tensors.values().stream().filter(t -> t.end() > t.begin())
                .sorted(java.util.Comparator.comparingLong(TensorInfo::begin)).toArray(TensorInfo[]::new);
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw corrupt(path, "tensors '" + previous.name() + "' (data bytes [" + previous.begin() + ", "
                        + previous.end() + ")) and '" + t.name() + "' ([" + t.begin() + ", " + t.end()
                        + ")) overlap (expected each tensor its own bytes; is a tensor named twice?)");
            }
            if (t.begin() > covered) {
                throw corrupt(path, "data bytes [" + covered + ", " + t.begin() + ") belong to no tensor (expected "
                        + "the tensors' bytes to follow one another; is a tensor named twice?)");
            }
            covered = t.end();
            previous = t;
        }
    }

    private static ModelException corrupt(Path path, String what) {
        return new ModelException(path + ": corrupt safetensors header: " + what);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing more to report than the original error
        }
    }

    /** Closes the file. */
    @Override
    public void close() {
        closeQuietly(channel);
    }
}
