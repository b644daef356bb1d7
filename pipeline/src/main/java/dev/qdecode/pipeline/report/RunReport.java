package dev.qdecode.pipeline.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The report of a training run: PNG charts of its {@code metrics.jsonl} (one per metric group; the
 * base model from {@code summary.json} as dashed lines; compared runs overlaid) and a self-contained
 * {@code report.html} (charts inlined, summary base vs trained or a classification run's accuracies,
 * examples, config and provenance), with a {@value #RECORD} that names the run and these files. A run
 * without {@code summary.json} (interrupted, or still training) is reported as unfinished, with the
 * config, provenance and progress of its {@code checkpoint.qdq} and the command that continues it.
 * Rendering is headless ({@code java.awt.headless=true} unless set otherwise).
 */
public final class RunReport {

    /** The report's subdirectory of a run directory, by default. */
    public static final String DIR = "report";
    /** The report page's file name. */
    public static final String HTML = "report.html";
    /**
     * The file in a report's directory that records which run the report is of (its directory's real
     * path) and the files the report wrote there, so that a later report knows its own: which
     * directory it may rewrite, and which charts of the earlier report to remove.
     */
    public static final String RECORD = "report-run.json";

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private RunReport() {}

    /**
     * Where the report of a run goes by default.
     *
     * @param runDir the run directory
     * @return {@code runDir/report}
     * @throws NullPointerException naming {@code runDir} when it is null
     */
    public static Path defaultOutDir(Path runDir) {
        Objects.requireNonNull(runDir, "runDir");
        return runDir.resolve(DIR);
    }

    /**
     * Writes the report of a run.
     *
     * @param runDir the run directory (with {@code metrics.jsonl}; {@code summary.json} is optional)
     * @param compare run directories to overlay in the charts and compare in a table (may be empty)
     * @param outDir the directory to write to (created when missing)
     * @return the written files: {@code report.html} first, then one PNG per chart
     * @throws IllegalArgumentException (one line naming the file and line) when a directory is not a run
     *     directory or a file is malformed, or when a run's {@code metrics.jsonl} holds no metric to chart and the
     *     run has neither {@code summary.json} nor {@code checkpoint.qdq} (its report would be empty)
     * @throws UncheckedIOException when a file cannot be read or written
     * @throws NullPointerException naming {@code runDir}, {@code compare} or {@code outDir} when it is null
     */
    public static List<Path> write(Path runDir, List<Path> compare, Path outDir) {
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(compare, "compare");
        return write(runDir, compare, outDir, warning -> { });
    }

    /**
     * Writes the report of a run compared with others. Runs of different tasks, or of different kinds
     * (curves over episodes and over steps), are refused before anything is written: their charts
     * would overlay unrelated curves. Runs of one task on different models or with different rewards
     * are compared, with a warning. Charts that an earlier report in {@code outDir} recorded and this one
     * does not draw are removed, and {@value #RECORD} is written last.
     *
     * @param runDir the run directory (with {@code metrics.jsonl}; {@code summary.json} is optional)
     * @param compare run directories to overlay in the charts and compare in a table (may be empty)
     * @param outDir the directory to write to (created when missing)
     * @param warnings receives one line per difference worth knowing between compared runs, one per
     *     unfinished run whose {@code checkpoint.qdq} cannot be read (its settings and progress are then missing),
     *     and one per run whose {@code metrics.jsonl} holds no metric to chart but that has a {@code summary.json}
     *     or {@code checkpoint.qdq} to show
     * @return the written files: {@code report.html} first, then one PNG per chart
     * @throws IncomparableRunsException when a compared run is of another task or kind than the first
     * @throws IllegalArgumentException (one line naming the file and line) when a directory is not a run
     *     directory or a file is malformed, or when a run's {@code metrics.jsonl} holds no metric to chart and the
     *     run has neither {@code summary.json} nor {@code checkpoint.qdq} (its report would be empty)
     * @throws UncheckedIOException when a file cannot be read or written
     * @throws NullPointerException naming {@code runDir}, {@code compare}, {@code outDir} or {@code warnings} when it
     *     is null
     */
    public static List<Path> write(Path runDir, List<Path> compare, Path outDir, Consumer<String> warnings) {
        Objects.requireNonNull(outDir, "outDir");
        Objects.requireNonNull(warnings, "warnings");
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(compare, "compare");
        List<Path> dirs = new ArrayList<>();
        dirs.add(runDir);
        dirs.addAll(compare);
        List<String> names = names(dirs);
        List<RunData> runs = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            runs.add(RunData.read(dirs.get(i), names.get(i)));
        }
        for (RunData r : runs) { // said in the page too, but a report that lacks the settings should say so here
            if (r.checkpoint() != null && r.checkpoint().error() != null) {
                String file = r.dir().resolve(RunData.CHECKPOINT).toString();
                String error = r.checkpoint().error();
                warnings.accept((error.contains(file) ? error : file + ": " + error) + ": could not be read, so the "
                        + "report of unfinished run " + r.name() + " has no settings, provenance or progress (expected "
                        + "the checkpoint that qdecode train writes; summary.json has them once a run ends)");
            }
            if (r.sft() != null && r.sft().error() != null) {
                warnings.accept(r.sft().error() + ": could not be read, so the report of sft run " + r.name()
                        + " has no settings or provenance (expected the " + RunData.SFT_PROVENANCE + " that qdecode sft "
                        + "writes)");
            }
        }
        for (RunData r : runs) {
            String nothing = noMetrics(r);
            if (nothing == null) {
                continue;
            }
            if (r.summary() == null && r.checkpoint() == null) { // a report of nothing: refused, nothing written
                throw new IllegalArgumentException(nothing + "; no summary.json or checkpoint.qdq either, so the "
                        + "report would be empty)");
            }
            warnings.accept(nothing + "; the report of " + r.name() + " shows only its " + (r.summary() != null
                    ? RunData.SUMMARY : RunData.CHECKPOINT + " (an unfinished run)") + ")");
        }
        checkComparable(runs, warnings);
        List<Charts.Chart> charts = Charts.render(runs);
        List<Path> written = new ArrayList<>();
        Path html = outDir.resolve(HTML);
        written.add(html);
        try {
            Files.createDirectories(outDir);
            List<String> earlier = recordedFiles(outDir);
            for (Charts.Chart c : charts) {
                Path png = outDir.resolve(c.id() + ".png");
                Files.write(png, c.png());
                written.add(png);
            }
            Files.writeString(html, Html.page(runs, charts), StandardCharsets.UTF_8);
            // charts of the earlier report that this one does not have would pass for this run's
            List<String> fileNames = written.stream().map(f -> f.getFileName().toString()).toList();
            for (String name : earlier) {
                if (!fileNames.contains(name)) {
                    Files.deleteIfExists(outDir.resolve(name));
                }
            }
            JsonObject record = new JsonObject();
            record.addProperty("run", runDir.toRealPath().toString());
            JsonArray files = new JsonArray();
            fileNames.forEach(files::add);
            record.add("files", files);
            Files.writeString(outDir.resolve(RECORD), record + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + outDir, e);
        }
        return List.copyOf(written);
    }

    /**
     * Why a run's metrics give no chart, when its {@code metrics.jsonl} has lines but not one numeric field that
     * the report charts (only bookkeeping such as {@code episode}, or nothing: {@code {}}), e.g. {@code
     * runs/x/metrics.jsonl: no metric on any of its 3 lines (expected numeric fields such as mean_reward, kl or
     * train_loss, as qdecode train and qdecode sft write}, left open for the caller to end; null when it has a
     * metric, or no lines (an unfinished run stopped before its first evaluation, reported from its checkpoint).
     */
    private static String noMetrics(RunData run) {
        if (run.rows().isEmpty() || !Charts.specs(List.of(run)).isEmpty()) {
            return null;
        }
        int lines = run.rows().size();
        return run.dir().resolve(RunData.METRICS) + ": no metric on " + (lines == 1 ? "its one line" : "any of its "
                + lines + " lines") + " (expected numeric fields such as mean_reward, kl or train_loss, as qdecode "
                + "train and qdecode sft write";
    }

    /**
     * The run whose report a directory holds, as {@link #write} recorded it.
     *
     * @param outDir a report's directory
     * @return the run directory's real path, or null when {@code outDir} holds no (readable) record
     * @throws NullPointerException naming {@code outDir} when it is null
     */
    public static String runOf(Path outDir) {
        Objects.requireNonNull(outDir, "outDir");
        JsonObject record = record(outDir);
        JsonElement run = record == null ? null : record.get("run");
        return run != null && run.isJsonPrimitive() ? run.getAsString() : null;
    }

    /**
     * Whether a directory holds a report of this run (as {@link #write} recorded it).
     *
     * @param outDir a directory
     * @param runDir a run directory
     * @return true when {@code outDir}'s record names {@code runDir} (links resolved)
     * @throws NullPointerException naming {@code outDir} or {@code runDir} when it is null
     */
    public static boolean isReportOf(Path outDir, Path runDir) {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(outDir, "outDir");
        String recorded = runOf(outDir);
        try {
            return recorded != null && recorded.equals(runDir.toRealPath().toString());
        } catch (IOException e) {
            return false;
        }
    }

    /** The record in {@code outDir}, or null when there is none or it is not the JSON {@link #write} writes. */
    private static JsonObject record(Path outDir) {
        Path file = outDir.resolve(RECORD);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            return e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The plain file names an earlier report recorded writing in {@code outDir} (none without a record). */
    private static List<String> recordedFiles(Path outDir) {
        JsonObject record = record(outDir);
        List<String> names = new ArrayList<>();
        if (record != null && record.get("files") instanceof JsonArray files) {
            for (JsonElement f : files) {
                String name = f.isJsonPrimitive() ? f.getAsString() : "";
                // only names this class writes (no path, no hidden file): a record cannot point elsewhere
                if (name.matches("[A-Za-z0-9_-]+\\.(png|html)")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /**
     * Refuses runs that cannot share charts (another task, curves over another axis) and warns about
     * runs that can but differ in model or reward.
     */
    static void checkComparable(List<RunData> runs, Consumer<String> warnings) {
        RunData first = runs.get(0);
        for (RunData r : runs.subList(1, runs.size())) {
            if (!Objects.equals(first.xKey(), r.xKey())) {
                throw new IncomparableRunsException("--compare " + r.dir() + ": its metrics are over " + axis(r)
                        + " but " + first.dir() + "'s are over " + axis(first) + " (expected runs of the same kind: "
                        + "their curves cannot share charts)");
            }
            if (first.task() != null && r.task() != null && !first.task().equals(r.task())) {
                throw new IncomparableRunsException("--compare " + r.dir() + ": a " + r.task() + " run, but "
                        + first.dir() + " is a " + first.task() + " run (expected runs of the same task: their "
                        + "rewards and metrics are not comparable)");
            }
        }
        List<String> unknown = runs.stream().filter(r -> r.task() == null).map(RunData::name).toList();
        if (!unknown.isEmpty() && unknown.size() < runs.size()) {
            warnings.accept("the task of " + String.join(", ", unknown) + " is not recorded (no summary.json or "
                    + "checkpoint.qdq with provenance yet), so it is compared without checking that it is the same");
        }
        // The weights' hashes where every run has one, else the model directories' names.
        boolean hashed = runs.stream().allMatch(r -> r.provenance("model_sha256") != null);
        warnIfDifferent(runs, "models", r -> hashed ? r.provenance("model_sha256") : dirName(r.provenance("model_dir")),
                RunReport::modelName, warnings);
        warnIfDifferent(runs, "rewards", r -> r.provenance("reward"), r -> RunData.rewardText(r.provenance("reward")),
                warnings);
    }

    /** One warning line when runs that record {@code identity} do not all have the same one. */
    private static void warnIfDifferent(List<RunData> runs, String what, Function<RunData, String> identity,
            Function<RunData, String> display, Consumer<String> warnings) {
        if (runs.stream().map(identity).filter(Objects::nonNull).distinct().count() > 1) {
            List<String> each = new ArrayList<>();
            for (RunData r : runs) {
                String shown = display.apply(r);
                each.add(r.name() + ": " + (shown == null ? "not recorded" : shown));
            }
            warnings.accept("the compared runs use different " + what + " (" + String.join("; ", each)
                    + "); their curves are overlaid as they are");
        }
    }

    /** The model's directory name, with the start of its weights' hash when recorded. */
    private static String modelName(RunData r) {
        String dir = r.provenance("model_dir");
        String sha = r.provenance("model_sha256");
        if (dir == null) {
            return sha == null ? null : "sha256 " + sha.substring(0, Math.min(12, sha.length()));
        }
        String name = dirName(dir);
        return sha == null ? name : name + " sha256 " + sha.substring(0, Math.min(12, sha.length()));
    }

    private static String dirName(String dir) {
        return dir == null ? null : dir.substring(Math.max(dir.lastIndexOf('/'), dir.lastIndexOf('\\')) + 1);
    }

    private static String axis(RunData r) {
        return r.xKey() != null ? r.xKey() + "s" : "evaluations (no episode or step field)";
    }

    /**
     * Runs that cannot be compared in one report: another task, or curves over another axis. A usage
     * error of {@code --compare} rather than a malformed file.
     */
    public static final class IncomparableRunsException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /**
         * Creates the exception.
         *
         * @param message one line naming the runs and what differs
         */
        public IncomparableRunsException(String message) {
            super(message);
        }
    }

    /** Display names: directory names, with the parent added (and then a counter) where two clash. */
    static List<String> names(List<Path> dirs) {
        List<String> names = new ArrayList<>();
        for (Path d : dirs) {
            Path abs = d.toAbsolutePath().normalize();
            names.add(abs.getFileName() == null ? abs.toString() : abs.getFileName().toString());
        }
        Map<String, Integer> count = new HashMap<>();
        names.forEach(n -> count.merge(n, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < dirs.size(); i++) {
            String n = names.get(i);
            if (count.get(n) > 1) {
                Path parent = dirs.get(i).toAbsolutePath().normalize().getParent();
                n = (parent != null && parent.getFileName() != null ? parent.getFileName() + "/" : "") + n;
            }
            int k = seen.merge(n, 1, Integer::sum);
            out.add(k == 1 ? n : n + " #" + k);
        }
        return out;
    }
}
