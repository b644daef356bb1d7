package dev.qdecode.pipeline.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.TsvEscapes;
import dev.qdecode.models.train.Safetensors;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * Writes rows of named values as TSV (header row; tab, newline, carriage return and backslash
 * escaped as {@code \t \n \r \\} ({@link TsvEscapes}), no quoting) or JSON Lines, chosen by the file extension. Rows are
 * written as they come, to a temporary file ({@code NAME.part}) renamed into place by {@link #commit()},
 * so an interrupted or failed job never leaves a half-written file under the final name. Closing without
 * a commit deletes the temporary file, or, for a writer that can be resumed ({@link #resume}), keeps it.
 */
final class RecordWriter implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final BufferedWriter out;
    private final boolean tsv;
    private final List<String> columns;
    private final boolean keepPart;
    private final int rowsBefore;
    private boolean committed;
    private int written;

    /**
     * Opens the temporary file.
     *
     * @param resumable keep the temporary file on a close without commit
     * @param append continue a resumable file after its {@code rowsBefore} rows (else start it anew)
     */
    private RecordWriter(Path target, List<String> columns, boolean resumable, boolean append, int rowsBefore)
            throws IOException {
        this.target = target;
        this.columns = List.copyOf(columns);
        this.keepPart = resumable;
        this.rowsBefore = rowsBefore;
        tsv = isTsv(target);
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        tmp = part(target);
        channel = append ? FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.APPEND)
                : FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
        out = new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel), StandardCharsets.UTF_8));
        if (!append && tsv) {
            out.write(String.join("\t", columns));
            out.write('\n');
        }
        if (keepPart) {
            flush(); // a resumable file has its header before its first row is due
        }
    }

    /**
     * The temporary file a writer of {@code target} writes before its commit.
     *
     * @param target the output file
     * @return {@code target} with {@code .part} appended to its name
     */
    static Path part(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    /** True for a .tsv name, false for .jsonl; refuses any other (bad input). */
    static boolean isTsv(Path target) {
        String name = target.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".tsv") || name.endsWith(".jsonl")) {
            return name.endsWith(".tsv");
        }
        throw new CliException(target + ": unsupported output type (expected a .tsv or .jsonl file name)");
    }

    /**
     * Checks an output file before any work is done: a .tsv or .jsonl name, not a directory, and not
     * one of the command's input files (writing it would replace the input).
     *
     * @param option the option that names it, for messages (e.g. "--output")
     * @param target the output file
     * @param inputs the command's input files (nulls are skipped)
     * @throws CliException (usage) otherwise
     */
    public static void checkTarget(String option, Path target, Path... inputs) {
        if (Files.isDirectory(target)) {
            throw new CliException(option + " " + target + ": is a directory (expected a .tsv or .jsonl file name)",
                    ExitCodes.USAGE);
        }
        try {
            isTsv(target);
        } catch (CliException e) {
            throw new CliException(option + " " + e.getMessage(), ExitCodes.USAGE);
        }
        for (Path in : inputs) {
            if (in != null && Datasets.sameFile(in, target)) {
                throw new CliException(option + " " + target + ": is an input of this command (expected another file, "
                        + "so the input is not replaced)", ExitCodes.USAGE);
            }
        }
        checkCreatable(option, target, target.toAbsolutePath().getParent());
    }

    /** Why a directory could not be created, in a few words. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "the file system refuses it";
        }
        return e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getClass().getSimpleName();
    }

    /**
     * Checks, before any work, that directory {@code dir} exists or can be created, so that an output the
     * job would only write at its end is not found unwritable then: creates the missing directories and
     * removes them again, leaving the file system as it was.
     *
     * @param option the option that names the output, for messages (e.g. "--out")
     * @param target the output as given, for messages
     * @param dir the directory that is to hold it (or be it)
     * @throws CliException (usage) naming the option, the output and the reason
     */
    static void checkCreatable(String option, Path target, Path dir) {
        Path existing = dir.toAbsolutePath();
        java.util.Deque<Path> missing = new java.util.ArrayDeque<>();
        while (existing != null && !Files.exists(existing)) {
            missing.push(existing);
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new CliException(option + " " + target + ": " + existing + " is not a directory (expected a path "
                    + "under a directory)", ExitCodes.USAGE);
        }
        if (missing.isEmpty()) {
            if (!Files.isWritable(existing)) {
                throw new CliException(option + " " + target + ": cannot write in " + existing + " (permission "
                        + "denied)", ExitCodes.USAGE);
            }
            return;
        }
        java.util.List<Path> created = new java.util.ArrayList<>();
        try {
            for (Path d : missing) {
                Files.createDirectory(d);
                created.add(d);
            }
        } catch (IOException e) {
            throw new CliException(option + " " + target + ": cannot create directory " + missing.peek() + " ("
                    + reason(e) + ")", ExitCodes.USAGE);
        } finally {
            for (int i = created.size() - 1; i >= 0; i--) {
                try {
                    Files.deleteIfExists(created.get(i));
                } catch (IOException ignored) {
                    // a directory that another job filled meanwhile stays: it is that job's
                }
            }
        }
    }

    /**
     * Refuses an output file that exists already, unless {@code --overwrite} was given, so a finished
     * output is not replaced unasked.
     *
     * @param option the option that names it, for messages (e.g. "--output")
     * @param target the output file
     * @param overwrite whether {@code --overwrite} was given
     * @throws CliException (usage) when it exists and may not be replaced
     */
    static void checkNew(String option, Path target, boolean overwrite) {
        if (!overwrite && Files.exists(target)) {
            throw new CliException(option + " " + target + ": exists (expected another file name, or --overwrite "
                    + "to replace it)", ExitCodes.USAGE);
        }
    }

    /**
     * Opens a writer.
     *
     * @param target the output file ({@code .tsv} or {@code .jsonl})
     * @param columns the column names, in order
     * @return the writer
     */
    public static RecordWriter open(Path target, List<String> columns) {
        return open(target, columns, false, false, 0);
    }

    /**
     * Opens a writer whose temporary file survives a close without commit (an interrupted job), so
     * that {@link #resume} can continue it.
     *
     * @param target the output file ({@code .tsv} or {@code .jsonl})
     * @param columns the column names, in order
     * @return the writer
     */
    static RecordWriter openResumable(Path target, List<String> columns) {
        return open(target, columns, true, false, 0);
    }

    /**
     * The rows an interrupted resumable writer left in its temporary file, as {@link #readPart} found them.
     *
     * @param rows the rows kept, each as its field values (strings; JSON numbers and booleans as written)
     * @param end the byte offset after the last row kept (the file is cut there on {@link #resume}); -1
     *     when the file holds not even its header and is written again from the start
     */
    record Part(List<List<String>> rows, long end) {}

    /**
     * Reads the temporary file an interrupted resumable writer left, without changing it: a last row
     * that a kill cut short is not kept, and neither are complete rows past what {@code keep} allows.
     *
     * @param target the output file ({@code .tsv} or {@code .jsonl})
     * @param columns the column names, in order (a TSV file's header must be these)
     * @param keep given the number of complete rows, how many to keep (e.g. whole batches only)
     * @return the rows kept and where they end
     * @throws CliException when the temporary file cannot be read or is not such a file
     */
    static Part readPart(Path target, List<String> columns, IntUnaryOperator keep) {
        Path p = part(target);
        boolean tsv = isTsv(target);
        try {
            byte[] bytes = Files.readAllBytes(p);
            // the end of each complete line (a row cut short by a kill has none, and is written again)
            List<Integer> ends = new ArrayList<>();
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    ends.add(i + 1);
                }
            }
            int first = 0;
            if (tsv) {
                if (ends.isEmpty()) {
                    return new Part(List.of(), -1); // killed before the header reached the disk: no row yet
                }
                String h = new String(bytes, 0, ends.get(0) - 1, StandardCharsets.UTF_8);
                if (!h.equals(String.join("\t", columns))) {
                    throw new CliException(p + ":1: not the header this command writes (expected '"
                            + String.join("\\t", columns) + "')");
                }
                first = 1;
            }
            int complete = ends.size() - first;
            int kept = Math.max(0, Math.min(complete, keep.applyAsInt(complete)));
            List<List<String>> rows = new ArrayList<>(kept);
            for (int i = 0; i < kept; i++) {
                int line0 = i + first == 0 ? 0 : ends.get(i + first - 1);
                String line = new String(bytes, line0, ends.get(i + first) - 1 - line0, StandardCharsets.UTF_8);
                rows.add(tsv ? tsvFields(line, columns.size(), p, i + first + 1)
                        : jsonFields(line, columns, p, i + first + 1));
            }
            return new Part(rows, kept + first == 0 ? 0 : ends.get(kept + first - 1));
        } catch (IOException e) {
            throw new CliException(p + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /**
     * Continues the temporary file an interrupted resumable writer left: cuts it after the rows
     * {@link #readPart} kept and appends after them.
     *
     * @param target the output file ({@code .tsv} or {@code .jsonl})
     * @param columns the column names, in order
     * @param part what {@link #readPart} found
     * @return the writer, which appends
     */
    static RecordWriter resume(Path target, List<String> columns, Part part) {
        if (part.end() < 0) {
            return openResumable(target, columns);
        }
        Path p = part(target);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            if (ch.size() > part.end()) {
                ch.truncate(part.end());
            }
        } catch (IOException e) {
            throw new CliException(p + ": cannot write (" + e.getMessage() + ")");
        }
        return open(target, columns, true, true, part.rows().size());
    }

    private static List<String> tsvFields(String line, int n, Path p, int lineNo) {
        String[] f = line.split("\t", -1);
        if (f.length != n) {
            throw new CliException(p + ":" + lineNo + ": " + f.length + " fields (expected " + n + ")");
        }
        List<String> r = new ArrayList<>(n);
        for (String s : f) {
            r.add(TsvEscapes.unescape(s));
        }
        return r;
    }

    private static List<String> jsonFields(String line, List<String> columns, Path p, int lineNo) {
        JsonObject o;
        try {
            o = JsonParser.parseString(line).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new CliException(p + ":" + lineNo + ": not a JSON object (expected a row this command wrote)");
        }
        List<String> r = new ArrayList<>(columns.size());
        for (String c : columns) {
            JsonElement v = o.get(c);
            if (v == null) {
                throw new CliException(p + ":" + lineNo + ": no field '" + c + "' (expected a row this command wrote)");
            }
            r.add(v.isJsonPrimitive() ? v.getAsString() : v.toString());
        }
        return r;
    }

    private static RecordWriter open(Path target, List<String> columns, boolean resumable, boolean append,
            int rowsBefore) {
        try {
            return new RecordWriter(target, columns, resumable, append, rowsBefore);
        } catch (IOException e) {
            throw new CliException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /**
     * Writes one row; values are given in column order.
     *
     * @param values one value per column (numbers, booleans, strings, lists)
     */
    public void write(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("expected " + columns.size() + " values, got " + values.length);
        }
        try {
            if (tsv) {
                out.write(tsvRow(values));
                out.write('\n');
            } else {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < values.length; i++) {
                    m.put(columns.get(i), values[i]);
                }
                out.write(GSON.toJson(m));
                out.write('\n');
            }
            written++;
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /**
     * One TSV row, as {@link #write} writes it to a .tsv file (without the line end).
     *
     * @param values the fields, in column order
     * @return each field {@linkplain TsvEscapes#escape escaped}, joined by tabs
     */
    static String tsvRow(Object... values) {
        java.util.StringJoiner row = new java.util.StringJoiner("\t");
        for (Object v : values) {
            row.add(TsvEscapes.escape(String.valueOf(v)));
        }
        return row.toString();
    }

    /**
     * Rows in the file so far, those a resumed writer found included.
     *
     * @return the count
     */
    int rows() {
        return rowsBefore + written;
    }

    /**
     * Writes what is buffered to the temporary file (a resumable job calls it after each batch, so an
     * interrupt loses at most the batch in progress).
     */
    void flush() {
        try {
            out.flush();
            if (keepPart) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /** A failed write (e.g. a full disk): for a resumable file, says that the rows before it are kept. */
    private CliException writeFailed(IOException e) {
        return new CliException(tmp + ": cannot write (" + e.getMessage() + ")" + (keepPart
                ? "; the rows written before are kept (make room, then run the same command with --resume)" : ""));
    }

    /** Finishes the file: closes it and renames it to its final name, replacing an older one. */
    void commit() {
        try {
            flush();
            out.close();
            if (tsv && !keepPart) {
                // a resumable output's record is its job's (ResumableOutput); this one's only says how to read it
                JsonObject record = new JsonObject();
                record.addProperty("qdecode_version", VersionProvider.version());
                record.add("columns", new Gson().toJsonTree(columns));
                record.addProperty("rows", rows());
                record.addProperty(TsvEscapes.RECORD_KEY, TsvEscapes.BACKSLASH);
                byte[] json = (new GsonBuilder().setPrettyPrinting().create().toJson(record) + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                Safetensors.atomicWrite(TsvEscapes.recordOf(target), os -> os.write(json));
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            committed = true;
        } catch (IOException e) {
            throw new CliException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /**
     * Closes without committing unless {@link #commit()} ran: the temporary file is deleted, or kept
     * for a resumable writer.
     */
    @Override
    public void close() {
        if (committed) {
            return;
        }
        try {
            out.close();
            if (!keepPart) {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CliException(tmp + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
