package dev.qdecode.pipeline.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes rows of named values as TSV (header row; tab, newline, carriage return and backslash
 * escaped as {@code \t \n \r \\}, no quoting) or JSON Lines, chosen by the file extension. Rows are
 * written as they come, to a temporary file renamed into place on close, so an interrupted job never
 * leaves a half-written file under the final name.
 */
final class RecordWriter implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();
    private final Path target;
    private final Path tmp;
    private final BufferedWriter out;
    private final boolean tsv;
    private final List<String> columns;

    private RecordWriter(Path target, List<String> columns) throws IOException {
        this.target = target;
        this.columns = List.copyOf(columns);
        tsv = isTsv(target);
        Path parent = target.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        tmp = target.resolveSibling(target.getFileName() + ".part");
        out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
        if (tsv) {
            out.write(String.join("\t", columns));
            out.write('\n');
        }
    }

    /** True for a .tsv name, false for .jsonl; refuses any other (bad input). */
    private static boolean isTsv(Path target) {
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
            if (in != null && OverwriteOption.sameFile(in, target)) {
                throw new CliException(option + " " + target + ": is an input of this command (expected another file, "
                        + "so the input is not replaced)", ExitCodes.USAGE);
            }
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
        try {
            return new RecordWriter(target, columns);
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
                for (int i = 0; i < values.length; i++) {
                    if (i > 0) {
                        out.write('\t');
                    }
                    out.write(escape(String.valueOf(values[i])));
                }
                out.write('\n');
            } else {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < values.length; i++) {
                    m.put(columns.get(i), values[i]);
                }
                out.write(GSON.toJson(m));
                out.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Escapes a TSV field.
     *
     * @param s the value
     * @return the value with backslash, tab, newline and carriage return escaped
     */
    public static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    @Override
    public void close() {
        try {
            out.close();
            Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(target + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
