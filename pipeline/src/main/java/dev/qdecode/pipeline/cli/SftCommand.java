package dev.qdecode.pipeline.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.qdecode.data.Datasets;
import dev.qdecode.pipeline.sft.SftConfig;
import dev.qdecode.pipeline.sft.SftException;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.tokenizer.Decimals;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qdecode sft}: supervised fine-tuning of a Llama-family decoder on prompt-to-target pairs
 * (a warm start for {@code qdecode train}); see {@link SftTrainer}.
 */
@Command(name = "sft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            // the first line is the summary in 'qdecode --help': one whole sentence, as the other commands'
            "Supervised fine-tuning of a decoder on prompt->target pairs (a warm start for 'train').",
            "Teacher-forced cross-entropy on the target tokens, continuing a pretrained",
            "model (--model) or from a config (--init with --tokenizer). Writes a Hugging",
            "Face model directory (the best dev checkpoint) that 'qdecode generate',",
            "'train' and 'evaluate' load, plus metrics.jsonl, sft-provenance.json and",
            "checkpoint/ (continue an interrupted run with --resume)."
        })
final class SftCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "translation",
            description = "translation, continuation or dialogue (a context's last 4 turns, as 'train' rolls out "
                    + "from) (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Training pairs (TSV/CSV/JSONL); required unless --resume.")
    Path data;

    @Option(names = "--dev", paramLabel = "FILE",
            description = "Development pairs (same format); required unless --resume.")
    Path dev;

    @Option(names = "--source-column", paramLabel = "NAME",
            description = "Source column (default: the one a --model written by 'qdecode sft' for the same task was "
                    + "trained on, else translation en, continuation prompt, dialogue context).")
    String sourceColumn;

    @Option(names = "--target-column", paramLabel = "NAME",
            description = "Target column (default: the one a --model written by 'qdecode sft' for the same task was "
                    + "trained on, else translation de, continuation continuation, dialogue response).")
    String targetColumn;

    @Option(names = "--template", paramLabel = "TEXT", converter = TemplateConverter.class,
            description = "Prompt template with {source} once (default: translation '{source} <sep>', which needs "
                    + "<sep> as one token of the tokenizer; continuation and dialogue '{source}', a dialogue's "
                    + "context ending with the responder's cue). The target follows, then EOS. Escapes, as in "
                    + "--prompt-format: \\n \\t \\; \\\\.")
    String template;

    @Option(names = "--model", paramLabel = "DIR", description = "Pretrained model directory to continue training.")
    Path model;

    @Option(names = "--init", paramLabel = "CONFIG", description = "config.json of a Llama model to train from scratch.")
    Path init;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "Directory with tokenizer.json (required with --init; default: the --model directory).")
    Path tokenizer;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "1", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
            description = "Stop after N optimizer steps (default: 0 = run all epochs).")
    int maxSteps;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "32",
            description = "Most sequences per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-tokens", paramLabel = "N", defaultValue = "0",
            description = "Most padded tokens per batch, at least the longest training sequence (default: 0 = no limit).")
    int batchTokens;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup", paramLabel = "STEPS", defaultValue = "100",
            description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--schedule", paramLabel = "NAME", defaultValue = "cosine",
            description = "Decay after warm-up: cosine, linear or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--weight-decay", paramLabel = "X", defaultValue = "0.01",
            description = "AdamW weight decay of matrices (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--grad-clip", paramLabel = "X", defaultValue = "1.0",
            description = "Global gradient-norm clipping (default: ${DEFAULT-VALUE}; 0 = off).")
    double gradClip;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0.1", description = "Dropout (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--eval-every", paramLabel = "STEPS", defaultValue = "200",
            description = "Evaluate on --dev every STEPS steps and at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "Stop after N evaluations without improvement (default: 0 = never).")
    int patience;

    @Option(names = "--bleu-samples", paramLabel = "N", defaultValue = "200",
            description = "Translation: dev rows (sources) decoded greedily for BLEU at each evaluation, each scored "
                    + "against every reference of its row; the best model is "
                    + "chosen by BLEU (default: ${DEFAULT-VALUE}; 0 = choose by dev loss).")
    int bleuSamples;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}; --resume: the run's, and another count"
                    + " is refused: it sums in another order, so the model would not be an uninterrupted run's).")
    int threads;

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Refuse to train when a step's estimated memory exceeds SIZE (e.g. 6g, 512m; "
                    + "default: the JVM's maximum heap).")
    String maxMemory;

    @Option(names = "--time-limit", paramLabel = "MINUTES", defaultValue = "0",
            description = "Stop after MINUTES of training, writing a checkpoint (--resume continues; the model in --out is"
                    + " the best evaluation so far; default: 0 = no limit).")
    double timeLimit;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output directory (not the --model or --tokenizer directory).")
    Path out;

    @Option(names = "--resume", description = "Continue the interrupted run in --out from its checkpoint (a finished"
            + " run, all steps done or stopped early, is refused). Options not given "
            + "are taken from the checkpoint; options given must equal the checkpoint's, and the data, dev, init and"
            + " tokenizer files must be unchanged.")
    boolean resume;

    @CommandLine.Mixin OverwriteOption overwrite;

    /**
     * What an output directory holding an earlier SFT run (or nothing of another command's: {@link OtherWork}
     * refuses that first) must not hold for a new run without --overwrite: file, then what it is (for the message).
     */
    private static final String[][] EARLIER_WORK = {
        {"model.safetensors", "a model"}, {"config.json", "a model"}, {"tokenizer.json", "a tokenizer"},
        {"metrics.jsonl", "a run"}};
    // (sft-provenance.json alone, without a checkpoint or model, is a run killed before its first
    // checkpoint: nothing to lose, and starting it again is the only way on)

    /** The start-up line of columns taken from the --model's SFT files; null when none were taken. */
    private String columnsNote;

    @Override
    public Integer call() {
        overwrite.refuseWithResume(resume);
        if (resume) {
            fillFromCheckpoint();
        } else if (model != null && task != null) {
            // continuing an SFT model of this task: the columns it learned, unless given (an en-fr model's
            // en-fr --data stopped on the default target column 'de')
            String[] trained = SftTrainer.trainedColumns(model, task);
            if (trained != null && (sourceColumn == null || targetColumn == null)) {
                boolean source = sourceColumn == null;
                boolean target = targetColumn == null;
                sourceColumn = source ? trained[0] : sourceColumn;
                targetColumn = target ? trained[1] : targetColumn;
                columnsNote = TrainCommand.columnsLine(sourceColumn, targetColumn, source, target, "qdecode sft",
                        model);
            }
        }
        // after a resume's fill, the checkpoint's template counts as given: the run already trains with it
        boolean defaultTemplate = template == null;
        for (Object[] req : new Object[][] {{"--data", data}, {"--dev", dev}}) {
            if (req[1] == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '" + req[0]
                        + "=FILE' (or --resume with a checkpoint in --out)");
            }
        }
        if (List.of("translation", "continuation", "dialogue").contains(task)) {
            OptionScope.byTask(spec, task, Map.of("--bleu-samples", List.of("translation")));
        }
        SftConfig cfg;
        try {
            cfg = new SftConfig(task, data, dev, sourceColumn, targetColumn, template, model, init, tokenizer, epochs,
                    maxSteps, batchSize, batchTokens, lr, warmup, schedule, weightDecay, gradClip, dropout, evalEvery,
                    patience, bleuSamples, seed, out);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (threads <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads: expected a positive count but got " + threads);
        }
        if (!(timeLimit >= 0) || Double.isInfinite(timeLimit)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--time-limit: expected 0 (none) or a positive number of minutes but got " + timeLimit);
        }
        // both files are there before either is read (SftTrainer reads them once the model is loaded): a missing
        // --dev is named, not a column or value problem of the --data file read before it (a resume checks the
        // run's own files itself)
        if (!resume) {
            TaskOptions.requireFiles("a " + cfg.task() + " file with columns '" + cfg.effectiveSourceColumn() + "' and '"
                    + cfg.effectiveTargetColumn() + "'", "--data", cfg.data(), "--dev", cfg.dev());
        }
        TaskOptions.requireDistinctColumns("--source-column", cfg.effectiveSourceColumn(), "--target-column",
                cfg.effectiveTargetColumn());
        checkOut(cfg);
        long limit;
        try {
            limit = maxMemory == null ? Runtime.getRuntime().maxMemory() : parseSize(maxMemory);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter outW = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SftTrainer.Result r;
        long deadline = timeLimit > 0 ? System.nanoTime() + (long) (timeLimit * 60e9) : Long.MAX_VALUE;
        Interrupts.install(err, "a checkpoint after the current step");
        try (RunLock lock = RunLock.acquire(cfg.out()); Progress p = new Progress(err, deadline)) {
            // a train run's checkpoint, evaluation and report would outlive it: removed once the inputs are checked
            r = new SftTrainer(cfg, resume, limit, threads).overwrite(overwrite.overwrite)
                    .beforeWriting(() -> {
                        if (columnsNote != null) { // the inputs are checked: say where the columns came from
                            err.println(columnsNote);
                        }
                        overwrite.clearEarlierRun(cfg.out(), err);
                    })
                    .defaultTemplate(defaultTemplate).run(p);
        } catch (SftException e) {
            // options that cannot work (another config on resume, a finished run, too large for the memory
            // limit) are bad usage, as train's and generate's are; a data, model or checkpoint file is bad input
            throw new CliException(e.getMessage(), e.usage() ? ExitCodes.USAGE : ExitCodes.BAD_INPUT);
        }
        boolean ctrlC = r.interrupted() && Interrupts.requested();
        String how = ctrlC ? "interrupted (resumable with --resume)"
                : r.interrupted() ? "time limit reached (resumable with --resume)"
                : r.stoppedEarly() ? "stopped early" : "done";
        if (r.bestStep() < 0) {
            outW.printf(Locale.ROOT, "%s after %d/%d steps in %s, before the first evaluation (--eval-every %d): no model"
                    + " written yet; continue with: qdecode sft --resume --out %s%n", how, r.steps(), r.totalSteps(),
                    ProgressBar.hms(r.seconds()), cfg.evalEvery(), cfg.out());
        } else {
            // a run stopped before its end says how to continue it, as one stopped before its first evaluation does
            String resumeWith = r.interrupted() ? "; continue with: qdecode sft --resume --out " + cfg.out() : "";
            outW.printf(Locale.ROOT, "%s after %d/%d steps in %s: best %s %.4f at step %d; model in %s%s%n", how,
                    r.steps(), r.totalSteps(), ProgressBar.hms(r.seconds()), r.metric(), r.best(), r.bestStep(), cfg.out(),
                    resumeWith);
        }
        outW.flush();
        return ctrlC ? Interrupts.status() : ExitCodes.OK;
    }

    /**
     * Refuses an output directory whose contents training would replace: always the --model or
     * --tokenizer directory (or the directory of an --init config.json); for a new run, one that holds
     * another command's work, even with --overwrite ({@link OtherWork}), and, without --overwrite, one that
     * holds an earlier SFT run.
     */
    private void checkOut(SftConfig cfg) {
        Path dir = cfg.out();
        for (Object[] in : new Object[][] {{"--model", cfg.model()}, {"--tokenizer", cfg.tokenizer()}}) {
            if (in[1] != null && Datasets.sameFile(dir, (Path) in[1])) {
                throw new CliException("--out " + out + ": is the " + in[0] + " directory, which training would overwrite"
                        + " (expected another directory; --overwrite does not apply to inputs)", ExitCodes.USAGE);
            }
        }
        if (cfg.init() != null && Datasets.sameFile(dir.resolve("config.json"), cfg.init())) {
            throw new CliException("--out " + out + ": holds the --init file config.json, which training would overwrite"
                    + " (expected another directory; --overwrite does not apply to inputs)", ExitCodes.USAGE);
        }
        if (resume) {
            return;
        }
        OtherWork.refuse("--out", out, OtherWork.Kind.SFT_RUN); // before the checks that suggest --overwrite
        if (SftTrainer.holdsRun(dir) && !overwrite.overwrite) {
            throw new CliException("--out " + out + ": already holds an SFT run (" + SftTrainer.CHECKPOINT + "/); add"
                    + " --resume to continue it, --overwrite to replace it, or choose another --out", ExitCodes.USAGE);
        }
        for (String[] f : EARLIER_WORK) {
            overwrite.check(out, f[0], f[1]);
        }
    }

    /**
     * Sets every option the user did not give to the value recorded in {@code --out}'s checkpoint, so
     * {@code qdecode sft --resume --out DIR} continues a run without repeating its options.
     */
    private void fillFromCheckpoint() {
        JsonObject saved;
        try {
            saved = SftTrainer.savedConfig(out);
        } catch (SftException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        // --model and --init are one setting, where the run starts from: given either, the other is not taken
        // from the checkpoint, so a resume that names another start is refused as a differing key
        boolean startGiven = parsed.hasMatchedOption("--model") || parsed.hasMatchedOption("--init");
        for (Map.Entry<String, JsonElement> e : saved.entrySet()) {
            CommandLine.Model.OptionSpec opt = spec.findOption("--" + e.getKey());
            if (opt == null || e.getValue().isJsonNull() || parsed.hasMatchedOption(opt)
                    || startGiven && (e.getKey().equals("model") || e.getKey().equals("init"))) {
                continue;
            }
            String v = e.getValue().getAsString();
            Class<?> t = opt.type();
            Object value = t == Path.class ? Path.of(v)
                    : t == int.class || t == Integer.class ? (Object) Integer.parseInt(v)
                    : t == long.class || t == Long.class ? (Object) Long.parseLong(v)
                    : t == double.class || t == Double.class ? (Object) Double.parseDouble(v)
                    : v;
            opt.setValue(value);
        }
    }

    /**
     * Reads a {@code --max-memory} size: a decimal number of bytes, or of KiB, MiB or GiB with a
     * {@code k}, {@code m} or {@code g} suffix (either case).
     *
     * @param s the option's value
     * @return the size in bytes, at least 1
     * @throws IllegalArgumentException (the one-line message names the option and what was expected) when
     *     the value is not such a number, or is not finite, below one byte or too large for a count of bytes
     *     ({@code 1e400m} is infinite once read: it was taken as no limit at all)
     */
    static long parseSize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("g")) {
            mult = 1L << 30;
        } else if (t.endsWith("m")) {
            mult = 1L << 20;
        } else if (t.endsWith("k")) {
            mult = 1L << 10;
        }
        String num = mult == 1 ? t : t.substring(0, t.length() - 1);
        double bytes = Decimals.isUnsignedDecimal(num) ? Double.parseDouble(num) * mult : Double.NaN;
        // a long holds fewer than 2^63 bytes; (long) of anything above, Infinity included, would be Long.MAX_VALUE
        if (!(bytes >= 1) || !(bytes < 0x1p63)) {
            throw new IllegalArgumentException("--max-memory: expected a finite size such as 6g, 512m or 100000000"
                    + " (from 1 byte to below 8 EiB) but got '" + s + "'");
        }
        return (long) bytes;
    }

    /** Progress bar over steps plus one line per evaluation. */
    private static final class Progress implements SftTrainer.Listener, AutoCloseable {
        private final PrintWriter err;
        private final long deadline;
        private ProgressBar bar;

        Progress(PrintWriter err, long deadline) {
            this.err = err;
            this.deadline = deadline;
        }

        @Override
        public boolean stopRequested() {
            return System.nanoTime() > deadline || Interrupts.requested();
        }

        @Override
        public void onStep(long step, long total, double loss, double lr, double tps) {
            if (bar == null) {
                bar = new ProgressBar(err, "steps", total, step - 1);
            }
            bar.update(step, String.format(Locale.ROOT, "loss %.3f  lr %.2e  %.0f tgt tok/s", loss, lr, tps));
        }

        @Override
        public void onEval(JsonObject metrics) {
            err.println("eval: " + SftTrainer.describe(metrics));
            err.flush();
        }

        @Override
        public void onWarning(String message) {
            err.println("qdecode: warning: " + message);
            err.flush();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
