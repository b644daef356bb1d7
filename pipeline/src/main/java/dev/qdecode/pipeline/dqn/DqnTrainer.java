package dev.qdecode.pipeline.dqn;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.ShapedReward;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The DQN training loop: roll out {@code rolloutEpisodes} seeded train prompts with the behaviour
 * policy (ε-greedy over C(s) on log π_ref + Q/τ_Q), score them (terminal reward, or potential-based
 * shaping r_t = γ·Φ(prefix_{t+1}) − Φ(prefix_t), see {@link Shaping}, when the reward scores prefixes;
 * optional KL penalty),
 * push them to replay, run {@code updatesPerRollout} updates, evaluate every {@code evalEvery}
 * episodes on held-out prompts, checkpoint. Writes {@code metrics.jsonl}, {@code checkpoint.qdq} and
 * (at the end) {@code summary.json} in the run directory.
 *
 * <p>Reproducible: with the same seed, an interrupted run (see {@link #run(long)}) resumed from its
 * checkpoint with {@code saveReplay} on ends with the same head and metrics as an uninterrupted one.
 */
public final class DqnTrainer implements AutoCloseable {

    /** Name of the metrics file in the run directory. */
    public static final String METRICS_FILE = "metrics.jsonl";
    /** Name of the summary file in the run directory. */
    public static final String SUMMARY_FILE = "summary.json";
    /** The files a run writes in its directory: checkpoint, metrics log and summary. */
    public static final List<String> RUN_FILES = List.of(Checkpoint.FILE_NAME, METRICS_FILE, SUMMARY_FILE);
    /** Episodes an evaluation samples together; an {@link EvalLog} keeps whole batches. */
    public static final int EVAL_BATCH = 64;
    /** Checkpoint counter: 1 when an evaluation at the checkpointed episode was interrupted. */
    private static final String PENDING_EVAL = "pending_evaluation";
    /** Checkpoint values: the return range targets are clipped to, as widened so far. */
    private static final String RETURN_MIN = "returnMin";
    private static final String RETURN_MAX = "returnMax";

    /** An evaluation stopped between batches because the listener asked to stop. */
    private static final class EvalStopped extends RuntimeException {
        EvalStopped() {
            super(null, null, false, false);
        }
    }
    private static final int EXAMPLES = 3;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * Everything the trainer needs besides the config.
     *
     * @param model the frozen backbone (also π_ref)
     * @param tokenizer its tokenizer
     * @param format its prompt format
     * @param reward the reward, wrapped with {@link Rewards#checked} so that a failure names the reward,
     *     the episode and its text
     * @param trainPrompts prompts sampled for rollouts (non-empty)
     * @param evalPrompts held-out prompts for evaluation (non-empty)
     * @param positiveThreshold a reward above this counts as positive
     * @param runDir the run directory (created when missing)
     * @param provenance model dir and hashes, data hashes, reward specs, version (stored in checkpoints)
     * @param trainReferences reference texts by training prompt (translation, dialogue: the gold targets every
     *     training episode and demonstration of that prompt is scored against; a prompt that occurs several
     *     times in the training data has all its targets); empty for tasks without references
     * @param evalReferences reference texts by evaluation prompt, the same for the evaluations: kept apart from
     *     {@code trainReferences}, so a prompt that is both a training and an evaluation prompt is scored
     *     against the training data's targets in training and the evaluation data's in evaluations
     */
    public record Setup(CausalLM model, TextTokenizer tokenizer, PromptFormat format, Reward reward,
            List<String> trainPrompts, List<String> evalPrompts, double positiveThreshold, Path runDir,
            Map<String, String> provenance, Map<String, List<String>> trainReferences,
            Map<String, List<String>> evalReferences) {
        /**
         * Validates and copies the lists and maps.
         *
         * @param model the frozen backbone (also π_ref)
         * @param tokenizer its tokenizer
         * @param format its prompt format
         * @param reward the reward, wrapped with {@link Rewards#checked} (a no-op for a checked one)
         * @param trainPrompts prompts sampled for rollouts, not empty; copied
         * @param evalPrompts held-out prompts for evaluation, not empty; copied
         * @param positiveThreshold a reward above this counts as positive; a finite number
         * @param runDir the run directory (created when missing)
         * @param provenance model dir and hashes, data hashes, reward specs, version; copied, not null
         * @param trainReferences reference texts by training prompt, what training episodes are scored
         *     against; empty for tasks without references; copied, not null
         * @param evalReferences reference texts by evaluation prompt, what evaluation episodes are scored
         *     against; empty for tasks without references; copied, not null
         * @throws IllegalArgumentException if {@code trainPrompts} or {@code evalPrompts} is empty, or
         *     {@code positiveThreshold} is NaN or infinite
         * @throws NullPointerException naming the component when one (or an element of a list or map) is
         *     null
         */
        public Setup {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(tokenizer, "tokenizer");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(reward, "reward");
            Objects.requireNonNull(trainPrompts, "trainPrompts");
            Objects.requireNonNull(evalPrompts, "evalPrompts");
            Objects.requireNonNull(runDir, "runDir");
            Objects.requireNonNull(provenance, "provenance");
            Objects.requireNonNull(trainReferences, "trainReferences");
            Objects.requireNonNull(evalReferences, "evalReferences");
            if (trainPrompts.isEmpty() || evalPrompts.isEmpty()) {
                throw new IllegalArgumentException("train and evaluation prompts must not be empty");
            }
            if (!Double.isFinite(positiveThreshold)) { // a NaN threshold counted no reward as positive
                throw new IllegalArgumentException("positiveThreshold: expected a finite number but got "
                        + positiveThreshold);
            }
            // a failing, NaN or infinite score then names the reward, the episode and its text
            reward = Rewards.checked(reward);
            trainPrompts = List.copyOf(trainPrompts);
            evalPrompts = List.copyOf(evalPrompts);
            provenance = Map.copyOf(provenance);
            trainReferences = Map.copyOf(trainReferences);
            evalReferences = Map.copyOf(evalReferences);
        }

        /**
         * A setup whose training and evaluation prompts are scored against the same references, for callers
         * that evaluate the prompts they train on, or that give one map covering both (a prompt in both is
         * then scored against all of its references in training and in evaluations alike; the CLI keeps
         * them apart with the canonical constructor).
         *
         * @param model the frozen backbone (also π_ref)
         * @param tokenizer its tokenizer
         * @param format its prompt format
         * @param reward the reward (checked as by the canonical constructor)
         * @param trainPrompts prompts sampled for rollouts (non-empty)
         * @param evalPrompts held-out prompts for evaluation (non-empty)
         * @param positiveThreshold a reward above this counts as positive
         * @param runDir the run directory (created when missing)
         * @param provenance model dir and hashes, data hashes, reward specs, version
         * @param references reference texts by prompt, for training and evaluation episodes alike; empty for
         *     tasks without references
         * @throws NullPointerException naming the argument that is null (as the canonical constructor does)
         */
        public Setup(CausalLM model, TextTokenizer tokenizer, PromptFormat format, Reward reward,
                List<String> trainPrompts, List<String> evalPrompts, double positiveThreshold, Path runDir,
                Map<String, String> provenance, Map<String, List<String>> references) {
            // checked here: the canonical constructor would name it trainReferences
            this(model, tokenizer, format, reward, trainPrompts, evalPrompts, positiveThreshold, runDir, provenance,
                    Objects.requireNonNull(references, "references"), references);
        }

        /**
         * A setup without references (continuation).
         *
         * @param model the frozen backbone (also π_ref)
         * @param tokenizer its tokenizer
         * @param format its prompt format
         * @param reward the reward (checked as by the canonical constructor)
         * @param trainPrompts prompts sampled for rollouts (non-empty)
         * @param evalPrompts held-out prompts for evaluation (non-empty)
         * @param positiveThreshold a reward above this counts as positive
         * @param runDir the run directory (created when missing)
         * @param provenance model dir and hashes, data hashes, reward specs, version
         */
        public Setup(CausalLM model, TextTokenizer tokenizer, PromptFormat format, Reward reward,
                List<String> trainPrompts, List<String> evalPrompts, double positiveThreshold, Path runDir,
                Map<String, String> provenance) {
            this(model, tokenizer, format, reward, trainPrompts, evalPrompts, positiveThreshold, runDir, provenance,
                    Map.of(), Map.of());
        }
    }

    /**
     * The result of a whole run.
     *
     * @param base the base model's evaluation
     * @param trained the trained policy's final evaluation
     * @param episodes episodes trained
     * @param updates gradient updates done
     */
    public record Summary(EvalMetrics base, EvalMetrics trained, long episodes, long updates) {

        /**
         * Checks that {@code base} and {@code trained} are given.
         *
         * @param base see the record description
         * @param trained see the record description
         * @param episodes see the record description
         * @param updates see the record description
         * @throws NullPointerException naming {@code base} or {@code trained} when it is null
         */
        public Summary {
            Objects.requireNonNull(base, "base");
            Objects.requireNonNull(trained, "trained");
        }
    }

    private final Setup s;
    private final DqnConfig cfg;
    private final TrainListener listener;
    private final Rollouts rollouts;
    private final QHead head;
    private final ReplayBuffer replay;
    private final Learner learner;
    private final KlController kl;
    private final DivergenceMonitor monitor;
    private final Rng rng;
    /** With --shuffled-passes, which training prompt each episode starts from (resumes from the episode count). */
    private final Passes order;
    private final TrainingStats stats = new TrainingStats();
    private long episodesDone;
    /** Demonstration episodes stored so far (--demonstrations). */
    private long demosDone;
    private long updateNanos;
    private long updatesTimed;
    private EvalMetrics base;
    private EvalMetrics last;
    /** An evaluation was interrupted at {@link #episodesDone}: the resumed run does it first (same log). */
    private boolean evalPending;
    /**
     * What checkpoints and the summary record: the setup's provenance; on resume the checkpoint's, updated
     * with the setup's entries (a setup without provenance no longer erases the run's model and data).
     */
    private Map<String, String> provenance;
    /** The summary once this trainer has finished the run (a later {@link #run} returns it). */
    private Summary finished;
    /** Terminal rewards of the latest scored batch (set by {@link #rewards}). */
    private double[] terminal = new double[0];

    // training: false for a standalone evaluation (the static evaluate), which stores nothing in replay: it gets an
    // empty one-slot buffer, not the run's --replay-size slots and their checks (longest episode, memory)
    private DqnTrainer(Setup setup, DqnConfig cfg, TrainListener listener, boolean training) {
        if (cfg.demonstrations() > 0 && setup.trainReferences().isEmpty()) {
            throw new IllegalArgumentException("--demonstrations: expected a task with reference targets (translation,"
                    + " dialogue)");
        }
        this.s = setup;
        this.cfg = cfg;
        this.provenance = setup.provenance();
        this.listener = listener == null ? new TrainListener() {} : listener;
        if (cfg.valueLoss() != DqnConfig.ValueLoss.HUBER) {
            throw new IllegalArgumentException("--value-loss cross-entropy: only for --task "
                    + "classification (a generating task's returns carry the KL penalty and shaped differences, "
                    + "outside [0, 1]; expected --value-loss huber)");
        }
        this.rollouts = new Rollouts(setup.model(), setup.tokenizer(), setup.format(), cfg);
        // Every prompt must leave room for the episode: found now, not when a later rollout draws it.
        rollouts.checkFit(setup.trainPrompts(), "training prompt", setup.provenance().get("prompts"));
        rollouts.checkFit(setup.evalPrompts(), "evaluation prompt", setup.provenance().get("eval_prompts"));
        int h = setup.model().config().hiddenSize();
        int v = setup.model().config().vocabSize();
        // a step keeps at most top-k candidates (all tokens without a limit), plus a demonstration's own token
        int candidates = Math.min(v, (cfg.candidatesTopK() > 0 ? Math.min(cfg.candidatesTopK(), v) : v)
                + (cfg.demonstrations() > 0 ? 1 : 0));
        this.replay = !training ? new ReplayBuffer(1, false, cfg.priorityAlpha(), cfg.priorityEps())
                : ReplayBuffer.of(cfg, h,
                (long) Math.ceil(cfg.episodes() * (1 + cfg.demonstrations())) * cfg.maxNewTokens(), cfg.maxNewTokens(),
                "--max-new-tokens " + cfg.maxNewTokens(), candidates);
        boolean shaping = cfg.shapingEvery() > 0 && setup.reward().scoresPrefixes();
        // Reward in [-1, 1] (VADER compound, probabilities); shaped returns Φ_T − Φ_t span twice that. Unless
        // the range is given, returns the episodes reach beyond it widen it (Learner.widen).
        double returnMin = cfg.returnMin() != null ? cfg.returnMin() : shaping ? -2.0 : -1.0;
        double returnMax = cfg.returnMax() != null ? cfg.returnMax() : shaping ? 2.0 : 1.0;
        this.head = new QHead(h, cfg.headHidden(), v, cfg.activation(), cfg.seed());
        try {
            this.learner = new Learner(head, replay, cfg, returnMin, returnMax);
        } catch (RuntimeException e) { // the head's engine arrays are freed, not left to the process's end
            head.close();
            throw e;
        }
        this.kl = KlController.of(cfg);
        this.monitor = new DivergenceMonitor(Math.max(Math.abs(returnMin), Math.abs(returnMax)));
        this.rng = Rng.derive(cfg.seed(), 1);
        this.order = cfg.shuffledPasses() ? new Passes(setup.trainPrompts().size(), cfg.seed(), 3) : null;
    }

    /**
     * The provenance that ties a run to its model, for {@link Setup#provenance()}: the model directory, the
     * sha256 of its weights ({@link dev.qdecode.models.ModelFiles#weightsSha256}: of {@code model.safetensors},
     * or over the files of a sharded model) and of its {@code tokenizer.json} (each where present). With
     * them, {@link #resume} refuses a model with other weights or tokenizer, the CLI's {@code generate} and
     * {@code evaluate --policy} refuse the run's policy for another model and find the run's model without
     * {@code --model}. ({@link DqnPolicy#load} is given no model and checks none: compare
     * {@link DqnPolicy#provenance()} with this map of the model you decode with.)
     *
     * @param modelDir the model directory
     * @return {@code model_dir}, {@code model_sha256}, {@code tokenizer_sha256}
     * @throws dev.qdecode.models.ModelException when a file cannot be read
     * @throws NullPointerException naming {@code modelDir} when it is null
     */
    public static Map<String, String> modelProvenance(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        Map<String, String> p = new LinkedHashMap<>();
        p.put("model_dir", modelDir.toAbsolutePath().normalize().toString());
        // hashed once per process while the files are unchanged (ModelFiles), as every other use of them is
        Map<String, String> hashes = dev.qdecode.models.ModelFiles.sha256(modelDir);
        if (hashes.keySet().stream().anyMatch(f -> f.endsWith(".safetensors"))) {
            // as generate/evaluate --policy identify the model they load: sharded weights have no model.safetensors
            p.put("model_sha256", dev.qdecode.models.ModelFiles.weightsSha256(modelDir));
        }
        if (hashes.containsKey("tokenizer.json")) {
            p.put("tokenizer_sha256", hashes.get("tokenizer.json"));
        }
        return p;
    }

    /**
     * A fresh run, in a run directory that holds none of {@link #RUN_FILES}.
     *
     * @param setup model, reward, prompts, run directory
     * @param cfg the validated config
     * @param listener hooks, or null
     * @return the trainer (close it)
     * @throws IllegalArgumentException when the directory holds an earlier run, or the setup does not fit
     * @throws NullPointerException naming {@code setup} or {@code cfg} when it is null
     */
    public static DqnTrainer create(Setup setup, DqnConfig cfg, TrainListener listener) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(cfg, "cfg");
        for (String f : RUN_FILES) { // a fresh run would mix its metrics into the earlier run's log
            if (Files.exists(setup.runDir().resolve(f))) {
                throw new IllegalArgumentException(setup.runDir() + ": holds an earlier run's " + f + " (expected a "
                        + "directory without a run: remove its files, or continue it with resume)");
            }
        }
        return new DqnTrainer(setup, cfg, listener, true);
    }

    /**
     * Continues the run in {@code setup.runDir()} from its checkpoint, with the checkpoint's config.
     *
     * @param setup model, reward, prompts, run directory; its provenance updates the checkpoint's (entries it
     *     lacks keep the run's values)
     * @param listener hooks, or null
     * @return the trainer, positioned after the checkpointed episode
     * @throws IllegalArgumentException when the checkpoint is missing or corrupt, the run has finished (its
     *     {@value #SUMMARY_FILE} is written after its last episode), or the model differs: its
     *     sizes do not fit the checkpoint's head, or its weights or tokenizer are not the run's (the sha256
     *     that {@link #modelProvenance} records, compared where both the checkpoint and {@code setup}
     *     record it)
     * @throws NullPointerException naming {@code setup} when it is null
     */
    public static DqnTrainer resume(Setup setup, TrainListener listener) {
        Objects.requireNonNull(setup, "setup");
        Path file = setup.runDir().resolve(Checkpoint.FILE_NAME);
        Checkpoint.Data header = Checkpoint.read(file, null);
        if (header.counters().getOrDefault("episodes", 0L) >= header.config().episodes()
                && Files.exists(setup.runDir().resolve(SUMMARY_FILE))) {
            // it evaluated the final head again and rewrote the last metrics line, with this setup's prompts
            throw new IllegalArgumentException(setup.runDir() + ": the run already finished its "
                    + header.config().episodes() + " episodes (see " + SUMMARY_FILE + "; expected an unfinished run)");
        }
        requireSameModel(file, header.provenance(), setup.provenance());
        DqnTrainer t = new DqnTrainer(setup, header.config(), listener, true);
        try {
            t.restore(file, header);
        } catch (RuntimeException e) { // a corrupt replay section, a head that does not fit: free the head
            t.close();
            throw e;
        }
        return t;
    }

    /**
     * A head continues training only on the model (and tokenizer) it was trained on: one of the same sizes
     * but other weights would resume without complaint and mix two models' states in one head.
     */
    private static void requireSameModel(Path file, Map<String, String> run, Map<String, String> setup) {
        String[][] keys = {{"model_sha256", "weights"}, {"tokenizer_sha256", "tokenizer.json"}};
        for (String[] k : keys) {
            String mine = run.get(k[0]);
            String given = setup.get(k[0]);
            if (mine != null && given != null && !mine.equals(given)) {
                throw new IllegalArgumentException(file + ": the run was trained on " + run.get("model_dir") + " ("
                        + k[1] + " sha256 " + mine + ") but the setup's model " + setup.get("model_dir") + " has "
                        + k[1] + " sha256 " + given + " (expected the run's model)");
            }
        }
    }

    /** Loads the checkpoint's head, replay, counters and generator state into this fresh trainer. */
    private void restore(Path file, Checkpoint.Data header) {
        Checkpoint.Data d = header.hasReplay() ? Checkpoint.read(file, replay) : header;
        if (d.head().in() != head.inputSize() || d.head().vocab() != head.vocabSize()) {
            throw new IllegalArgumentException(file + ": the checkpoint's head (embedding " + d.head().in()
                    + ", vocabulary " + d.head().vocab() + ") does not fit the model (embedding " + head.inputSize()
                    + ", vocabulary " + head.vocabSize() + "; expected the model the run was trained on)");
        }
        head.load(d.head());
        Map<String, String> merged = new LinkedHashMap<>(d.provenance());
        merged.putAll(s.provenance());
        provenance = Map.copyOf(merged);
        episodesDone = d.counters().getOrDefault("episodes", 0L);
        demosDone = d.counters().getOrDefault("demonstrations", 0L);
        learner.setUpdates(d.counters().getOrDefault("updates", 0L));
        evalPending = d.counters().getOrDefault(PENDING_EVAL, 0L) != 0;
        rng.setState(d.rng().get("train"));
        kl.setBeta(d.values().getOrDefault("klBeta", header.config().klBeta()));
        if (d.values().containsKey(RETURN_MIN)) { // the range as widened before (older checkpoints: the default)
            learner.setReturnRange(d.values().get(RETURN_MIN), d.values().get(RETURN_MAX));
            monitor.widen(learner.returnRange());
        }
        stats.load(d.values());
        monitor.load(d.counters(), d.values()); // older checkpoints: an empty history, as before
        trimMetrics();
    }

    /**
     * The provenance and progress stored in a run directory's checkpoint (for {@code --resume}).
     *
     * @param runDir the run directory
     * @return provenance entries plus {@code episodes_done}, {@code episodes_total}, {@code max_new_tokens}
     *     and {@code config} (the run's {@link DqnConfig} as JSON)
     * @throws IllegalArgumentException when the checkpoint is missing or corrupt
     * @throws NullPointerException naming {@code runDir} when it is null
     */
    public static Map<String, String> checkpointInfo(Path runDir) {
        Objects.requireNonNull(runDir, "runDir");
        return info(Checkpoint.read(runDir.resolve(Checkpoint.FILE_NAME), null));
    }

    /**
     * What {@link #checkpointInfo} returns, from the checkpoint's header alone: the head's parameters
     * are not read (nor checked), so a large run's checkpoint is cheap to describe (for reports, and for
     * the settings {@code evaluate} takes from the run it evaluates).
     *
     * @param runDir the run directory, or its checkpoint file (as {@code --policy} takes either)
     * @return as {@link #checkpointInfo}
     * @throws IllegalArgumentException when the checkpoint is missing or its header is corrupt
     * @throws NullPointerException naming {@code runDir} when it is null
     */
    public static Map<String, String> checkpointHeader(Path runDir) {
        Objects.requireNonNull(runDir, "runDir");
        return info(Checkpoint.readHeader(Checkpoint.fileOf(runDir)));
    }

    private static Map<String, String> info(Checkpoint.Data d) {
        Map<String, String> m = new LinkedHashMap<>(d.provenance());
        m.put("episodes_done", Long.toString(d.counters().getOrDefault("episodes", 0L)));
        m.put("episodes_total", Integer.toString(d.config().episodes()));
        m.put("max_new_tokens", Integer.toString(d.config().maxNewTokens()));
        m.put("config", d.config().toJson());
        return m;
    }

    /**
     * The config of this run.
     *
     * @return the config
     */
    public DqnConfig config() {
        return cfg;
    }

    /**
     * Episodes done so far.
     *
     * @return the count
     */
    public long episodesDone() {
        return episodesDone;
    }

    /**
     * Demonstration episodes stored in replay so far ({@code demonstrations} &gt; 0).
     *
     * @return the count
     */
    public long demonstrationsDone() {
        return demosDone;
    }

    /**
     * Trains until the configured episodes are done or {@code stopAfter} episodes are reached (a
     * simulated interruption: a checkpoint is written there), whichever comes first; also stops, with
     * a checkpoint, after the rollout round or evaluation batch in which the listener's
     * {@link TrainListener#stopRequested()} turns true. An evaluation stopped that way (also the final one,
     * after the last episode) is done again, whole, when the run is resumed, so its log equals an
     * uninterrupted run's.
     *
     * A call after the run has finished returns its summary again and does nothing else (no evaluation,
     * no line in the metrics log, no file written).
     *
     * @param stopAfter stop once this many episodes are done (use {@code Long.MAX_VALUE} for no limit)
     * @return the summary when the run finished, null when it stopped early
     */
    public Summary run(long stopAfter) {
        if (finished != null) {
            return finished;
        }
        try {
            Files.createDirectories(s.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + s.runDir(), e);
        }
        if (base == null) {
            try {
                base = evaluate(null, 0);
            } catch (EvalStopped e) {
                // the base evaluation is not logged: it runs again on resume, pending or not
                checkpoint();
                return null;
            }
            listener.onEvaluation(base);
        }
        try {
            if (evalPending && episodesDone < cfg.episodes()) {
                evaluateAndLog();
            }
            evalPending = false;
            return train(stopAfter);
        } catch (EvalStopped e) {
            evalPending = true;
            checkpoint();
            return null;
        }
    }

    private Summary train(long stopAfter) {
        while (episodesDone < cfg.episodes() && episodesDone < stopAfter && !listener.stopRequested()) {
            int n = (int) Math.min(cfg.rolloutEpisodes(), cfg.episodes() - episodesDone);
            trainRound(n);
            long before = episodesDone;
            episodesDone += n;
            boolean evalNow = cfg.evalEvery() > 0 && episodesDone / cfg.evalEvery() > before / cfg.evalEvery()
                    && episodesDone < cfg.episodes();
            if (evalNow) {
                evaluateAndLog();
            }
            boolean ckpt = cfg.checkpointEvery() > 0
                    ? episodesDone / cfg.checkpointEvery() > before / cfg.checkpointEvery()
                    : evalNow;
            if (ckpt && episodesDone < cfg.episodes()) {
                checkpoint();
            }
        }
        if (episodesDone < cfg.episodes()) {
            checkpoint();
            return null;
        }
        // The final evaluation (those inside the run stop before the last episode). The head is final:
        // checkpointed with this evaluation pending (and the interval's training statistics not yet
        // drained), so a stop or a kill from here until summary.json is written redoes only this
        // evaluation, with the same log line.
        evalPending = true;
        checkpoint();
        evaluateAndLog();
        Summary sum = new Summary(base, last, episodesDone, learner.updates());
        writeSummary(sum);
        finished = sum;
        return sum;
    }

    /**
     * The training prompts of the next {@code n} episodes: drawn independently (or from shuffled passes),
     * each repeated {@code samplesPerPrompt} times side by side.
     */
    List<String> drawPrompts(int n) {
        List<String> prompts = new ArrayList<>(n);
        int group = cfg.samplesPerPrompt();
        int drawn = -1;
        for (int i = 0; i < n; i++) {
            if (i % group == 0) {
                drawn = order != null ? order.at((episodesDone + i) / group) : rng.nextInt(s.trainPrompts().size());
            }
            prompts.add(s.trainPrompts().get(drawn));
        }
        return prompts;
    }

    private void trainRound(int n) {
        List<String> prompts = drawPrompts(n);
        double eps = cfg.epsilonAt(episodesDone);
        List<Rollouts.Episode> eps0 = rollouts.run(prompts, head, eps, rng, true);
        long first = episodesDone;
        float[][] rewards = rewards(eps0, i -> "training episode " + (first + i + 1));
        double sumR = 0;
        double sumKl = 0;
        List<int[]> seqs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Rollouts.Episode e = eps0.get(i);
            sumR += terminal[i];
            sumKl += e.kl();
            seqs.add(e.tokens());
            replay.add(e.steps().build(rewards[i]));
        }
        demonstrate(prompts);
        kl.update(sumKl / n, n);
        stats.rollout(n, sumR, sumKl);
        listener.onRollout(episodesDone + n, cfg.episodes(), sumR / n, eps);
        String rep = monitor.checkRepeats(DivergenceMonitor.repeatFraction(seqs));
        if (rep != null) {
            listener.onWarning(rep);
        }
        if (replay.size() >= cfg.batchSize() && cfg.updatesPerRollout() > 0) {
            long t0 = System.nanoTime();
            double loss = 0;
            double absQ = 0;
            for (int k = 0; k < cfg.updatesPerRollout(); k++) {
                Learner.Stats st = learner.update(rng, cfg.priorityBetaAt(episodesDone), episodesDone);
                stats.update(st);
                loss += st.loss();
                absQ += st.meanAbsQ();
            }
            updateNanos += System.nanoTime() - t0;
            updatesTimed += cfg.updatesPerRollout();
            absQ /= cfg.updatesPerRollout();
            listener.onUpdate(learner.updates(), loss / cfg.updatesPerRollout(), absQ);
            String w = monitor.checkQ(absQ);
            if (w != null) {
                listener.onWarning(w);
            }
        }
    }

    /**
     * With {@code demonstrations} &gt; 0: the reference targets of the first prompts of the batch (the
     * fraction rounded, at least one), teacher-forced and scored like rollouts, into replay. They are not
     * counted as episodes or in the rollout statistics.
     */
    private void demonstrate(List<String> prompts) {
        if (cfg.demonstrations() <= 0) {
            return;
        }
        int m = Math.max(1, (int) Math.round(cfg.demonstrations() * prompts.size()));
        List<String> demoPrompts = new ArrayList<>(m);
        List<int[]> targets = new ArrayList<>(m);
        for (String p : prompts.subList(0, Math.min(m, prompts.size()))) {
            List<String> refs = s.trainReferences().get(p);
            if (refs == null || refs.isEmpty()) {
                continue;
            }
            demoPrompts.add(p);
            targets.add(s.tokenizer().encode(refs.get(0), false));
        }
        if (demoPrompts.isEmpty()) {
            return;
        }
        List<Rollouts.Episode> demos = rollouts.demonstrate(demoPrompts, targets);
        float[][] r = rewards(demos, i -> "the demonstration (reference target) of a training prompt");
        for (int i = 0; i < demos.size(); i++) {
            replay.add(demos.get(i).steps().build(r[i]));
        }
        demosDone += demos.size();
    }

    /**
     * Per-step rewards (shaped or terminal, plus a {@link ShapedReward}'s per-token part and the KL penalty); sets
     * {@link #terminal} (the episode-level score only). A reward's failure
     * names the episode as {@code name} does (by its index in {@code eps}), with its prompt.
     */
    private float[][] rewards(List<Rollouts.Episode> eps, java.util.function.IntFunction<String> name) {
        int n = eps.size();
        boolean shaping = cfg.shapingEvery() > 0 && s.reward().scoresPrefixes();
        float[][] r = new float[n][];
        terminal = new double[n];
        if (shaping) {
            List<Episode> batch = new ArrayList<>();
            int[][] prefixes = new int[n][];
            for (int i = 0; i < n; i++) {
                Rollouts.Episode e = eps.get(i);
                prefixes[i] = Shaping.scoredPrefixes(e.tokens().length, cfg.shapingEvery());
                batch.add(episode(e, e.prefix(0), 0, s.trainReferences()));
                for (int p : prefixes[i]) {
                    batch.add(episode(e, p == e.tokens().length ? e.text() : e.prefix(p), p, s.trainReferences()));
                }
            }
            int[] owner = new int[batch.size()]; // the episode each scored prefix belongs to
            int from = 0;
            for (int i = 0; i < n; i++) {
                int to = from + 1 + prefixes[i].length;
                java.util.Arrays.fill(owner, from, to, i);
                from = to;
            }
            double[] sc = score(s.reward(), batch, eps, k -> owner[k], name);
            int at = 0;
            for (int i = 0; i < n; i++) {
                double phi0 = sc[at++];
                double[] pot = new double[prefixes[i].length];
                for (int j = 0; j < pot.length; j++) {
                    pot[j] = sc[at++];
                }
                terminal[i] = pot[pot.length - 1];
                r[i] = Shaping.rewards(eps.get(i).tokens().length, phi0, prefixes[i], pot, cfg.gamma());
            }
        } else {
            List<Episode> batch = new ArrayList<>(n);
            for (Rollouts.Episode e : eps) {
                batch.add(episode(e, e.text(), e.tokens().length, s.trainReferences()));
            }
            double[] sc = score(s.reward(), batch, eps, k -> k, name);
            for (int i = 0; i < n; i++) {
                terminal[i] = sc[i];
                r[i] = Shaping.terminal(eps.get(i).tokens().length, sc[i]);
            }
        }
        if (s.reward() instanceof ShapedReward shaped) {
            // A ShapedReward's per-token part, added to the step of its token (as its contract says).
            List<Episode> full = new ArrayList<>(n);
            for (Rollouts.Episode e : eps) {
                full.add(episode(e, e.text(), e.tokens().length, s.trainReferences()));
            }
            double[][] parts = located(() -> shaped.tokenRewards(full), n, eps, k -> k, name);
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < r[i].length; t++) {
                    r[i][t] += (float) parts[i][t];
                }
            }
        }
        if (kl.beta() > 0) {
            for (int i = 0; i < n; i++) {
                // The per-token KL penalty −β·(log π(a_t|s_t) − log π_ref(a_t|s_t)), on the step of its token.
                double[] klSteps = eps.get(i).klSteps();
                for (int t = 0; t < r[i].length; t++) {
                    r[i][t] += (float) kl.penalty(klSteps[t], 0);
                }
            }
        }
        boolean widened = false;
        for (float[] ep : r) {
            widened |= learner.widen(ep);
        }
        if (widened) {
            monitor.widen(learner.returnRange());
        }
        return r;
    }

    /**
     * The return range Bellman targets are clipped to now: the config's, or the default widened by the
     * returns the run's episodes reached ({@link Learner#widen}).
     *
     * @return {min, max}
     */
    double[] returnRange() {
        return learner.returnRange();
    }

    /** Per-step rewards of the given episodes (for tests). */
    float[][] shapedRewardsForTest(List<Rollouts.Episode> eps) {
        return rewards(eps, i -> "episode " + (i + 1));
    }

    /**
     * Scores a batch; a reward's failure on one of its episodes is reworded to name the episode of {@code eps}
     * it belongs to ({@code owner} maps a batch index to it) and that episode's prompt, instead of the
     * episode's place in the batch.
     */
    private static double[] score(Reward reward, List<Episode> batch, List<Rollouts.Episode> eps,
            java.util.function.IntUnaryOperator owner, java.util.function.IntFunction<String> name) {
        return located(() -> reward.score(batch), batch.size(), eps, owner, name);
    }

    /**
     * Runs a call of the reward on a batch of {@code size} episodes, rewording its failure on one of them as
     * {@link #score} does.
     */
    private static <T> T located(java.util.function.Supplier<T> call, int size, List<Rollouts.Episode> eps,
            java.util.function.IntUnaryOperator owner, java.util.function.IntFunction<String> name) {
        try {
            return call.get();
        } catch (RewardException e) {
            int k = e.episodeIndex();
            if (k < 0 || k >= size) {
                throw e;
            }
            int i = owner.applyAsInt(k);
            String prompt = eps.get(i).prompt().replaceAll("\\s+", " ").strip();
            String where = name.apply(i) + ", prompt \"" + (prompt.length() > 40 ? prompt.substring(0, 37) + "..." : prompt)
                    + "\"";
            throw new RewardException(e.messageAt(where), e.rewardId(), k, e);
        }
    }

    private static Episode episode(Rollouts.Episode e, String text, int tokens, Map<String, List<String>> refs) {
        return new Episode(e.prompt(), text, java.util.Arrays.copyOf(e.tokens(), tokens),
                refs.getOrDefault(e.prompt(), List.of()), null, null);
    }

    private void evaluateAndLog() {
        last = evaluate(head, episodesDone).withTraining(stats.drain(kl.beta(), cfg.epsilonAt(episodesDone)));
        appendMetrics(last);
        listener.onEvaluation(last);
    }

    /** Evaluates the guided policy (head != null) or the base model on the held-out prompts. */
    private EvalMetrics evaluate(QHead h, long episode) {
        return evaluate(h, episode, null, true);
    }

    /**
     * {@link #evaluate(QHead, long)}, continuing from and adding to {@code log} when one is given; {@code training}
     * says whether this is one of the run's evaluations (a reward's failure then names the training episodes so
     * far) or a standalone one ({@code evaluate}: the head's training is not counted here).
     */
    private EvalMetrics evaluate(QHead h, long episode, EvalLog log, boolean training) {
        String name = h == null ? "base" : "trained";
        List<String> all = new ArrayList<>();
        for (int k = 0; k < cfg.evalSamples(); k++) {
            all.addAll(s.evalPrompts());
        }
        Rng evalRng = Rng.derive(cfg.seed(), 2);
        List<Rollouts.Episode> eps = new ArrayList<>(all.size());
        if (log != null) {
            List<EvalEpisode> done = log.done(name);
            if (done.size() > all.size() || done.size() < all.size() && done.size() % EVAL_BATCH != 0) {
                throw new IllegalArgumentException("the evaluation log holds " + done.size() + " " + name
                        + " episodes (expected whole batches of " + EVAL_BATCH + " of the " + all.size() + ")");
            }
            for (int i = 0; i < done.size(); i++) {
                EvalEpisode e = done.get(i);
                if (!e.prompt().equals(all.get(i))) {
                    throw new IllegalArgumentException("the evaluation log's " + name + " episode " + (i + 1)
                            + " is for another prompt (expected the log of these prompts)");
                }
                eps.add(new Rollouts.Episode(e.prompt(), e.promptIds(), e.tokens(), e.text(), null, 0, null,
                        null, e.kl()));
            }
            if (!done.isEmpty()) {
                evalRng.setState(log.rngState(name));
            }
        }
        Rollouts r = new Rollouts(s.model(), s.tokenizer(), s.format(), cfg);
        for (int i = eps.size(); i < all.size(); i += EVAL_BATCH) {
            if (listener.stopRequested()) {
                throw new EvalStopped();
            }
            List<Rollouts.Episode> batch = r.sample(all.subList(i, Math.min(all.size(), i + EVAL_BATCH)), h, evalRng);
            eps.addAll(batch);
            if (log != null) {
                log.batch(name, batch.stream().map(e -> new EvalEpisode(e.prompt(), e.promptIds(), e.tokens(),
                        e.text(), e.exactKl())).toList(), evalRng.state());
            }
            listener.onEvaluationProgress(name, eps.size(), all.size());
        }
        return metrics(s.model(), s.reward(), s.evalReferences(), eps, h == null ? "base" : "trained", episode,
                training ? " after " + episode + " training episodes" : "", s.positiveThreshold(),
                updatesTimed == 0 ? 0 : updatesTimed / (updateNanos / 1e9), rollouts.nanos() == 0 ? 0 : rollouts.tokens() / (rollouts.nanos() / 1e9));
    }

    static EvalMetrics metrics(CausalLM model, Reward reward, Map<String, List<String>> refs,
            List<Rollouts.Episode> eps, String policy, long episode, String after, double threshold, double ups,
            double tps) {
        int n = eps.size();
        List<Episode> batch = new ArrayList<>(n);
        for (Rollouts.Episode e : eps) {
            batch.add(episode(e, e.text(), e.tokens().length, refs));
        }
        double[] sc = score(reward, batch, eps, k -> k, i -> "evaluation episode " + (i + 1) + " of the "
                + ("base".equals(policy) ? "base model" : "trained policy") + after);
        double mean = 0;
        double pos = 0;
        double klSum = 0;
        double lenSum = 0;
        for (int i = 0; i < n; i++) {
            mean += sc[i];
            pos += sc[i] > threshold ? 1 : 0;
            klSum += eps.get(i).exactKl();
            lenSum += eps.get(i).tokens().length;
        }
        mean /= n;
        double var = 0;
        for (double x : sc) {
            var += (x - mean) * (x - mean);
        }
        // Perplexity of the generated tokens under the base model, token-weighted.
        double nll = 0;
        long count = 0;
        for (int i = 0; i < n; i += EVAL_BATCH) {
            int m = Math.min(n, i + EVAL_BATCH) - i;
            int[][] seqs = new int[m][];
            for (int j = 0; j < m; j++) {
                Rollouts.Episode e = eps.get(i + j);
                seqs[j] = concat(e.promptIds(), e.tokens());
            }
            float[][] lp = model.tokenLogProbs(seqs);
            for (int j = 0; j < m; j++) {
                int p = eps.get(i + j).promptIds().length;
                for (int t = p; t < lp[j].length; t++) {
                    nll -= lp[j][t];
                    count++;
                }
            }
        }
        Set<Integer> uni = new HashSet<>();
        Set<Long> bi = new HashSet<>();
        long nUni = 0;
        long nBi = 0;
        List<int[]> seqs = new ArrayList<>(n);
        for (Rollouts.Episode e : eps) {
            int[] t = e.tokens();
            seqs.add(t);
            for (int i = 0; i < t.length; i++) {
                uni.add(t[i]);
                nUni++;
                if (i > 0) {
                    bi.add(((long) t[i - 1] << 32) | (t[i] & 0xffffffffL));
                    nBi++;
                }
            }
        }
        List<String> ex = new ArrayList<>();
        for (int i = 0; i < Math.min(EXAMPLES, n); i++) {
            ex.add(eps.get(i).prompt() + " ▸ " + eps.get(i).text());
        }
        return new EvalMetrics(episode, policy, n, mean, Math.sqrt(var / n), pos / n, klSum / n,
                count == 0 ? Double.NaN : Math.exp(nll / count), nUni == 0 ? 0 : uni.size() / (double) nUni,
                nBi == 0 ? 0 : bi.size() / (double) nBi, lenSum / n, DivergenceMonitor.repeatFraction(seqs), ups, tps,
                ex);
    }

    /** {@code a} followed by {@code b}. */
    static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * On resume: drops metrics lines written after the checkpoint (an evaluation logged just before the
     * process was killed, or a line cut off mid-write), so the resumed run's log equals an uninterrupted
     * one's.
     */
    private void trimMetrics() {
        Path file = s.runDir().resolve(METRICS_FILE);
        if (!Files.exists(file)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            int dropped = 0;
            for (String line : lines) {
                long episode;
                try {
                    episode = JsonParser.parseString(line).getAsJsonObject().get("episode").getAsLong();
                } catch (RuntimeException e) {
                    episode = Long.MAX_VALUE; // a partial line from an interrupted write
                }
                // all episodes done: the final evaluation (at episodesDone) runs again on resume
                if (episodesDone < cfg.episodes() ? episode <= episodesDone : episode < episodesDone) {
                    kept.append(line).append('\n');
                } else {
                    dropped++;
                }
            }
            if (dropped > 0) {
                AtomicFiles.write(file, kept.toString().getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite " + file, e);
        }
    }

    private void appendMetrics(EvalMetrics m) {
        try {
            Files.writeString(s.runDir().resolve(METRICS_FILE), m.toJson().toString() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + s.runDir().resolve(METRICS_FILE), e);
        }
    }

    private void checkpoint() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("episodes", episodesDone);
        counters.put("updates", learner.updates());
        counters.put("demonstrations", demosDone);
        counters.put(PENDING_EVAL, evalPending ? 1L : 0L);
        Map<String, Double> values = new LinkedHashMap<>();
        values.put("klBeta", kl.beta());
        double[] range = learner.returnRange();
        values.put(RETURN_MIN, range[0]);
        values.put(RETURN_MAX, range[1]);
        stats.save(values);
        monitor.save(counters, values);
        Path file = s.runDir().resolve(Checkpoint.FILE_NAME);
        try {
            Checkpoint.write(file, new Checkpoint.Data(cfg, counters, values, Map.of("train", rng.state()),
                    provenance, head.export(), cfg.saveReplay()), cfg.saveReplay() ? replay : null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
        listener.onCheckpoint(file, episodesDone);
    }

    private void writeSummary(Summary sum) {
        JsonObject o = new JsonObject();
        o.addProperty("episodes", sum.episodes());
        o.addProperty("updates", sum.updates());
        o.addProperty("demonstrations", demosDone);
        o.add("return_range", GSON.toJsonTree(learner.returnRange()));
        o.addProperty("positive_threshold", s.positiveThreshold()); // what positive_rate counts: rewards above it
        o.add("base", sum.base().toJson());
        o.add("trained", sum.trained().toJson());
        o.add("config", JsonParser.parseString(cfg.toJson()));
        o.add("provenance", GSON.toJsonTree(new java.util.TreeMap<>(provenance)));
        Path file = s.runDir().resolve(SUMMARY_FILE);
        try {
            AtomicFiles.write(file, GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Evaluates the base model and, when given, a trained policy on the same prompts with the same
     * sampling seed (for {@code qdecode evaluate}).
     *
     * @param setup model, reward, prompts (only {@code evalPrompts} and {@code evalReferences} are used)
     * @param cfg the decoding settings (candidates, τ_Q, new tokens, eval samples, seed)
     * @param policy the trained policy, or null for the base model
     * @param listener receives {@link TrainListener#onEvaluationProgress} (may be null)
     * @return the metrics
     * @throws IllegalArgumentException for an ensemble policy (evaluation samples one run's policy as trained),
     *     or one whose head does not fit the model's sizes
     * @throws NullPointerException naming {@code setup} or {@code cfg} when it is null
     */
    public static EvalMetrics evaluate(Setup setup, DqnConfig cfg, DqnPolicy policy, TrainListener listener) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(cfg, "cfg");
        return evaluate(setup, cfg, policy, listener, null);
    }

    /**
     * {@link #evaluate(Setup, DqnConfig, DqnPolicy, TrainListener)} that keeps its episodes in {@code log}
     * batch by batch and continues from the batches already there: an interrupted evaluation (the listener's
     * {@link TrainListener#stopRequested()}, checked between batches) resumes with the same episodes and
     * metrics as an uninterrupted one.
     *
     * @param setup model, reward, prompts (only {@code evalPrompts} and {@code evalReferences} are used)
     * @param cfg the decoding settings (candidates, τ_Q, new tokens, eval samples, seed)
     * @param policy the trained policy, or null for the base model
     * @param listener receives progress; may ask to stop (may be null)
     * @param log the episodes done so far and where the new ones go (null: none kept)
     * @return the metrics, or null when the listener asked to stop (the batches done are in the log)
     * @throws IllegalArgumentException for an ensemble policy, one whose head does not fit the model's sizes, or a
     *     log that is not of these prompts
     * @throws NullPointerException naming {@code setup} or {@code cfg} when it is null
     */
    public static EvalMetrics evaluate(Setup setup, DqnConfig cfg, DqnPolicy policy, TrainListener listener,
            EvalLog log) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(cfg, "cfg");
        if (policy != null && policy.ensembleSize() > 1) {
            throw new IllegalArgumentException("expected the policy of one run, not an ensemble of "
                    + policy.ensembleSize());
        }
        int h = setup.model().config().hiddenSize();
        int v = setup.model().config().vocabSize();
        if (policy != null && (policy.embeddingSize() != h || policy.vocabSize() != v)) {
            // found before any decoding (it failed inside the first rollout: 'embeddings: expected 1 × 128 floats')
            throw new IllegalArgumentException("policy" + (policy.sources().isEmpty() ? "" : " " + policy.sources().get(0))
                    + ": its head was trained for embeddings of size " + policy.embeddingSize() + " and a vocabulary of "
                    + policy.vocabSize() + " but the model has " + h + " and " + v + " (expected the run's model)");
        }
        try (DqnTrainer t = new DqnTrainer(setup, cfg, listener, false)) {
            return t.evaluate(policy == null ? null : policy.head(), 0, log, false);
        } catch (EvalStopped e) {
            return null;
        }
    }

    /**
     * One evaluation episode, as an {@link EvalLog} keeps it.
     *
     * @param prompt the prompt text
     * @param promptIds the prompt's token ids as the model saw them
     * @param tokens the generated token ids
     * @param text the generated text
     * @param kl the episode's exact KL(π ‖ π_ref) summed over its steps (as {@link EvalMetrics#kl()} averages it)
     */
    public record EvalEpisode(String prompt, int[] promptIds, int[] tokens, String text, double kl) {

        /**
         * Checks that {@code prompt}, {@code promptIds}, {@code tokens} and {@code text} are given.
         *
         * @param prompt see the record description
         * @param promptIds see the record description
         * @param tokens see the record description
         * @param text see the record description
         * @param kl see the record description
         * @throws NullPointerException naming {@code prompt}, {@code promptIds}, {@code tokens} or {@code text} when it
         *     is null
         */
        public EvalEpisode {
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(promptIds, "promptIds");
            Objects.requireNonNull(tokens, "tokens");
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * Where an evaluation keeps its finished batches, for {@link #evaluate(Setup, DqnConfig, DqnPolicy,
     * TrainListener, EvalLog)}. Policies are named {@code base} and {@code trained}.
     */
    public interface EvalLog {
        /**
         * The episodes already done for a policy, in order (whole batches, or all of them).
         *
         * @param policy {@code base} or {@code trained}
         * @return the episodes (empty for none)
         */
        List<EvalEpisode> done(String policy);

        /**
         * The sampling generator's state after the last episode {@link #done} returns.
         *
         * @param policy {@code base} or {@code trained}
         * @return the state
         */
        long rngState(String policy);

        /**
         * Keeps a finished batch.
         *
         * @param policy {@code base} or {@code trained}
         * @param episodes the batch's episodes, in order
         * @param rngState the sampling generator's state after them
         */
        void batch(String policy, List<EvalEpisode> episodes, long rngState);
    }

    /** Releases the head's native memory (not the model or reward). */
    @Override
    public void close() {
        head.close();
    }
}
