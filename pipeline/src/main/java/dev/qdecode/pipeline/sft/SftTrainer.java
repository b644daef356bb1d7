package dev.qdecode.pipeline.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.FileChecksums;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.models.ModelException;
import dev.qdecode.models.ModelFiles;
import dev.qdecode.models.NativeCalls;
import dev.qdecode.models.train.Safetensors;
import dev.qdecode.models.train.TrainableLlama;
import dev.qdecode.pipeline.generate.DecodeMemory;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.rewards.bleu.BleuScore;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Runs supervised fine-tuning as an {@link SftConfig} describes: teacher-forced cross-entropy on
 * the target tokens (EOS included; prompt tokens and padding masked) of length-bucketed batches,
 * AdamW with warm-up and decay, global gradient-norm clipping, dev evaluation every {@code
 * evalEvery} steps (loss, perplexity and, for translation, corpus BLEU of greedy decodes), early
 * stopping, and atomic checkpoints that {@code resume} continues exactly.
 *
 * <p>Output directory: the best model so far in Hugging Face layout ({@code config.json}, {@code
 * model.safetensors}, {@code generation_config.json}, tokenizer files, and {@code
 * qdecode-model.json} with the prompt format, so that {@code qdecode generate --model OUT} turns a
 * source text into its target), {@code metrics.jsonl} (one line per evaluation), {@code
 * sft-provenance.json} (config, data hashes, versions), and {@code checkpoint/} (last state).
 */
public final class SftTrainer {
    /** Name of the metrics file in the output directory. */
    public static final String METRICS = "metrics.jsonl";
    /** Name of the provenance file in the output directory. */
    public static final String PROVENANCE = "sft-provenance.json";
    /** Name of the checkpoint directory in the output directory. */
    public static final String CHECKPOINT = "checkpoint";
    /**
     * The files of the model an SFT run writes into its --out (removed first by --overwrite): what
     * {@link TrainableLlama#save} writes, and the prompt-format settings. The loaders read the same files.
     */
    public static final List<String> MODEL_FILES = ModelFiles.NAMES;
    /**
     * The directory in --out that holds a copy of the weights while dev BLEU decodes them through the
     * inference path; deleted after each evaluation, and at the start of every run (one killed
     * mid-evaluation leaves it).
     */
    static final String EVAL_MODEL = ".eval-model";
    private static final String STATE = "state.json";
    /** The checkpoint state's key (and the option's name) of the PyTorch intra-op thread count. */
    private static final String THREADS = "threads";
    private static final String OPTIMIZER = "optimizer.safetensors";
    /**
     * The checkpoint file, written last into it, that records the size and sha256 of every other file
     * there ({@code state.json} included) and the sha256 of those entries, checked by a resume before
     * anything is read. A checkpoint written before it existed has neither it nor {@code state.json}'s
     * {@code "checksums"} and {@code "threads"} keys, and resumes unchecked, as before.
     */
    private static final String CHECKSUMS = FileChecksums.FILE;
    private static final String FORMAT = "qdecode-sft-checkpoint/1";
    /**
     * What a damaged SFT checkpoint's message ends with: what was expected, and what to do. A resume
     * refused so leaves the checkpoint as it is.
     */
    static final String DAMAGED = "expected a checkpoint as qdecode sft writes it; it may have been cut short or "
            + "damaged since it was written: restore it, or start again with --overwrite";

    /** Receives progress; all methods run on the training thread. */
    public interface Listener {
        /**
         * Called after every optimizer step.
         *
         * @param step steps done
         * @param total planned steps
         * @param loss this batch's mean target-token loss
         * @param lr this step's learning rate
         * @param targetTokensPerSecond training throughput since this run (or resume) started
         */
        void onStep(long step, long total, double loss, double lr, double targetTokensPerSecond);

        /**
         * Called after every evaluation.
         *
         * @param metrics the metrics line (also appended to {@value #METRICS})
         */
        void onEval(JsonObject metrics);

        /**
         * Polled after every step: true makes the trainer write a checkpoint and return.
         *
         * @return whether to stop now
         */
        default boolean stopRequested() {
            return false;
        }

        /**
         * Called with a one-line warning about the data (e.g. dialogue contexts shortened to fit the model).
         *
         * @param message the warning, without a prefix
         */
        default void onWarning(String message) {}
    }

    /**
     * How a run ended.
     *
     * @param steps steps done in total
     * @param totalSteps planned steps
     * @param metric the early-stopping metric ({@code bleu} or {@code dev_loss})
     * @param best its best value ({@code NaN} before the first evaluation)
     * @param bestStep the step of the best value (the model in the output directory); -1 before the
     *     first evaluation, when no model has been written yet
     * @param stoppedEarly whether patience ran out
     * @param interrupted whether the listener asked to stop (resumable)
     * @param seconds wall time of this invocation
     */
    public record Result(long steps, long totalSteps, String metric, double best, long bestStep,
            boolean stoppedEarly, boolean interrupted, double seconds) {

        /**
         * Checks that {@code metric} is given.
         *
         * @param steps see the record description
         * @param totalSteps see the record description
         * @param metric see the record description
         * @param best see the record description
         * @param bestStep see the record description
         * @param stoppedEarly see the record description
         * @param interrupted see the record description
         * @param seconds see the record description
         * @throws NullPointerException naming {@code metric} when it is null
         */
        public Result {
            Objects.requireNonNull(metric, "metric");
        }
    }

    private final SftConfig cfg;
    private final boolean resume;
    private final long memoryLimit;
    private final int threads;
    private boolean fusedAdam = true;
    /**
     * Brackets each training step (forward, backward, optimizer step): a second Ctrl-C halts the JVM once no step is in
     * flight ({@link NativeCalls#quiesce}), since a halt runs the native libraries' exit-time destructors, and one
     * under PyTorch's backward pass crashed the JVM (SIGSEGV in {@code torchBackward}, an {@code hs_err_pid*.log}).
     */
    private NativeCalls nativeCalls = NativeCalls.PROCESS;
    private boolean overwrite;
    private Runnable beforeWriting;
    private boolean defaultTemplate;

    /**
     * Prepares a run (nothing is read until {@link #run}).
     *
     * @param cfg the settings
     * @param resume continue from {@code OUT/checkpoint} (the config must be identical, and so must
     *     {@code threads} where the checkpoint records its thread count: another count sums in another order,
     *     so the resumed run would not equal an uninterrupted one)
     * @param memoryLimit refuse to train when the estimated step memory exceeds this many bytes
     * @param threads PyTorch intra-op threads
     * @throws NullPointerException naming {@code cfg} when it is null
     */
    public SftTrainer(SftConfig cfg, boolean resume, long memoryLimit, int threads) {
        Objects.requireNonNull(cfg, "cfg");
        this.cfg = cfg;
        this.resume = resume;
        this.memoryLimit = memoryLimit;
        this.threads = threads;
    }

    /**
     * The gate that each training step enters ({@link NativeCalls#PROCESS} unless set: tests give one of their own).
     *
     * @param gate the gate
     * @return this trainer
     */
    SftTrainer nativeCalls(NativeCalls gate) {
        this.nativeCalls = Objects.requireNonNull(gate, "gate");
        return this;
    }

    /** Chooses the optimizer implementation (benchmarks). */
    SftTrainer fusedAdam(boolean fused) {
        this.fusedAdam = fused;
        return this;
    }

    /**
     * Whether a run that starts (not a resume) replaces an SFT run already in the output directory
     * (its checkpoint and metrics) instead of refusing; default false.
     *
     * @param replace true to replace
     * @return this trainer
     */
    public SftTrainer overwrite(boolean replace) {
        this.overwrite = replace;
        return this;
    }

    /**
     * Runs {@code action} once a new run (not a resume) has checked all its inputs, built its model and
     * fits the memory limit, just before it writes anything into the output directory: where a caller
     * replaces other files there (the CLI's {@code --overwrite} of a {@code qdecode train} run), so a run
     * refused for its inputs leaves them as they were.
     *
     * @param action what to do, or null for nothing
     * @return this trainer
     */
    public SftTrainer beforeWriting(Runnable action) {
        this.beforeWriting = action;
        return this;
    }

    /**
     * Whether the config's template is the task's default rather than one the user chose; default
     * false. A default template whose marker (translation's {@code <sep>}) is not a single token of
     * the tokenizer is then refused, since it would be split into pieces; a chosen template is used as
     * given.
     *
     * @param isDefault true when the template was not chosen by the user
     * @return this trainer
     */
    public SftTrainer defaultTemplate(boolean isDefault) {
        this.defaultTemplate = isDefault;
        return this;
    }

    /**
     * Whether a directory holds an SFT run (a checkpoint, possibly the previous one of an interrupted
     * swap), which {@code resume} continues.
     *
     * @param out the output directory
     * @return true when {@code out} holds a checkpoint
     * @throws NullPointerException naming {@code out} when it is null
     */
    public static boolean holdsRun(Path out) {
        Objects.requireNonNull(out, "out");
        return Files.exists(out.resolve(CHECKPOINT)) || Files.exists(out.resolve(CHECKPOINT + ".old"));
    }

    /** Mutable run state, saved in checkpoints. */
    private static final class State {
        long step;
        double best = Double.NaN;
        long bestStep = -1;
        int evalsSinceBest;
        double trainLossSum;
        long trainLossCount;

        /** The state a checkpoint's {@code state.json} records, each field checked (errors name {@code file}). */
        static State of(JsonObject s, Path file) {
            State st = new State();
            st.step = count(s, "step", 0, Long.MAX_VALUE, file);
            JsonElement best = s.get("best");
            if (best != null && !best.isJsonNull()) {
                // NaN: "no evaluation yet", as earlier versions wrote it (not JSON, but Gson reads it)
                st.best = number(s, "best", file);
            }
            st.bestStep = count(s, "best_step", -1, st.step, file);
            if ((st.bestStep < 0) != Double.isNaN(st.best)) {
                throw new SftException(file + ": key 'best': expected " + (st.bestStep < 0
                        ? "null (no evaluation yet, as best_step is -1)" : "a number (the metric at best_step "
                        + st.bestStep + ")") + " but got " + best);
            }
            st.evalsSinceBest = (int) count(s, "evals_since_best", 0, Integer.MAX_VALUE, file);
            st.trainLossSum = number(s, "train_loss_sum", file);
            if (!Double.isFinite(st.trainLossSum)) {
                throw new SftException(file + ": key 'train_loss_sum': expected a finite number but got " + s.get("train_loss_sum"));
            }
            st.trainLossCount = count(s, "train_loss_count", 0, Long.MAX_VALUE, file);
            return st;
        }
    }

    /** An integer field of a checkpoint's state in [{@code min}, {@code max}]. */
    private static long count(JsonObject s, String key, long min, long max, Path file) {
        JsonElement e = s.get(key);
        String expected = "an integer " + (max == Long.MAX_VALUE ? ">= " + min : "from " + min + " to " + max);
        if (e == null || e.isJsonNull()) {
            throw new SftException(file + ": missing key '" + key + "' (expected " + expected + ")");
        }
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                long v = e.getAsBigDecimal().longValueExact();
                if (v >= min && v <= max) {
                    return v;
                }
            }
        } catch (NumberFormatException | ArithmeticException ex) {
            // not an integer: reported below
        }
        throw new SftException(file + ": key '" + key + "': expected " + expected + " but got " + e);
    }

    /** A number field of a checkpoint's state ({@code NaN} as older versions wrote it included). */
    private static double number(JsonObject s, String key, Path file) {
        JsonElement e = s.get(key);
        if (e == null || e.isJsonNull()) {
            throw new SftException(file + ": missing key '" + key + "' (expected a number)");
        }
        try {
            if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
                return e.getAsDouble();
            }
        } catch (NumberFormatException ex) {
            // reported below
        }
        throw new SftException(file + ": key '" + key + "': expected a number but got " + e);
    }

    /** Warns, in one line, when dialogue contexts of a data file were shortened to fit the model. */
    private static void warnShortened(Listener listener, Path file, SftData data, int positions) {
        if (data.shortened() > 0) {
            listener.onWarning(data.shortened() + " of " + data.rows().length + " dialogue contexts in " + file
                    + " were shortened to fit the model's " + positions + " positions with their response: older "
                    + "turns dropped, or the beginning of the last turn cut");
        }
    }

    /**
     * Runs (or resumes) training to the end, to early stopping, or until the listener asks to stop.
     *
     * @param listener progress receiver
     * @return how it ended
     * @throws SftException (one line) for a run that cannot start: too large for memory, a resume
     *     with another config, a resume of a finished run (all steps done, or stopped early), other
     *     inputs or a damaged checkpoint, an output directory holding another run, a tokenizer that
     *     does not fit, a sequence longer than {@code batchTokens}; {@link SftException#usage()} tells
     *     the options' faults (memory, a {@code batchTokens} below the longest sequence, another config, a
     *     finished run, an occupied output directory)
     *     from the inputs'
     * @throws dev.qdecode.data.DataException on bad data (file:line)
     * @throws ModelException on a bad model directory or config
     * @throws UncheckedIOException when outputs cannot be written
     * @throws NullPointerException naming {@code listener} when it is null
     */
    public Result run(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        long t0 = System.nanoTime();
        Path out = cfg.out();
        Path ckpt = out.resolve(CHECKPOINT);
        State st = new State();
        long adamSteps = 0;
        Path tokDir = cfg.tokenizerDir();
        String unchecked = null; // what an older checkpoint's resume does not check, said once its inputs passed
        if (resume) {
            ckpt = existingCheckpoint(out);
            JsonObject savedState = readState(ckpt);
            verifyChecksums(ckpt, savedState);
            requireCheckpointFiles(ckpt);
            SftConfig saved = configOf(savedState, ckpt.resolve(STATE));
            List<String> diff = new ArrayList<>(saved.differences(cfg));
            // the thread count changes the order of PyTorch's float sums, so another one gives another model
            // (a checkpoint written before it was recorded resumes with the threads given, as before)
            int savedThreads = savedThreads(savedState, ckpt.resolve(STATE));
            if (savedThreads > 0 && savedThreads != threads) {
                diff.add(THREADS + " (" + savedThreads + " vs " + threads + ")");
            }
            if (!diff.isEmpty()) {
                throw SftException.ofUsage("--resume: " + ckpt.resolve(STATE) + " was written with another config;"
                        + " differing keys: " + String.join(", ", diff) + " (checkpoint vs now; expected the options the"
                        + " run was started with, or leave them out)");
            }
            st = State.of(savedState, ckpt.resolve(STATE));
            adamSteps = count(savedState, "adam_steps", 0, Long.MAX_VALUE, ckpt.resolve(STATE));
            unchecked = olderCheckpointNote(ckpt, savedState, threads);
        } else if (holdsRun(out) && !overwrite) {
            throw SftException.ofUsage("--out " + out + ": already holds a run (" + CHECKPOINT
                    + "/); add --resume to continue it, --overwrite to replace it, or choose another --out");
        }
        TrainableLlama.setThreads(threads);
        if (!Files.isRegularFile(tokDir.resolve("tokenizer.json"))) {
            throw new SftException((cfg.tokenizer() != null ? "--tokenizer " : "--model ") + tokDir
                    + ": no tokenizer.json in the directory (expected a Hugging Face tokenizer.json there"
                    + (cfg.tokenizer() != null ? ", e.g. the --out of qdecode tokenizer train)"
                            : ", or --tokenizer DIR naming a directory that holds one)"));
        }
        // a resume compares the inputs first; a new run hashes them once its data has been read
        Map<String, String> hashes = resume ? inputHashes() : null;
        JsonObject recordedProvenance = resume ? checkInputsUnchanged(out.resolve(PROVENANCE), hashes) : null;
        if (unchecked != null) { // said once: the checkpoint this run writes next records both
            listener.onWarning(unchecked);
        }
        Path ckpt0 = ckpt;
        try (TextTokenizer tok = TextTokenizer.load(tokDir)) {
            // the architecture alone first: a run that cannot fit is refused before any weight is allocated
            ModelConfig mc = resume ? fromCheckpoint(() -> modelConfig(ckpt0, tok)) : modelConfig(null, tok);
            TrainableLlama.checkTrainable(mc, resume ? ckpt.resolve("config.json").toString()
                    : cfg.model() != null ? cfg.model().resolve("config.json").toString() : "--init " + cfg.init());
            if (tok.vocabSize() > mc.vocabSize()) {
                throw new SftException(tokDir.resolve("tokenizer.json") + ": tokenizer vocabulary has " + tok.vocabSize()
                        + " tokens but the model's vocab_size is " + mc.vocabSize() + " (expected at most the model's)");
            }
            if (cfg.init() != null && !resume && tok.vocabSize() < mc.vocabSize()) {
                // A fresh model would predict (and decode, at the first BLEU evaluation) ids no token has.
                throw new SftException("--init " + cfg.init() + ": vocab_size " + mc.vocabSize() + " but "
                        + tokDir.resolve("tokenizer.json") + " has " + tok.vocabSize() + " tokens (expected vocab_size "
                        + tok.vocabSize() + ", the tokenizer's)");
            }
            if (cfg.init() != null && !resume) {
                checkSpecialTokens(mc, tok, tokDir.resolve("tokenizer.json"));
            }
            int eos = mc.eosTokenIds().length > 0 ? mc.eosTokenIds()[0] : -1;
            if (eos < 0) {
                throw new SftException("model config: no eos_token_id and the tokenizer has no EOS token"
                        + " (expected one to end every target)");
            }
            if (defaultTemplate) {
                checkDefaultTemplate(tok, tokDir.resolve("tokenizer.json"));
            }
            PromptFormat format = promptFormat(tokDir, tok);
            if (defaultTemplate && cfg.model() != null) {
                warnOtherTemplate(listener, cfg.model());
            }
            SftData train = SftData.read(cfg, cfg.data(), tok, format, eos, mc.maxPositions());
            SftData dev = SftData.read(cfg, cfg.dev(), tok, format, eos, mc.maxPositions());
            if (resume) {
                checkExampleCounts(out.resolve(PROVENANCE), recordedProvenance, train, dev);
            }
            warnShortened(listener, cfg.data(), train, mc.maxPositions());
            warnShortened(listener, cfg.dev(), dev, mc.maxPositions());
            checkBatchTokens(train);
            int[] lengths = Arrays.stream(train.rows()).mapToInt(r -> r.length).toArray();
            List<List<int[]>> epochs = new ArrayList<>();
            long planned = 0;
            for (int e = 0; e < cfg.epochs(); e++) {
                List<int[]> plan = BatchPlan.epoch(lengths, cfg.batchSize(), cfg.batchTokens(), cfg.seed(), e);
                epochs.add(plan);
                planned += plan.size();
            }
            long total = cfg.maxSteps() > 0 ? Math.min(cfg.maxSteps(), planned) : planned;
            if (st.step > total) {
                throw new SftException(ckpt.resolve(STATE) + ": key 'step': expected at most " + total
                        + " (the run's planned steps) but got " + st.step);
            }
            if (resume) {
                refuseFinished(st, total, epochs.size() == 1 ? "1 epoch" : epochs.size() + " epochs");
            }
            MemoryEstimate mem = estimate(mc, train, epochs);
            if (mem.totalBytes() > memoryLimit) {
                throw SftException.ofUsage("training step needs about " + mem.describe() + ", more than the limit of "
                        + DecodeMemory.format(memoryLimit) + " (--max-memory); lower"
                        + " --batch-size or --batch-tokens, choose a smaller model, or raise --max-memory where the"
                        + " machine has the memory");
            }
            return train(listener, st, adamSteps, ckpt, mc, tok, format, train, dev, epochs, total, mem, hashes, t0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the model and optimizer (the run fits the memory limit), prepares the output directory and trains. */
    private Result train(Listener listener, State st, long adamSteps, Path ckpt, ModelConfig config, TextTokenizer tok,
            PromptFormat format, SftData train, SftData dev, List<List<int[]>> epochs, long total, MemoryEstimate mem,
            Map<String, String> hashes, long t0) throws IOException {
        Path out = cfg.out();
        try (TrainableLlama model = resume ? fromCheckpoint(() -> openModel(ckpt, config)) : openModel(null, config);
                NDManager base = NDManager.newBaseManager();
                AdamW opt = new AdamW(model.parameters(), cfg.weightDecay(), fusedAdam)) {
            ModelConfig mc = model.config();
            int eos = config.eosTokenIds()[0];
            if (resume) {
                Map<String, NDArray> moments = fromCheckpoint(() -> Safetensors.read(ckpt.resolve(OPTIMIZER), base));
                opt.restore(moments, adamSteps, ckpt.resolve(OPTIMIZER).toString());
                truncateMetrics(out.resolve(METRICS), st.step);
            } else {
                if (beforeWriting != null) {
                    beforeWriting.run();
                }
                if (overwrite) {
                    ModelFiles.deleteTree(out.resolve(CHECKPOINT));
                    ModelFiles.deleteTree(out.resolve(CHECKPOINT + ".old"));
                    // the earlier model too: until this run's first evaluation writes its own, --out must not
                    // hold a model that this run's provenance would seem to describe
                    for (String f : MODEL_FILES) {
                        Files.deleteIfExists(out.resolve(f));
                    }
                }
                Files.createDirectories(out);
                Files.deleteIfExists(out.resolve(METRICS));
            }
            ModelFiles.deleteTree(out.resolve(EVAL_MODEL));
            writeProvenance(out, mc, format, eos, train, dev, mem, total, hashes != null ? hashes : inputHashes());
            return loop(listener, model, tok, opt, base, format, train, dev, epochs, total, st, t0);
        }
    }

    /**
     * Refuses to resume a run that has ended: all its planned steps are done (the last one evaluated
     * and checkpointed), or early stopping ended it ({@code patience} evaluations without a better
     * one, after which the run checkpoints and returns). Resuming either would at best rewrite the
     * provenance; an early-stopped one would even train past its stop, one more evaluation interval
     * each time.
     */
    private void refuseFinished(State st, long total, String epochs) {
        Path out = cfg.out();
        String metric = usesBleu() ? "dev BLEU" : "dev loss";
        String model = "; the model (best " + metric + " at step " + st.bestStep + ") is in " + out
                + ": to train it further, start a new run with --model " + out + " and another --out";
        if (st.step >= total) {
            String why = cfg.maxSteps() > 0 && cfg.maxSteps() == total ? "--max-steps " + cfg.maxSteps() : epochs;
            throw SftException.ofUsage("--resume: " + out + " already finished its " + total + " steps (" + why
                    + "; see " + METRICS + ")" + model);
        }
        if (cfg.patience() > 0 && st.evalsSinceBest >= cfg.patience()) {
            throw SftException.ofUsage("--resume: " + out + " already finished: it stopped early at step " + st.step
                    + " of " + total + " (--patience " + cfg.patience() + ": no better " + metric + " in "
                    + st.evalsSinceBest + " evaluation" + (st.evalsSinceBest == 1 ? "" : "s") + "; see " + METRICS + ")"
                    + model);
        }
    }

    private Result loop(Listener listener, TrainableLlama model, TextTokenizer tok, AdamW opt, NDManager base,
            PromptFormat format, SftData train, SftData dev, List<List<int[]>> epochs, long total, State st, long t0)
            throws IOException {
        Engine engine = Engine.getEngine("PyTorch");
        boolean bleu = usesBleu();
        long tokensThisRun = 0;
        long trainNanos = 0;
        boolean stopped = false;
        if (st.step >= total) {
            return new Result(st.step, total, bleu ? "bleu" : "dev_loss", st.best, st.bestStep, false, false, secs(t0));
        }
        while (st.step < total) {
            int[] batch = batchAt(epochs, st.step);
            int[][] rows = new int[batch.length][];
            int[] from = new int[batch.length];
            int scored = 0;
            for (int i = 0; i < batch.length; i++) {
                rows[i] = train.rows()[batch[i]];
                from[i] = train.promptLength()[batch[i]];
                scored += train.targetTokens(batch[i]);
            }
            long s0 = System.nanoTime();
            if (cfg.dropout() > 0) {
                engine.setRandomSeed((int) (cfg.seed() * 1_000_003L + st.step));
            }
            double lr = BatchPlan.learningRate(st.step + 1, total, cfg.lr(), cfg.warmup(), cfg.schedule());
            double loss;
            // the step is one native call for NativeCalls: a halt waits for it (see nativeCalls), and none starts once
            // the JVM is quitting
            nativeCalls.enter();
            try (NDManager sm = base.newSubManager()) {
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray l = TrainableLlama.meanLoss(sm, model.tokenNll(sm, rows, from, cfg.dropout()), scored);
                    gc.backward(l);
                    loss = l.getFloat();
                }
                if (!Double.isFinite(loss)) {
                    throw diverged("training loss", loss, st.step + 1, st);
                }
                double norm = opt.step(sm, lr, cfg.gradClip());
                if (!Double.isFinite(norm)) {
                    throw diverged("gradient norm", norm, st.step + 1, st);
                }
                model.zeroGradients();
            } finally {
                nativeCalls.exit();
            }
            trainNanos += System.nanoTime() - s0;
            tokensThisRun += scored;
            st.step++;
            st.trainLossSum += loss;
            st.trainLossCount++;
            listener.onStep(st.step, total, loss, lr, tokensThisRun / (trainNanos / 1e9));
            boolean last = st.step >= total;
            boolean interrupt = !last && listener.stopRequested();
            if (st.step % cfg.evalEvery() == 0 || last) {
                JsonObject m = evaluate(model, tok, format, dev, st, epochOf(epochs, st.step - 1), lr,
                        tokensThisRun / (trainNanos / 1e9), t0);
                listener.onEval(m);
                if (cfg.patience() > 0 && st.evalsSinceBest >= cfg.patience()) {
                    stopped = true;
                }
            }
            if (st.step % cfg.evalEvery() == 0 || last || stopped || interrupt) {
                writeCheckpoint(model, opt, st);
            }
            if (stopped || interrupt) {
                return new Result(st.step, total, bleu ? "bleu" : "dev_loss", st.best, st.bestStep, stopped, interrupt,
                        secs(t0));
            }
        }
        return new Result(st.step, total, bleu ? "bleu" : "dev_loss", st.best, st.bestStep, false, false, secs(t0));
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private boolean usesBleu() {
        return cfg.task().equals("translation") && cfg.bleuSamples() > 0;
    }

    private static int[] batchAt(List<List<int[]>> epochs, long step) {
        long s = step;
        for (List<int[]> e : epochs) {
            if (s < e.size()) {
                return e.get((int) s);
            }
            s -= e.size();
        }
        throw new IllegalStateException("step " + step + " beyond the planned epochs");
    }

    private static int epochOf(List<List<int[]>> epochs, long step) {
        long s = step;
        for (int i = 0; i < epochs.size(); i++) {
            if (s < epochs.get(i).size()) {
                return i;
            }
            s -= epochs.get(i).size();
        }
        return epochs.size();
    }

    /** Builds the model whose architecture {@link #modelConfig} returned. */
    private TrainableLlama openModel(Path checkpoint, ModelConfig config) {
        if (checkpoint != null) {
            return TrainableLlama.fromPretrained(checkpoint);
        }
        if (cfg.model() != null) {
            return TrainableLlama.fromPretrained(cfg.model());
        }
        return TrainableLlama.fromConfig(config, cfg.seed());
    }

    /**
     * The architecture of the model to train, read without building it: the checkpoint's, the {@code
     * --model} directory's, or the {@code --init} config (its special tokens taken from the tokenizer
     * when it names none).
     */
    private ModelConfig modelConfig(Path checkpoint, TextTokenizer tok) {
        if (checkpoint != null) {
            return ModelConfig.load(checkpoint);
        }
        if (cfg.model() != null) {
            if (!Files.isDirectory(cfg.model())) {
                throw new SftException("--model " + cfg.model() + ": not a directory (expected a Hugging Face model directory)");
            }
            return ModelConfig.load(cfg.model());
        }
        Path init = cfg.init();
        String json;
        try {
            json = Files.readString(init, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SftException("--init " + init + ": file not found (expected a model config JSON, as a Hugging "
                    + "Face config.json, for a new model)");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SftException("--init " + init + ": not valid UTF-8 text (expected a model config JSON, as a "
                    + "Hugging Face config.json, for a new model)");
        } catch (IOException e) {
            throw new SftException("--init " + init + ": cannot read (" + e.getMessage() + ")");
        }
        try { // strictly first: the models module's reader would keep the last of a key given twice
            dev.qdecode.data.StrictJson.parse(json, "--init " + init);
        } catch (dev.qdecode.data.DataException e) {
            throw new SftException(e.getMessage());
        }
        ModelConfig c = ModelConfig.fromJson(json, init.toString());
        if (c.bosTokenId() < 0 && c.eosTokenIds().length == 0) {
            // take the special tokens from the tokenizer
            c = new ModelConfig(c.modelType(), c.family(), c.vocabSize(), c.hiddenSize(), c.numLayers(), c.numHeads(),
                    c.numKvHeads(), c.headDim(), c.intermediateSize(), c.maxPositions(), c.normEps(), c.ropeTheta(),
                    c.tieWordEmbeddings(), c.attentionBias(), c.activation(), tok.bosId(), tok.eosIds(),
                    c.padTokenId() >= 0 ? c.padTokenId() : tok.padId());
        }
        return c;
    }

    /** The SFT template inside the tokenizer's own prompt format (e.g. BOS handling). */
    private PromptFormat promptFormat(Path tokDir, TextTokenizer tok) {
        // a model directory written by an earlier SFT run carries its SFT template in qdecode-model.json:
        // start again from the tokenizer's own format rather than nesting templates
        boolean sftModel = cfg.model() != null && isSftOutput(cfg.model());
        PromptFormat base = cfg.model() != null && !sftModel ? PromptFormat.forModel(cfg.model(), tok) : PromptFormat.detect(tok);
        String inner = cfg.template().replace(SftConfig.SOURCE, PromptFormat.TEXT);
        String template = base.template().replace(PromptFormat.TEXT, inner);
        return new PromptFormat(template, base.addSpecialTokens());
    }

    /**
     * Warns when the {@code --model} directory is the output of an SFT run of the same task that was
     * trained with another template than this run's default one (the template was not given): the
     * model would go on learning from prompts it was not trained on, and what it later reads follows
     * this run's template.
     */
    private void warnOtherTemplate(Listener listener, Path modelDir) {
        Path f = modelDir.resolve(PromptFormat.SETTINGS_FILE);
        if (!Files.isRegularFile(f)) {
            return;
        }
        try {
            JsonObject sft = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject()
                    .getAsJsonObject("sft");
            if (sft == null || !sft.has("task") || !sft.has("template")
                    || !cfg.task().equals(sft.get("task").getAsString())) {
                return;
            }
            String was = sft.get("template").getAsString();
            if (!was.equals(cfg.template())) {
                // as the command line gives them (escapes, one line): the one shown given again is the one it was
                String given = PromptFormat.escapeTemplate(was);
                listener.onWarning("--model " + cfg.model() + " was trained with --template '" + given + "' (sft --task "
                        + cfg.task() + "); this run uses the default '" + PromptFormat.escapeTemplate(cfg.template())
                        + "' (give --template '" + given
                        + "' to keep it)");
            }
        } catch (IOException | JsonParseException | IllegalStateException | ClassCastException
                | UnsupportedOperationException e) {
            // not qdecode's settings as sft writes them: nothing to compare with
        }
    }

    /**
     * The source and target columns a model directory written by {@code qdecode sft} was trained on, for
     * a task: the {@code source_column}/{@code target_column} of its {@value PromptFormat#SETTINGS_FILE}
     * {@code sft} entry, else (a model written before they were recorded there) the {@code source-column}/
     * {@code target-column} of its {@value #PROVENANCE} config, a column left out there being the task's
     * default ({@link SftConfig#defaultSourceColumn}).
     *
     * @param modelDir a model directory, SFT output or not
     * @param task the task the columns are wanted for, e.g. {@code translation}
     * @return source and target column, or null when the directory is no SFT output of that task (or its
     *     files cannot be read)
     * @throws NullPointerException naming the argument that is null
     */
    public static String[] trainedColumns(Path modelDir, String task) {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(task, "task");
        try {
            JsonObject sft = JsonParser.parseString(Files.readString(modelDir.resolve(PromptFormat.SETTINGS_FILE),
                    StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("sft");
            if (sft == null || !sft.has("task") || !task.equals(sft.get("task").getAsString())) {
                return null;
            }
            if (sft.has("source_column") && sft.has("target_column")) {
                return new String[] {sft.get("source_column").getAsString(), sft.get("target_column").getAsString()};
            }
            JsonObject config = JsonParser.parseString(Files.readString(modelDir.resolve(PROVENANCE),
                    StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("config");
            String source = column(config, "source-column");
            String target = column(config, "target-column");
            return new String[] {source != null ? source : SftConfig.defaultSourceColumn(task),
                target != null ? target : SftConfig.defaultTargetColumn(task)};
        } catch (IOException | RuntimeException e) {
            return null; // not qdecode's files as sft writes them: no columns to follow
        }
    }

    private static String column(JsonObject config, String key) {
        return config == null || !config.has(key) || config.get(key).isJsonNull() ? null : config.get(key).getAsString();
    }

    private static boolean isSftOutput(Path modelDir) {
        Path f = modelDir.resolve(PromptFormat.SETTINGS_FILE);
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try {
            JsonObject o = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
            return o.has("sft");
        } catch (IOException | JsonParseException | IllegalStateException e) {
            return false;
        }
    }

    private MemoryEstimate estimate(ModelConfig mc, SftData train, List<List<int[]>> epochs) {
        MemoryEstimate worst = null;
        for (List<int[]> e : epochs) {
            for (int[] b : e) {
                int longest = 0;
                long scored = 0;
                for (int i : b) {
                    longest = Math.max(longest, train.rows()[i].length);
                    scored += train.targetTokens(i);
                }
                MemoryEstimate m = MemoryEstimate.of(mc, b.length, longest, scored);
                if (worst == null || m.totalBytes() > worst.totalBytes()) {
                    worst = m;
                }
            }
        }
        return worst;
    }

    // ------------------------------------------------------------------------------ evaluation

    private JsonObject evaluate(TrainableLlama model, TextTokenizer tok, PromptFormat format, SftData dev, State st,
            int epoch, double lr, double tokensPerSecond, long t0) throws IOException {
        Integer[] order = new Integer[dev.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> dev.rows()[i].length));
        double nll = 0;
        long scored = 0;
        for (int start = 0; start < order.length; start += cfg.batchSize()) {
            int end = Math.min(order.length, start + cfg.batchSize());
            int[][] rows = new int[end - start][];
            int[] from = new int[end - start];
            for (int i = start; i < end; i++) {
                rows[i - start] = dev.rows()[order[i]];
                from[i - start] = dev.promptLength()[order[i]];
                scored += dev.targetTokens(order[i]);
            }
            try (NDManager sm = NDManager.newBaseManager()) {
                nll += model.tokenNll(sm, rows, from, 0).getFloat();
            }
        }
        double devLoss = nll / scored;
        if (!Double.isFinite(devLoss)) {
            // before anything is written: a non-finite model is never the best one, nor checkpointed
            throw diverged("dev loss", devLoss, st.step, st);
        }
        JsonObject m = new JsonObject();
        m.addProperty("step", st.step);
        m.addProperty("epoch", epoch + 1);
        m.addProperty("lr", lr);
        if (st.trainLossCount == 0) {
            m.add("train_loss", JsonNull.INSTANCE); // no step since the last evaluation (NaN is not JSON)
        } else {
            m.addProperty("train_loss", st.trainLossSum / st.trainLossCount);
        }
        m.addProperty("dev_loss", devLoss);
        m.addProperty("dev_ppl", Math.exp(devLoss));
        double metric;
        boolean better;
        if (usesBleu()) {
            BleuScore b = devBleu(model, tok, dev);
            m.addProperty("bleu", b.score());
            m.addProperty("bleu_samples", bleuRows(dev, cfg.bleuSamples()));
            m.addProperty("bleu_signature", b.signature());
            metric = b.score();
            better = Double.isNaN(st.best) || metric > st.best;
        } else {
            metric = devLoss;
            better = Double.isNaN(st.best) || metric < st.best;
        }
        st.trainLossSum = 0;
        st.trainLossCount = 0;
        if (better) {
            st.best = metric;
            st.bestStep = st.step;
            st.evalsSinceBest = 0;
            saveModel(model, cfg.out(), format);
        } else {
            st.evalsSinceBest++;
        }
        m.addProperty("best", better);
        m.addProperty("target_tokens_per_s", tokensPerSecond);
        m.addProperty("elapsed_s", secs(t0));
        byte[] line = (m + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(cfg.out().resolve(METRICS), line, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        return m;
    }

    /**
     * Corpus BLEU of the greedy decodes of the first {@code bleuSamples} dev sources (rows: each decoded once,
     * however many references it has) through the inference path, each against every reference of its row (a
     * JSON array target gives several), as {@code evaluate --task translation} scores a test set.
     */
    private BleuScore devBleu(TrainableLlama model, TextTokenizer tok, SftData dev) throws IOException {
        Path snap = cfg.out().resolve(EVAL_MODEL);
        try {
            model.save(snap, null);
            return Bleu.corpusLevel().corpusScore(decode(snap, tok, dev), bleuReferences(dev, cfg.bleuSamples()));
        } finally {
            ModelFiles.deleteTree(snap);
        }
    }

    /**
     * The references dev BLEU scores the first {@code n} dev rows against: every reference of each row,
     * in the file's order (the dev loss is computed on every one of them too, one example each).
     *
     * @param dev the dev examples
     * @param n the number of rows decoded ({@code --bleu-samples}; fewer when the file is shorter)
     * @return per row, its references
     */
    static List<List<String>> bleuReferences(SftData dev, int n) {
        List<List<String>> refs = new ArrayList<>();
        for (int r = 0; r < bleuRows(dev, n); r++) {
            refs.add(dev.references().get(dev.firstOfRow()[r]));
        }
        return refs;
    }

    /** The number of dev rows dev BLEU decodes: {@code n} ({@code --bleu-samples}), fewer when the file is shorter. */
    private static int bleuRows(SftData dev, int n) {
        return Math.min(n, dev.rowCount());
    }

    /**
     * The prompts dev BLEU decodes: those of the first {@code n} dev rows, one per row (its first example's,
     * which every example of the row shares).
     *
     * @param dev the dev examples
     * @param n the number of rows decoded ({@code --bleu-samples})
     * @return per row, its prompt's token ids
     */
    static int[][] bleuPrompts(SftData dev, int n) {
        int[][] prompts = new int[bleuRows(dev, n)][];
        for (int r = 0; r < prompts.length; r++) {
            int i = dev.firstOfRow()[r];
            prompts[r] = Arrays.copyOf(dev.rows()[i], dev.promptLength()[i]);
        }
        return prompts;
    }

    /**
     * Greedy decodes of the first {@code bleuSamples} dev rows' prompts by the model saved in {@code snap}, each
     * allowed twice its row's longest reference (in tokens) plus 8.
     */
    private List<String> decode(Path snap, TextTokenizer tok, SftData dev) throws IOException {
        int[][] prompts = bleuPrompts(dev, cfg.bleuSamples());
        int n = prompts.length;
        int maxTarget = 0;
        for (int r = 0; r < n; r++) {
            for (int i = dev.firstOfRow()[r]; i < dev.endOfRow(r); i++) {
                maxTarget = Math.max(maxTarget, dev.targetTokens(i));
            }
        }
        List<String> hyps = new ArrayList<>();
        try (CausalLM lm = CausalLM.load(snap, tok)) { // as every command's model: no id the tokenizer lacks
            int maxNew = Math.min(2 * maxTarget + 8, lm.config().maxPositions() - DecodeMemory.longest(prompts));
            GenerationConfig gc = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), Math.max(1, maxNew), 0, List.of(),
                    cfg.seed(), cfg.batchSize(), false, false);
            Generator g = new Generator(lm, null, null, gc);
            var gens = g.generateIds(prompts);
            for (int i = 0; i < n; i++) {
                int[] ids = gens.get(i).tokenIds();
                int len = ids.length;
                while (len > 0 && lm.config().isEos(ids[len - 1])) {
                    len--;
                }
                hyps.add(tok.decode(Arrays.copyOf(ids, len), true).strip());
            }
        }
        return hyps;
    }

    // ------------------------------------------------------------------------------ files

    private void saveModel(TrainableLlama model, Path dir, PromptFormat format) throws IOException {
        model.save(dir, cfg.tokenizerDir());
        JsonObject pf = new JsonObject();
        pf.addProperty("template", format.template());
        pf.addProperty("add_special_tokens", format.addSpecialTokens());
        JsonObject settings = new JsonObject();
        settings.add(PromptFormat.SETTINGS_KEY, pf);
        JsonObject sft = new JsonObject();
        sft.addProperty("task", cfg.task());
        sft.addProperty("template", cfg.template());
        // the columns it learned to map, so that 'train --task translation --model DIR' reads the same pair
        sft.addProperty("source_column", cfg.effectiveSourceColumn());
        sft.addProperty("target_column", cfg.effectiveTargetColumn());
        settings.add("sft", sft);
        writeJson(dir.resolve(PromptFormat.SETTINGS_FILE), settings);
    }

    private static void writeJson(Path file, JsonObject o) throws IOException {
        byte[] bytes = (new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Writes the checkpoint into {@code checkpoint.tmp/}, then swaps directories ({@code checkpoint}
     * to {@code checkpoint.old}, {@code checkpoint.tmp} to {@code checkpoint}, old deleted), so that
     * a complete checkpoint exists at every moment.
     */
    private void writeCheckpoint(TrainableLlama model, AdamW opt, State st) throws IOException {
        Path out = cfg.out();
        Path tmp = out.resolve(CHECKPOINT + ".tmp");
        Path cur = out.resolve(CHECKPOINT);
        Path old = out.resolve(CHECKPOINT + ".old");
        ModelFiles.deleteTree(tmp);
        model.save(tmp, null);
        Safetensors.write(tmp.resolve(OPTIMIZER), opt.state(), Map.of());
        JsonObject s = new JsonObject();
        s.addProperty("format", FORMAT);
        s.add("config", cfg.toJson());
        s.addProperty("step", st.step);
        s.addProperty("adam_steps", opt.steps());
        s.addProperty(THREADS, threads); // a resume refuses another count: it would sum in another order
        if (Double.isNaN(st.best)) {
            s.add("best", JsonNull.INSTANCE); // no evaluation yet (NaN is not JSON)
        } else {
            s.addProperty("best", st.best);
        }
        s.addProperty("best_step", st.bestStep);
        s.addProperty("evals_since_best", st.evalsSinceBest);
        s.addProperty("train_loss_sum", st.trainLossSum);
        s.addProperty("train_loss_count", st.trainLossCount);
        s.addProperty("written_at", Instant.now().toString());
        s.addProperty("checksums", CHECKSUMS); // a resume refuses this checkpoint without them
        writeJson(tmp.resolve(STATE), s);
        writeChecksums(tmp);
        if (Files.exists(cur)) {
            ModelFiles.deleteTree(old);
            Files.move(cur, old, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, cur, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        ModelFiles.deleteTree(old);
    }

    /**
     * The options a run in {@code out} was started with, as recorded in its checkpoint (keys are the
     * CLI option names without dashes, e.g. {@code eval-every}), with its PyTorch thread count as
     * {@code threads} where the checkpoint records it (those written before it was recorded do not).
     *
     * @param out the run's output directory
     * @return the recorded config
     * @throws SftException when there is no readable checkpoint, or its config is not valid (one
     *     line naming the file and key)
     * @throws NullPointerException naming {@code out} when it is null
     */
    public static JsonObject savedConfig(Path out) {
        Objects.requireNonNull(out, "out");
        Path ckpt = existingCheckpoint(out);
        JsonObject state = readState(ckpt);
        verifyChecksums(ckpt, state);
        configOf(state, ckpt.resolve(STATE));
        JsonObject config = state.getAsJsonObject("config").deepCopy();
        int threads = savedThreads(state, ckpt.resolve(STATE));
        if (threads > 0) {
            config.addProperty(THREADS, threads);
        }
        return config;
    }

    /**
     * The PyTorch thread count a checkpoint's state records, or 0 for one written before it was recorded.
     *
     * @throws SftException naming the file and key when the value is not a positive count
     */
    private static int savedThreads(JsonObject state, Path file) {
        if (!state.has(THREADS)) {
            return 0;
        }
        return (int) count(state, THREADS, 1, Integer.MAX_VALUE, file);
    }

    /** The config a checkpoint's state records, validated (errors name {@code file} and the key). */
    private static SftConfig configOf(JsonObject state, Path file) {
        if (!state.has("config") || !state.get("config").isJsonObject()) {
            throw new SftException(file + ": no \"config\" object (expected the options of the run)");
        }
        try {
            return SftConfig.fromJson(state.get("config").toString(), file + " \"config\"");
        } catch (IllegalArgumentException e) {
            throw new SftException(e.getMessage());
        }
    }

    /**
     * The one-line error that stops a run whose loss or gradient norm is not finite, saying what to
     * change and what the output directory holds: the best model of an earlier evaluation (the last
     * checkpoint is the one of that or a later evaluation, before the divergence), or nothing.
     */
    private SftException diverged(String what, double value, long step, State st) {
        String metric = usesBleu() ? "dev BLEU" : "dev loss";
        String kept = st.bestStep < 0 ? "no model was written"
                : cfg.out() + " keeps the best model before it (" + metric + " " + String.format(Locale.ROOT, "%.4f", st.best)
                        + " at step " + st.bestStep + ")";
        return new SftException("training diverged: " + what + " became " + value + " at step " + step
                + " (expected a finite number; " + divergenceHint() + "); " + kept);
    }

    /** What to change after a non-finite loss or gradient, given this run's settings. */
    private String divergenceHint() {
        // A run once got a NaN gradient with --threads 2 and not when run again; that was the backward pass
        // reading freed memory (fixed). Runs with the same thread count now repeat exactly (6 of 6 runs of 40
        // steps with --threads 2 gave one model), so running again would fail again: nothing to add here.
        return cfg.gradClip() > 0 ? "lower --lr" : "lower --lr or set --grad-clip";
    }

    private static Path existingCheckpoint(Path out) {
        Path cur = out.resolve(CHECKPOINT);
        if (Files.isRegularFile(cur.resolve(STATE))) {
            return cur;
        }
        Path old = out.resolve(CHECKPOINT + ".old");
        if (Files.isRegularFile(old.resolve(STATE))) {
            return old;
        }
        if (Files.isDirectory(cur)) { // the directory without its state: not a run that never saved one
            throw new SftException(cur.resolve(STATE) + ": missing from the checkpoint (" + DAMAGED + ")");
        }
        throw new SftException("--resume: no checkpoint in " + out + " (expected " + cur.resolve(STATE) + ")");
    }

    /**
     * The checkpoint's state.json as a JSON object of this format. An empty file, one that is not UTF-8
     * or JSON (cut short: a damaged copy) or not an object says so, with its size and {@link #DAMAGED}
     * (not the JSON parser's message, which quotes the text).
     */
    private static JsonObject readState(Path ckpt) {
        Path f = ckpt.resolve(STATE);
        String text;
        try {
            text = Files.readString(f, StandardCharsets.UTF_8);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SftException(f + ": checkpoint state is not UTF-8 text (" + DAMAGED + ")");
        } catch (IOException e) {
            throw new SftException(f + ": cannot read the checkpoint state (" + e.getMessage() + ")");
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (text.isBlank()) {
            throw new SftException(f + ": empty checkpoint state (" + bytes + " bytes; " + DAMAGED + ")");
        }
        JsonElement parsed;
        try {
            parsed = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new SftException(f + ": checkpoint state is not complete JSON (" + bytes + " bytes; " + DAMAGED + ")");
        }
        if (!parsed.isJsonObject()) {
            throw new SftException(f + ": checkpoint state is not a JSON object (" + DAMAGED + ")");
        }
        JsonObject o = parsed.getAsJsonObject();
        JsonElement format = o.get("format");
        if (format == null || !format.isJsonPrimitive() || !FORMAT.equals(format.getAsString())) {
            throw new SftException(f + ": not a qdecode SFT checkpoint (expected format " + FORMAT + ")");
        }
        return o;
    }

    /**
     * Writes {@value #CHECKSUMS} into a checkpoint directory whose other files are all written: the size
     * and sha256 of each of them, by name ({@link FileChecksums#write}).
     */
    private static void writeChecksums(Path dir) throws IOException {
        List<String> names;
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            names = list.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> FileChecksums.plainName(n) && !n.equals(CHECKSUMS)).sorted().toList();
        }
        FileChecksums.write(dir, names);
    }

    /**
     * Checks every file that the checkpoint's {@value #CHECKSUMS} records against the size and sha256
     * recorded there, before any of them is used, and refuses the first that differs (a changed byte in
     * the weights, the optimizer moments or the state, an edited number included), is missing or is cut
     * short, in one line naming it and ending with {@link #DAMAGED}; nothing is changed. {@value #CHECKSUMS}
     * itself is refused when it is missing from a checkpoint whose state was written by a version that
     * writes it (its {@code "checksums"} or {@code "threads"} key), when its entries do not match the
     * sha256 it records of them (an entry edited or dropped since), when it does not record
     * {@code state.json}, and when a file of the checkpoint has no entry ({@link FileChecksums#check}). A
     * checkpoint written before checksums were recorded (no {@value #CHECKSUMS}, neither key in
     * {@code state}) is not checked, as before.
     *
     * @param ckpt the checkpoint directory
     * @param state its state.json, as read by {@link #readState}
     */
    private static void verifyChecksums(Path ckpt, JsonObject state) {
        if (!FileChecksums.present(ckpt)) {
            // the "checksums" key, or the thread count recorded only by versions that write checksums too
            if (state.has("checksums") || state.has(THREADS)) {
                throw new SftException(ckpt.resolve(CHECKSUMS) + ": missing from the checkpoint (" + DAMAGED + ")");
            }
            return;
        }
        FileChecksums.check(ckpt, List.of(STATE), true).ifPresent(problem -> {
            throw new SftException(FileChecksums.withExpected(problem, DAMAGED));
        });
    }

    /**
     * What a resume says of a checkpoint written before qdecode recorded its checksums or its thread count,
     * which it resumes unchecked: one line naming what is not checked (its files, or the thread count it goes
     * on with), or {@code null} for a checkpoint that records both. The checkpoint it writes next records
     * both, so a later resume says nothing.
     *
     * @param ckpt the checkpoint directory
     * @param state its {@code state.json}, checked by {@link #verifyChecksums} already
     * @param threads the thread count this session goes on with
     * @return the line, without a prefix, or null
     */
    private static String olderCheckpointNote(Path ckpt, JsonObject state, int threads) {
        boolean sums = FileChecksums.present(ckpt);
        boolean counted = state.has(THREADS);
        if (sums && counted) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        if (!sums) {
            missing.add("checksums (its files are used unchecked)");
        }
        if (!counted) {
            missing.add("thread count (it goes on with --threads " + threads + ", unchecked against the run's)");
        }
        return ckpt + " was written before qdecode recorded its " + String.join(" and its ", missing)
                + "; the checkpoints this run writes from now on record them";
    }

    /**
     * Refuses a checkpoint directory that lacks a file qdecode sft writes there (config.json, the model's
     * weights, optimizer.safetensors), naming the first one missing.
     */
    private static void requireCheckpointFiles(Path ckpt) {
        List<Path> needed = List.of(ckpt.resolve("config.json"), Files.exists(ckpt.resolve("model.safetensors.index.json"))
                ? ckpt.resolve("model.safetensors.index.json") : ckpt.resolve("model.safetensors"), ckpt.resolve(OPTIMIZER));
        for (Path f : needed) {
            if (!Files.isRegularFile(f)) {
                throw new SftException(f + ": missing from the checkpoint (" + DAMAGED + ")");
            }
        }
    }

    /**
     * Reads a file of the checkpoint being resumed; a model file it cannot read (a cut-off or changed
     * safetensors or config.json) is refused with its own message and {@link #DAMAGED}, in the one parenthesis
     * the message may already end with ({@link FileChecksums#withExpected}), so that the line reads
     * {@code ... expected [512, 65] (vocab_size 512 x hidden_size 65; expected a checkpoint ...)}, not two
     * parentheses in a row.
     */
    private static <T> T fromCheckpoint(java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (ModelException e) {
            throw new SftException(FileChecksums.withExpected(e.getMessage(), DAMAGED));
        }
    }

    private static void truncateMetrics(Path file, long step) throws IOException {
        if (!Files.isRegularFile(file)) {
            return;
        }
        List<String> keep = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            long lineStep;
            try {
                JsonElement e = JsonParser.parseString(line);
                JsonElement st = e.isJsonObject() ? e.getAsJsonObject().get("step") : null;
                if (st == null || !st.isJsonPrimitive() || !st.getAsJsonPrimitive().isNumber()) {
                    throw new IllegalStateException("no numeric 'step'");
                }
                lineStep = st.getAsLong();
            } catch (JsonParseException | IllegalStateException | NumberFormatException e) {
                if (i == lines.size() - 1) {
                    continue; // the last line cut off by an interrupted write: the resumed run writes it again
                }
                throw new SftException(file + ":" + (i + 1) + ": expected a JSON object with a numeric 'step' (as "
                        + "qdecode sft writes) but got " + (line.length() > 60 ? line.substring(0, 57) + "..." : line));
            }
            if (lineStep <= step) {
                keep.add(line);
            }
        }
        Files.write(file, keep, StandardCharsets.UTF_8);
    }

    /**
     * The inputs whose bytes determine the run, by their key in the provenance's {@code sha256}
     * object, each with the option that names it and the file.
     */
    private Map<String, String[]> hashedInputs() {
        Map<String, String[]> m = new LinkedHashMap<>();
        m.put("data", new String[] {"--data", cfg.data().toString()});
        m.put("dev", new String[] {"--dev", cfg.dev().toString()});
        if (cfg.init() != null) {
            m.put("init", new String[] {"--init", cfg.init().toString()});
        }
        m.put("tokenizer.json", new String[] {cfg.tokenizer() != null ? "the --tokenizer" : "the tokenizer of --model",
            cfg.tokenizerDir().resolve("tokenizer.json").toString()});
        return m;
    }

    /** The SHA-256 of each {@link #hashedInputs} file, by key. */
    private Map<String, String> inputHashes() {
        Map<String, String> m = new LinkedHashMap<>();
        hashedInputs().forEach((k, f) -> m.put(k, Datasets.sha256(Path.of(f[1]))));
        return m;
    }

    /**
     * Refuses a resume whose inputs' bytes differ from those the run started with (recorded in its
     * provenance), naming each differing input.
     *
     * @return the run's provenance as read, for the resume's other checks ({@link #checkExampleCounts})
     */
    private JsonObject checkInputsUnchanged(Path provenance, Map<String, String> now) {
        JsonObject p;
        JsonObject recorded;
        JsonObject runConfig;
        try {
            p = JsonParser.parseString(Files.readString(provenance, StandardCharsets.UTF_8)).getAsJsonObject();
            recorded = p.getAsJsonObject("sha256");
            runConfig = p.has("config") && p.get("config").isJsonObject() ? p.getAsJsonObject("config") : new JsonObject();
        } catch (IOException | JsonParseException | IllegalStateException | ClassCastException e) {
            throw new SftException("--resume: " + provenance + ": cannot read the run's input hashes (" + e.getMessage()
                    + "); expected the \"sha256\" object that 'qdecode sft' writes");
        }
        if (recorded == null) {
            throw new SftException("--resume: " + provenance + ": no \"sha256\" object (expected the run's input hashes)");
        }
        List<String> changed = new ArrayList<>();
        Map<String, String[]> inputs = hashedInputs();
        for (Map.Entry<String, String> e : now.entrySet()) {
            JsonElement was = recorded.get(e.getKey());
            String expected = was != null && was.isJsonPrimitive() ? was.getAsString() : "none recorded";
            if (!e.getValue().equals(expected)) {
                String[] in = inputs.get(e.getKey());
                Path runs = runInput(runConfig, e.getKey());
                if (runs != null && !Datasets.sameFile(Path.of(in[1]), runs)) {
                    // given again from another path, with other bytes: not "changed", another file
                    changed.add(Datasets.notTheRuns(in[0], in[1], runs.toString(), e.getValue(), expected, null));
                } else {
                    changed.add(Datasets.changedSinceRun(in[0] + " " + in[1], e.getValue(), expected, null));
                }
            }
        }
        if (!changed.isEmpty()) {
            throw new SftException("--resume continues with the run's own inputs, but " + String.join(", ", changed)
                    + " (as " + provenance + " records); restore the inputs, give files with the run's content, or "
                    + "start a new run in another --out");
        }
        return p;
    }

    /**
     * Refuses a resume whose data now gives another number of training or dev examples than its provenance
     * records ({@code train_examples}, {@code dev_examples}; not checked when absent): with the same bytes and
     * options, only a run started by a qdecode that trained a translation row with a JSON-array target on its
     * first reference only, or on a reference the array repeats once per repeat, differs, and continuing it
     * would follow another batch plan and compare another dev loss with its best one. {@code p} is the provenance {@link #checkInputsUnchanged} read from {@code provenance}.
     */
    private static void checkExampleCounts(Path provenance, JsonObject p, SftData train, SftData dev) {
        checkExampleCount(provenance, p, "train_examples", train);
        checkExampleCount(provenance, p, "dev_examples", dev);
    }

    /**
     * Refuses a resume whose provenance {@code p} (read from {@code provenance}) records under {@code key} another
     * number of examples than {@code data} now gives; a missing or non-numeric key is not checked.
     */
    private static void checkExampleCount(Path provenance, JsonObject p, String key, SftData data) {
        JsonElement was = p.get(key);
        if (was != null && was.isJsonPrimitive() && was.getAsJsonPrimitive().isNumber()
                && was.getAsLong() != data.size()) {
            throw new SftException("--resume: " + provenance + ": key '" + key + "': the run was started with "
                    + was.getAsLong() + " examples but " + data.file() + " now gives " + data.size() + " from "
                    + data.rowCount() + " rows (this qdecode makes each distinct reference of a JSON-array target one"
                    + " example; the run was started by one that used the first only, or counted a repeated reference"
                    + " once per repeat): start a new run with --overwrite or another --out");
        }
    }

    /**
     * The file a run recorded for a hashed input ({@link #hashedInputs} key), from its provenance's config:
     * null when not recorded.
     */
    private static Path runInput(JsonObject runConfig, String key) {
        String option = key.equals("tokenizer.json") ? (runConfig.has("tokenizer")
                && !runConfig.get("tokenizer").isJsonNull() ? "tokenizer" : "model") : key;
        JsonElement v = runConfig.get(option);
        if (v == null || !v.isJsonPrimitive()) {
            return null;
        }
        Path p = Path.of(v.getAsString());
        return key.equals("tokenizer.json") ? p.resolve("tokenizer.json") : p;
    }

    /**
     * Refuses an {@code --init} config whose eos_token_id (every one of a list) or bos_token_id is not
     * a special token of the tokenizer: an ordinary piece as EOS would end every target with it (and
     * stop every decode at it), an ordinary piece as BOS would begin the generated config's prompts.
     */
    private void checkSpecialTokens(ModelConfig mc, TextTokenizer tok, Path tokenizerFile) {
        List<String> specials = new ArrayList<>();
        for (int id = 0; id < tok.vocabSize() && specials.size() < 8; id++) {
            if (tok.isSpecial(id)) {
                specials.add(id + " " + tok.piece(id));
            }
        }
        String expected = specials.isEmpty() ? "a special token, but the tokenizer has none (train it with"
                + " 'qdecode tokenizer train', which adds <s> and </s>)" : "one of the tokenizer's special tokens ("
                + String.join(", ", specials) + "), or leave bos_token_id and eos_token_id out to take the tokenizer's";
        List<int[]> fields = new ArrayList<>();
        for (int eos : mc.eosTokenIds()) {
            fields.add(new int[] {0, eos});
        }
        if (mc.bosTokenId() >= 0) {
            fields.add(new int[] {1, mc.bosTokenId()});
        }
        for (int[] f : fields) {
            String field = f[0] == 0 ? "eos_token_id" : "bos_token_id";
            int id = f[1];
            if (id >= tok.vocabSize()) {
                throw new SftException("--init " + cfg.init() + ": " + field + " " + id + " is not a token of "
                        + tokenizerFile + " (it has " + tok.vocabSize() + "); expected " + expected);
            }
            if (!tok.isSpecial(id)) {
                throw new SftException("--init " + cfg.init() + ": " + field + " " + id + " is the ordinary token '"
                        + tok.piece(id) + "' of " + tokenizerFile + (f[0] == 0 ? " (every target would be trained to end with it)"
                        : " (the trained model would name it its beginning of sequence)") + "; expected " + expected);
            }
        }
    }

    /** Refuses a default template whose marker the tokenizer would split into pieces. */
    private void checkDefaultTemplate(TextTokenizer tok, Path tokenizerFile) {
        String template = SftConfig.defaultTemplate(cfg.task());
        String marker = template.replace(SftConfig.SOURCE, "").strip();
        if (marker.isEmpty()) {
            return;
        }
        int id = tok.pieceId(marker);
        if (id < 0 || Arrays.stream(tok.encode("a " + marker, false)).noneMatch(i -> i == id)) {
            throw new SftException("--template not given: the default " + cfg.task() + " template '" + template
                    + "' needs " + marker + " as one token, but " + tokenizerFile + " has no " + marker
                    + " token (it would be split into pieces); give --template (e.g. '{source} =') or train the"
                    + " tokenizer with 'qdecode tokenizer train --special-tokens " + marker + "'");
        }
    }

    /**
     * Refuses a {@code batchTokens} limit that a training sequence exceeds on its own: the option's value
     * is wrong for the data (bad usage, as a step too large for {@code --max-memory} is), so the message
     * names the longest sequence, where it is and the least value that works.
     */
    private void checkBatchTokens(SftData train) {
        if (cfg.batchTokens() <= 0) {
            return;
        }
        int longestAt = 0;
        long over = 0;
        for (int i = 0; i < train.size(); i++) {
            int l = train.rows()[i].length;
            if (l > train.rows()[longestAt].length) {
                longestAt = i;
            }
            if (l > cfg.batchTokens()) {
                over++;
            }
        }
        if (over > 0) {
            int longest = train.rows()[longestAt].length;
            throw SftException.ofUsage("--batch-tokens " + cfg.batchTokens() + ": " + over + " of " + train.size()
                    + " training sequences are longer; the longest (" + train.location(longestAt) + ") has " + longest
                    + " tokens (prompt + target + EOS); expected at least " + longest + ", or 0 for no limit");
        }
    }

    private void writeProvenance(Path out, ModelConfig mc, PromptFormat format, int eos, SftData train, SftData dev,
            MemoryEstimate mem, long total, Map<String, String> inputHashes) throws IOException {
        JsonObject p = new JsonObject();
        p.addProperty("qdecode_version", QdecodeVersion.get());
        p.addProperty("java", System.getProperty("java.version"));
        p.addProperty("djl", "0.35.1");
        p.addProperty("written_at", Instant.now().toString());
        p.addProperty("resumed", resume);
        p.add("config", cfg.toJson());
        p.addProperty("seed", cfg.seed());
        JsonObject hashes = new JsonObject();
        inputHashes.forEach(hashes::addProperty);
        p.add("sha256", hashes);
        p.addProperty("train_examples", train.size());
        p.addProperty("train_rows", train.rowCount());
        p.addProperty("dev_examples", dev.size());
        p.addProperty("dev_rows", dev.rowCount());
        p.addProperty("planned_steps", total);
        p.addProperty("parameters", mem.parameters());
        p.addProperty("memory_estimate", mem.describe());
        p.addProperty("prompt_format", format.toSpec());
        p.addProperty("eos_token_id", eos);
        p.addProperty("threads", threads);
        p.addProperty("optimizer", fusedAdam ? "AdamW (DJL fused kernel)" : "AdamW (NDArray ops)");
        JsonObject model = new JsonObject();
        model.addProperty("hidden_size", mc.hiddenSize());
        model.addProperty("num_hidden_layers", mc.numLayers());
        model.addProperty("vocab_size", mc.vocabSize());
        p.add("model", model);
        writeJson(out.resolve(PROVENANCE), p);
    }

    /**
     * Reads the metrics of a finished run (one JSON object per evaluation).
     *
     * @param out the output directory
     * @return the metrics lines, oldest first
     * @throws UncheckedIOException when the file cannot be read
     * @throws NullPointerException naming {@code out} when it is null
     */
    public static List<JsonObject> readMetrics(Path out) {
        Objects.requireNonNull(out, "out");
        try {
            List<JsonObject> r = new ArrayList<>();
            for (String line : Files.readAllLines(out.resolve(METRICS), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    r.add(JsonParser.parseString(line).getAsJsonObject());
                }
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Formats a metrics line for humans.
     *
     * @param m a metrics line
     * @return e.g. {@code step 500  dev loss 2.1  ppl 8.2  BLEU 20.1  (best)}
     * @throws NullPointerException naming {@code m} when it is null
     */
    public static String describe(JsonObject m) {
        Objects.requireNonNull(m, "m");
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "step %d  dev loss %.4f  ppl %.2f", m.get("step").getAsLong(),
                m.get("dev_loss").getAsDouble(), m.get("dev_ppl").getAsDouble()));
        if (m.has("bleu")) {
            b.append(String.format(Locale.ROOT, "  BLEU %.2f", m.get("bleu").getAsDouble()));
        }
        if (m.get("best").getAsBoolean()) {
            b.append("  (best)");
        }
        return b.toString();
    }
}
