package dev.qdecode.pipeline.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.EvalMetrics;
import dev.qdecode.pipeline.dqn.TrainListener;
import dev.qdecode.pipeline.report.RunReport;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.tokenizer.PromptFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qdecode train}: trains the DQN decoding head on a frozen model and prints base vs trained.
 * DQN options default to {@link DqnConfig#defaults()}; a {@code --config} file is read first and the
 * options given on the command line override it.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = TrainCommand.Defaults.class,
        header = "Train a DQN decoding head on a frozen model for a reward (continuation, dialogue, translation, classification).",
        description = {
            "Token-level soft Q-learning over the frozen model's candidate tokens, evaluated against the base model on "
                + "held-out prompts; prints the comparison and writes RUN_DIR/checkpoint.qdq, metrics.jsonl (one line "
                + "per evaluation), summary.json and the report."
        })
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Mixin RewardOptions rewardOptions;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "continuation",
            description = "The task: continuation (steer story continuations toward a reward), translation (--data "
                    + "sources as prompts, BLEU against their targets), dialogue (--data contexts, their responses as "
                    + "references) or classification (pick label tokens for a text). An option that the task does not "
                    + "read is refused (default: ${DEFAULT-VALUE}).")
    String task;

    @Mixin TaskOptions taskOptions;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Continuation: training prompts (TSV/CSV/JSONL with a 'prompt' column). "
                    + "Default: <shared>/data/prompts/story_prompts.train.tsv.")
    Path prompts;

    @Option(names = "--eval-prompts", paramLabel = "FILE",
            description = "Continuation: held-out evaluation prompts. Default: <shared>/data/prompts/story_prompts.dev.tsv.")
    Path evalPrompts;

    @Option(names = "--eval-limit", paramLabel = "N", defaultValue = "100",
            description = "Continuation, translation, dialogue: use at most N evaluation prompts (default: "
                    + "${DEFAULT-VALUE}).")
    int evalLimit;

    @Option(names = "--reward", paramLabel = "SPEC",
            description = "Reward spec (see 'qdecode rewards list'); repeatable, summed. Default: vader (translation, dialogue: bleu; "
                    + "classification: label-match).")
    List<String> rewards = new ArrayList<>();

    @Option(names = "--positive-threshold", paramLabel = "X",
            description = "Continuation, translation, dialogue: a reward above X counts as positive (default: half the sum of the weights when every reward is a classifier probability, e.g. 0.5 for one; else 0.0).")
    Double positiveThreshold;

    @Option(names = "--out", paramLabel = "RUN_DIR",
            description = "Run directory (default: runs/<yyyyMMdd-HHmmss>).")
    Path out;

    @Mixin OverwriteOption overwrite;

    @Option(names = "--resume", description = "Continue the run in --out from its checkpoint, with the run's own config, prompts, reward and "
                    + "threshold (exact when it was trained with --save-replay).")
    boolean resume;

    @Option(names = "--config", paramLabel = "FILE",
            description = "JSON file of DQN config keys (e.g. {\"episodes\": 2000}); command-line options override it.")
    Path config;

    // ---- DqnConfig options: names from DqnConfig.optionOf, defaults from DqnConfig.defaults(). ----

    @Option(names = "--episodes", description = "Training episodes in total (default: ${DEFAULT-VALUE}; "
            + "classification: one pass over the --data rows).")
    int episodes;

    @Option(names = "--rollout-episodes", description = "Episodes per rollout batch (default: ${DEFAULT-VALUE}).")
    int rolloutEpisodes;

    @Option(names = "--batch-size", description = "Transitions per gradient update (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr-schedule", paramLabel = "constant|linear|cosine",
            description = "Learning rate of the Q head over the run: constant, or decaying to 0 at the last episode "
                    + "linearly or along a half cosine (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--updates-per-rollout", description = "Gradient updates after each rollout (default: ${DEFAULT-VALUE}).")
    int updatesPerRollout;

    @Option(names = "--gamma", description = "Discount factor in (0, 1] (default: ${DEFAULT-VALUE}).")
    double gamma;

    @Option(names = "--n-step", description = "Steps of real reward before bootstrapping (default: ${DEFAULT-VALUE}; "
            + "classification uses 1 and refuses the option).")
    int nStep;

    @Option(names = "--backup", paramLabel = "soft|hard|double",
            description = "Bellman backup: soft (KL-regularised), hard (max) or double DQN (default: ${DEFAULT-VALUE}; "
                    + "classification uses hard and refuses the option).")
    String backup;

    @Option(names = "--polyak", description = "Polyak rate of the target network, when --target-sync is 0 (default: ${DEFAULT-VALUE}).")
    double polyak;

    @Option(names = "--target-sync", description = "Hard target copy every N updates; 0 = Polyak averaging (default: ${DEFAULT-VALUE}).")
    int targetSync;

    @Option(names = "--candidates-top-k", description = "Candidate set: the k most likely tokens of the base model; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int candidatesTopK;

    @Option(names = "--candidates-top-p", description = "Candidate set: smallest prefix with this base-model mass; 1 = off (default: ${DEFAULT-VALUE}).")
    double candidatesTopP;

    @Option(names = "--tau-q", description = "Temperature of the policy log pi_ref + Q/tau (default: ${DEFAULT-VALUE}).")
    double tauQ;

    @Option(names = "--kl-beta", description = "Per-token KL penalty coefficient; 0 = off (default: ${DEFAULT-VALUE}).")
    double klBeta;

    @Option(names = "--kl-target", description = "Target KL per episode for an adaptive --kl-beta; 0 = fixed (default: ${DEFAULT-VALUE}).")
    double klTarget;

    @Option(names = "--epsilon-start", description = "Epsilon-greedy exploration at the first episode (default: ${DEFAULT-VALUE}).")
    double epsilonStart;

    @Option(names = "--epsilon-end", description = "Epsilon after the linear decay (default: ${DEFAULT-VALUE}).")
    double epsilonEnd;

    @Option(names = "--replay-size", description = "Replay capacity in transitions (default: ${DEFAULT-VALUE}).")
    int replaySize;

    @Option(names = "--prioritized", arity = "0..1", fallbackValue = "true",
            description = "Prioritized (proportional) replay instead of uniform (default: ${DEFAULT-VALUE}).")
    boolean prioritized;

    @Option(names = "--min-candidates", description = "At least this many candidates, when that many tokens are "
            + "eligible (default: ${DEFAULT-VALUE}).")
    int minCandidates;

    @Option(names = "--epsilon-episodes", description = "Episodes of the linear epsilon decay; 0 = the whole run "
            + "(default: ${DEFAULT-VALUE}).")
    int epsilonEpisodes;

    @Option(names = "--priority-alpha", description = "With --prioritized: priority exponent alpha in [0, 1] "
            + "(default: ${DEFAULT-VALUE}).")
    double priorityAlpha;

    @Option(names = "--priority-beta-start", description = "With --prioritized: importance-weight exponent beta at the "
            + "start, annealed linearly (default: ${DEFAULT-VALUE}).")
    double priorityBetaStart;

    @Option(names = "--priority-beta-end", description = "With --prioritized: beta at the end of the run (default: "
            + "${DEFAULT-VALUE}).")
    double priorityBetaEnd;

    @Option(names = "--priority-eps", description = "With --prioritized: added to |TD error| so every transition keeps "
            + "a chance (default: ${DEFAULT-VALUE}).")
    double priorityEps;

    @Option(names = "--grad-clip", description = "Global gradient-norm clip; 0 = off (default: ${DEFAULT-VALUE}).")
    double gradClip;

    @Option(names = "--huber-delta", description = "Huber loss threshold (default: ${DEFAULT-VALUE}; read by --value-loss "
            + "huber only).")
    double huberDelta;

    @Option(names = "--value-loss", paramLabel = "huber|cross-entropy",
            description = "The Q head's loss against its Bellman targets: huber on Q - y, or cross-entropy, which "
                    + "reads the head's output as the logit of Q = sigmoid(z) and takes the Bernoulli cross-entropy "
                    + "against targets in [0, 1] (a regression trained as a classification; needs rewards in "
                    + "[0, 1], e.g. label-match). Read by --task classification only, where the default is "
                    + "cross-entropy (the other tasks refuse the option).")
    String valueLoss;

    @Option(names = "--kl-horizon", description = "Horizon in episodes of the adaptive --kl-beta controller (default: "
            + "${DEFAULT-VALUE}).")
    int klHorizon;

    @Option(names = "--clip-targets", arity = "0..1", fallbackValue = "true", description = "Clip Bellman targets to "
            + "the achievable return range (default: ${DEFAULT-VALUE}).")
    boolean clipTargets;

    @Option(names = "--return-min", description = "Lower end of the achievable return range, with --return-max "
            + "(default: -1, or -2 when shaping prefixes, lowered to the lowest discounted return the run's episodes "
            + "reach; --value-loss cross-entropy: 0, not lowered: a return below 0 is refused; the range is in "
            + "summary.json).")
    Double returnMin;

    @Option(names = "--return-max", description = "Upper end of the achievable return range, with --return-min "
            + "(default: 1, or 2 when shaping prefixes, raised to the highest discounted return the run's episodes "
            + "reach; --value-loss cross-entropy: 1, not raised: a return above 1 is refused).")
    Double returnMax;

    @Option(names = "--lr", description = "Adam learning rate (default: ${DEFAULT-VALUE}; classification: 1e-4).")
    double lr;

    @Option(names = "--seed", description = "Run seed: prompts, sampling, initialisation, replay (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-new-tokens", description = "Most tokens per episode (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--min-new-tokens", description = "End-of-story is banned before this many tokens (default: ${DEFAULT-VALUE}, or "
            + "--max-new-tokens when that is smaller; translation and dialogue: 1).")
    int minNewTokens;

    @Option(names = "--shaping-every", description = "Potential-based shaping: score prefixes every N tokens; 0 = terminal reward only. N > 0 given with a reward that does not score prefixes (e.g. length) is refused (default: ${DEFAULT-VALUE}, then terminal reward only for such a reward).")
    int shapingEvery;

    @Option(names = "--head-hidden", description = "Hidden units of the Q head (default: ${DEFAULT-VALUE}).")
    int headHidden;

    @Option(names = "--head-activation", paramLabel = "relu|gelu|linear",
            description = "Hidden activation of the Q head; linear makes Q a linear function of the state embedding "
                    + "(default: ${DEFAULT-VALUE}).")
    String headActivation;

    @Option(names = "--eval-every", description = "Evaluate every N episodes; 0 = only at the end (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--eval-samples", description = "Samples per evaluation prompt (default: ${DEFAULT-VALUE}).")
    int evalSamples;

    @Option(names = "--checkpoint-every", description = "Checkpoint every N episodes; 0 = at every evaluation (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--save-replay", arity = "0..1", fallbackValue = "true",
            description = "Store the replay buffer in checkpoints (needed for an exact --resume) (default: ${DEFAULT-VALUE}).")
    boolean saveReplay;

    @Option(names = "--rollout-temperature", description = "Sampling temperature of the training rollouts; 0 = argmax "
            + "of the guided policy, exploring only by epsilon (default: ${DEFAULT-VALUE}; translation: 0.5). Lower values "
            + "train the head "
            + "on the states greedy decoding visits. Evaluations sample the policy itself (temperature 1).")
    double rolloutTemperature;

    @Option(names = "--all-terminal-actions", arity = "0..1", fallbackValue = "true",
            description = "Classification: at each decision that ends a label, also learn from the labels not chosen, "
                    + "scored by the reward module (the token MDP's transitions and the reward are known, so these "
                    + "are exact simulated transitions, as in Dyna) (default: true for classification; "
                    + "--all-terminal-actions=false turns it off).")
    boolean allTerminalActions;

    @Option(names = "--refit", arity = "0..1", fallbackValue = "true",
            description = "Classification: once validation has selected the number of episodes, train a fresh head on "
                    + "all training examples (validation included) for that many episodes and keep it, as the "
                    + "supervised probe does; the summary reports both heads (default: ${DEFAULT-VALUE}).")
    boolean refit;

    @Option(names = "--shuffled-passes", arity = "0..1", fallbackValue = "true",
            description = "Draw the training prompts (classification: texts) in shuffled passes, each once per pass, "
                    + "instead of independently with replacement, which leaves about 1/e of them unused per pass's "
                    + "worth of episodes (default: ${DEFAULT-VALUE}).")
    boolean shuffledPasses;

    @Option(names = "--demonstrations", paramLabel = "FRACTION",
            description = "Translation, dialogue: for this fraction of each rollout batch's prompts, also store the "
                    + "reference target as a teacher-forced episode in replay, scored by the reward like a rollout "
                    + "(demonstrations, as in DQfD; ILQL learns from such dataset trajectories); 0 = off "
                    + "(default: ${DEFAULT-VALUE}).")
    double demonstrations;

    @Option(names = "--samples-per-prompt", paramLabel = "K",
            description = "Continuation, translation, dialogue: roll out each drawn training prompt K times side by "
                    + "side in a batch (a group, as GRPO and RLOO sample), so replay holds different continuations "
                    + "of the same states; divides --rollout-episodes (default: ${DEFAULT-VALUE}).")
    int samplesPerPrompt;

    /** Supplies DqnConfig defaults for the options named after its fields. */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        /** Used by picocli. */
        Defaults() {}

        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec o)) {
                return null;
            }
            String field = FIELDS.get(o.longestName());
            if (field == null) {
                return null;
            }
            Object v = value(DqnConfig.defaults(), field);
            if (v == null) {
                return null; // e.g. --return-min: derived from the reward unless given
            }
            return v instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT) : String.valueOf(v);
        }
    }

    private static final Map<String, String> FIELDS = fields();
    /** Rollout temperature of --task translation unless chosen (see where it is applied). */
    static final double TRANSLATION_ROLLOUT_TEMPERATURE = 0.5;

    /** The default config as JSON values, to tell a task-only option left at its default. */
    private static final JsonObject DEFAULTS_JSON = JsonParser.parseString(DqnConfig.defaults().toJson())
            .getAsJsonObject();

    /** A DQN option that only the given tasks read, and the message for the others. */
    private record TaskOnly(String field, List<String> tasks, String message) {}

    private static Map<String, String> fields() {
        Map<String, String> m = new HashMap<>();
        for (RecordComponent c : DqnConfig.class.getRecordComponents()) {
            m.put(DqnConfig.optionOf(c.getName()), c.getName());
        }
        return m;
    }

    private static Object value(DqnConfig cfg, String field) {
        try {
            return DqnConfig.class.getMethod(field).invoke(cfg);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Integer call() {
        try {
            return train();
        } finally {
            rewardOptions.close(); // the one reward registry of the run's checks and reward(s)
        }
    }

    private Integer train() {
        if (!List.of("continuation", "classification", "translation", "dialogue").contains(task)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--task: expected continuation, classification, translation or dialogue but got '" + task + "'");
        }
        if (evalLimit <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--eval-limit: expected a positive count but got " + evalLimit);
        }
        if (taskOptions.dataLimit < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--data-limit: expected 0 (all) or a positive count but got " + taskOptions.dataLimit);
        }
        JsonObject overrides = overrides();
        List<String> classification = List.of("classification");
        List<String> generating = List.of("continuation", "translation", "dialogue");
        if (resume) {
            // A resumed classification run reads its data, labels, template and encoder from its checkpoint.
            OptionScope.refuse(spec, "train --resume", "with a new --task classification run; a resumed one keeps "
                    + "its own", List.of("--data-limit", "--labels", "--template", "--encoder", "--text-column",
                    "--label-column"));
        } else {
            // The task's own options: any other task would ignore them.
            LinkedHashMap<String, List<String>> readers = new LinkedHashMap<>();
            OptionScope.read(List.of("continuation"), List.of("--prompts", "--eval-prompts"), readers);
            OptionScope.read(generating, List.of("--eval-limit", "--positive-threshold"), readers);
            OptionScope.read(List.of("classification", "translation", "dialogue"), List.of("--data", "--dev"), readers);
            OptionScope.read(List.of("translation"), List.of("--source-column", "--target-column"), readers);
            OptionScope.read(classification, List.of("--data-limit", "--labels", "--template", "--encoder",
                    "--text-column", "--label-column"), readers);
            OptionScope.byTask(spec, task, readers);
            if (taskOptions.encoder != null) {
                OptionScope.refuse(spec, "train --task classification --encoder",
                        "without --encoder, which supplies the states in place of a decoder",
                        List.of("--model", "--prompt-format", "--template"));
            }
        }
        requireReadableConfig();
        // The settings the user chose (command line or --config): the task defaults below never replace them.
        JsonObject configFile = configJson();
        boolean optionsGiven = overrides.size() > 0; // before the task defaults join them
        Set<String> chosen = new HashSet<>(overrides.keySet());
        chosen.addAll(configFile.keySet());
        if (("translation".equals(task) || "dialogue".equals(task)) && !resume && !chosen.contains("minNewTokens")) {
            // A translation or a turn ends when the model says so: EOS is allowed after the first token.
            overrides.addProperty("minNewTokens", 1);
        }
        if (!resume && !chosen.contains("minNewTokens") && chosen.contains("maxNewTokens")
                && !overrides.has("minNewTokens")) {
            // a --max-new-tokens below the default --min-new-tokens: the default follows it down (EOS banned to the
            // end) rather than refusing a value the user never typed
            JsonObject from = overrides.has("maxNewTokens") ? overrides : configFile;
            if (from.get("maxNewTokens").isJsonPrimitive() && from.getAsJsonPrimitive("maxNewTokens").isNumber()) {
                int max = from.get("maxNewTokens").getAsInt();
                if (max >= 0 && max < DqnConfig.defaults().minNewTokens()) {
                    overrides.addProperty("minNewTokens", max);
                }
            }
        }
        if ("translation".equals(task) && !resume && !chosen.contains("rolloutTemperature")) {
            // Chosen on Multi30k en-de val (SFT model, seed 1, 6,000 episodes): ΔBLEU of the head's greedy
            // decoding −0.03 at T 0.5 against −0.32 at T 1 and −0.56 at T 0 (argmax + ε).
            overrides.addProperty("rolloutTemperature", TRANSLATION_ROLLOUT_TEMPERATURE);
        }
        if ("classification".equals(task) && !resume && !chosen.contains("valueLoss")) {
            // Rewards are label matches (1 or 0), so Q is a probability: fitted with the cross-entropy of σ(z)
            // rather than a Huber regression. Measured on SST-2, seeds 1-5, MiniLM state: see the README.
            overrides.addProperty("valueLoss", "cross-entropy");
        }
        if (resume && out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume: expected --out RUN_DIR of the run to continue");
        }
        DqnConfig cfg = null;
        if (!resume) {
            refuseUnreadSettings(overrides, configFile, classification, generating);
            try {
                // The file's keys are checked alone (syntax, names, types); their values are checked together
                // with the options and task defaults that complete them, as the run will use them.
                JsonObject settings = config != null ? DqnConfig.readKeys(config).deepCopy() : new JsonObject();
                try {
                    DqnConfig.keys(overrides.toString(), "command line"); // e.g. --backup max, named as the option's
                } catch (IllegalArgumentException e) { // an option's value that does not parse: usage, with the hint
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                overrides.entrySet().forEach(e -> settings.add(e.getKey(), e.getValue()));
                cfg = DqnConfig.defaults().withJson(settings.toString(), config == null ? "command line"
                        : !optionsGiven ? config.toString() : config + " with the command line options");
            } catch (DqnConfig.SettingException e) {
                String field = e.field();
                if (config != null && configFile.has(field) && !overrides.has(field)) {
                    // the value is the file's own: name its key, as the file's other errors do
                    String option = DqnConfig.optionOf(field);
                    String msg = e.getMessage();
                    throw new CliException(config + ": key \"" + field + "\" (" + option + "): "
                            + msg.substring(msg.indexOf(option + ": ") + option.length() + 2), ExitCodes.USAGE);
                }
                // an option's value (out of range, or at odds with another setting): usage, with the --help hint
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), ExitCodes.USAGE);
            }
            refuseIdleSettings(overrides, configFile, cfg);
        }
        if (!resume) { // a resumed run's rewards were checked when it started
            // recorded with the run: a relative classifier:model= or lexicon= path would name another directory,
            // or none, when the run is resumed or evaluated from another working directory
            rewards = new ArrayList<>(Rewards.withAbsolutePaths(rewards));
            boolean references = "translation".equals(task) || "dialogue".equals(task);
            rewardOptions.requireInputs(rewards.isEmpty() ? DqnCli.defaultRewards(task) : rewards,
                    references ? null : "--task " + task + " has none; expected --task translation or dialogue, "
                            + "or a reward that needs none",
                    "classification".equals(task) ? null : "--task " + task + " has none; expected --task "
                            + "classification, or a reward that needs none");
        }
        Path runDir = out != null ? out
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        overwrite.refuseWithResume(resume);
        if (modelOptions.model != null && Datasets.sameFile(runDir, modelOptions.model)) {
            throw new CliException("--out " + runDir + ": is the --model directory (expected another directory; "
                    + "--overwrite does not apply to inputs)", ExitCodes.USAGE);
        }
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            overwrite.checkEmpty(runDir, "a new run", ""); // refuses a file, before a lock is taken there
        }
        if (!resume) { // before the lock, which writes its file there, and before checkEmpty suggests --overwrite
            OtherWork.refuse("--out", runDir, OtherWork.Kind.TRAIN_RUN);
        }
        if (resume && !Files.exists(runDir.resolve("checkpoint.qdq"))) {
            throw new CliException("--resume: " + runDir + " holds no checkpoint.qdq (expected the --out of an "
                    + "unfinished qdecode train run; to start a new run there, leave out --resume)", ExitCodes.BAD_INPUT);
        }
        // One job per run directory; what it holds is checked under the lock, so two jobs cannot both pass.
        try (RunLock lock = RunLock.acquire(runDir)) {
            if (!resume) {
                // --resume continues an unfinished run only (a finished one has its summary.json)
                boolean run = Files.exists(runDir.resolve("checkpoint.qdq")) && !"classification".equals(task);
                overwrite.checkEmpty(runDir, "a new run", !run ? ""
                        : Files.exists(runDir.resolve(DqnTrainer.SUMMARY_FILE)) ? "its run is finished (summary.json)"
                        : "pass --resume to continue its run");
            }
            if ("classification".equals(task) && !resume) {
                int code = taskOptions.run(this, cfg, chosen, rewards, runDir, null);
                writeReport(runDir, spec.commandLine().getOut(), spec.commandLine().getErr());
                return code;
            }
            Map<String, String> prior = resume ? priorRun(runDir, overrides, configFile) : Map.of();
            if (resume) {
                rewardOptions.plugins = DqnCli.recordedPlugins(prior, runDir);
                DqnCli.checkRewardFiles(prior, "--resume " + runDir, "its rewards so far came from that file: put it "
                        + "back to resume, or train with the changed file in a new run: the command that started this "
                        + "one, plus --overwrite");
            }
            String runTask = resume ? prior.getOrDefault("task", "continuation") : task;
            if ("classification".equals(runTask)) { // resumed: its embeddings are cached, its head trained again
                int code = taskOptions.resume(this, prior, runDir);
                writeReport(runDir, spec.commandLine().getOut(), spec.commandLine().getErr());
                return code;
            }
            boolean translation = "translation".equals(runTask);
            boolean dialogue = "dialogue".equals(runTask);
            if (translation && !resume) {
                modelColumns();
            }
            List<String> specs = resume ? DqnCli.rewardsOf(prior.get("reward"))
                    : !rewards.isEmpty() ? rewards : DqnCli.defaultRewards(runTask);
            Path trainFile = resume ? runFile(prior, "prompts", translation || dialogue ? "--data" : "--prompts",
                    translation || dialogue ? taskOptions.data : prompts)
                    : translation ? taskOptions.translationTrain() : dialogue ? taskOptions.dialogueTrain()
                    : prompts != null ? prompts : DqnCli.defaultTrainPrompts();
            Path evalFile = resume ? runFile(prior, "eval_prompts", translation || dialogue ? "--dev" : "--eval-prompts",
                    translation || dialogue ? taskOptions.dev : evalPrompts)
                    : translation ? taskOptions.translationDev() : dialogue ? taskOptions.dialogueDev()
                    : evalPrompts != null ? evalPrompts : DqnCli.defaultEvalPrompts();
            int limit = resume ? Integer.parseInt(prior.get("eval_limit")) : evalLimit;
            TaskOptions.Prompts trainPs = null; // continuation and translation: known before the model
            TaskOptions.Prompts evalPs = null;
            String srcCol = resume ? prior.getOrDefault("source_column", TranslationExample.DEFAULT_SOURCE_COLUMN)
                    : taskOptions.sourceColumn;
            String tgtCol = resume ? prior.getOrDefault("target_column", TranslationExample.DEFAULT_TARGET_COLUMN)
                    : taskOptions.targetColumn;
            // Dialogue contexts are read now (a bad file fails before the model loads) and made prompts once
            // the tokenizer can measure them.
            TaskOptions.Dialogues trainD = null;
            TaskOptions.Dialogues evalD = null;
            TaskOptions.requireFiles(dialogue ? TaskOptions.DIALOGUE_FILE
                    : translation ? TaskOptions.translationFile(srcCol, tgtCol) : DqnCli.PROMPTS_FILE,
                    translation || dialogue ? "--data" : "--prompts", trainFile,
                    translation || dialogue ? "--dev" : "--eval-prompts", evalFile);
            if (dialogue) {
                trainD = TaskOptions.dialogue(trainFile, 0, "--data");
                evalD = TaskOptions.dialogue(evalFile, limit, "--dev");
            } else if (translation) {
                trainPs = TaskOptions.translation(trainFile, srcCol, tgtCol, 0, "--data");
                evalPs = TaskOptions.translation(evalFile, srcCol, tgtCol, limit, "--dev");
            } else {
                trainPs = TaskOptions.continuation(trainFile, 0, "--prompts");
                evalPs = TaskOptions.continuation(evalFile, limit, "--eval-prompts");
            }
            double threshold = resume ? Double.parseDouble(prior.get("positive_threshold"))
                    : positiveThreshold != null ? positiveThreshold : DqnCli.defaultThreshold(specs);
            if (resume) {
                requireRunsData(prior, translation || dialogue);
            }
            PrintWriter outW = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long runSeed = cfg != null ? cfg.seed() : Long.parseLong(prior.get("seed"));
            if (resume && modelOptions.promptFormat != null && prior.containsKey("prompt_format")
                    && !samePromptFormat(modelOptions.promptFormat.format(), prior.get("prompt_format"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--prompt-format '" + modelOptions.promptFormat
                        + "': the run started with '" + prior.get("prompt_format") + "' (expected it, or no --prompt-format)");
            }
            // A resumed run continues on its own model and prompt format unless --model is given (checked below).
            try (ModelOptions.Loaded m = resume ? PolicyOptions.runModel(modelOptions, prior, "--resume " + runDir)
                    : modelOptions.load();
                    Reward reward = rewardOptions.create(specs, runSeed)) {
                if (!resume) { // a resumed run's settings were checked when it started
                    refuseIdleShaping(overrides, configFile, cfg, reward, specs);
                }
                Map<String, String> prov = new LinkedHashMap<>(
                        DqnCli.provenance(m.dir(), trainFile, evalFile, limit, specs, threshold, runSeed));
                prov.put("task", runTask);
                DqnCli.putRewardEncoderThreads(prov, reward);
                if (resume) { // every session's count, e.g. "2 then 1", not only this one's
                    prov.put(DqnCli.THREADS, DqnCli.resumedThreads(prior.get(DqnCli.THREADS)));
                    String rewardThreads = DqnCli.resumedRewardEncoderThreads(
                            prior.get(DqnCli.REWARD_ENCODER_THREADS), prov);
                    if (rewardThreads != null) {
                        prov.put(DqnCli.REWARD_ENCODER_THREADS, rewardThreads);
                    }
                }
                prov.put("prompt_format", m.format().toSpec());
                DqnCli.recordPlugins(prov, rewardOptions.plugins);
                if (translation) {
                    prov.put("source_column", srcCol);
                    prov.put("target_column", tgtCol);
                }
                int maxNew = cfg != null ? cfg.maxNewTokens() : Integer.parseInt(prior.get("max_new_tokens"));
                int positions = m.model().config().maxPositions();
                if (maxNew >= positions) { // the option is wrong, not a prompt (as generate says)
                    throw new CliException("--max-new-tokens " + maxNew + ": the model's context is " + positions
                            + " positions (max_position_embeddings; expected fewer new tokens, leaving room for the "
                            + "prompt)", ExitCodes.USAGE);
                }
                if (dialogue) {
                    TaskOptions.Fitted tf = trainD.fit(m.tokenizer(), m.format(), positions, maxNew, err);
                    TaskOptions.Fitted ef = evalD.fit(m.tokenizer(), m.format(), positions, maxNew, err);
                    trainPs = tf.prompts();
                    evalPs = ef.prompts();
                    prov.put("prompts_shortened", Integer.toString(tf.shortened()));
                    prov.put("eval_prompts_shortened", Integer.toString(ef.shortened()));
                    if (tf.unfit() || ef.unfit()) { // a context that no cut fits: named below
                        checkFit(trainPs, trainFile, evalPs, evalFile, m, maxNew);
                    }
                } else {
                    checkFit(trainPs, trainFile, evalPs, evalFile, m, maxNew);
                }
                // training episodes are scored against --data's references only, evaluations against --dev's
                // only (a context or source in both files is not scored against the other file's targets);
                // continuation has none
                DqnTrainer.Setup setup = new DqnTrainer.Setup(m.model(), m.tokenizer(), m.format(), reward,
                        trainPs.prompts(), evalPs.prompts(), threshold, runDir, prov,
                        translation || dialogue ? trainPs.references() : Map.of(),
                        translation || dialogue ? evalPs.references() : Map.of());
                overwrite.clearEarlierRun(runDir, err); // inputs checked: the new run replaces the earlier one
                Listener listener = new Listener(err, threshold);
                DqnTrainer.Summary sum;
                try (DqnTrainer t = resume ? resumeTrainer(setup, listener) : createTrainer(setup, cfg, listener)) {
                    DqnConfig c = t.config();
                    if (columnsNote != null) {
                        err.println(columnsNote);
                    }
                    err.printf(Locale.ROOT, "training %d episodes on %s, reward %s, run dir %s%n", c.episodes(),
                            m.dir().getFileName(), Rewards.sumText(specs), runDir);
                    String thresholdWarning = resume ? null
                            : DqnCli.thresholdWarning(specs, threshold, positiveThreshold != null);
                    if (thresholdWarning != null) {
                        err.println(thresholdWarning);
                    }
                    if (resume && !c.saveReplay() && t.episodesDone() > 0 && t.episodesDone() < c.episodes()) {
                        err.println("qdecode: warning: the run's checkpoints hold no replay buffer (it was started "
                                + "without --save-replay): training goes on from an empty one, so the result differs "
                                + "from an uninterrupted run's");
                    }
                    if (resume) {
                        threadsNote(prior.get(DqnCli.THREADS), err);
                    }
                    listener.bar = new ProgressBar(err, "episodes", c.episodes(), t.episodesDone());
                    listener.done = t.episodesDone();
                    Interrupts.install(err, "a checkpoint after the current rollout round or evaluation batch");
                    listener.checkpointed = resume ? t.episodesDone() : -1;
                    try {
                        sum = t.run(Long.MAX_VALUE);
                    } catch (RuntimeException e) {
                        throw failedRun(e, listener.checkpointed, c.episodes(), runDir,
                                !rewardOptions.plugins.isEmpty());
                    }
                    listener.bar.close();
                    if (sum == null) {
                        boolean allDone = t.episodesDone() >= c.episodes();
                        err.println("qdecode: interrupted " + (allDone ? "in the final evaluation, after all " : "after ")
                                + t.episodesDone() + "/" + c.episodes() + " episodes; checkpoint saved in " + runDir
                                + " (" + (allDone ? "finish" : "continue") + " with: qdecode train --resume --out "
                                + runDir + (allDone || c.saveReplay() ? "" : "; without --save-replay its replay buffer "
                                + "is not saved, so the resumed run starts from an empty one and will not equal an "
                                + "uninterrupted run") + ")");
                        return Interrupts.status();
                    }
                    Interrupts.restoreDefault(); // the run is saved: from here on, Ctrl-C only skips the report
                }
                outW.println("base model vs trained DQN policy on " + evalPs.prompts().size() + " held-out prompts ("
                        + evalFile.getFileName() + "):");
                DqnCli.printTable(outW, sum.base(), sum.trained(), threshold);
                outW.println("run dir: " + runDir + " (checkpoint.qdq, metrics.jsonl, summary.json)");
                if (sum.updates() == 0) {
                    err.println("qdecode: warning: the head was never updated: " + sum.episodes() + " episodes stored fewer "
                            + "transitions than one batch, so 'trained' is the untrained head (expected more --episodes or a "
                            + "smaller --batch-size)");
                }
            }
            writeReport(runDir, outW, err);
            return ExitCodes.OK;
        }
    }

    /**
     * What a resume says about the PyTorch thread count, which changes the order of float sums: a warning when
     * this session goes on with another count than the run's last session (the result then differs from an
     * uninterrupted run's); nothing when it goes on with the same one; for a run from before the count was
     * recorded, that its count is not compared (said once: the checkpoints this session writes record it).
     *
     * @param recorded the run's {@value DqnCli#THREADS} record (e.g. {@code 2} or {@code 2 then 1}), or null
     * @param err where the line goes
     */
    static void threadsNote(String recorded, PrintWriter err) {
        String now = DqnCli.threads();
        if (recorded == null) {
            err.println("qdecode: warning: the run's checkpoint was written before qdecode recorded its PyTorch thread "
                    + "count, so this session's " + now + " (QDECODE_THREADS) is not compared with the run's; the run "
                    + "records threads '" + DqnCli.resumedThreads(null) + "' from now on");
            return;
        }
        if (DqnCli.sessionsThreads(recorded, now).equals(recorded)) { // its last session had this count
            return;
        }
        if (!recorded.contains(DqnCli.THEN)) {
            err.println("qdecode: warning: the run was started with " + recorded + " PyTorch thread"
                    + ("1".equals(recorded) ? "" : "s") + " and goes on with " + now + " (QDECODE_THREADS): another "
                    + "count sums in another order, so the result differs from an uninterrupted run's (resume with "
                    + "QDECODE_THREADS=" + recorded + " to continue it exactly; the run records threads '" + recorded
                    + DqnCli.THEN + now + "')");
        } else {
            err.println("qdecode: warning: the run was trained with " + recorded + " PyTorch threads and goes on with "
                    + now + " (QDECODE_THREADS): its result already differs from an uninterrupted run's (the run "
                    + "records threads '" + recorded + DqnCli.THEN + now + "')");
        }
    }

    /**
     * A run whose reward failed after the run started (it threw, returned no number or the wrong count of
     * scores): the failure keeps its exit code and one line, which adds what is left of the run: the checkpoint
     * it can be resumed from, or that none was written. Any other failure (a refusal such as the memory
     * estimate's, whose advice is to change a setting; an internal error) is left as it is.
     */
    private static RuntimeException failedRun(RuntimeException e, long checkpointed, long episodes, Path runDir,
            boolean plugins) {
        int code = ErrorHandler.exitCode(e);
        if (code != ExitCodes.REWARD_FAILED) {
            return e;
        }
        String left = checkpointed < 0
                ? "; no checkpoint was written before it (nothing to resume: run the command again)"
                : "; the run is saved at its checkpoint after " + checkpointed + "/" + episodes + " episodes: "
                        + (checkpointed >= episodes ? "finish" : "continue") + " with: qdecode train --resume --out "
                        + runDir + (plugins ? " (it loads the run's own plug-in jars, which must be unchanged)" : "");
        return new CliException(ErrorHandler.message(e) + left, code, e);
    }

    /**
     * Refuses a prompt too long for the episode, named by its file, line and id (the trainer knows only its
     * position); counted as the trainer's rollouts encode it, with token healing (the backed-up last token is
     * re-created by the first new token, so it takes no prompt position), as generate and bench train count it.
     */
    private static void checkFit(TaskOptions.Prompts train, Path trainFile, TaskOptions.Prompts eval, Path evalFile,
            ModelOptions.Loaded m, int maxNew) {
        ReadOptions rows = ReadOptions.defaults();
        PromptFit.check(train.examples(), trainFile, rows, m, true, maxNew, PromptFit.REMEDY);
        PromptFit.check(eval.examples(), evalFile, rows, m, true, maxNew, PromptFit.REMEDY);
    }

    /** The run's charts and report.html; a failure here is a warning, since the run itself is saved. */
    private static void writeReport(Path runDir, PrintWriter outW, PrintWriter err) {
        try {
            outW.println("report: " + RunReport.write(runDir, List.of(), RunReport.defaultOutDir(runDir)).get(0));
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            err.println("qdecode: warning: report not written: " + ErrorHandler.oneLine(
                    e instanceof IllegalArgumentException ? e.getMessage() : ErrorHandler.message(e)));
        }
        outW.flush();
        err.flush();
    }

    /**
     * DQN settings that only some tasks read: given for another task as an option (any value, the default's
     * included) or in --config with another value than the default (a full config written by an earlier
     * run may list every key), they are refused with why that task has no use for them, before the settings
     * are checked against each other.
     */
    private void refuseUnreadSettings(JsonObject overrides, JsonObject file, List<String> classification,
            List<String> generating) {
        List<TaskOnly> rules = new ArrayList<>(List.of(
                new TaskOnly("allTerminalActions", classification,
                        "only for --task classification (the other tasks' terminal step is EOS)"),
                new TaskOnly("valueLoss", classification, "only for --task classification (a generating task's "
                        + "returns carry the KL penalty and shaped differences, outside the [0, 1] that "
                        + "cross-entropy needs)"),
                new TaskOnly("refit", classification,
                        "only for --task classification (the other tasks select no head on a validation split)"),
                new TaskOnly("demonstrations", List.of("translation", "dialogue"),
                        "only for --task translation or dialogue (the tasks with reference targets)"),
                new TaskOnly("samplesPerPrompt", generating, "not for --task classification (each decision already "
                        + "learns from every label with --all-terminal-actions)")));
        // A classification episode walks one label's tokens (from the label set, not from candidates of π_ref)
        // with a hard one-step backup, no shaping or KL; its dev evaluation is greedy, its run is not resumable.
        for (String f : List.of("maxNewTokens", "minNewTokens", "gamma", "nStep", "backup", "tauQ", "candidatesTopK",
                "candidatesTopP", "minCandidates", "prioritized", "priorityAlpha", "priorityBetaStart",
                "priorityBetaEnd", "priorityEps", "klBeta", "klTarget", "klHorizon", "shapingEvery", "evalSamples",
                "checkpointEvery", "saveReplay", "rolloutTemperature")) {
            rules.add(new TaskOnly(f, generating, "not for --task classification, whose episodes walk one label's "
                    + "tokens with a hard one-step backup (expected it only with --task continuation, translation or "
                    + "dialogue)"));
        }
        for (TaskOnly t : rules) {
            if (!t.tasks().contains(task) && isSet(t.field(), overrides, file)) {
                throw unread(t.field(), overrides, file, t.message());
            }
        }
    }

    /**
     * Whether a DQN setting was chosen: given as an option (any value, the default's included), or in
     * --config with another value than the default (a full config written by an earlier run lists every key).
     */
    private static boolean isSet(String field, JsonObject overrides, JsonObject file) {
        return overrides.has(field) || file.has(field) && !file.get(field).equals(DEFAULTS_JSON.get(field));
    }

    /** The refusal of a chosen setting that the run would not read, naming its option or --config key. */
    private CommandLine.ParameterException unread(String field, JsonObject overrides, JsonObject file, String why) {
        return new CommandLine.ParameterException(spec.commandLine(), (overrides.has(field)
                ? DqnConfig.optionOf(field) : "--config " + config + ": " + field + " " + file.get(field)) + ": "
                + why);
    }

    /**
     * DQN settings that only matter with another setting, chosen while that one leaves them idle (e.g.
     * --priority-alpha with uniform replay): refused, like a task's unread option, instead of training
     * without them.
     */
    private void refuseIdleSettings(JsonObject overrides, JsonObject file, DqnConfig cfg) {
        if (!cfg.prioritized()) {
            for (String f : List.of("priorityAlpha", "priorityBetaStart", "priorityBetaEnd", "priorityEps")) {
                if (isSet(f, overrides, file)) {
                    throw unread(f, overrides, file, "only with --prioritized (uniform replay samples without "
                            + "priorities or importance weights; expected --prioritized, or no " + DqnConfig.optionOf(f)
                            + ")");
                }
            }
        }
        if (cfg.targetSync() > 0 && isSet("polyak", overrides, file)) {
            throw unread("polyak", overrides, file, "not with --target-sync " + cfg.targetSync() + " (the target "
                    + "network is copied every " + cfg.targetSync() + " updates instead of averaged; expected "
                    + "--target-sync 0, or no --polyak)");
        }
        if (cfg.valueLoss() == DqnConfig.ValueLoss.CROSS_ENTROPY && isSet("huberDelta", overrides, file)) {
            throw unread("huberDelta", overrides, file, "not with --value-loss cross-entropy (the Huber threshold "
                    + "is only read by the Huber loss; expected --value-loss huber, or no --huber-delta)");
        }
        if (cfg.klTarget() == 0 && isSet("klHorizon", overrides, file)) {
            throw unread("klHorizon", overrides, file, "only with --kl-target > 0 (without a target KL, --kl-beta "
                    + "stays fixed and has no controller; expected --kl-target, or no --kl-horizon)");
        }
    }

    /**
     * --shaping-every N &gt; 0 (or shapingEvery N &gt; 0 in --config, when not the default) with a reward that does
     * not score prefixes: the trainer shapes only when the reward can, so the setting would be idle; refused like
     * the settings of {@link #refuseIdleSettings}. The default stays accepted silently for such rewards, and so
     * does 0 (terminal reward only), which is what such a reward gets anyway.
     */
    private void refuseIdleShaping(JsonObject overrides, JsonObject file, DqnConfig cfg, Reward reward,
            List<String> specs) {
        if (cfg.shapingEvery() > 0 && !reward.scoresPrefixes() && isSet("shapingEvery", overrides, file)) {
            // each spec as given (--reward A --reward B), not run together as if it were one spec
            String given = specs.stream().map(sp -> "--reward " + sp).collect(Collectors.joining(" "));
            throw unread("shapingEvery", overrides, file, "only with a reward that scores prefixes (" + given
                    + " does not" + (specs.size() > 1 ? ": a sum scores prefixes only when each of its rewards does" : "")
                    + ", so its episodes get the terminal reward alone; expected a reward that does, e.g. vader, bleu "
                    + "or token-f1, or no --shaping-every)");
        }
    }

    /**
     * On resume, DQN options and a --config file may only repeat the run's settings (e.g. the command line
     * that started it): a setting that differs is refused, naming every one that does.
     */
    private void requireRecordedConfig(Path runDir, String recordedJson, JsonObject overrides,
            JsonObject configFile) {
        if (overrides.size() == 0 && config == null) {
            return;
        }
        DqnConfig recorded = DqnConfig.defaults().withJson(recordedJson, runDir.resolve("checkpoint.qdq").toString());
        JsonObject asked = new JsonObject();
        if (config != null) {
            try {
                DqnConfig.readKeys(config); // strict: the file's own errors first
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), ExitCodes.USAGE);
            }
            configFile.entrySet().forEach(e -> asked.add(e.getKey(), e.getValue()));
        }
        overrides.entrySet().forEach(e -> asked.add(e.getKey(), e.getValue())); // options over the file
        JsonObject was = JsonParser.parseString(recorded.toJson()).getAsJsonObject();
        JsonObject now;
        try {
            now = JsonParser.parseString(recorded.withJson(asked.toString(), "command line").toJson()).getAsJsonObject();
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.USAGE);
        }
        List<String> differ = new ArrayList<>();
        for (String k : asked.keySet()) {
            if (!Objects.equals(was.get(k), now.get(k))) {
                differ.add((overrides.has(k) ? DqnConfig.optionOf(k) : "--config " + config + ": " + k) + " "
                        + shown(now.get(k)) + " (the run's: " + shown(was.get(k)) + ")");
            }
        }
        if (!differ.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues with the run's config, "
                    + "but " + String.join(", ", differ) + " (expected the run's values, or leave them out)");
        }
    }

    /** A config value for a message: JSON as written, or "unset" for an absent optional setting. */
    private static String shown(JsonElement v) {
        return v == null || v.isJsonNull() ? "unset" : v.toString();
    }

    /**
     * Refuses a --config file that is missing or cannot be read as bad input (exit 3), as every other
     * missing input file is; a setting in it that is wrong stays bad usage (exit 2), as the option's would.
     */
    private void requireReadableConfig() {
        if (config != null) {
            DqnCli.requireReadableFile("--config", config, "a JSON file of DQN config keys, e.g. {\"episodes\": 2000}");
        }
    }

    /**
     * The --config file as a JSON object (empty without one, or when it is not a JSON object: reading it
     * reports that).
     */
    private JsonObject configJson() {
        if (config == null) {
            return new JsonObject();
        }
        try {
            return JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            return new JsonObject();
        }
    }

    /** The start-up line of columns taken from the --model's SFT files ({@link #modelColumns}); null if none. */
    private String columnsNote;

    /**
     * A translation run on a model that {@code qdecode sft} trained takes, for {@code --source-column}/
     * {@code --target-column} not given, the columns the model was trained on ({@link SftTrainer#trainedColumns}),
     * and with them Multi30k's files of that pair: an en-fr model was rewarded against German references
     * (en-de's files, the options' defaults). Keeps a start-up line saying so ({@link #columnsNote}), printed
     * once the inputs are checked: the columns come from the model's files, not from the command line.
     */
    private void modelColumns() {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        boolean source = pr.hasMatchedOption("--source-column");
        boolean target = pr.hasMatchedOption("--target-column");
        if (source && target || modelOptions.model == null) {
            return;
        }
        String[] columns = SftTrainer.trainedColumns(modelOptions.model, "translation");
        if (columns == null) {
            return;
        }
        if (!source) {
            taskOptions.sourceColumn = columns[0];
        }
        if (!target) {
            taskOptions.targetColumn = columns[1];
        }
        columnsNote = columnsLine(taskOptions.sourceColumn, taskOptions.targetColumn, !source, !target, "qdecode sft",
                modelOptions.model);
    }

    /**
     * The start-up line of a translation command that took its columns from what an earlier command recorded,
     * e.g. {@code columns: en -> fr (recorded by qdecode sft in runs/x/sft)}; with one column given, it names
     * the one taken, e.g. {@code columns: de -> fr (target column recorded by qdecode sft in runs/x/sft)}.
     */
    static String columnsLine(String source, String target, boolean sourceTaken, boolean targetTaken, String by,
            Path dir) {
        String which = sourceTaken && targetTaken ? "" : sourceTaken ? "source column " : "target column ";
        return "columns: " + source + " -> " + target + " (" + which + "recorded by " + by + " in " + dir + ")";
    }

    /** The stored settings of the run to resume; refuses options that would change them. */
    private Map<String, String> priorRun(Path runDir, JsonObject overrides, JsonObject configFile) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        Map<String, String> info;
        try {
            info = DqnTrainer.checkpointInfo(runDir);
        } catch (IllegalArgumentException e) {
            throw new CliException("--resume: " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
        boolean classification = "classification".equals(info.get("task"));
        List<String> options = new ArrayList<>();
        List<String> given = new ArrayList<>();
        for (String o : List.of("--reward", "--plugin", "--source-column", "--target-column")) {
            if (pr.hasMatchedOption(o)) {
                options.add(o);
                // each --reward as given (--reward A --reward B): a spec's own parameters are separated by commas
                String values = String.join(o.equals("--reward") ? " --reward " : ",",
                        pr.matchedOption(o).stringValues());
                given.add(o + " " + values + " (the run's: " + recordedSetting(o, info) + ")");
            }
        }
        if (!given.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--resume continues with the run's own "
                    + String.join(" and ", options) + ", but " + String.join(", ", given) + " (expected "
                    + (given.size() == 1 ? "it" : "them") + " left out: a resumed run keeps its own)");
        }
        requireRecordedConfig(runDir, info.get("config"), overrides, configFile);
        String runTask = info.getOrDefault("task", "continuation");
        if (pr.hasMatchedOption("--task") && !task.equals(runTask)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--task " + task + ": the run in " + runDir
                    + " is a --task " + runTask + " run, which --resume continues (expected no --task, or --task "
                    + runTask + ")");
        }
        // A data file may be given again, e.g. after it moved: resumes check its content against the run's.
        boolean pairs = "translation".equals(runTask) || "dialogue".equals(runTask);
        for (String o : pairs ? List.of("--prompts", "--eval-prompts") : List.of("--data", "--dev")) {
            if (pr.hasMatchedOption(o) && !classification) {
                throw new CommandLine.ParameterException(spec.commandLine(), o + ": not for the --task " + runTask
                        + " run in " + runDir + " (expected " + (pairs ? "--data and --dev" : "--prompts and "
                        + "--eval-prompts") + ", or none: --resume continues with the run's own files)");
            }
        }
        if (classification) {
            for (String o : List.of("--prompts", "--eval-prompts", "--data", "--dev")) {
                if (pr.hasMatchedOption(o)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), o + ": not for the --task "
                            + "classification run in " + runDir + " (expected none: --resume continues with the run's "
                            + "own --data and --dev, checked against their recorded sha256)");
                }
            }
            return priorClassificationRun(runDir, info);
        }
        String notATrainRun = notATrainRun(runDir, info);
        if (notATrainRun != null) {
            throw new CliException(notATrainRun, ExitCodes.BAD_INPUT);
        }
        // the evaluation settings may be repeated (e.g. the command line that started the run), not changed
        int runLimit = Integer.parseInt(info.get("eval_limit"));
        double runThreshold = Double.parseDouble(info.get("positive_threshold"));
        if (pr.hasMatchedOption("--eval-limit") && evalLimit != runLimit) {
            throw notTheRuns("--eval-limit", evalLimit, runLimit);
        }
        if (pr.hasMatchedOption("--positive-threshold") && positiveThreshold != runThreshold) {
            throw notTheRuns("--positive-threshold", positiveThreshold, runThreshold);
        }
        if (info.get("episodes_done").equals(info.get("episodes_total"))
                && Files.exists(runDir.resolve(DqnTrainer.SUMMARY_FILE))) {
            throw new CliException("--resume: " + runDir + " already finished its " + info.get("episodes_total")
                    + " episodes (see summary.json; expected an unfinished run: a finished one is not extended, not "
                    + "even by a larger --episodes; train a new run into another --out, or without --resume add "
                    + "--overwrite to start over in " + runDir + ")", ExitCodes.USAGE);
        }
        return info;
    }

    /** What the checkpoint of a {@code qdecode train --task classification} run records, which a resume reads. */
    static final List<String> CLASSIFICATION_RUN_KEYS = List.of("data", "data_sha256", "data_limit", "text_column",
            "label_column", "dev", "dev_sha256", "labels", "template", "reward", "seed");

    /**
     * The checks of {@link #priorRun} that are a classification run's own: the checkpoint records what the run
     * reads again ({@link #CLASSIFICATION_RUN_KEYS}), and the run is not finished (its summary.json).
     *
     * @param runDir the run directory
     * @param info what its checkpoint records
     * @return {@code info}
     * @throws CliException naming what is missing (bad input) or that the run is finished (bad usage)
     */
    private static Map<String, String> priorClassificationRun(Path runDir, Map<String, String> info) {
        List<String> missing = CLASSIFICATION_RUN_KEYS.stream().filter(k -> !info.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            throw new CliException("--resume: " + runDir + " was not written by 'qdecode train': its checkpoint.qdq "
                    + "records no " + String.join(", ", missing) + " (expected the --out of an unfinished qdecode "
                    + "train --task classification run, whose checkpoint records " + String.join(", ",
                    CLASSIFICATION_RUN_KEYS) + ")", ExitCodes.BAD_INPUT);
        }
        if (Files.exists(runDir.resolve(DqnTrainer.SUMMARY_FILE))) {
            throw new CliException("--resume: " + runDir + " holds a finished classification run (see summary.json; "
                    + "expected an unfinished run: train a new run into another --out, or without --resume add "
                    + "--overwrite to start over in " + runDir + ")", ExitCodes.USAGE);
        }
        return info;
    }

    /** What the checkpoint of every {@code qdecode train} run records, which a resume reads. */
    static final List<String> TRAIN_RUN_KEYS = List.of("prompts", "eval_prompts", "eval_limit", "reward",
            "positive_threshold", "seed");

    /**
     * The refusal of a {@code --resume} whose checkpoint lacks what a {@code qdecode train} run records (one
     * written through the library, or by another program), naming every missing entry and what a train run's
     * checkpoint holds, e.g. {@code --resume: runs/x was not written by 'qdecode train': its checkpoint.qdq
     * records no prompts, eval_prompts (expected ...)}; null when nothing is missing.
     *
     * @param runDir the run directory given as {@code --out}
     * @param info what its checkpoint records ({@link DqnTrainer#checkpointInfo})
     * @return the one-line message, or null
     */
    static String notATrainRun(Path runDir, Map<String, String> info) {
        List<String> missing = TRAIN_RUN_KEYS.stream().filter(k -> !info.containsKey(k)).toList();
        if (missing.isEmpty()) {
            return null;
        }
        return "--resume: " + runDir + " was not written by 'qdecode train': its checkpoint.qdq records no "
                + String.join(", ", missing) + " (expected the --out of an unfinished qdecode train run, whose "
                + "checkpoint.qdq records its " + String.join(", ", TRAIN_RUN_KEYS) + "; to start a new run there, "
                + "leave out --resume and add --overwrite)";
    }

    /**
     * What a run recorded for an option that {@code --resume} does not take, as its refusal shows it: the
     * reward specs as {@link Rewards#sumText} shows them ({@code vader + 0.1*length:min=3}), the plug-in jars
     * separated by commas, a translation run's column, or {@code none} (with
     * why, for a column of another task's run).
     */
    static String recordedSetting(String option, Map<String, String> info) {
        String task = info.getOrDefault("task", "continuation");
        return switch (option) {
            case "--reward" -> info.containsKey("reward") ? Rewards.sumText(DqnCli.rewardsOf(info.get("reward")))
                    : "none recorded";
            case "--plugin" -> info.containsKey("plugins")
                    ? String.join(",", new com.google.gson.Gson().fromJson(info.get("plugins"), String[].class))
                    : "none";
            case "--source-column" -> "translation".equals(task)
                    ? info.getOrDefault("source_column", TranslationExample.DEFAULT_SOURCE_COLUMN)
                    : "none, a --task " + task + " run";
            case "--target-column" -> "translation".equals(task)
                    ? info.getOrDefault("target_column", TranslationExample.DEFAULT_TARGET_COLUMN)
                    : "none, a --task " + task + " run";
            default -> throw new IllegalArgumentException(option);
        };
    }

    /**
     * A resumed run's data file: the one given again (its content is checked against the run's later), or
     * the recorded one, which must still be there.
     */
    private static Path runFile(Map<String, String> prior, String key, String option, Path given) {
        if (given != null) {
            return given;
        }
        Path recorded = Path.of(prior.get(key));
        if (!Files.exists(recorded)) {
            throw new CliException("--resume: the run's " + option + " " + recorded + " is not there (expected it, or "
                    + option + " FILE with the same content, sha256 " + prior.get(key + "_sha256") + ")",
                    ExitCodes.BAD_INPUT);
        }
        return recorded;
    }

    /**
     * Refuses a resume whose data files are not the run's (sha256), naming in one line every one that
     * differs: a file given again ({@code --dev OTHER.tsv}) with its option and the run's own file, a
     * recorded file whose bytes changed since the run started as such.
     *
     * @throws CliException (bad input) when a file's content is not the run's
     */
    private void requireRunsData(Map<String, String> prior, boolean pairs) {
        List<String> differ = new ArrayList<>();
        differingData(differ, prior, "prompts", pairs ? "--data" : "--prompts", pairs ? taskOptions.data : prompts);
        differingData(differ, prior, "eval_prompts", pairs ? "--dev" : "--eval-prompts",
                pairs ? taskOptions.dev : evalPrompts);
        if (!differ.isEmpty()) {
            throw new CliException("--resume continues with the run's own data, but " + String.join(", ", differ),
                    ExitCodes.BAD_INPUT);
        }
    }

    /** Adds the description of a resumed run's data file whose content is not the run's, if it is not. */
    private static void differingData(List<String> differ, Map<String, String> prior, String key, String option,
            Path given) {
        Path recorded = Path.of(prior.get(key));
        Path file = given != null ? given : recorded;
        String was = prior.get(key + "_sha256");
        String now = Datasets.sha256(file);
        if (now.equals(was)) {
            return;
        }
        if (given != null && !(Files.exists(recorded) && Datasets.sameFile(given, recorded))) {
            differ.add(Datasets.notTheRuns(option, given.toString(), recorded.toString(), now, was,
                    "expected a file with the run's content, from any path, or no " + option));
        } else {
            differ.add(Datasets.changedSinceRun("the run's " + option + " " + recorded, now, was,
                    "expected its content restored, or " + option + " FILE with it"));
        }
    }

    /** A resume's option whose value is not the run's own. */
    private CommandLine.ParameterException notTheRuns(String option, Object given, Object run) {
        return new CommandLine.ParameterException(spec.commandLine(), "--resume continues with the run's own " + option
                + ", but " + option + " " + given + " (the run's: " + run + ") (expected the run's value, or leave it "
                + "out)");
    }

    /**
     * Whether a --prompt-format given means the run's recorded format (a normalised spec).
     *
     * @param given the format given
     * @param recorded the run's spec
     * @return true when both are the same format (false for a recorded spec that does not parse)
     */
    static boolean samePromptFormat(PromptFormat given, String recorded) {
        try {
            return given.equals(PromptFormat.parse(recorded));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static DqnTrainer createTrainer(DqnTrainer.Setup setup, DqnConfig cfg, TrainListener l) {
        try {
            return DqnTrainer.create(setup, cfg, l);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
    }

    /**
     * Resumes the run; what the trainer refuses when it reads the checkpoint again (its replay data, parsed
     * only now; a head that does not fit the model) is said as the first reading's refusals are, after
     * {@code --resume: }.
     */
    private static DqnTrainer resumeTrainer(DqnTrainer.Setup setup, TrainListener l) {
        try {
            return DqnTrainer.resume(setup, l);
        } catch (IllegalArgumentException e) {
            throw new CliException("--resume: " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
    }

    /** The DQN options given on the command line, as config JSON keys. */
    private JsonObject overrides() {
        JsonObject o = new JsonObject();
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (OptionSpec opt : spec.options()) {
            String field = FIELDS.get(opt.longestName());
            if (field == null || !pr.hasMatchedOption(opt.longestName())) {
                continue;
            }
            Object v = opt.getValue();
            if (v instanceof Number n) {
                o.addProperty(field, n);
            } else if (v instanceof Boolean b) {
                o.addProperty(field, b);
            } else {
                o.addProperty(field, String.valueOf(v));
            }
        }
        return o;
    }

    /** Progress bar and evaluation lines. */
    private static final class Listener implements TrainListener {
        private final PrintWriter err;
        /** The positive rate's threshold, named where the base model's rate is printed. */
        private final double threshold;
        ProgressBar bar;
        long done;
        double lastReward = Double.NaN;
        String lastEval = "";
        /** Episodes done at the run's last checkpoint (the one resumed from, or written since); -1: none. */
        long checkpointed = -1;

        Listener(PrintWriter err, double threshold) {
            this.err = err;
            this.threshold = threshold;
        }

        @Override
        public boolean stopRequested() {
            return Interrupts.requested();
        }

        @Override
        public void onRollout(long episodesDone, long total, double meanReward, double epsilon) {
            done = episodesDone;
            lastReward = meanReward;
            status();
        }

        private void status() {
            if (bar != null) {
                bar.update(done, (Double.isNaN(lastReward) ? "" : String.format(Locale.ROOT, "reward %.3f", lastReward))
                        + lastEval);
            }
        }

        @Override
        public void onCheckpoint(Path file, long episodesDone) {
            checkpointed = episodesDone;
        }

        @Override
        public void onEvaluation(EvalMetrics m) {
            lastEval = String.format(Locale.ROOT, "  eval@%d: reward %.3f pos %.2f ppl %.1f", m.episode(),
                    m.meanReward(), m.positiveRate(), m.perplexity());
            if (bar == null || "base".equals(m.policy())) {
                err.printf(Locale.ROOT, "base model: mean reward %.3f, positive rate %.2f (reward > %s), perplexity %.1f%n",
                        m.meanReward(), m.positiveRate(), DqnCli.thresholdText(threshold), m.perplexity());
                err.flush();
            }
            status();
        }

        @Override
        public void onWarning(String message) {
            ProgressBar.endLine(err); // a bar's open line, only: no blank line in a log
            err.println("qdecode: warning: " + message);
            err.flush();
        }
    }
}
