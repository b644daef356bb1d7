package dev.qdecode.rewards.classifier;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The trained weights of a classifier head and its forward pass in plain Java (inference needs no
 * native engine). Inputs are standardised with the training mean and standard deviation, then
 * {@code logits = W1 z + b1} (logistic) or {@code logits = W2 relu(W1 z + b1) + b2} (MLP). Matrices
 * are row-major {@code [in, out]}. Stored as safetensors (F32) with tensors input_mean, input_std,
 * w1, b1 and, for the MLP, w2, b2.
 */
final class Head {
    final ClassifierConfig.HeadType type;
    final int inputDim;
    final int hidden;
    final int labels;
    final float[] mean;
    final float[] std;
    final float[] w1;
    final float[] b1;
    final float[] w2;
    final float[] b2;

    Head(ClassifierConfig.HeadType type, int inputDim, int hidden, int labels,
            float[] mean, float[] std, float[] w1, float[] b1, float[] w2, float[] b2) {
        this.type = type;
        this.inputDim = inputDim;
        this.hidden = type == ClassifierConfig.HeadType.MLP ? hidden : 0;
        this.labels = labels;
        this.mean = mean;
        this.std = std;
        this.w1 = w1;
        this.b1 = b1;
        this.w2 = w2;
        this.b2 = b2;
        Map<String, long[]> shapes = shapes();
        Map<String, float[]> tensors = tensors();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            float[] t = tensors.get(e.getKey());
            long size = 1;
            for (long d : e.getValue()) {
                size *= d;
            }
            if (t == null || t.length != size) {
                throw new IllegalArgumentException("head tensor " + e.getKey() + " has "
                        + (t == null ? "no" : String.valueOf(t.length)) + " values, expected " + size);
            }
        }
    }

    private int firstOut() {
        return type == ClassifierConfig.HeadType.MLP ? hidden : labels;
    }

    Map<String, long[]> shapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("input_mean", new long[] {inputDim});
        m.put("input_std", new long[] {inputDim});
        m.put("w1", new long[] {inputDim, firstOut()});
        m.put("b1", new long[] {firstOut()});
        if (type == ClassifierConfig.HeadType.MLP) {
            m.put("w2", new long[] {hidden, labels});
            m.put("b2", new long[] {labels});
        }
        return m;
    }

    private Map<String, float[]> tensors() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("input_mean", mean);
        m.put("input_std", std);
        m.put("w1", w1);
        m.put("b1", b1);
        if (type == ClassifierConfig.HeadType.MLP) {
            m.put("w2", w2);
            m.put("b2", b2);
        }
        return m;
    }

    /** Logits for each embedding. */
    double[][] logits(float[][] x) {
        double[][] out = new double[x.length][];
        int h1 = firstOut();
        double[] z = new double[inputDim];
        double[] a = new double[h1];
        for (int r = 0; r < x.length; r++) {
            float[] v = x[r];
            if (v.length != inputDim) {
                throw new IllegalArgumentException(
                        "embedding of length " + v.length + ": the classifier expects " + inputDim);
            }
            for (int d = 0; d < inputDim; d++) {
                z[d] = (v[d] - mean[d]) / std[d];
            }
            for (int j = 0; j < h1; j++) {
                a[j] = b1[j];
            }
            for (int d = 0; d < inputDim; d++) {
                double zd = z[d];
                int base = d * h1;
                for (int j = 0; j < h1; j++) {
                    a[j] += zd * w1[base + j];
                }
            }
            if (type == ClassifierConfig.HeadType.LOGISTIC) {
                out[r] = a.clone();
                continue;
            }
            double[] o = new double[labels];
            for (int c = 0; c < labels; c++) {
                o[c] = b2[c];
            }
            for (int j = 0; j < hidden; j++) {
                double hj = Math.max(0, a[j]);
                if (hj == 0) {
                    continue;
                }
                int base = j * labels;
                for (int c = 0; c < labels; c++) {
                    o[c] += hj * w2[base + c];
                }
            }
            out[r] = o;
        }
        return out;
    }

    /** Softmax of each row. */
    static double[][] softmax(double[][] logits) {
        double[][] p = new double[logits.length][];
        for (int r = 0; r < logits.length; r++) {
            double[] l = logits[r];
            double max = Double.NEGATIVE_INFINITY;
            for (double v : l) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] e = new double[l.length];
            for (int c = 0; c < l.length; c++) {
                e[c] = Math.exp(l[c] - max);
                sum += e[c];
            }
            for (int c = 0; c < l.length; c++) {
                e[c] /= sum;
            }
            p[r] = e;
        }
        return p;
    }

    /** Writes the weights as safetensors. */
    void write(Path file) throws IOException {
        Map<String, float[]> tensors = tensors();
        Map<String, long[]> shapes = shapes();
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (long d : shapes.get(e.getKey())) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += 4L * e.getValue().length;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            header.add(e.getKey(), t);
        }
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "qdecode-classifier-head");
        meta.addProperty("head", type.name().toLowerCase(java.util.Locale.ROOT));
        header.add("__metadata__", meta);
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer buf = ByteBuffer.allocate(8 + padded + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(padded);
        buf.put(h);
        for (int i = h.length; i < padded; i++) {
            buf.put((byte) ' ');
        }
        for (float[] t : tensors.values()) {
            for (float f : t) {
                buf.putFloat(f);
            }
        }
        Files.write(file, buf.array());
    }

    /**
     * Reads weights written by {@link #write}, checking every tensor's dtype and shape: first that the head
     * has one output per label (a head whose output tensor has another size than {@code labelNames} is
     * refused naming both counts and the labels), then each tensor.
     *
     * @param labelNames the labels classifier.json lists, in output order
     * @throws IllegalArgumentException with one line naming the file and what is wrong
     */
    static Head read(Path file, ClassifierConfig.HeadType type, int inputDim, int hidden, java.util.List<String> labelNames)
            throws IOException {
        int labels = labelNames.size();
        byte[] all = Files.readAllBytes(file);
        String where = "head weights " + file;
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (all.length < 8) {
            throw new IllegalArgumentException(where + ": file too short for a safetensors header");
        }
        long n = in.getLong();
        if (n <= 0 || n > all.length - 8) {
            throw new IllegalArgumentException(where + ": header length " + n + " does not fit the file");
        }
        JsonObject header;
        try {
            header = JsonParser.parseString(new String(all, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": header is not a JSON object");
        }
        int dataStart = 8 + (int) n;
        String out = type == ClassifierConfig.HeadType.MLP ? "b2" : "b1"; // the output bias: one value per label
        try {
            JsonArray outShape = header.getAsJsonObject(out).getAsJsonArray("shape");
            if (outShape.size() == 1 && outShape.get(0).getAsLong() != labels) {
                throw new IllegalArgumentException(where + ": the head has " + outShape.get(0).getAsLong()
                        + " outputs (tensor '" + out + "' " + outShape + ") but classifier.json lists " + labels
                        + " labels " + labelNames + " (expected one output per label: the labels or the weights were"
                        + " changed since training)");
            }
        } catch (NumberFormatException e) {
            // a malformed shape is named by the checks below
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            // a missing or malformed tensor entry is named by the checks below
        }
        // Shapes come from classifier.json; the placeholder head only serves to list them.
        Head shapeOnly = placeholder(type, inputDim, hidden, labels);
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapeOnly.shapes().entrySet()) {
            String name = e.getKey();
            JsonElement el = header.get(name);
            if (el == null || !el.isJsonObject()) {
                throw new IllegalArgumentException(where + ": tensor '" + name + "' missing");
            }
            JsonObject t = el.getAsJsonObject();
            try {
                String dtype = t.get("dtype").getAsString();
                JsonArray shape = t.getAsJsonArray("shape");
                JsonArray off = t.getAsJsonArray("data_offsets");
                long[] want = e.getValue();
                boolean shapeOk = shape.size() == want.length;
                for (int i = 0; shapeOk && i < want.length; i++) {
                    shapeOk = shape.get(i).getAsLong() == want[i];
                }
                if (!"F32".equals(dtype) || !shapeOk) {
                    throw new IllegalArgumentException(where + ": tensor '" + name + "' is " + dtype + " " + shape
                            + ", expected F32 " + java.util.Arrays.toString(want));
                }
                long begin = off.get(0).getAsLong();
                long end = off.get(1).getAsLong();
                long count = 1;
                for (long d : want) {
                    count *= d;
                }
                if (begin < 0 || end - begin != 4 * count || dataStart + end > all.length) {
                    throw new IllegalArgumentException(where + ": tensor '" + name + "' data_offsets ["
                            + begin + ", " + end + "] do not fit the file");
                }
                float[] v = new float[(int) count];
                ByteBuffer slice = ByteBuffer.wrap(all, dataStart + (int) begin, (int) (end - begin))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < v.length; i++) {
                    v[i] = slice.getFloat();
                    if (!Float.isFinite(v[i])) {
                        throw new IllegalArgumentException(where + ": tensor '" + name + "' has a non-finite value");
                    }
                }
                values.put(name, v);
            } catch (NumberFormatException ex) { // a shape or offset that is not a number
                throw new IllegalArgumentException(where + ": tensor '" + name
                        + "' needs dtype, shape and data_offsets");
            } catch (IllegalArgumentException ex) {
                throw ex;
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(where + ": tensor '" + name
                        + "' needs dtype, shape and data_offsets");
            }
        }
        return new Head(type, inputDim, hidden, labels, values.get("input_mean"), values.get("input_std"),
                values.get("w1"), values.get("b1"), values.get("w2"), values.get("b2"));
    }

    private static Head placeholder(ClassifierConfig.HeadType type, int inputDim, int hidden, int labels) {
        int h1 = type == ClassifierConfig.HeadType.MLP ? hidden : labels;
        boolean mlp = type == ClassifierConfig.HeadType.MLP;
        return new Head(type, inputDim, hidden, labels, new float[inputDim], new float[inputDim],
                new float[inputDim * h1], new float[h1], mlp ? new float[hidden * labels] : null,
                mlp ? new float[labels] : null);
    }
}
