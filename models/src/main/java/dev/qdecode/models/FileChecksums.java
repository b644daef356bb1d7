package dev.qdecode.models;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The record of a directory's files that qdecode writes last into a directory it saves (a classifier, an
 * SFT checkpoint): {@value #FILE}, a JSON object {@code {"files": {NAME: {"bytes": N, "sha256": HEX}, ...},
 * "files_sha256": HEX}} with the size and SHA-256 of each named file, and the SHA-256 of the {@code "files"}
 * object itself, so that a later load refuses a file that was changed, cut short, replaced or removed since,
 * and an entry edited or dropped with the file it names, before it uses any of them. Protection against
 * accident, not a signature.
 *
 * <p>{@link #write} records the files; {@link #check} compares them and describes the first that differs in
 * one line naming it, for the caller to wrap in its own exception with what to do. Names are plain file names
 * in the directory (no separators, not hidden), so a record cannot point outside it. A record written before
 * {@value #FILES_SHA256} existed is checked entry by entry.
 */
public final class FileChecksums {
    /** The name of the record in the directory. */
    public static final String FILE = "checksums.json";

    /**
     * The key of {@value #FILE} that records the SHA-256 of its own {@code "files"} object (over its compact
     * JSON text, UTF-8), so that an entry edited or dropped since it was written is refused as damage of the
     * record itself.
     */
    public static final String FILES_SHA256 = "files_sha256";

    private FileChecksums() {}

    /**
     * Writes {@value #FILE} into {@code dir}, recording the size and SHA-256 of each named file there. Call it
     * once those files are written, and write nothing to them after.
     *
     * @param dir the directory
     * @param names the plain file names in {@code dir} to record (not {@value #FILE} itself)
     * @throws IOException when a file cannot be read or the record cannot be written
     * @throws IllegalArgumentException when a name is not a plain file name or is {@value #FILE}
     * @throws ModelException naming a file that cannot be read
     * @throws NullPointerException naming {@code dir} or {@code names} when it is null
     */
    public static void write(Path dir, Collection<String> names) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(names, "names");
        JsonObject files = new JsonObject();
        for (String name : new TreeSet<>(names)) {
            if (!plainName(name) || name.equals(FILE)) {
                throw new IllegalArgumentException("checksums: '" + name + "': expected a plain file name other than "
                        + FILE);
            }
            Path f = dir.resolve(name);
            JsonObject entry = new JsonObject();
            entry.addProperty("bytes", Files.size(f));
            entry.addProperty("sha256", ModelFiles.fileSha256(f));
            files.add(name, entry);
        }
        JsonObject root = new JsonObject();
        root.add("files", files);
        root.addProperty(FILES_SHA256, digest(files));
        Files.writeString(dir.resolve(FILE), new GsonBuilder().setPrettyPrinting().create().toJson(root) + "\n",
                StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code dir} holds a {@value #FILE} (of any content).
     *
     * @param dir the directory
     * @return true when the record is there
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static boolean present(Path dir) {
        Objects.requireNonNull(dir, "dir");
        return Files.exists(dir.resolve(FILE));
    }

    /**
     * Checks every file that {@code dir}'s {@value #FILE} records against the size and SHA-256 recorded there.
     *
     * @param dir the directory
     * @param required names the record must hold (e.g. the files a load reads); a record without one of them
     *     is not the directory's
     * @return empty when every recorded file matches; else one line naming the first problem: {@code
     *     DIR/NAME: sha256 X, not the Y that checksums.json records}, {@code ...: N bytes, not the M that ...},
     *     {@code DIR/NAME: missing}, or {@code DIR/checksums.json: ...} for a missing, unreadable or malformed
     *     record
     * @throws NullPointerException naming {@code dir} or {@code required} when it is null
     */
    public static Optional<String> check(Path dir, Collection<String> required) {
        return check(dir, required, false);
    }

    /**
     * Checks every file that {@code dir}'s {@value #FILE} records against the size and SHA-256 recorded there,
     * and the record's entries against its {@value #FILES_SHA256} when it has one.
     *
     * @param dir the directory
     * @param required names the record must hold (e.g. the files a load reads); a record without one of them
     *     is not the directory's
     * @param complete whether every plain regular file in {@code dir} must be recorded (a directory qdecode alone
     *     writes, e.g. a checkpoint, where an unrecorded file would be used unchecked); false where a user may
     *     keep files of their own beside the recorded ones
     * @return empty when the record and every recorded file match; else one line naming the first problem, as
     *     {@link #check(Path, Collection)} describes, or {@code DIR/checksums.json: its entries were changed
     *     since it was written ...}, or {@code DIR/NAME: not recorded in checksums.json ...}
     * @throws NullPointerException naming {@code dir} or {@code required} when it is null
     */
    public static Optional<String> check(Path dir, Collection<String> required, boolean complete) {
        return check(dir, required, complete, Map.of());
    }

    /**
     * {@link #check(Path, Collection, boolean)} for a caller that has read some of the recorded files already: each of
     * those is compared by the bytes it read, not read again, so the file is opened once and what the caller goes on
     * to use is exactly what was checked (a file changed between a check and a second read was used unchecked).
     *
     * @param dir the directory
     * @param required names the record must hold
     * @param complete whether every plain regular file in {@code dir} must be recorded
     * @param read the bytes the caller read, by plain file name in {@code dir}; a name the record does not hold is
     *     not looked at
     * @return empty when the record and every recorded file match; else one line naming the first problem, as
     *     {@link #check(Path, Collection, boolean)} describes
     * @throws NullPointerException naming {@code dir}, {@code required} or {@code read} when it is null
     */
    public static Optional<String> check(Path dir, Collection<String> required, boolean complete,
            Map<String, byte[]> read) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(required, "required");
        Objects.requireNonNull(read, "read");
        Path sums = dir.resolve(FILE);
        if (!Files.exists(sums)) {
            return Optional.of(sums + ": missing");
        }
        JsonObject files;
        JsonElement recordedDigest = null;
        try {
            JsonObject parsed = JsonParser.parseString(Files.readString(sums, StandardCharsets.UTF_8))
                    .getAsJsonObject();
            files = parsed.getAsJsonObject("files");
            recordedDigest = parsed.get(FILES_SHA256);
        } catch (IOException | RuntimeException e) {
            files = null;
        }
        if (files == null) {
            return Optional.of(sums + ": not a record of the files (expected a JSON object whose \"files\" gives each"
                    + " file's \"bytes\" and \"sha256\")");
        }
        for (String name : new TreeSet<>(required)) {
            if (!files.has(name)) {
                return Optional.of(sums + ": records no \"" + name + "\" (expected the size and sha256 of each of "
                        + new TreeSet<>(required) + ")");
            }
        }
        if (recordedDigest != null) { // absent: written before it was recorded
            String digest = digest(files);
            String recorded = recordedDigest.isJsonPrimitive() ? recordedDigest.getAsString()
                    : recordedDigest.toString();
            if (!digest.equals(recorded)) {
                return Optional.of(sums + ": its entries were changed since it was written (their sha256 is " + digest
                        + ", not the " + recorded + " that its \"" + FILES_SHA256 + "\" records)");
            }
        }
        if (complete) {
            try (Stream<Path> list = Files.list(dir)) {
                for (Path f : list.filter(Files::isRegularFile).sorted().toList()) {
                    String name = f.getFileName().toString();
                    if (plainName(name) && !name.equals(FILE) && !files.has(name)) {
                        return Optional.of(f + ": not recorded in " + FILE + " (expected every file of the directory"
                                + " there)");
                    }
                }
            } catch (IOException e) {
                return Optional.of(dir + ": cannot list (" + e.getMessage() + ")");
            }
        }
        for (Map.Entry<String, JsonElement> e : files.entrySet()) {
            String name = e.getKey();
            long bytes = -1;
            String sha256 = null;
            try {
                JsonObject entry = e.getValue().getAsJsonObject();
                bytes = entry.get("bytes").getAsBigDecimal().longValueExact();
                sha256 = entry.get("sha256").getAsString();
            } catch (RuntimeException ex) {
                // reported below
            }
            if (bytes < 0 || sha256 == null || !sha256.matches("[0-9a-f]{64}") || !plainName(name)
                    || name.equals(FILE)) {
                return Optional.of(sums + ": entry \"" + name + "\": expected a file name in the directory with its"
                        + " \"bytes\" and lowercase hex \"sha256\" but got " + e.getValue());
            }
            Path f = dir.resolve(name);
            byte[] content = read.get(name);
            if (content == null && !Files.isRegularFile(f)) {
                return Optional.of(f + ": missing");
            }
            long size;
            try {
                size = content != null ? content.length : Files.size(f);
            } catch (IOException ex) {
                return Optional.of(f + ": cannot read (" + ex.getMessage() + ")");
            }
            if (size != bytes) {
                return Optional.of(f + ": " + size + " bytes, not the " + bytes + " that " + FILE + " records");
            }
            String actual;
            try {
                actual = content != null ? sha256(content) : ModelFiles.fileSha256(f);
            } catch (ModelException ex) {
                return Optional.of(ex.getMessage());
            }
            if (!actual.equals(sha256)) {
                return Optional.of(f + ": sha256 " + actual + ", not the " + sha256 + " that " + FILE + " records");
            }
        }
        return Optional.empty();
    }

    /**
     * The SHA-256 that {@code dir}'s {@value #FILE} records for one file, read from the record without hashing the
     * file: after {@link #check} found nothing wrong, the file's own SHA-256, so a caller that checked the directory
     * need not hash the file again to compare it with another record of it.
     *
     * @param dir the directory
     * @param name the plain file name in {@code dir}
     * @return the recorded SHA-256 (lowercase hex as written), or empty when the record is missing or unreadable or
     *     holds no such entry
     * @throws NullPointerException naming {@code dir} or {@code name} when it is null
     */
    public static Optional<String> recordedSha256(Path dir, String name) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(name, "name");
        try {
            JsonObject files = JsonParser.parseString(Files.readString(dir.resolve(FILE), StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonObject("files");
            JsonElement sha256 = files == null || !files.has(name) ? null : files.getAsJsonObject(name).get("sha256");
            return sha256 != null && sha256.isJsonPrimitive() ? Optional.of(sha256.getAsString()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * One line of a problem {@link #check} found followed by what the caller expects and what to do, in the one
     * parenthesis the problem may already end with ({@code X: missing (E)}, {@code X: not a record (A; E)}).
     *
     * @param problem the line {@link #check} returned
     * @param expected what was expected and what to do, without parentheses
     * @return the line
     * @throws NullPointerException naming {@code problem} or {@code expected} when it is null
     */
    public static String withExpected(String problem, String expected) {
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(expected, "expected");
        return problem.endsWith(")") ? problem.substring(0, problem.length() - 1) + "; " + expected + ")"
                : problem + " (" + expected + ")";
    }

    /** The SHA-256 of a record's {@code "files"} object, over its compact JSON text (UTF-8). */
    private static String digest(JsonObject files) {
        return sha256(files.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The SHA-256 of the bytes, lowercase hex (as {@link ModelFiles#fileSha256} gives a file's). */
    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Whether {@code name} is a plain file name: not empty, not hidden, without a path separator, not {@code ..}.
     *
     * @param name the name
     * @return true for a plain file name
     * @throws NullPointerException naming {@code name} when it is null
     */
    public static boolean plainName(String name) {
        Objects.requireNonNull(name, "name");
        return !name.isEmpty() && !name.startsWith(".") && !name.contains("/") && !name.contains("\\")
                && !name.contains("\0");
    }
}
