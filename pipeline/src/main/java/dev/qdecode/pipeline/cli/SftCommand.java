package dev.qdecode.pipeline.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.qdecode.pipeline.sft.SftConfig;
import dev.qdecode.pipeline.sft.SftException;
import dev.qdecode.pipeline.sft.SftTrainer;
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
            "Supervised fine-tuning: teacher-forced cross-entropy on the target tokens",
            "of prompt->target pairs, continuing a pretrained model (--model) or from a",
            "config (--init with --tokenizer). Writes a Hugging Face model directory",
            "(the best dev checkpoint) that 'qdecode generate', 'train' and 'evaluate'",
            "load, plus metrics.jsonl, sft-provenance.json and checkpoint/ (continue an",
            "interrupted run with --resume)."
        })
final class SftCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "translation",
            description = "translation, continuation or dialogue (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Training pairs (TSV/CSV/JSONL); required unless --resume.")
    Path data;

    @Option(names = "--dev", paramLabel = "FILE",
            description = "Development pairs (same format); required unless --resume.")
    Path dev;

    @Option(names = "--source-column", paramLabel = "NAME",
            description = "Source column (default: translation en, continuation prompt, dialogue context).")
    String sourceColumn;

    @Option(names = "--target-column", paramLabel = "NAME",
            description = "Target column (default: translation de, continuation continuation, dialogue response).")
    String targetColumn;

    @Option(names = "--template", paramLabel = "TEXT",
            description = "Prompt template with {source} once (default: translation '{source} <sep>', "
                    + "continuation '{source}', dialogue '{source} __eou__'). The target follows, then EOS.")
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
            description = "Most padded tokens per batch (default: 0 = no limit).")
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
            description = "Translation: dev pairs decoded greedily for BLEU at each evaluation; the best model is "
                    + "chosen by BLEU (default: ${DEFAULT-VALUE}; 0 = choose by dev loss).")
    int bleuSamples;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "PyTorch intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-memory", paramLabel = "SIZE",
            description = "Refuse to train when a step's estimated memory exceeds SIZE (e.g. 6g, 512m; "
                    + "default: the JVM's maximum heap).")
    String maxMemory;

    @Option(names = "--time-limit", paramLabel = "MINUTES", defaultValue = "0",
            description = "Stop after MINUTES of training, writing a checkpoint (--resume continues; the model in --out is"
                    + " the best evaluation so far; default: 0 = no limit).")
    double timeLimit;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from its checkpoint. Options not given "
            + "are taken from the checkpoint; options given must equal the checkpoint's.")
    boolean resume;

    @Override
    public Integer call() {
        if (resume) {
            fillFromCheckpoint();
        }
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
        long limit = maxMemory == null ? Runtime.getRuntime().maxMemory() : parseSize(maxMemory);
        PrintWriter outW = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SftTrainer.Result r;
        long deadline = timeLimit > 0 ? System.nanoTime() + (long) (timeLimit * 60e9) : Long.MAX_VALUE;
        try (Progress p = new Progress(err, deadline)) {
            r = new SftTrainer(cfg, resume, limit, threads).run(p);
        } catch (SftException e) {
            throw new CliException(e.getMessage());
        }
        outW.printf(Locale.ROOT, "%s after %d/%d steps in %s: best %s %.4f at step %d; model in %s%n",
                r.interrupted() ? "time limit reached (resumable with --resume)" : r.stoppedEarly() ? "stopped early" : "done", r.steps(), r.totalSteps(),
                ProgressBar.hms(r.seconds()), r.metric(), r.best(), r.bestStep(), cfg.out());
        outW.flush();
        return 0;
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
        for (Map.Entry<String, JsonElement> e : saved.entrySet()) {
            CommandLine.Model.OptionSpec opt = spec.findOption("--" + e.getKey());
            if (opt == null || e.getValue().isJsonNull() || parsed.hasMatchedOption(opt)) {
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

    private long parseSize(String s) {
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
        try {
            double v = Double.parseDouble(num);
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--max-memory: expected a size such as 6g, 512m or 100000000 but got '" + s + "'");
        }
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
            return System.nanoTime() > deadline;
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
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}
