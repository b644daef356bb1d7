package dev.qdecode.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The weights of a model directory: {@code model.safetensors}, or the shards listed in {@code
 * model.safetensors.index.json} ({@code weight_map: name -> shard file}).
 */
final class TensorStore implements AutoCloseable {
    private final Map<String, SafetensorsFile> byName;
    private final List<SafetensorsFile> files;
    private final String description;
    /** The names {@link #load} has read (or {@link #requireSameValues} found equal to one it read). */
    private final Set<String> loaded = ConcurrentHashMap.newKeySet();

    private TensorStore(Map<String, SafetensorsFile> byName, List<SafetensorsFile> files, String description) {
        this.byName = byName;
        this.files = files;
        this.description = description;
    }

    /**
     * Opens the weights of a model directory.
     *
     * @param dir the model directory
     * @return the open store
     * @throws ModelException if no weights are found or a file is unreadable or corrupt
     */
    static TensorStore open(Path dir) {
        Path single = dir.resolve("model.safetensors");
        Path index = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(single)) {
            SafetensorsFile f = SafetensorsFile.open(single);
            Map<String, SafetensorsFile> byName = new HashMap<>();
            for (String n : f.tensors().keySet()) {
                byName.put(n, f);
            }
            return new TensorStore(byName, List.of(f), single.toString());
        }
        if (!Files.isRegularFile(index)) {
            throw new ModelException(dir + ": no model.safetensors or model.safetensors.index.json in the model directory");
        }
        JsonObject weightMap;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(index, StandardCharsets.UTF_8));
            JsonElement wm = root.isJsonObject() ? root.getAsJsonObject().get("weight_map") : null;
            if (wm == null || !wm.isJsonObject()) {
                throw new ModelException(index + ": missing required object 'weight_map'");
            }
            weightMap = wm.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            throw new ModelException(index + ": cannot read shard index (" + e.getMessage() + ")", e);
        }
        Map<Path, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byName = new HashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                if (!e.getValue().isJsonPrimitive()) {
                    throw new ModelException(index + ": weight_map entry '" + e.getKey() + "' must be a file name");
                }
                String shardName = e.getValue().getAsString();
                Path shardPath = shardFile(dir, shardName);
                if (shardPath == null || !Files.isRegularFile(shardPath)) {
                    throw new ModelException(index + ": shard '" + shardName + "' of tensor '" + e.getKey()
                            + "' not found in the model directory");
                }
                SafetensorsFile f = shards.computeIfAbsent(shardPath, SafetensorsFile::open);
                if (!f.tensors().containsKey(e.getKey())) {
                    throw new ModelException(shardPath + ": tensor '" + e.getKey() + "' listed in " + index.getFileName()
                            + " not found in the shard");
                }
                byName.put(e.getKey(), f);
            }
            // A tensor also stored in a shard the index does not place it in: which copy is meant is unknown.
            // One the index does not list at all stays unread, and the model's load refuses it as unused.
            for (SafetensorsFile f : shards.values()) {
                for (String name : f.tensors().keySet()) {
                    SafetensorsFile placed = byName.get(name);
                    if (placed != null && placed != f) {
                        throw new ModelException(f.path() + ": tensor '" + name + "' is also in "
                                + placed.path().getFileName() + ", where " + index.getFileName()
                                + " places it (expected each tensor in one shard)");
                    }
                }
            }
        } catch (RuntimeException e) {
            shards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new TensorStore(byName, new ArrayList<>(shards.values()), index.toString());
    }

    /**
     * The file of a shard named in the index, or null when the name leads out of the model directory. Compared as
     * absolute paths: {@code --model .} normalizes to the empty path, which no shard path starts with.
     *
     * @param dir the model directory, as given (relative or absolute)
     * @param shardName the file name from {@code weight_map}
     * @return {@code dir.resolve(shardName)}, normalized, or null
     */
    static Path shardFile(Path dir, String shardName) {
        Path base = dir.toAbsolutePath().normalize();
        Path shard = base.resolve(shardName).normalize();
        return shard.startsWith(base) && !shard.equals(base) ? dir.resolve(shardName).normalize() : null;
    }

    /** Whether a tensor of this name exists. */
    boolean has(String name) {
        return byName.containsKey(name);
    }

    /**
     * Loads a tensor as a float32 array of the expected shape.
     *
     * @param manager the manager that will own the array
     * @param name the tensor name
     * @param expected the expected shape
     * @param why what the expected shape derives from (quoted in errors), e.g. "hidden_size 64"
     * @return the array (a copy of the file data, widened to float32)
     * @throws ModelException if the tensor is missing or has another shape
     */
    NDArray load(NDManager manager, String name, long[] expected, String why) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new ModelException(description + ": tensor '" + name + "' not found (expected shape "
                    + Arrays.toString(expected) + ")");
        }
        long[] found = f.tensors().get(name).shape();
        if (!Arrays.equals(found, expected)) {
            throw new ModelException(f.path() + ": tensor '" + name + "' has shape " + Arrays.toString(found)
                    + ", expected " + Arrays.toString(expected) + " (" + why + ")");
        }
        ByteBuffer data = f.readFloat32(name);
        loaded.add(name);
        return manager.create(data, new Shape(expected), DataType.FLOAT32);
    }

    /**
     * For a tensor stored twice under two names (tied embeddings saved as both the embedding and the LM head):
     * when both are present, checks that they hold the same values, and counts {@code copy} as read.
     *
     * @param name the tensor the model read
     * @param copy the other name of the same weights
     * @param why why the two must be equal (quoted in the error), e.g. "config.json has tie_word_embeddings true"
     * @throws ModelException naming the file and both tensors when their shapes or values differ
     */
    void requireSameValues(String name, String copy, String why) {
        SafetensorsFile a = byName.get(name);
        SafetensorsFile b = byName.get(copy);
        if (a == null || b == null || loaded.contains(copy)) {
            return;
        }
        boolean same = Arrays.equals(a.tensors().get(name).shape(), b.tensors().get(copy).shape())
                && a.readFloat32(name).equals(b.readFloat32(copy));
        if (!same) {
            throw new ModelException(b.path() + ": tensors '" + name + "' and '" + copy + "' differ, but " + why);
        }
        loaded.add(copy);
    }

    /**
     * The tensors stored in the files but never {@linkplain #load read}, in file order: weights the
     * configuration does not describe (more layers than {@code num_hidden_layers}, biases it leaves out).
     *
     * @return tensor name to the file holding it
     */
    Map<String, Path> unread() {
        Map<String, Path> out = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (String name : f.tensors().keySet()) {
                if (!loaded.contains(name)) {
                    out.putIfAbsent(name, f.path());
                }
            }
        }
        return out;
    }

    /** Closes all files. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
