package dev.qdecode.models;

import dev.qdecode.models.train.TrainableLlama;
import dev.qdecode.tokenizer.PromptFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The files a model directory is loaded from and their SHA-256 digests: what ties an output (a resumable
 * run, a classifier trained on the model's embeddings, a cache entry) to the model's content rather
 * than to its path.
 *
 * <p>The files are those named in {@link #NAMES} (the weights, config, generation config, tokenizer files
 * and the prompt-format settings) and any weight shards ({@code *.safetensors}) and their index ({@code
 * *.safetensors.index.json}); other files in the directory (a README, an output written there) do not
 * count. Digests are computed once per process per directory and reused while no file's size or
 * modification time changed.
 */
public final class ModelFiles {
    /**
     * The names of the files (besides weight shards and their index) a model is loaded from: what {@link
     * TrainableLlama#save} writes and the prompt-format settings {@value PromptFormat#SETTINGS_FILE}.
     */
    public static final List<String> NAMES = Stream.concat(TrainableLlama.FILES.stream(),
            Stream.of(PromptFormat.SETTINGS_FILE)).toList();

    private static final Map<Path, Memo> MEMO = new ConcurrentHashMap<>();

    /** The digests of a directory's files, valid while its files' sizes and times are {@code stamp}. */
    private record Memo(List<String> stamp, Map<String, String> sha256) {}

    private ModelFiles() {}

    /**
     * The SHA-256 of each file a model in {@code dir} is loaded from, by file name.
     *
     * @param dir the model directory
     * @return an unmodifiable map sorted by name, file name to 64 lowercase hex digits
     * @throws ModelException naming the directory or file when it cannot be listed or read
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static Map<String, String> sha256(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path key = dir.toAbsolutePath().normalize();
        List<Path> files = files(key);
        List<String> stamp = stamp(files);
        Memo m = MEMO.get(key);
        if (m != null && m.stamp.equals(stamp)) {
            return m.sha256;
        }
        Map<String, String> h = new TreeMap<>();
        for (Path f : files) {
            h.put(f.getFileName().toString(), fileSha256(f));
        }
        Map<String, String> out = Collections.unmodifiableMap(h);
        MEMO.put(key, new Memo(stamp, out));
        return out;
    }

    /**
     * One SHA-256 over {@link #sha256(Path)}: of the lines {@code NAME<TAB>SHA256} in name order, each ended
     * by a newline. Equal for two directories with the same model files, whatever their paths.
     *
     * @param dir the model directory
     * @return 64 lowercase hex digits
     * @throws ModelException naming the directory or file when it cannot be listed or read
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static String contentSha256(Path dir) {
        Objects.requireNonNull(dir, "dir");
        return contentSha256(dir, Set.of());
    }

    /**
     * As {@link #contentSha256(Path)}, over the files not named in {@code ignored}: for a use that does not
     * read them (a sentence encoder reads no {@code generation_config.json}).
     *
     * @param dir the model directory
     * @param ignored file names left out
     * @return 64 lowercase hex digits
     * @throws ModelException naming the directory or file when it cannot be listed or read
     * @throws NullPointerException naming {@code dir} or {@code ignored} when it is null
     */
    public static String contentSha256(Path dir, Set<String> ignored) {
        Objects.requireNonNull(ignored, "ignored");
        Objects.requireNonNull(dir, "dir");
        StringBuilder lines = new StringBuilder();
        sha256(dir).forEach((name, hash) -> {
            if (!ignored.contains(name)) {
                lines.append(name).append('\t').append(hash).append('\n');
            }
        });
        return HexFormat.of().formatHex(digest().digest(lines.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Identifies a model's weights, for provenance and the checks that refuse another model: the SHA-256 of
     * {@code model.safetensors}, or, for weights in shards, {@link #contentSha256(Path)} (over the shards, their
     * index and the other model files).
     *
     * @param dir the model directory
     * @return 64 lowercase hex digits
     * @throws ModelException naming the directory or file when it cannot be listed or read
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static String weightsSha256(Path dir) {
        Objects.requireNonNull(dir, "dir");
        String single = sha256(dir).get("model.safetensors");
        return single != null ? single : contentSha256(dir);
    }

    /**
     * The SHA-256 of a file's bytes, read in blocks.
     *
     * @param file the file
     * @return 64 lowercase hex digits
     * @throws ModelException naming the file when it cannot be read
     * @throws NullPointerException naming {@code file} when it is null
     */
    public static String fileSha256(Path file) {
        Objects.requireNonNull(file, "file");
        MessageDigest md = digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": not found", e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Deletes a directory and everything under it (links themselves, not what they point to); nothing
     * when it does not exist. For the directories qdecode writes and replaces: checkpoints, the copy of a
     * model that is being evaluated, a temporary classifier.
     *
     * @param dir the directory
     * @throws IOException when something cannot be deleted
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static void deleteTree(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<Path> files(Path dir) {
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(f -> {
                String name = f.getFileName().toString();
                return Files.isRegularFile(f) && (NAMES.contains(name) || name.endsWith(".safetensors")
                        || name.endsWith(".safetensors.index.json"));
            }).sorted().toList();
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot list the model's files (" + e.getMessage() + ")", e);
        }
    }

    private static List<String> stamp(List<Path> files) {
        List<String> s = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                s.add(f.getFileName() + "\t" + a.size() + "\t" + a.lastModifiedTime() + "\t"
                        + a.fileKey());
            } catch (IOException e) {
                throw new ModelException(f + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        return s;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }
}
