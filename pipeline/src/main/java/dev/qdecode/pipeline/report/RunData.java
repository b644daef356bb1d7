package dev.qdecode.pipeline.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.rewards.Rewards;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One run directory as read for the report: every line of {@code metrics.jsonl} (numeric fields
 * only, all optional) and {@code summary.json} when it exists.
 *
 * @param name the run's display name (its directory name, made unique among compared runs)
 * @param dir the run directory
 * @param xKey the training-progress field the curves are drawn over ({@code episode}, {@code step}),
 *     or {@code null} when the lines have neither and the line index is used
 * @param rows the lines of {@code metrics.jsonl}, in file order
 * @param summary the parsed {@code summary.json}, or {@code null} when the run has none (yet)
 * @param checkpoint what the checkpoint of a run without {@code summary.json} records (an unfinished
 *     run: interrupted, or still training), or {@code null} when the run has a summary or no checkpoint
 * @param sft what the {@code sft-provenance.json} of a {@code qdecode sft} run records, or {@code null} when the
 *     run has a summary, a checkpoint or no such file
 */
record RunData(String name, Path dir, String xKey, List<Row> rows, JsonObject summary, Recorded checkpoint,
        SftRecord sft) {

    /** The metrics file of a run directory. */
    static final String METRICS = "metrics.jsonl";
    /** The summary file of a run directory. */
    static final String SUMMARY = "summary.json";
    /** The checkpoint file of a run directory (a DQN run's; {@code qdecode train --resume} continues from it). */
    static final String CHECKPOINT = "checkpoint.qdq";
    /** What a report reads, said by the errors for a directory that is not a run: the "expected" part. */
    static final String EXPECTED_RUN = "expected the output directory of qdecode train or qdecode sft, which holds "
            + METRICS;
    /** The provenance file of a {@code qdecode sft} run directory. */
    static final String SFT_PROVENANCE = SftTrainer.PROVENANCE;

    /**
     * The settings and progress recorded in the checkpoint of an unfinished run, read from its header
     * alone ({@link DqnTrainer#checkpointHeader}).
     *
     * @param episodesDone episodes trained so far
     * @param episodesTotal episodes the run was started for
     * @param config the run's DQN config
     * @param provenance where the run came from (model, data, reward, seed, version, task)
     * @param error why the checkpoint could not be read (one line), or {@code null}; the other
     *     components are then 0 and empty
     */
    record Recorded(long episodesDone, long episodesTotal, JsonObject config, JsonObject provenance, String error) {

        /** Keys of {@link DqnTrainer#checkpointInfo} that are not provenance. */
        private static final List<String> DERIVED = List.of("episodes_done", "episodes_total", "max_new_tokens", "config");

        /** The checkpoint of {@code dir}, or {@code null} when it has none. */
        static Recorded read(Path dir) {
            if (!Files.isRegularFile(dir.resolve(CHECKPOINT))) {
                return null;
            }
            try {
                Map<String, String> info = DqnTrainer.checkpointHeader(dir);
                JsonObject provenance = new JsonObject();
                new TreeMap<>(info).forEach((k, v) -> { // in key order, as summary.json has it
                    if (!DERIVED.contains(k)) {
                        provenance.addProperty(k, v);
                    }
                });
                return new Recorded(Long.parseLong(info.get("episodes_done")), Long.parseLong(info.get("episodes_total")),
                        JsonParser.parseString(info.get("config")).getAsJsonObject(), provenance, null);
            } catch (IllegalArgumentException | IllegalStateException | JsonParseException | UncheckedIOException e) {
                String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return new Recorded(0, 0, new JsonObject(), new JsonObject(), m.lines().findFirst().orElse(m));
            }
        }
    }

    /**
     * The {@code sft-provenance.json} of a {@code qdecode sft} run: its options, data hashes, seed and versions.
     *
     * @param json the parsed file (empty when it could not be read)
     * @param error why it could not be read (one line), or {@code null}
     */
    record SftRecord(JsonObject json, String error) {

        /** The provenance of {@code dir}, or {@code null} when it has none. */
        static SftRecord read(Path dir) {
            Path file = dir.resolve(SFT_PROVENANCE);
            if (!Files.isRegularFile(file)) {
                return null;
            }
            try {
                JsonObject s = parseObject(readUtf8(file), file.toString(), false);
                if (s.has("config") && !s.get("config").isJsonObject()) {
                    throw new IllegalArgumentException(file + ": config: expected a JSON object (the sft options) but "
                            + "got " + abbreviate(s.get("config")));
                }
                return new SftRecord(s, null);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                return new SftRecord(new JsonObject(), e.getMessage());
            }
        }
    }

    /**
     * One line of {@code metrics.jsonl}.
     *
     * @param line 1-based line number
     * @param x training progress (the {@code xKey} field, or the evaluation index)
     * @param policy the {@code policy} field, or {@code ""}
     * @param values every numeric field (non-finite values kept as they are)
     * @param examples the {@code examples} strings, or empty
     */
    record Row(int line, double x, String policy, Map<String, Double> values, List<String> examples) {
        Row {
            values = Map.copyOf(values);
            examples = List.copyOf(examples);
        }
    }

    RunData {
        rows = List.copyOf(rows);
    }

    /**
     * Reads a run directory: its {@code metrics.jsonl}, or, for a DQN run stopped before its first evaluation
     * was logged, only its {@code checkpoint.qdq} (no rows: an unfinished run without charts).
     *
     * @param dir the run directory
     * @param name the display name
     * @return the run
     * @throws IllegalArgumentException (one line) when it is not a run directory or a file is malformed
     * @throws UncheckedIOException when a file cannot be read
     */
    static RunData read(Path dir, String name) {
        if (Files.isRegularFile(dir)) {
            Path parent = dir.toAbsolutePath().normalize().getParent();
            throw new IllegalArgumentException(dir + ": is a file, not a run directory (expected the directory that "
                    + "holds " + METRICS + (parent != null && dir.getFileName().toString().equals(METRICS)
                            ? ", here " + parent : "") + ")");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": not a run directory (no such directory; " + EXPECTED_RUN
                    + ")");
        }
        Path metrics = dir.resolve(METRICS);
        notAFile(metrics, "the run's evaluations, one JSON line each, as qdecode train writes");
        notAFile(dir.resolve(SUMMARY), "the run's summary, a JSON object, as qdecode train writes");
        if (!Files.isRegularFile(metrics)) {
            if (Files.isRegularFile(dir.resolve(CHECKPOINT)) && !Files.exists(dir.resolve(SUMMARY))) {
                // stopped (or still training) before its first evaluation was logged: reported as unfinished
                return new RunData(name, dir, "episode", List.of(), null, Recorded.read(dir), null);
            }
            throw new IllegalArgumentException(dir + ": not a run directory (no " + METRICS + "; " + EXPECTED_RUN
                    + ")");
        }
        List<JsonObject> objects = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        List<String> text = new ArrayList<>(List.of(readUtf8(metrics).split("\\r?\\n", -1)));
        if (text.get(text.size() - 1).isEmpty()) {
            text.remove(text.size() - 1); // the newline that ends the last line
        }
        for (int i = 0; i < text.size(); i++) {
            String where = metrics + ":" + (i + 1);
            if (text.get(i).isBlank()) {
                throw new IllegalArgumentException(where + ": blank line (expected one JSON object per line, as "
                        + "qdecode train writes)");
            }
            objects.add(parseObject(text.get(i), where, true));
            lines.add(i + 1);
        }
        if (objects.isEmpty()) {
            throw new IllegalArgumentException(metrics + ": expected at least one JSON line (one per evaluation) but the file is empty");
        }
        String xKey = objects.get(0).has("episode") ? "episode" : objects.get(0).has("step") ? "step" : null;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            rows.add(row(objects.get(i), lines.get(i), i + 1, xKey, metrics + ":" + lines.get(i)));
        }
        JsonObject summary = readSummary(dir.resolve(SUMMARY));
        Recorded checkpoint = summary == null ? Recorded.read(dir) : null;
        SftRecord sft = summary == null && checkpoint == null ? SftRecord.read(dir) : null;
        return new RunData(name, dir, xKey, rows, summary, checkpoint, sft);
    }

    /**
     * Refuses a run file that exists but is not a file (a directory named {@code metrics.jsonl}), which would
     * otherwise read as a run without it.
     *
     * @param file the run's file
     * @param what what the file should hold, for the message
     * @throws IllegalArgumentException {@code DIR/metrics.jsonl: is a directory (expected a file: ...)}
     */
    private static void notAFile(Path file, String what) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": " + (Files.isDirectory(file) ? "is a directory" : "not a regular "
                    + "file") + " (expected a file: " + what + ")");
        }
    }

    /** The non-finite numbers as JSON writers spell them. */
    private static final Set<String> NON_FINITE = Set.of("NaN", "Infinity", "-Infinity");

    /**
     * A JSON value as the number it is: a JSON number, or NaN and ±Infinity, which the trainer writes unquoted and
     * the lenient parser reads as strings.
     *
     * @param v a value of a metrics line or a summary section
     * @return the number, or null when the value is not one
     */
    private static Double number(JsonElement v) {
        if (v instanceof JsonPrimitive p && p.isNumber()) {
            return p.getAsDouble();
        }
        if (v instanceof JsonPrimitive p && NON_FINITE.contains(p.getAsString())) {
            return Double.parseDouble(p.getAsString());
        }
        return null;
    }

    private static Row row(JsonObject o, int line, int index, String xKey, String where) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            Double v = number(e.getValue());
            if (v != null) {
                values.put(e.getKey(), v);
            } else if (e.getValue().isJsonNull() && !e.getKey().equals("examples")) {
                throw new IllegalArgumentException(where + ": " + e.getKey() + ": expected a number (or NaN/Infinity) "
                        + "but got null");
            } else if (Charts.isKnownMetric(e.getKey())) { // a charted metric as text: its point would vanish
                throw new IllegalArgumentException(where + ": " + e.getKey() + ": expected a number (or NaN/Infinity) "
                        + "but got " + abbreviate(e.getValue()));
            }
        }
        double x = index;
        if (xKey != null) {
            Double v = values.get(xKey);
            if (v == null || !Double.isFinite(v) || v < 0) {
                throw new IllegalArgumentException(where + ": expected a numeric '" + xKey + "' field >= 0 (as on the "
                        + "first line) but got " + (v != null ? fmtNumber(v) : o.has(xKey) ? abbreviate(o.get(xKey)) : "none"));
            }
            x = v;
        }
        String policy = "";
        if (o.has("policy")) {
            if (!(o.get("policy") instanceof JsonPrimitive p) || !p.isString()) {
                throw new IllegalArgumentException(where + ": policy: expected a string but got " + o.get("policy"));
            }
            policy = p.getAsString();
        }
        return new Row(line, x, policy, values, strings(o, "examples", where));
    }

    /** The string array {@code key} of an object (empty when absent). */
    static List<String> strings(JsonObject o, String key, String where) {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            return List.of();
        }
        if (!(o.get(key) instanceof JsonArray a)) {
            throw new IllegalArgumentException(where + ": " + key + ": expected an array of strings but got " + abbreviate(o.get(key)));
        }
        List<String> out = new ArrayList<>();
        for (JsonElement e : a) {
            if (!(e instanceof JsonPrimitive p) || !p.isString()) {
                throw new IllegalArgumentException(where + ": " + key + ": expected an array of strings but got an element "
                        + abbreviate(e));
            }
            out.add(p.getAsString());
        }
        return out;
    }

    private static JsonObject readSummary(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonObject s = parseObject(readUtf8(file), file.toString(), false);
        for (String k : List.of("base", "trained", "config", "provenance")) {
            if (s.has(k) && !s.get(k).isJsonObject()) {
                throw new IllegalArgumentException(file + ": " + k + ": expected a JSON object but got " + abbreviate(s.get(k)));
            }
        }
        for (String k : List.of("base", "trained")) {
            if (s.has(k)) {
                strings(s.getAsJsonObject(k), "examples", file + ": " + k);
                for (Map.Entry<String, JsonElement> e : s.getAsJsonObject(k).entrySet()) {
                    // a charted metric's base or trained value: a number, or its dashed line would vanish unsaid
                    if (Charts.isKnownMetric(e.getKey()) && number(e.getValue()) == null) {
                        throw new IllegalArgumentException(file + ": " + k + "." + e.getKey() + ": expected a number "
                                + "(or NaN/Infinity) but got " + abbreviate(e.getValue()));
                    }
                }
            }
        }
        return s;
    }

    /**
     * The text of a UTF-8 file; bytes that are not UTF-8 are refused naming the file and the line.
     *
     * @throws IllegalArgumentException {@code FILE:LINE: not valid UTF-8 text (...)}
     * @throws UncheckedIOException when the file cannot be read
     */
    static String readUtf8(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never gives more chars than bytes
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int line = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
            }
            throw new IllegalArgumentException(file + ":" + line + ": not valid UTF-8 text (expected the UTF-8 JSON "
                    + "that qdecode train writes)");
        }
        return out.flip().toString();
    }

    private static String fmtNumber(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Parses one JSON object (lenient only about NaN and Infinity, which the trainer may write). */
    private static JsonObject parseObject(String text, String where, boolean oneLine) {
        JsonElement e;
        try {
            JsonReader reader = new JsonReader(new StringReader(text));
            reader.setStrictness(Strictness.LENIENT);
            e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException(where + ": malformed JSON: expected one JSON object but found more after it");
            }
        } catch (JsonParseException | IOException ex) {
            String m = gsonMessage(ex);
            throw new IllegalArgumentException(where + ": malformed JSON: " + (oneLine ? m.replace(" at line 1 column ", " at column ") : m));
        }
        if (!e.isJsonObject()) {
            throw new IllegalArgumentException(where + ": expected a JSON object but got " + abbreviate(e));
        }
        return e.getAsJsonObject();
    }

    /** Gson's own message without the exception class name and the troubleshooting link. */
    private static String gsonMessage(Exception ex) {
        Throwable t = ex.getCause() != null && ex.getCause().getMessage() != null ? ex.getCause() : ex;
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int see = m.indexOf("\nSee ");
        if (see >= 0) {
            m = m.substring(0, see);
        }
        int colon = m.indexOf("Exception: ");
        if (colon >= 0) {
            m = m.substring(colon + "Exception: ".length());
        }
        return m.strip();
    }

    private static String abbreviate(JsonElement e) {
        String s = String.valueOf(e);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /**
     * The numeric fields of the metrics lines, in order of first appearance.
     *
     * @return field names
     */
    Set<String> numericFields() {
        Set<String> out = new LinkedHashSet<>();
        rows.forEach(r -> out.addAll(r.values().keySet()));
        return out;
    }

    /**
     * The distinct {@code policy} values of the lines, in order of first appearance.
     *
     * @return policies ({@code ""} for lines without one)
     */
    List<String> policies() {
        Set<String> out = new LinkedHashSet<>();
        rows.forEach(r -> out.add(r.policy()));
        return List.copyOf(out);
    }

    /**
     * A recorded reward as the report shows it: the JSON array of specs that train records, as every command
     * shows a combined reward ({@link Rewards#sumText}, e.g. {@code vader + 0.1*length:min=3}); any other
     * value as it is.
     *
     * @param recorded the {@code reward} value of a run's provenance, or null
     * @return the text, or null when {@code recorded} is null
     */
    static String rewardText(String recorded) {
        if (recorded == null) {
            return null;
        }
        try {
            if (JsonParser.parseString(recorded) instanceof JsonArray a && !a.isEmpty()) {
                List<String> specs = new ArrayList<>();
                for (JsonElement e : a) {
                    if (!(e instanceof JsonPrimitive p) || !p.isString()) {
                        return recorded;
                    }
                    specs.add(p.getAsString());
                }
                return Rewards.sumText(specs);
            }
        } catch (JsonParseException e) {
            // not the array train records: shown as it is
        }
        return recorded;
    }

    /**
     * A string of the run's {@code provenance} section (the summary's, else the checkpoint's).
     *
     * @param key e.g. {@code model_dir}, {@code reward}
     * @return its value, or {@code null} when the run records no provenance or no such key
     */
    String provenance(String key) {
        JsonObject p = settings("provenance");
        if (p != null && p.get(key) instanceof JsonPrimitive v) {
            return v.getAsString();
        }
        return null;
    }

    /**
     * A settings section of the run: the summary's, for an unfinished run the checkpoint's, and for an sft
     * run its {@code sft-provenance.json}'s (config: the sft options; provenance: everything else it records, with
     * the task and the model directory it continued, if any, from its options).
     *
     * @param key {@code config} or {@code provenance}
     * @return the section, or {@code null} when neither records it
     */
    JsonObject settings(String key) {
        if (summary != null) {
            return summary.get(key) instanceof JsonObject o ? o : null;
        }
        if (sft != null) {
            if (sft.error() != null) {
                return null;
            }
            JsonObject config = sft.json().get("config") instanceof JsonObject o ? o : new JsonObject();
            if (key.equals("config")) {
                return config;
            }
            if (!key.equals("provenance")) {
                return null;
            }
            JsonObject p = new JsonObject();
            for (String k : List.of("task", "model")) {
                if (config.get(k) instanceof JsonPrimitive v) {
                    p.add(k.equals("model") ? "model_dir" : k, v);
                }
            }
            for (Map.Entry<String, JsonElement> e : sft.json().entrySet()) {
                if (e.getValue() instanceof JsonObject o && !e.getKey().equals("config")) { // sha256, model: one row each
                    o.entrySet().forEach(f -> p.add(e.getKey() + "." + f.getKey(), f.getValue()));
                } else if (!e.getKey().equals("config")) {
                    p.add(e.getKey(), e.getValue());
                }
            }
            return p;
        }
        if (checkpoint != null && checkpoint.error() == null) {
            return switch (key) {
                case "config" -> checkpoint.config();
                case "provenance" -> checkpoint.provenance();
                default -> null;
            };
        }
        return null;
    }

    /**
     * The task the run was trained on: its {@code provenance.task}; {@code continuation}
     * for a run whose provenance has no task (written before tasks were recorded, when continuation
     * was the only task).
     *
     * @return the task, or {@code null} when it is not known (neither a summary nor a checkpoint yet,
     *     or a run of another command)
     */
    String task() {
        String task = provenance("task");
        return task != null ? task : provenance("model_dir") != null ? "continuation" : null;
    }

    /**
     * The loss the run's Q head was fitted with: its config's {@code valueLoss} ({@code huber} or {@code
     * cross-entropy}); {@code huber} for a config without it (written before {@code --value-loss}, when the TD
     * loss was always Huber's).
     *
     * @return the loss, or {@code null} when the run records no config
     */
    String valueLoss() {
        JsonObject c = settings("config");
        if (c == null) {
            return null;
        }
        return c.get("valueLoss") instanceof JsonPrimitive v ? v.getAsString() : "huber";
    }

    /**
     * A numeric section ({@code base}, {@code trained}) of the summary. NaN and ±Infinity, which the trainer writes
     * unquoted and the lenient parser reads as strings, are kept as the numbers they are, as in a metrics line: the
     * summary table shows them, and a chart draws no base line for them (the page says which it left out).
     *
     * @param section the section name
     * @return its numeric fields, non-finite ones included (empty when there is no such section)
     */
    Map<String, Double> summaryNumbers(String section) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (summary != null && summary.has(section)) {
            for (Map.Entry<String, JsonElement> e : summary.getAsJsonObject(section).entrySet()) {
                Double v = number(e.getValue());
                if (v != null) {
                    out.put(e.getKey(), v);
                }
            }
        }
        return out;
    }

    /**
     * The examples of a summary section, or of the last metrics line for {@code trained} when the
     * run has no summary.
     *
     * @param section {@code base} or {@code trained}
     * @return the examples (possibly empty)
     */
    List<String> examples(String section) {
        if (summary != null && summary.has(section)) {
            return strings(summary.getAsJsonObject(section), "examples", SUMMARY);
        }
        if (summary == null && "trained".equals(section) && !rows.isEmpty()) {
            return rows.get(rows.size() - 1).examples();
        }
        return List.of();
    }
}
