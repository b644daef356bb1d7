package dev.qdecode.pipeline.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.TsvEscapes;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.rewards.Rewards;
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
import java.util.function.IntUnaryOperator;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * An {@code --output} file that a long command writes batch by batch and continues with
 * {@code --resume} after an interrupt. The rows go to {@code NAME.part} and the run's record to
 * {@code NAME.part.run.json}: the options this use of the command reads, as given or defaulted (an option
 * it does not read, such as a translation setting of a dialogue evaluation, is left out; one not given whose
 * default is decided at run time, such as {@code --model} with {@code --policy}, holds the value it took, by
 * {@link #resolveOption} and {@link #bindLoaded}; one not given that took no value, such as {@code --policy}
 * of a base model's generation, is left out: the record holds no null), the effective
 * settings that decide the rows, what
 * the inputs resolved to ({@link #bind}: the sha256 of the model's files, the prompt format, the
 * policy's checkpoints) and the input rows' fingerprint. When all rows are done both are renamed, to
 * {@code NAME} and {@code NAME.run.json} (the output's provenance, with the row count and times). A
 * resume is checked against the record, naming every difference.
 *
 * <p>Without {@code --resume}, an existing {@code NAME} or {@code NAME.part} is refused unless
 * {@code --overwrite} is given, so earlier work is never replaced unasked; nothing is written before
 * the first row, so a job refused, failing or stopped before it leaves earlier files as they were;
 * {@code NAME.lock} keeps a second job off the same output.
 */
final class ResumableOutput implements AutoCloseable {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create();
    /** Options that do not change the rows: how the command runs, not what it writes. */
    private static final Set<String> NOT_SETTINGS = Set.of("--resume", "--overwrite", "--help", "--version");
    /** The layout of the record; a resume of a record in another layout is refused, not misread. */
    private static final String RECORD_FORMAT = "2";

    private final Path target;
    private final Path partRunFile;
    private final Map<String, Object> run;
    private final Map<String, Object> was;
    private final RunLock lock;
    private final List<String> columns;
    private final RecordWriter.Part part;
    private RecordWriter writer;
    private final long startNanos = System.nanoTime();
    private final boolean resumed;
    private final boolean overwrite;
    /** The input option and file, for messages (e.g. {@code --prompts FILE}). */
    private final String inputSource;
    /** The options this use reads that the command line did not give: {@link #resolveOption} records their values. */
    private final Set<String> notGiven;
    private boolean finished;

    private ResumableOutput(Path target, List<String> columns, Map<String, Object> run, Map<String, Object> was,
            RunLock lock, RecordWriter.Part part, boolean overwrite, String inputSource, Set<String> notGiven) {
        this.target = target;
        this.notGiven = notGiven;
        this.columns = columns;
        this.partRunFile = partRunFile(target);
        this.run = run;
        this.was = was;
        this.lock = lock;
        this.part = part;
        this.resumed = was != null;
        this.overwrite = overwrite;
        this.inputSource = inputSource;
    }

    /**
     * The provenance file of an output.
     *
     * @param target the output file
     * @return {@code NAME.run.json} beside it
     */
    static Path runFile(Path target) {
        return TsvEscapes.recordOf(target);
    }

    /**
     * A {@code keep} for {@link #open}: whole batches of an interrupted run's rows, all of them once every
     * input is done (a batch's composition can change a row through float rounding, so the batches after a
     * resume must be the uninterrupted run's).
     *
     * @param total the rows of a finished output
     * @param batch the rows of a batch
     * @return the rows to keep, given the complete rows in the file
     */
    static IntUnaryOperator wholeBatches(int total, int batch) {
        return rows -> rows >= total ? rows : rows / batch * batch;
    }

    /** The record of a run in progress, beside its rows. */
    private static Path partRunFile(Path target) {
        return runFile(RecordWriter.part(target));
    }

    /**
     * Starts the output, or continues an interrupted one. No file is written until the first row
     * ({@link #write}), so a job refused, failing or stopped before it leaves an earlier output, finished
     * or interrupted, as it was.
     *
     * @param spec the command (the options it reads are recorded as given or defaulted, for provenance; one whose
     *     default is decided at run time gets its value from {@link #resolveOption})
     * @param option the option that names the output, for messages (e.g. "--output")
     * @param target the output file
     * @param columns the column names
     * @param inputs the input rows' identity (e.g. each prompt's id and text), fingerprinted so that a
     *     resume over changed input is refused
     * @param inputOption the option naming the input file (e.g. {@code --prompts}), for that refusal
     * @param inputFile the input file
     * @param settings the effective settings that decide the rows (strings or lists of strings, by option
     *     name), compared on a resume
     * @param unread options of the command that this use of it does not read (refused when given, e.g. a
     *     translation option of a dialogue evaluation): left out of the record, whose options are then the
     *     ones that took effect
     * @param keep on a resume, given the number of complete rows in the file, how many to keep (the rest
     *     is generated again)
     * @param resume whether {@code --resume} was given
     * @param overwrite whether {@code --overwrite} was given
     * @return the output; {@link #done()} rows are already in it
     * @throws CliException (usage) when an output exists and neither flag says what to do with it, another
     *     job writes it, or the settings or input differ from the interrupted run's
     */
    static ResumableOutput open(CommandSpec spec, String option, Path target, List<String> columns, List<String> inputs,
            String inputOption, Path inputFile, Map<String, Object> settings, Collection<String> unread,
            IntUnaryOperator keep, boolean resume, boolean overwrite) {
        OverwriteOption.refuseWithResume(resume, overwrite, "the interrupted output");
        Path part = RecordWriter.part(target);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("record_format", RECORD_FORMAT);
        run.put("command", "qdecode " + spec.qualifiedName().replaceFirst("^qdecode ", ""));
        run.put("qdecode_version", VersionProvider.version());
        Map<String, Object> options = options(spec, unread);
        run.put("options", options);
        Set<String> notGiven = new java.util.HashSet<>();
        CommandLine.ParseResult parsed = spec.commandLine() == null ? null : spec.commandLine().getParseResult();
        for (String o : options.keySet()) {
            if (parsed == null || !parsed.hasMatchedOption(o)) {
                notGiven.add(o);
            }
        }
        run.put("settings", new LinkedHashMap<>(settings));
        run.put("inputs", inputs.size());
        run.put("inputs_sha256", sha256(inputs));
        if (RecordWriter.isTsv(target)) { // so that qdecode reads the rows back as they were generated
            run.put(TsvEscapes.RECORD_KEY, TsvEscapes.BACKSLASH);
        }
        RunLock lock = RunLock.acquireFile(target, option);
        try {
            finishRename(target);
            if (resume) {
                if (!Files.exists(part)) {
                    throw new CliException("--resume: no interrupted output to continue (" + part + " not found; "
                            + (Files.exists(target) ? target + " is finished; expected --overwrite to write it again"
                                    : "expected the " + option + " of an interrupted run, or the command without --resume")
                            + ")", ExitCodes.USAGE);
                }
                Map<String, Object> was = readRun(target);
                if (!RECORD_FORMAT.equals(was.get("record_format"))) {
                    throw new CliException("--resume: " + partRunFile(target) + " was written by another qdecode "
                            + "version (record format " + was.get("record_format") + ", expected " + RECORD_FORMAT
                            + "), whose settings this one cannot compare (expected --overwrite to start again)",
                            ExitCodes.USAGE);
                }
                checkSame(target, "settings", was, run);
                if (!Objects.equals(was.get("inputs_sha256"), run.get("inputs_sha256"))) {
                    // other rows from another file (a moved or copied file with the same rows is accepted)
                    Object startedOn = was.get("options") instanceof Map<?, ?> o ? o.get(inputOption) : null;
                    if (startedOn instanceof String f && !Datasets.sameFile(Path.of(f), inputFile)) {
                        throw new CliException("--resume: " + target + " was started on " + inputOption + " " + f
                                + ", not " + inputFile + " (expected the same input, or --overwrite to start again)",
                                ExitCodes.USAGE);
                    }
                    boolean sameCount = count(was.get("inputs")).equals(Integer.toString(inputs.size()));
                    // the same number of rows with other content: the file changed under the run, bad input as
                    // sft and train --resume treat a changed file; another number may be another --limit too
                    throw new CliException("--resume: " + target + " was started on " + count(was.get("inputs"))
                            + " rows of " + inputOption + " " + inputFile + ", " + (sameCount ? "whose content has changed since"
                                    : "which now gives " + inputs.size()) + " (expected the same input"
                            + (sameCount ? "" : " and --limit") + ", or --overwrite to start again)",
                            sameCount ? ExitCodes.BAD_INPUT : ExitCodes.USAGE);
                }
                run.put("started", was.get("started"));
                run.put("resumed", Instant.now().toString());
                return new ResumableOutput(target, columns, run, was, lock, RecordWriter.readPart(target, columns, keep),
                        false, inputOption + " " + inputFile, notGiven);
            }
            if (!overwrite) {
                if (Files.exists(part)) {
                    throw new CliException(option + " " + target + ": an interrupted run left its rows in " + part
                            + " (expected --resume to continue it, or --overwrite to start again)", ExitCodes.USAGE);
                }
                RecordWriter.checkNew(option, target, false);
            }
            run.put("started", Instant.now().toString());
            return new ResumableOutput(target, columns, run, null, lock, new RecordWriter.Part(List.of(), -1),
                    overwrite, inputOption + " " + inputFile, notGiven);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Completes a finish that a kill cut between its two renames: the rows are in place, their record
     * is still beside the (gone) temporary file.
     */
    private static void finishRename(Path target) {
        Path partRun = partRunFile(target);
        if (Files.exists(partRun) && !Files.exists(RecordWriter.part(target)) && Files.exists(target)
                && readRecord(partRun).containsKey("finished")) {
            try {
                Files.move(partRun, runFile(target), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new CliException(runFile(target) + ": cannot write (" + e.getMessage() + ")");
            }
        }
    }

    /**
     * Records under {@code options} the value that an option not given took (e.g. {@code --prompts} of an
     * evaluation, the shared prompts file; {@code --seed}, the run's), so that the record holds the value used, as
     * it does for an option with a fixed default. An option given keeps its value as given, and one this use does
     * not read stays out. Provenance: options are not compared on a resume (the {@code settings} that decide the
     * rows are), so a resume with or without an option at its default value behaves the same.
     *
     * @param option the option's longest name, e.g. {@code --prompts}
     * @param value the value it took (a path is recorded absolute, as given paths are); null when it took none,
     *     which leaves it out of the record
     */
    void resolveOption(String option, Object value) {
        if (notGiven.contains(option)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> options = (Map<String, Object>) run.get("options");
            options.put(option, value(value));
        }
    }

    /**
     * Records settings that the command took from elsewhere than its options (e.g. the
     * {@code max_new_tokens} of the policy's saved config, which evaluation samples with): provenance, not
     * compared on a resume (what decides them, such as the policy's checkpoint, is compared).
     *
     * @param key the record's key
     * @param values names and values (strings)
     */
    void note(String key, Map<String, Object> values) {
        run.put(key, new LinkedHashMap<>(values));
    }

    /**
     * Records a thread count that decides values of the output (e.g. {@code reward_encoder_threads}, the ONNX
     * Runtime count a classifier reward embeds with: another count may sum in another order). When the rows carry
     * those values and a resume keeps rows of earlier sessions, the record holds every session's count, as {@link
     * DqnCli#sessionsThreads} joins them ({@code 2 then 1}, or {@code unrecorded then 1} for rows whose record has
     * none); otherwise this session's. Provenance, not compared on a resume. Call it before the first row is
     * written.
     *
     * @param key the record's key
     * @param now this session's count, or null to record nothing
     * @param inRows whether the rows hold the values the count decides (scores), rather than a result this
     *     session computes from all of them at the end
     */
    void noteThreads(String key, String now, boolean inRows) {
        if (now == null) {
            return;
        }
        boolean earlierRows = resumed && inRows && done() > 0;
        run.put(key, earlierRows ? DqnCli.sessionsThreads(was.get(key) instanceof String t ? t : null, now) : now);
    }

    /**
     * What {@link #noteThreads} recorded under {@code key} in this session's record.
     *
     * @param key the record's key
     * @return the value, or null when none was noted
     */
    String recorded(String key) {
        return run.get(key) instanceof String s ? s : null;
    }

    /**
     * Records what a column of the rows means (under {@code column_definitions} in the record), so that a later
     * change of its definition can be told from the record, and on a resume refuses rows whose record gives
     * another definition or none (rows written before the definition was recorded): continuing them would mix
     * values of two meanings in one column. Call it right after {@link #open}, before any row is written.
     *
     * @param column the column's name, e.g. {@code kl}
     * @param definition what its values are now, in a few words
     * @throws CliException (usage) on a resume of rows written under another definition, naming the file and the
     *     definition expected
     */
    void defineColumn(String column, String definition) {
        Object all = run.computeIfAbsent("column_definitions", k -> new LinkedHashMap<String, Object>());
        @SuppressWarnings("unchecked")
        Map<String, Object> defs = (Map<String, Object>) all;
        defs.put(column, definition);
        if (resumed) {
            Object then = was.get("column_definitions") instanceof Map<?, ?> m ? m.get(column) : null;
            if (!definition.equals(then)) {
                throw new CliException("--resume: " + partFile() + ": its " + column + " values were written "
                        + (then == null ? "by an earlier qdecode, whose record does not define them" : "as '" + then
                                + "'") + " (expected '" + definition + "', as this qdecode writes them; continuing "
                        + "would mix both in one column: use --overwrite to start again)", ExitCodes.USAGE);
            }
        }
    }

    /**
     * Records what the inputs resolved to once they are loaded (the model's files, the prompt format,
     * the policy's checkpoints), or, on a resume, refuses values that differ from the run's, naming each.
     *
     * @param facts names and values (strings, lists or maps of strings)
     * @param info recorded, not compared (e.g. the model directory's path: its files' hashes are compared)
     * @throws CliException (usage) on a resume whose inputs resolve otherwise
     */
    void bind(Map<String, Object> facts, Map<String, Object> info) {
        run.put("loaded", new LinkedHashMap<>(info));
        run.put("resolved", new LinkedHashMap<>(facts));
        // a run stopped before its inputs loaded wrote no row, so there is nothing to compare with
        if (resumed && was.get("resolved") != null) {
            checkSame(target, "resolved", was, run);
        }
    }

    /**
     * Once the model (and policy) loaded: if Ctrl-C came meanwhile, says so and that nothing was written;
     * otherwise {@linkplain #bind binds} what they resolved to ({@link #resolved}), recording the model's
     * directory.
     *
     * @param m the loaded model
     * @param p the policy, or null for the base model
     * @param err where the notice goes
     * @param rows what the rows are, for the notice (e.g. "rows", "translations")
     * @return false when interrupted (the caller exits with {@link Interrupts#status()})
     * @throws CliException (usage) on a resume whose inputs resolve otherwise
     */
    boolean bindLoaded(ModelOptions.Loaded m, DqnPolicy p, java.io.PrintWriter err, String rows) {
        if (Interrupts.requested()) {
            err.println("qdecode: interrupted while loading; nothing was written" + (resumed ? " (the " + rows
                    + " so far stay in " + partFile() + "; run the same command again, with --resume)"
                    : " (run the same command again)"));
            return false;
        }
        bind(resolved(m, p), Map.of("model_dir", value(m.dir().toAbsolutePath())));
        // the model and prompt format used when not given (the run's, the default model's, the detected one)
        resolveOption("--model", m.dir());
        resolveOption("--prompt-format", m.format().toSpec());
        return true;
    }

    /**
     * Says how the job starts: with every row already written ({@code allDone}), or after the rows an
     * interrupted run wrote; nothing for a new output.
     *
     * @param err where the line goes
     * @param total the rows the job writes in all
     * @param units what a row is for, e.g. "prompts"
     * @param allDone the line when every row is already written
     */
    void announce(java.io.PrintWriter err, int total, String units, String allDone) {
        int from = done();
        if (from >= total) {
            err.println(allDone);
        } else if (from > 0) {
            err.println("resuming after " + from + "/" + total + " " + units + " in " + partFile());
        }
    }

    /**
     * The notice of a job that Ctrl-C (or SIGTERM, SIGHUP) stopped between batches: where its rows are and how to
     * continue (without the --overwrite that started it, which --resume refuses); for a new output that got no row,
     * which {@link #close()} leaves nothing of, that nothing was written.
     *
     * @param err where the line goes
     * @param done rows written
     * @param total the rows the job writes in all
     * @param units what a row is for, e.g. "prompts"
     * @param rows what the rows are, e.g. "rows"
     */
    void interrupted(java.io.PrintWriter err, int done, int total, String units, String rows) {
        err.println(interruptedNotice(done, total, units, rows, partFile(),
                !resumed && (writer == null || writer.rows() == 0), overwrite));
    }

    /**
     * {@link #interrupted}'s line. An interrupt before the first batch was written said that the rows so far were in
     * {@code NAME.part}, which did not exist (seen: {@code evaluate} stopped after 0/9600 episodes, its {@code --out}
     * not even created) and told to add {@code --resume}, which finds no output to continue.
     *
     * @param done rows written
     * @param total the rows the job writes in all
     * @param units what a row is for, e.g. "prompts"
     * @param rows what the rows are, e.g. "rows"
     * @param part the file that holds the rows so far
     * @param nothingKept whether no row is kept (a new output that got none)
     * @param overwrite whether the job was started with --overwrite
     * @return the line
     */
    static String interruptedNotice(int done, int total, String units, String rows, Path part, boolean nothingKept,
            boolean overwrite) {
        if (nothingKept) {
            return "qdecode: interrupted after 0/" + total + " " + units + ", before the first batch was written; "
                    + "nothing was written (run the same command again)";
        }
        return "qdecode: interrupted after " + done + "/" + total + " " + units + "; the " + rows + " so far "
                + "are in " + part + " (continue with the same command plus --resume"
                + (overwrite ? ", without --overwrite)" : ")");
    }

    /** The writer, opened at the first row: a resumed file is cut after its kept rows, a new one started. */
    private RecordWriter writer() {
        if (writer == null) {
            if (!run.containsKey("resolved")) {
                throw new IllegalStateException("bind() first");
            }
            writer = resumed ? RecordWriter.resume(target, columns, part) : RecordWriter.openResumable(target, columns);
            writeRun();
        }
        return writer;
    }

    /**
     * Refuses rows of the interrupted run that are not for this job's first inputs, in order (a
     * {@code .part} file that does not belong with its record): more rows than inputs, or a row whose
     * first columns differ from its input's.
     *
     * @param keys per input, the values its row starts with (e.g. the prompt's id and text)
     * @param units what an input is, e.g. "prompts"
     * @throws CliException (usage) naming the file and the first row that does not fit
     */
    void checkDoneRows(List<List<String>> keys, String units) {
        List<List<String>> rows = doneRows();
        if (rows.size() > keys.size()) {
            throw new CliException("--resume: " + partFile() + " holds " + rows.size() + " rows, more than the "
                    + keys.size() + " " + units + " (expected the " + units + " that started it)", ExitCodes.USAGE);
        }
        for (int i = 0; i < rows.size(); i++) {
            List<String> key = keys.get(i);
            for (int c = 0; c < key.size(); c++) {
                if (!rows.get(i).get(c).equals(key.get(c))) {
                    throw new CliException("--resume: " + partFile() + ": row " + (i + 1) + " has " + columns.get(c)
                            + " " + Datasets.quote(rows.get(i).get(c)) + ", but input " + (i + 1) + " of " + inputSource
                            + " has " + Datasets.quote(key.get(c)) + " (expected the " + units + " that started it; "
                            + "or --overwrite to start again)", ExitCodes.USAGE);
                }
            }
        }
    }

    /**
     * Rows already in the file from the interrupted run (none for a new one).
     *
     * @return the count
     */
    int done() {
        return part.rows().size();
    }

    /**
     * The rows already in the file, each as its field values, so a caller can check they belong to
     * its input.
     *
     * @return the rows
     */
    List<List<String>> doneRows() {
        return part.rows();
    }

    /**
     * Writes one row.
     *
     * @param values one value per column
     */
    void write(Object... values) {
        writer().write(values);
    }

    /** Makes the rows so far durable in {@code NAME.part}: called after each batch. */
    void flush() {
        writer().flush();
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
        RecordWriter writer = writer();
        int rows = writer.rows();
        run.put("rows", rows);
        run.put("finished", Instant.now().toString());
        run.put("seconds_last_session", Math.round((System.nanoTime() - startNanos) / 1e7) / 100.0);
        writeRun();
        writer.commit();
        try {
            Files.move(partRunFile, runFile(target), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(target);
        } catch (IOException e) {
            throw new CliException(runFile(target) + ": cannot write (" + e.getMessage() + ")");
        }
        finished = true;
        return rows;
    }

    /**
     * Closes; unless {@link #finish()} ran, the rows stay in {@code NAME.part} for a resume. A new output
     * that got no row (a failure or Ctrl-C before the first batch ended) leaves nothing behind.
     */
    @Override
    public void close() {
        try {
            if (writer != null) {
                writer.close();
                if (!finished && !resumed && writer.rows() == 0) {
                    Files.deleteIfExists(partFile());
                    Files.deleteIfExists(partRunFile);
                }
            }
        } catch (IOException e) {
            throw new CliException(partRunFile + ": cannot remove (" + e.getMessage() + ")");
        } finally {
            lock.close();
        }
    }

    private void writeRun() {
        // an option not given that took no value (e.g. --policy of a base model's generation) is left out
        ((Map<?, ?>) run.get("options")).values().removeIf(Objects::isNull);
        Path tmp = partRunFile.resolveSibling(partRunFile.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, GSON.toJson(run) + "\n", StandardCharsets.UTF_8);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, partRunFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(partRunFile);
        } catch (IOException e) {
            throw new CliException(partRunFile + ": cannot write (" + e.getMessage() + ")");
        }
    }

    /**
     * Makes renames in a file's directory durable (Linux lets a directory be opened and synced; where
     * that is not possible, the rename is as durable as the platform makes it).
     */
    private static void syncDirectory(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir,
                java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here: nothing more can be done
        }
    }

    /** A record file's content (an empty map for an empty file). */
    private static Map<String, Object> parseRecord(Path f) throws IOException {
        Map<String, Object> m = GSON.fromJson(Files.readString(f, StandardCharsets.UTF_8),
                new TypeToken<LinkedHashMap<String, Object>>() {}.getType());
        return m == null ? Map.of() : m;
    }

    /** A record file's content, or an empty map when it cannot be read. */
    private static Map<String, Object> readRecord(Path f) {
        try {
            return parseRecord(f);
        } catch (IOException | JsonParseException e) {
            return Map.of();
        }
    }

    private static Map<String, Object> readRun(Path target) {
        Path f = partRunFile(target);
        try {
            Map<String, Object> m = parseRecord(f);
            if (!(m.get("settings") instanceof Map)) {
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

    /**
     * The option behind a resolved decoding setting of the policy, by its key in the record: a refusal names the
     * option the user gives ({@code --q-weight 0.5 (the run's: 1.0)}), not the record's key
     * ({@code policy_q_weight}), which the record keeps.
     */
    private static final Map<String, String> RESOLVED_OPTIONS = Map.of("policy_q_weight", "--q-weight",
            "policy_head", "--head", "policy_mode", "--mode", "prompt_format", "--prompt-format");

    /**
     * The refusal's part for a model or policy whose files differ from the interrupted run's: the option and the
     * path it loaded from with the run's ({@code --model DIR (the run's: DIR)}), the {@code --ensemble} runs where
     * only those differ, or, where both name the same path, which of its files changed since ({@code --model DIR: model.safetensors changed since the run (sha256 X, the
     * run's: Y)}).
     *
     * @param option {@code --model} or {@code --policy}
     * @param loadedKey the key under the record's {@code loaded} that holds the path used, or null to read the
     *     option's recorded value
     * @param was the interrupted run's record
     * @param now this command's record
     * @param then the run's sha256 (a map of file name to sha256, or a list)
     * @param v this command's sha256, of the same shape
     */
    private static String otherFiles(String option, String loadedKey, Map<String, Object> was, Map<String, Object> now,
            Object then, Object v) {
        Object pathThen = loadedKey != null && was.get("loaded") instanceof Map<?, ?> l ? l.get(loadedKey)
                : given(was, option);
        Object pathNow = loadedKey != null && now.get("loaded") instanceof Map<?, ?> l ? l.get(loadedKey)
                : given(now, option);
        String shownNow = shown(pathNow);
        if (!(pathThen instanceof String a && pathNow instanceof String b && Datasets.sameFile(Path.of(a), Path.of(b)))) {
            return option + " " + shownNow + " (the run's: " + shown(pathThen) + ")";
        }
        if ("--policy".equals(option) && !Objects.equals(given(was, "--ensemble"), given(now, "--ensemble"))) {
            // the same --policy with other --ensemble runs
            return "--ensemble " + shown(given(now, "--ensemble")) + " (the run's: " + shown(given(was, "--ensemble"))
                    + ")";
        }
        List<String> changed = new ArrayList<>();
        if (then instanceof Map<?, ?> tm && v instanceof Map<?, ?> vm) {
            for (String f : differingKeys(tm, vm)) {
                changed.add(f + " (sha256 " + shown(vm.get(f)) + ", the run's: " + shown(tm.get(f)) + ")");
            }
        } else {
            changed.add("its checkpoint (sha256 " + shown(v) + ", the run's: " + shown(then) + ")");
        }
        return option + " " + shownNow + ": " + String.join(", ", changed) + " changed since the run";
    }

    /** Names every value under {@code key} that differs from the interrupted run's, as train and sft resumes do. */
    private static void checkSame(Path target, String key, Map<String, Object> was, Map<String, Object> now) {
        Object b = was.get(key);
        Map<?, ?> before = b instanceof Map<?, ?> m ? m : Map.of();
        @SuppressWarnings("unchecked")
        Map<String, Object> after = (Map<String, Object>) now.get(key);
        List<String> diffs = new ArrayList<>();
        if ("settings".equals(key)) {
            // a --policy given or left out changes settings' defaults (generate's --top-k is 0 with a policy): name
            // it first, or the refusal would name only a default the user never gave. Only whether a policy decodes is
            // compared here: which one (its checkpoints' sha256, so a run moved elsewhere still resumes) is compared
            // once it is loaded.
            Object then = given(was, "--policy");
            Object v = given(now, "--policy");
            if ((then == null) != (v == null)) {
                diffs.add("--policy " + shown(v) + " (the run's: " + shown(then) + ")");
            }
            // likewise --mode, which decides whether the sampling settings are read at all (q-greedy reads none)
            Object modeThen = given(was, "--mode");
            Object modeNow = given(now, "--mode");
            if (modeThen != null && modeNow != null && !modeThen.equals(modeNow)) {
                diffs.add("--mode " + modeNow + " (the run's: " + modeThen + ")");
            }
        }
        Set<Object> keys = new java.util.LinkedHashSet<>(after.keySet());
        keys.addAll(before.keySet()); // a value the run had and this command lacks differs too
        if ("resolved".equals(key)) {
            // the model's and the policy's files: name the option that loads them, not the record's key
            for (String[] loaded : List.of(new String[] {"model_files_sha256", "--model", "model_dir"},
                    new String[] {"policy_checkpoints_sha256", "--policy", null})) {
                Object then = before.get(loaded[0]);
                Object v = after.get(loaded[0]);
                if (then != null && v != null && !Objects.equals(then, v)) {
                    String named = otherFiles(loaded[1], loaded[2], was, now, then, v);
                    diffs.add(named);
                    keys.remove(loaded[0]);
                    if (named.contains(" (the run's: ") && "--model".equals(loaded[1])) {
                        // another model detects its own prompt format: --model is what to change, not a format
                        // the user may never have given
                        keys.remove("prompt_format");
                    }
                }
            }
        }
        for (Object k : keys) {
            Object then = before.get(k);
            Object v = after.get(k);
            if (then instanceof Map<?, ?> tm && v instanceof Map<?, ?> vm) {
                // e.g. the model's files: name each file that differs, not the whole table
                for (String f : differingKeys(tm, vm)) {
                    diffs.add(k + " " + f + " " + shown(vm.get(f)) + " (the run's: " + shown(tm.get(f)) + ")");
                }
            } else if (!Objects.equals(then, v)) {
                String name = "resolved".equals(key) ? RESOLVED_OPTIONS.getOrDefault(String.valueOf(k), String.valueOf(k))
                        : String.valueOf(k);
                diffs.add(name + " " + shown(name, v) + " (the run's: " + shown(name, then) + ")");
            }
        }
        if (!diffs.isEmpty()) {
            throw refusal(target, diffs);
        }
    }

    /** An option's value as a record holds it under {@code options}, or null where it took none. */
    private static Object given(Map<String, Object> record, String option) {
        return record.get("options") instanceof Map<?, ?> o ? o.get(option) : null;
    }

    private static CliException refusal(Path target, List<String> diffs) {
        return new CliException("--resume: " + target + " was started with other settings: " + String.join(", ", diffs)
                + " (expected the command that started it, plus --resume; or --overwrite to start again)",
                ExitCodes.USAGE);
    }

    /** A setting's value in a message: a setting this command or the run does not have is "unset". */
    private static String shown(Object v) {
        return v == null ? "unset" : String.valueOf(v);
    }

    /**
     * An option's value in a message: the reward specs of {@code --reward} as every command shows a combined
     * reward ({@link Rewards#sumText}, e.g. {@code vader + 0.1*length:min=3}), other values as {@link #shown(Object)}.
     */
    private static String shown(String option, Object v) {
        if ("--reward".equals(option) && v instanceof List<?> l && !l.isEmpty()) {
            return Rewards.sumText(l.stream().map(String::valueOf).toList());
        }
        if ("--mode".equals(option) && v instanceof String mode) { // the record's GUIDED as the option spells it
            return mode.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return shown(v);
    }

    private static String count(Object n) {
        return n instanceof Number x ? Long.toString(x.longValue()) : String.valueOf(n);
    }

    /**
     * The value as given (or its default) of every option this use reads, by its longest name: provenance,
     * not compared (so a record that an earlier version wrote with every option still resumes).
     */
    private static Map<String, Object> options(CommandSpec spec, Collection<String> unread) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (!NOT_SETTINGS.contains(o.longestName()) && !o.usageHelp() && !o.versionHelp()
                    && !unread.contains(o.longestName())) {
                m.put(o.longestName(), value(o.getValue()));
            }
        }
        return m;
    }

    /**
     * A value as the record holds it: null, a string, or a list of strings.
     *
     * @param v an option's value
     * @return the recorded form (paths absolute and normalised)
     */
    static Object value(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Path p) {
            return p.toAbsolutePath().normalize().toString();
        }
        if (v instanceof Collection<?> c) {
            List<Object> r = new ArrayList<>();
            c.forEach(x -> r.add(value(x)));
            return r;
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

    /**
     * What the model and policy options resolved to, compared on a resume: the sha256 of every file of the
     * model directory (weights, shards, config, tokenizer), the prompt format, and the policy's checkpoints
     * and decoding settings. The model directory's path is only recorded (the same files under another
     * path are the same model).
     *
     * @param m the loaded model
     * @param p the policy, or null for the base model
     * @return the facts for {@link #bind}
     */
    private static Map<String, Object> resolved(ModelOptions.Loaded m, DqnPolicy p) {
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        r.put("model_files_sha256", fileHashes(m.dir()));
        r.put("prompt_format", m.format().toSpec());
        if (p != null) {
            List<String> heads = new java.util.ArrayList<>();
            for (Path f : p.sources()) {
                heads.add(dev.qdecode.data.Datasets.sha256(f));
            }
            r.put("policy_checkpoints_sha256", heads);
            r.put("policy_mode", p.mode().name());
            r.put("policy_head", p.decoding().headName());
            r.put("policy_q_weight", Double.toString(p.decoding().qWeight()));
        }
        return r;
    }

    /** sha256 of each file a model is loaded from, by name ({@link dev.qdecode.models.ModelFiles}). */
    private static Map<String, Object> fileHashes(Path dir) {
        return new java.util.TreeMap<>(dev.qdecode.models.ModelFiles.sha256(dir));
    }

    /**
     * The keys, in sorted order, whose values differ between two recorded tables (e.g. a model's files and their
     * sha256), a key missing from one of them included.
     */
    private static List<String> differingKeys(Map<?, ?> was, Map<?, ?> now) {
        Set<String> names = new java.util.TreeSet<>();
        now.keySet().forEach(x -> names.add(String.valueOf(x)));
        was.keySet().forEach(x -> names.add(String.valueOf(x)));
        return names.stream().filter(f -> !Objects.equals(was.get(f), now.get(f))).toList();
    }
}
