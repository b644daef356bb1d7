package dev.qdecode.pipeline.sft;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.tokenizer.PromptFormat;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that determines a supervised fine-tuning run ({@code qdecode sft}), validated in one
 * place (the canonical constructor). JSON keys are the CLI option names without dashes, so a
 * refused resume names the options that differ.
 *
 * @param task {@code translation}, {@code continuation} or {@code dialogue}
 * @param data training file (TSV/JSONL as the data module reads it)
 * @param dev development file (same format)
 * @param sourceColumn column of the source text ({@code null}: the task's default: translation
 *     {@code en}, continuation {@code prompt}, dialogue {@code context})
 * @param targetColumn column of the target text ({@code null}: translation {@code de},
 *     continuation {@code continuation}, dialogue {@code response})
 * @param template prompt template containing {@value #SOURCE} exactly once ({@code null}: the
 *     task's default, see {@link #defaultTemplate})
 * @param model pretrained model directory to continue, or {@code null} with {@code init}
 * @param init {@code config.json} of a model to train from scratch, or {@code null} with {@code
 *     model}
 * @param tokenizer directory holding {@code tokenizer.json} ({@code null}: the model directory;
 *     required with {@code init})
 * @param epochs passes over the training data (&gt; 0)
 * @param maxSteps stop after this many optimizer steps (0: no limit besides {@code epochs})
 * @param batchSize most sequences per batch (&gt; 0)
 * @param batchTokens most padded tokens (rows x longest row) per batch (0: no limit); {@link
 *     SftTrainer} refuses a limit below the longest training sequence
 * @param lr peak learning rate (&gt; 0)
 * @param warmup linear warm-up steps (&gt;= 0)
 * @param schedule decay after warm-up: {@code cosine}, {@code linear} (both to 0) or {@code
 *     constant}
 * @param weightDecay decoupled (AdamW) weight decay of matrices (&gt;= 0); norm gains are not
 *     decayed
 * @param gradClip global gradient-norm clipping threshold (0: off)
 * @param dropout dropout probability in [0, 1)
 * @param evalEvery evaluate on the dev set every this many steps (&gt; 0; also at the end)
 * @param patience stop after this many evaluations without improvement (0: never)
 * @param bleuSamples translation: dev rows (sources, each decoded once) decoded greedily for BLEU at each
 *     evaluation (0: none, then early stopping uses the dev loss)
 * @param seed random seed (data order, initialisation, dropout)
 * @param out output directory
 */
public record SftConfig(
        String task,
        Path data,
        Path dev,
        String sourceColumn,
        String targetColumn,
        String template,
        Path model,
        Path init,
        Path tokenizer,
        int epochs,
        int maxSteps,
        int batchSize,
        int batchTokens,
        double lr,
        int warmup,
        String schedule,
        double weightDecay,
        double gradClip,
        double dropout,
        int evalEvery,
        int patience,
        int bleuSamples,
        long seed,
        Path out) {

    /** The placeholder of the source text in a template. */
    public static final String SOURCE = "{source}";

    /** Supported tasks. */
    public static final Set<String> TASKS = Set.of("translation", "continuation", "dialogue");

    /** Supported schedules. */
    public static final Set<String> SCHEDULES = Set.of("cosine", "linear", "constant");

    /**
     * Validates every field; errors are one line naming the CLI option. Paths are made absolute and
     * normalized; a null template becomes the task's default.
     *
     * @param task one of {@link #TASKS}; not null
     * @param data training file; not null
     * @param dev development file; not null
     * @param sourceColumn column of the source text, not blank, or null for the task's default
     * @param targetColumn column of the target text, not blank, or null for the task's default
     * @param template prompt template holding {@value #SOURCE} exactly once and no {@code {text}}, or
     *     null for the task's default
     * @param model pretrained model directory; exactly one of {@code model} and {@code init}
     * @param init {@code config.json} to train from scratch; exactly one of {@code model} and
     *     {@code init}
     * @param tokenizer directory holding {@code tokenizer.json}; required with {@code init}
     * @param epochs passes over the training data, {@code > 0}
     * @param maxSteps most optimizer steps, {@code >= 0} (0: no limit)
     * @param batchSize most sequences per batch, {@code > 0}
     * @param batchTokens most padded tokens per batch, {@code >= 0} (0: no limit)
     * @param lr peak learning rate, finite and {@code > 0}
     * @param warmup linear warm-up steps, {@code >= 0}
     * @param schedule one of {@link #SCHEDULES}; not null
     * @param weightDecay AdamW weight decay, finite and {@code >= 0}
     * @param gradClip gradient-norm clipping threshold, finite and {@code >= 0} (0: off)
     * @param dropout dropout probability, in [0, 1)
     * @param evalEvery steps between dev evaluations, {@code > 0}
     * @param patience evaluations without improvement before stopping, {@code >= 0} (0: never)
     * @param bleuSamples dev rows (sources) decoded for BLEU per evaluation, {@code >= 0}
     * @param seed random seed
     * @param out output directory; not null
     * @throws IllegalArgumentException on the first invalid field; a null {@code task}, {@code data},
     *     {@code dev}, {@code schedule} or {@code out} (a required option not given) is refused first, naming
     *     the option ({@code --data: a training file is required}), as the CLI reports it
     */
    public SftConfig {
        // a required option that was not given (null) is named before any value is checked
        if (task == null) {
            throw new IllegalArgumentException("--task: expected translation, continuation or dialogue but got null");
        }
        if (data == null) {
            throw new IllegalArgumentException("--data: a training file is required");
        }
        if (dev == null) {
            throw new IllegalArgumentException("--dev: a development file is required");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("--schedule: expected cosine, linear or constant but got null");
        }
        if (out == null) {
            throw new IllegalArgumentException("--out: an output directory is required");
        }
        if (!TASKS.contains(task)) {
            throw new IllegalArgumentException("--task: expected translation, continuation or dialogue but got " + task);
        }
        if (template == null) {
            template = defaultTemplate(task);
        }
        int at = template.indexOf(SOURCE);
        if (at < 0 || template.indexOf(SOURCE, at + 1) >= 0) {
            throw new IllegalArgumentException("--template '" + PromptFormat.escapeTemplate(template) + "': must contain "
                    + SOURCE + " exactly once (expected one " + SOURCE + " where each example's source text goes, e.g. "
                    + "'" + PromptFormat.escapeTemplate(defaultTemplate(task)) + "', the " + task + " default)");
        }
        if (template.contains("{text}")) {
            throw new IllegalArgumentException("--template '" + PromptFormat.escapeTemplate(template)
                    + "': {text} is reserved, use " + SOURCE);
        }
        if ((model == null) == (init == null)) {
            throw new IllegalArgumentException("--model / --init: give exactly one (a model directory to continue, "
                    + "or a config.json to start from)");
        }
        if (init != null && tokenizer == null) {
            throw new IllegalArgumentException("--tokenizer: required with --init (a directory holding tokenizer.json)");
        }
        if (sourceColumn != null && sourceColumn.isBlank()) {
            throw new IllegalArgumentException("--source-column: expected a column name but got an empty one");
        }
        if (targetColumn != null && targetColumn.isBlank()) {
            throw new IllegalArgumentException("--target-column: expected a column name but got an empty one");
        }
        positive("--epochs", epochs);
        nonNegative("--max-steps", maxSteps);
        positive("--batch-size", batchSize);
        nonNegative("--batch-tokens", batchTokens);
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("--lr: expected a number > 0 but got " + lr);
        }
        nonNegative("--warmup", warmup);
        if (!SCHEDULES.contains(schedule)) {
            throw new IllegalArgumentException("--schedule: expected cosine, linear or constant but got " + schedule);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("--weight-decay: expected a number >= 0 but got " + weightDecay);
        }
        if (!(gradClip >= 0) || !Double.isFinite(gradClip)) {
            throw new IllegalArgumentException("--grad-clip: expected a number >= 0 (0 = off) but got " + gradClip);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout: expected a probability in [0, 1) but got " + dropout);
        }
        positive("--eval-every", evalEvery);
        nonNegative("--patience", patience);
        nonNegative("--bleu-samples", bleuSamples);
        data = abs(data);
        dev = abs(dev);
        model = abs(model);
        init = abs(init);
        tokenizer = abs(tokenizer);
        out = abs(out);
    }

    private static Path abs(Path p) {
        return p == null ? null : p.toAbsolutePath().normalize();
    }

    private static void positive(String option, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(option + ": expected a positive count but got " + v);
        }
    }

    private static void nonNegative(String option, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(option + ": expected 0 or a positive count but got " + v);
        }
    }

    /**
     * The default template of a task: translation {@code "{source} <sep>"}, continuation {@code
     * "{source}"}, dialogue {@code "{source}"} (the context rendered by {@link DialogueFormat}, which ends
     * with the responder's cue).
     *
     * @param task the task
     * @return the template
     * @throws NullPointerException naming {@code task} when it is null
     */
    public static String defaultTemplate(String task) {
        Objects.requireNonNull(task, "task");
        return switch (task) {
            case "translation" -> SOURCE + " <sep>";
            default -> SOURCE;
        };
    }

    /**
     * The source column in effect.
     *
     * @return {@link #sourceColumn} or the task's default
     */
    public String effectiveSourceColumn() {
        return sourceColumn != null ? sourceColumn : defaultSourceColumn(task);
    }

    /**
     * A task's source column when none is given: translation {@value TranslationExample#DEFAULT_SOURCE_COLUMN},
     * dialogue {@code context},
     * continuation {@code prompt}.
     *
     * @param task the task
     * @return the column
     * @throws NullPointerException naming {@code task} when it is null
     */
    public static String defaultSourceColumn(String task) {
        Objects.requireNonNull(task, "task");
        return switch (task) {
            case "translation" -> TranslationExample.DEFAULT_SOURCE_COLUMN;
            case "dialogue" -> "context";
            default -> "prompt";
        };
    }

    /**
     * The target column in effect.
     *
     * @return {@link #targetColumn} or the task's default
     */
    public String effectiveTargetColumn() {
        return targetColumn != null ? targetColumn : defaultTargetColumn(task);
    }

    /**
     * A task's target column when none is given: translation {@value TranslationExample#DEFAULT_TARGET_COLUMN},
     * dialogue {@code response},
     * continuation {@code continuation}.
     *
     * @param task the task
     * @return the column
     * @throws NullPointerException naming {@code task} when it is null
     */
    public static String defaultTargetColumn(String task) {
        Objects.requireNonNull(task, "task");
        return switch (task) {
            case "translation" -> TranslationExample.DEFAULT_TARGET_COLUMN;
            case "dialogue" -> "response";
            default -> "continuation";
        };
    }

    /**
     * The tokenizer directory in effect.
     *
     * @return {@link #tokenizer}, else {@link #model}
     */
    public Path tokenizerDir() {
        return tokenizer != null ? tokenizer : model;
    }

    /**
     * This config as a JSON object keyed by option name (without dashes), in declaration order.
     *
     * @return the JSON object
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        for (Map.Entry<String, Object> e : values().entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                o.add(e.getKey(), com.google.gson.JsonNull.INSTANCE);
            } else if (v instanceof Number n) {
                o.addProperty(e.getKey(), n);
            } else {
                o.addProperty(e.getKey(), v.toString());
            }
        }
        return o;
    }

    /**
     * Pretty-printed {@link #toJson}.
     *
     * @return the JSON text
     */
    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(toJson());
    }

    private Map<String, Object> values() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", task);
        m.put("data", data);
        m.put("dev", dev);
        m.put("source-column", sourceColumn);
        m.put("target-column", targetColumn);
        m.put("template", template);
        m.put("model", model);
        m.put("init", init);
        m.put("tokenizer", tokenizer);
        m.put("epochs", epochs);
        m.put("max-steps", maxSteps);
        m.put("batch-size", batchSize);
        m.put("batch-tokens", batchTokens);
        m.put("lr", lr);
        m.put("warmup", warmup);
        m.put("schedule", schedule);
        m.put("weight-decay", weightDecay);
        m.put("grad-clip", gradClip);
        m.put("dropout", dropout);
        m.put("eval-every", evalEvery);
        m.put("patience", patience);
        m.put("bleu-samples", bleuSamples);
        m.put("seed", seed);
        m.put("out", out);
        return m;
    }

    /**
     * Parses {@link #toJson} output.
     *
     * @param json the JSON text
     * @param source where it came from (for errors)
     * @return the config
     * @throws IllegalArgumentException (one line naming {@code source}) when the text is not a
     *     valid config
     * @throws NullPointerException naming {@code json} or {@code source} when it is null
     */
    public static SftConfig fromJson(String json, String source) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(source, "source");
        JsonObject o;
        try {
            o = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(source + ": not a valid SFT config (" + e.getMessage() + ")", e);
        }
        try {
            return new SftConfig(str(o, "task"), path(o, "data"), path(o, "dev"), str(o, "source-column"),
                    str(o, "target-column"), str(o, "template"), path(o, "model"), path(o, "init"),
                    path(o, "tokenizer"), integer(o, "epochs"), integer(o, "max-steps"), integer(o, "batch-size"),
                    integer(o, "batch-tokens"), real(o, "lr"), integer(o, "warmup"), str(o, "schedule"),
                    real(o, "weight-decay"), real(o, "grad-clip"), real(o, "dropout"), integer(o, "eval-every"),
                    integer(o, "patience"), integer(o, "bleu-samples"), number(o, "seed", "an integer").longValue(),
                    path(o, "out"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    private static String str(JsonObject o, String k) {
        JsonElement e = o.get(k);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException("key '" + k + "': expected a string or null but got " + e);
        }
        return e.getAsString();
    }

    private static Path path(JsonObject o, String k) {
        String s = str(o, k);
        return s == null ? null : Path.of(s);
    }

    private static int integer(JsonObject o, String k) {
        long v = number(o, k, "an integer").longValue();
        if (v != (int) v) {
            throw new IllegalArgumentException("key '" + k + "': expected an integer of at most " + Integer.MAX_VALUE
                    + " but got " + v);
        }
        return (int) v;
    }

    private static double real(JsonObject o, String k) {
        return number(o, k, "a number").doubleValue();
    }

    /** A JSON number ({@code kind} "an integer": without fraction or exponent beyond a long). */
    private static BigDecimal number(JsonObject o, String k, String kind) {
        JsonElement e = o.get(k);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("missing key '" + k + "' (expected " + kind + ")");
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("key '" + k + "': expected " + kind + " but got " + e);
        }
        BigDecimal v;
        try {
            v = e.getAsBigDecimal();
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("key '" + k + "': expected " + kind + " but got " + e, ex);
        }
        if (kind.equals("an integer")) {
            try {
                v.longValueExact();
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("key '" + k + "': expected an integer but got " + e, ex);
            }
        }
        return v;
    }

    /** Inputs whose content a resume compares by sha256 (SftTrainer), so their paths may differ. */
    private static final java.util.Set<String> HASHED = java.util.Set.of("data", "dev", "init", "tokenizer");

    /**
     * The option names whose values differ between this config and another, in declaration order,
     * each as {@code name (this value vs other value)}. The output directory is not compared: it is
     * where a run is, not how it trains (a moved run directory resumes). The columns are compared as
     * they are in effect: a column left out and the task's default column given by name are the same
     * setting; so is the tokenizer, the --model directory when left out.
     *
     * @param other the other config
     * @return the differences (empty when equal)
     * @throws NullPointerException naming {@code other} when it is null
     */
    public List<String> differences(SftConfig other) {
        Objects.requireNonNull(other, "other");
        Map<String, Object> a = effectiveValues();
        Map<String, Object> b = other.effectiveValues();
        List<String> diff = new ArrayList<>();
        for (String k : a.keySet()) {
            Object x = a.get(k);
            Object y = b.get(k);
            if (x != null && y != null && (HASHED.contains(k)
                    || x instanceof Path p && y instanceof Path q && Datasets.sameFile(p, q))) {
                continue; // the same file under another path: moved or linked (the content is compared by sha256)
            }
            if (!k.equals("out") && !Objects.equals(show(x), show(y))) {
                diff.add(k + " (" + show(a.get(k)) + " vs " + show(b.get(k)) + ")");
            }
        }
        return diff;
    }

    /**
     * {@link #values} with the columns in effect (the task's default for a column left out) and the
     * tokenizer directory in effect ({@link #tokenizerDir}).
     */
    private Map<String, Object> effectiveValues() {
        Map<String, Object> m = values();
        m.put("tokenizer", tokenizerDir());
        m.put("source-column", effectiveSourceColumn());
        m.put("target-column", effectiveTargetColumn());
        m.put("template", PromptFormat.escapeTemplate(template)); // as given on the command line: one line
        return m;
    }

    private static String show(Object v) {
        return v instanceof Double d ? String.format(Locale.ROOT, "%s", d) : String.valueOf(v);
    }
}
