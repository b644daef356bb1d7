package dev.qdecode.pipeline.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * An {@code --output} file that a long command writes batch by batch and continues with
 * {@code --resume} after an interrupt. The rows go to {@code NAME.part} (renamed to {@code NAME} when
 * all are done), and {@code NAME.run.json} records the command's settings (every option's value,
 * paths made absolute), the input's fingerprint and, once finished, the row count and time: the
 * output's provenance, and what a resume is checked against.
 *
 * <p>Without {@code --resume}, an existing {@code NAME} or {@code NAME.part} is refused unless
 * {@code --overwrite} is given, so earlier work is never replaced unasked.
 */
final class ResumableOutput implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();
    /** Options that do not change the rows: how the command runs, not what it writes. */
    private static final Set<String> NOT_SETTINGS = Set.of("--resume", "--overwrite", "--help", "--version");

    private final Path target;
    private final Path runFile;
    private final Map<String, Object> run;
    private final RecordWriter writer;
    private final List<List<String>> doneRows;
    private final long startNanos = System.nanoTime();
    private final boolean resumed;
    private boolean finished;

    private ResumableOutput(Path target, Map<String, Object> run, RecordWriter writer, List<List<String>> doneRows) {
        this.target = target;
        this.runFile = runFile(target);
        this.run = run;
        this.writer = writer;
        this.doneRows = doneRows;
        this.resumed = run.containsKey("resumed");
    }

    /**
     * The provenance file of an output.
     *
     * @param target the output file
     * @return {@code NAME.run.json} beside it
     */
    static Path runFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".run.json");
    }

    /**
     * Starts the output, or continues an interrupted one.
     *
     * @param spec the command (its options' values are the settings recorded and compared)
     * @param target the {@code --output} file
     * @param columns the column names
     * @param inputs the input rows' identity (e.g. each prompt's id and text), fingerprinted so that a
     *     resume over changed input is refused
     * @param resume whether {@code --resume} was given
     * @param overwrite whether {@code --overwrite} was given
     * @return the output; {@link #done()} rows are already in it
     * @throws CliException (usage) when an output exists and neither flag says what to do with it, or the
     *     settings or input differ from the interrupted run's
     */
    static ResumableOutput open(CommandSpec spec, Path target, List<String> columns, List<String> inputs,
            boolean resume, boolean overwrite) {
        if (resume && overwrite) {
            throw new CliException("--overwrite: not with --resume (expected one: --resume continues the "
                    + "interrupted output, --overwrite starts it again)", ExitCodes.USAGE);
        }
        Path part = RecordWriter.part(target);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("command", "qdecode " + spec.qualifiedName().replaceFirst("^qdecode ", ""));
        run.put("qdecode_version", VersionProvider.version());
        run.put("settings", settings(spec));
        run.put("inputs", inputs.size());
        run.put("inputs_sha256", sha256(inputs));
        if (resume) {
            if (!Files.exists(part)) {
                throw new CliException("--resume: no interrupted output to continue (" + part + " not found; "
                        + (Files.exists(target) ? target + " is finished; expected --overwrite to write it again"
                                : "expected the --output of an interrupted run") + ")", ExitCodes.USAGE);
            }
            Map<String, Object> was = readRun(target);
            checkSame(target, was, run);
            run.put("started", was.get("started"));
            run.put("resumed", Instant.now().toString());
            List<List<String>> rows = new ArrayList<>();
            RecordWriter w = RecordWriter.resume(target, columns, rows);
            return new ResumableOutput(target, run, w, rows);
        }
        if (!overwrite) {
            if (Files.exists(part)) {
                throw new CliException("--output " + target + ": an interrupted run left its rows in " + part
                        + " (expected --resume to continue it, or --overwrite to start again)", ExitCodes.USAGE);
            }
            RecordWriter.checkNew("--output", target, false);
        }
        run.put("started", Instant.now().toString());
        RecordWriter w = RecordWriter.openResumable(target, columns);
        ResumableOutput o = new ResumableOutput(target, run, w, List.of());
        o.writeRun();
        return o;
    }

    /**
     * Rows already in the file from the interrupted run (none for a new one).
     *
     * @return the count
     */
    int done() {
        return doneRows.size();
    }

    /**
     * The rows already in the file, each as its field values, so a caller can check they belong to
     * its input.
     *
     * @return the rows
     */
    List<List<String>> doneRows() {
        return doneRows;
    }

    /**
     * Writes one row.
     *
     * @param values one value per column
     */
    void write(Object... values) {
        writer.write(values);
    }

    /** Makes the rows so far durable in {@code NAME.part}: called after each batch. */
    void flush() {
        writer.flush();
    }

    /**
     * The file the rows are in until {@link #finish()}.
     *
     * @return {@code NAME.part}
     */
    Path partFile() {
        return RecordWriter.part(target);
    }

    /**
     * Renames the rows into place and records the row count and time in the provenance file.
     *
     * @return the number of rows in the file
     */
    int finish() {
        int rows = writer.rows();
        writer.commit();
        finished = true;
        run.put("rows", rows);
        run.put("finished", Instant.now().toString());
        run.put("seconds_last_session", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        writeRun();
        return rows;
    }

    /**
     * Closes; unless {@link #finish()} ran, the rows stay in {@code NAME.part} for a resume. A new output
     * that got no row (a failure or Ctrl-C before the first batch ended) leaves nothing behind.
     */
    @Override
    public void close() {
        writer.close();
        if (!finished && !resumed && writer.rows() == 0) {
            try {
                Files.deleteIfExists(partFile());
                Files.deleteIfExists(runFile);
            } catch (IOException e) {
                throw new CliException(runFile + ": cannot remove (" + e.getMessage() + ")");
            }
        }
    }

    private void writeRun() {
        Path tmp = runFile.resolveSibling(runFile.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, GSON.toJson(run) + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, runFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException(runFile + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static Map<String, Object> readRun(Path target) {
        Path f = runFile(target);
        try {
            Map<String, Object> m = GSON.fromJson(Files.readString(f, StandardCharsets.UTF_8),
                    new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
            if (m == null || !(m.get("settings") instanceof Map)) {
                throw new JsonParseException("no settings");
            }
            return m;
        } catch (IOException | JsonParseException e) {
            throw new CliException("--resume: " + f + ": cannot read the interrupted run's settings ("
                    + (e instanceof IOException ? "missing or unreadable" : "not the file this command writes")
                    + "; expected the file written beside " + RecordWriter.part(target) + ", or start again with "
                    + "--overwrite)", ExitCodes.USAGE);
        }
    }

    /** Names every setting that differs from the interrupted run's, as train and sft resumes do. */
    private static void checkSame(Path target, Map<String, Object> was, Map<String, Object> now) {
        @SuppressWarnings("unchecked")
        Map<String, Object> before = (Map<String, Object>) was.get("settings");
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) now.get("settings");
        List<String> diffs = new ArrayList<>();
        for (Map.Entry<String, Object> e : after.entrySet()) {
            Object b = before.get(e.getKey());
            if (!Objects.equals(String.valueOf(b), String.valueOf(e.getValue()))) {
                diffs.add(e.getKey() + " " + e.getValue() + " (the run's: " + b + ")");
            }
        }
        if (diffs.isEmpty() && !Objects.equals(was.get("inputs_sha256"), now.get("inputs_sha256"))) {
            diffs.add("the input (" + now.get("inputs") + " rows, not the " + count(was.get("inputs"))
                    + " rows the run started with)");
        }
        if (!diffs.isEmpty()) {
            throw new CliException("--resume: " + target + " was started with other settings: " + String.join(", ", diffs)
                    + " (expected the command that started it, plus --resume; or --overwrite to start again)",
                    ExitCodes.USAGE);
        }
    }

    private static String count(Object n) {
        return n instanceof Number x ? Long.toString(x.longValue()) : String.valueOf(n);
    }

    /** Every option's value, by its longest name; paths absolute, so a resume from elsewhere compares equal. */
    private static Map<String, Object> settings(CommandSpec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (NOT_SETTINGS.contains(o.longestName()) || o.usageHelp() || o.versionHelp()) {
                continue;
            }
            m.put(o.longestName(), value(o.getValue()));
        }
        return m;
    }

    private static String value(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Path p) {
            return p.toAbsolutePath().normalize().toString();
        }
        if (v instanceof Collection<?> c) {
            List<String> r = new ArrayList<>();
            c.forEach(x -> r.add(value(x)));
            return r.toString();
        }
        if (v instanceof Object[] a) {
            return value(List.of(a));
        }
        return String.valueOf(v);
    }

    private static String sha256(List<String> inputs) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String s : inputs) {
                d.update(s.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
