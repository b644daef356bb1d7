package dev.qdecode.pipeline.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.EvalMetrics;
import dev.qdecode.pipeline.dqn.TrainListener;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.SharedDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode evaluate}: base model vs a trained DQN policy on the same prompts and seed. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Evaluate a trained DQN head against the base model (continuation, dialogue, translation, classification).",
        description = {
            "By --task:",
            "- continuation, dialogue: both sampled on the same prompts and seed; mean reward, positive rate, KL, "
                + "perplexity under the base model, distinct-n, length, examples (OUT/comparison.tsv and .json; "
                + "every episode in OUT/episodes.jsonl, written batch by batch: Ctrl-C, then the same command plus "
                + "--resume).",
            "- translation: corpus BLEU and chrF (sacreBLEU signatures) of greedy or beam-search decoding by the base "
                + "model and by the head, with a paired bootstrap (OUT/translations.tsv, written batch by batch: "
                + "Ctrl-C, then the same command plus --resume; OUT/translation-scores.json).",
            "- classification: accuracy and per-label recall of the run's head on a labelled file "
                + "(OUT/predictions.tsv, OUT/classification.json)."
        })
final class EvaluateCommand implements Callable<Integer> {

    /** The evaluation's subdirectory of the policy's run directory, without --out. */
    static final String DIR = "evaluation";

    @Spec CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Mixin RewardOptions rewardOptions;

    @Option(names = "--policy", paramLabel = "RUN_DIR", required = true,
            description = "A 'qdecode train' run directory (or its checkpoint.qdq).")
    Path policy;

    @Mixin PolicyOptions policyOptions;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Continuation: prompts to evaluate on. Default: <shared>/data/prompts/story_prompts.dev.tsv.")
    Path prompts;

    @Option(names = "--limit", paramLabel = "N",
            description = "Use at most N prompts (default: 100; dialogue: 500 pairs; translation and classification: "
                    + "the whole --data file).")
    Integer limitOption;

    private int limit;

    @Option(names = "--samples", paramLabel = "N",
            description = "Continuation, dialogue: samples per prompt (default: the run's --eval-samples).")
    Integer samples;

    @Option(names = "--seed", paramLabel = "N", description = "Continuation, dialogue: sampling seed (default: the run's --seed).")
    Long seed;

    @Option(names = "--reward", paramLabel = "SPEC", description = "Continuation, dialogue: reward spec; repeatable, "
            + "summed. Default: the run's, as train recorded it (from the run's own plug-in jars where it came from "
            + "one, unless --plugin is given); vader (dialogue: bleu) for a run that recorded none.")
    List<String> rewards = new ArrayList<>();

    @Option(names = "--positive-threshold", paramLabel = "X",
            description = "Continuation, dialogue: a reward above X counts as positive (default: the run's, with the run's "
                    + "own reward; otherwise half the sum of the weights when every reward is a classifier probability, "
                    + "e.g. 0.5 for one; else 0.0).")
    Double positiveThreshold;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: RUN_DIR/evaluation). One that holds an "
            + "earlier evaluation of the same task is refused unless --overwrite is given; one that holds another "
            + "command's work (a run, model, classifier, report...) is refused even then.")
    Path out;

    @Mixin OverwriteOption overwrite;

    @Option(names = "--resume", description = "Continuation, dialogue, translation: continue the interrupted "
            + "evaluation in --out (its episodes.jsonl.part or translations.tsv.part) with the same command; a "
            + "setting, model, policy or data file that differs is named and refused (--reward may differ: it "
            + "scores the episodes once all are sampled).")
    boolean resume;

    @Option(names = "--task", defaultValue = "continuation",
            description = "continuation (reward, perplexity, diversity on prompts), dialogue (the same on --data "
                    + "pairs, rewards may use the gold responses), translation (corpus BLEU and chrF of greedy "
                    + "or --beams decoding on --data) or classification (the run's head labels --data on the run's backbone) "
                    + "(default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Translation: the test file (default: <shared>/data/multi30k/SRC-TGT.test_2016_flickr.tsv "
                    + "of the source and target columns, else TGT-SRC's, else en-de's); "
                    + "dialogue: the pairs (default: <shared>/data/xdailydialog/pairs_en_test.tsv, first 500 pairs); "
                    + "classification: labelled examples (default: the run's --dev file).")
    Path data;

    @Option(names = "--source-column", defaultValue = TranslationExample.DEFAULT_SOURCE_COLUMN, description = "Translation: source column (default: the "
            + "run's, as train recorded it; ${DEFAULT-VALUE} for a run that recorded none).")
    String sourceColumn;

    @Option(names = "--target-column", defaultValue = TranslationExample.DEFAULT_TARGET_COLUMN, description = "Translation: reference column (default: "
            + "the run's, as train recorded it; ${DEFAULT-VALUE} for a run that recorded none).")
    String targetColumn;

    @Mixin LabelledColumns columns;

    @Option(names = "--max-new-tokens", defaultValue = "64",
            description = "Translation: most tokens per translation (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Mixin BeamOptions beam;

    /** The options this task does not read (refused when given), left out of its output's record. */
    private final java.util.Set<String> unread = new java.util.LinkedHashSet<>();

    @Override
    public Integer call() {
        try {
            return runEvaluation();
        } finally {
            rewardOptions.close(); // the one reward registry of the evaluation's checks and reward(s)
        }
    }

    private Integer runEvaluation() {
        limit = limitOption != null ? limitOption
                : "translation".equals(task) || "classification".equals(task) ? Integer.MAX_VALUE
                : "dialogue".equals(task) ? 500 : 100;
        if (limit <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit: expected a positive count but got " + limit);
        }
        if (samples != null && samples <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--samples: expected a positive count but got "
                    + samples);
        }
        if (maxNewTokens <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-new-tokens: expected a positive count but got "
                    + maxNewTokens);
        }
        OtherWork.refuse("--out", outDir(), OtherWork.Kind.EVALUATION); // e.g. --out the --policy run itself
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + ": is a file (expected a "
                    + "directory for the evaluation's files)");
        }
        // The task's own options: any other task would ignore them.
        LinkedHashMap<String, List<String>> readers = new LinkedHashMap<>();
        OptionScope.read(List.of("continuation"), List.of("--prompts"), readers);
        OptionScope.read(List.of("continuation", "dialogue"), List.of("--samples", "--seed", "--reward",
                "--plugin", "--positive-threshold"), readers);
        OptionScope.read(List.of("translation", "dialogue", "classification"), List.of("--data"), readers);
        OptionScope.read(List.of("translation"), List.of("--source-column", "--target-column", "--max-new-tokens",
                "--beams", "--length-penalty"), readers);
        OptionScope.read(List.of("translation", "continuation", "dialogue"), List.of("--resume"), readers);
        OptionScope.read(List.of("classification"), List.of("--text-column", "--label-column"), readers);
        if (List.of("continuation", "translation", "dialogue", "classification").contains(task)) {
            unread.addAll(OptionScope.byTask(spec, task, readers));
            requireRunOfTask();
        }
        if ("translation".equals(task)) {
            return translation();
        }
        if ("classification".equals(task)) {
            policyOptions.requireAsTrained("evaluate --task classification", false, false);
            RecordWriter.checkTarget("--out", outDir().resolve("predictions.tsv"), data);
            keepEarlier("classification.json");
            return ClassificationEval.run(spec, policy, policyOptions.ensemble, modelOptions, policyOptions.targetHead(true), data, columns.text,
                    columns.label, limit == Integer.MAX_VALUE ? 0 : limit, outDir());
        }
        boolean dialogue = "dialogue".equals(task);
        if (!"continuation".equals(task) && !dialogue) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--task: expected continuation, translation, dialogue or classification but got '" + task + "'");
        }
        unread.addAll(policyOptions.requireAsTrained("evaluate --task " + task, true, true));
        List<String> specs = !rewards.isEmpty() ? rewards : runRewards();
        rewardOptions.requireInputs(specs, dialogue ? null : "--task continuation has none; expected --task dialogue, "
                + "or a reward that needs none", "--task " + task + " has none; expected a reward that needs none");
        Path file;
        TaskOptions.Prompts evalPs;
        TaskOptions.Dialogues pairs = null;
        if (dialogue) {
            file = data != null ? data : SharedDir.locate()
                    .resolve("data/xdailydialog/pairs_en_test.tsv");
            pairs = TaskOptions.dialogue(file, limit, "--data");
            evalPs = null;
        } else {
            file = prompts != null ? prompts : DqnCli.defaultEvalPrompts();
            evalPs = TaskOptions.continuation(file, limit, "--prompts");
        }
        List<String> evalP = evalPs == null ? List.of() : evalPs.prompts();
        double threshold = positiveThreshold != null ? positiveThreshold
                : runThreshold != null ? runThreshold : DqnCli.defaultThreshold(specs);
        OverwriteOption.refuseWithResume(resume, overwrite.overwrite, "the interrupted evaluation in --out");
        RecordWriter.checkTarget("--out", outDir().resolve("comparison.tsv"), file);
        if (!resume) {
            keepEarlier("comparison.json");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> identity = pairs != null
                ? pairs.rows().stream().map(r -> String.join("\t", r.contextTurns()) + "\t" + r.response()).toList()
                : evalP;
        try (DqnPolicy p = load()) {
            DqnConfig cfg;
            try {
                DqnConfig.Builder b = p.config().toBuilder();
                if (samples != null) {
                    b.evalSamples(samples);
                }
                if (seed != null) {
                    b.seed(seed);
                }
                cfg = b.build();
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage(), ExitCodes.USAGE);
            }
            // from here on Ctrl-C stops after the current batch of episodes, which are kept
            Interrupts.install(err, "the episodes so far, after the current batch");
            try (EpisodeLog log = EpisodeLog.open(spec, outDir(), dialogue ? "--data" : "--prompts", file, identity,
                    identity.size() * cfg.evalSamples(), cfg, limit, unread, resume, overwrite.overwrite);
                    ModelOptions.Loaded m = PolicyOptions.runModel(modelOptions, p, policy, err)) {
                // the record holds the values used where these were not given, not null
                ResumableOutput rec = log.output();
                rec.resolveOption(dialogue ? "--data" : "--prompts", file);
                rec.resolveOption("--limit", Integer.toString(limit));
                rec.resolveOption("--samples", Integer.toString(cfg.evalSamples()));
                rec.resolveOption("--seed", Long.toString(cfg.seed()));
                rec.resolveOption("--reward", specs);
                rec.resolveOption("--positive-threshold", Double.toString(threshold));
                rec.resolveOption("--out", outDir());
                if (!rec.bindLoaded(m, p, err, "episodes")) {
                    return Interrupts.status();
                }
                // the episodes are sampled by PyTorch: every session's count when a resume keeps earlier ones
                rec.noteThreads(DqnCli.THREADS, DqnCli.threads(), true);
                if (evalPs != null) { // dialogue contexts are fitted to the model instead
                    // the run's max_new_tokens is not an option here: only the prompt can change; counted as the
                    // episodes encode it, with token healing
                    PromptFit.check(evalPs.examples(), file, ReadOptions.defaults(), m, true, cfg.maxNewTokens(),
                            "shorten it; the run samples " + cfg.maxNewTokens() + " new tokens after each prompt");
                }
                return evaluate(p, m, cfg, pairs, evalP, specs, threshold, file, log, o, err);
            }
        }
    }

    /** Both evaluations, their episodes kept in {@code log} batch by batch; then the comparison's files. */
    private int evaluate(DqnPolicy p, ModelOptions.Loaded m, DqnConfig cfg, TaskOptions.Dialogues pairs,
            List<String> prompts, List<String> specs, double threshold, Path file, EpisodeLog log, PrintWriter o,
            PrintWriter err) {
        List<String> evalP = prompts;
        Map<String, List<String>> refs = Map.of();
        if (pairs != null) {
            TaskOptions.Prompts d = pairs.fit(m.tokenizer(), m.format(), m.model().config().maxPositions(),
                    cfg.maxNewTokens(), err).prompts();
            evalP = d.prompts();
            // a context on several rows is one prompt: each of its episodes is scored against all its responses
            refs = d.references();
        }
        EvalMetrics base;
        EvalMetrics trained;
        String rewardThreads;
        try (Reward reward = rewardOptions.create(specs, cfg.seed())) {
            // the episodes hold no score: this session scores them all, when they are all sampled
            rewardThreads = DqnCli.rewardEncoderThreads(reward);
            log.output().noteThreads(DqnCli.REWARD_ENCODER_THREADS, rewardThreads, false);
            DqnTrainer.Setup setup = new DqnTrainer.Setup(m.model(), m.tokenizer(), m.format(), reward, evalP, evalP,
                    threshold, policy, Map.of(), refs);
            if (rewardNote != null) {
                err.println(rewardNote);
            }
            String thresholdWarning = DqnCli.thresholdWarning(specs, threshold, positiveThreshold != null);
            if (thresholdWarning != null) {
                err.println(thresholdWarning);
            }
            log.output().announce(err, 2 * log.perPolicy(), "episodes", "all episodes were already sampled; "
                    + "scoring them");
            err.println("evaluating base model and policy on " + evalP.size() + " prompts x " + cfg.evalSamples()
                    + " samples...");
            try {
                base = evaluateWithProgress(setup, cfg, null, log);
                trained = base == null ? null : evaluateWithProgress(setup, cfg, p, log);
            } catch (RewardException e) {
                if (log.rows() == 0) {
                    throw e;
                }
                // the episodes sampled so far are kept: --resume goes on from them (they do not depend on the reward)
                throw new RewardException(e.getMessage() + "; the first " + log.rows() + " of " + 2 * log.perPolicy()
                        + " episodes stay in " + log.output().partFile() + ": run the same command plus --resume to "
                        + "go on from them", e.rewardId(), e.episodeIndex(), e);
            }
        }
        if (trained == null) {
            log.output().interrupted(err, log.rows(), 2 * log.perPolicy(), "episodes", "episodes");
            return Interrupts.status();
        }
        log.output().finish();
        Interrupts.restoreDefault();
        Path dir = outDir();
        write(dir, base, trained, specs, threshold, log.output().recorded(DqnCli.THREADS), rewardThreads);
        o.println("base model vs trained DQN policy on " + evalP.size() + " prompts (" + file.getFileName() + "), reward "
                + Rewards.sumText(specs) + ":");
        DqnCli.printTable(o, base, trained, threshold);
        o.println("wrote " + dir.resolve("comparison.tsv") + ", " + dir.resolve("comparison.json") + " and "
                + dir.resolve(EpisodeLog.FILE) + " (every sampled episode)");
        return ExitCodes.OK;
    }

    private int translation() {
        runColumns();
        Path file = data != null ? data : TaskOptions.multi30k(SharedDir.locate(), sourceColumn,
                targetColumn, "test_2016_flickr");
        TaskOptions.Prompts p = TaskOptions.translation(file, sourceColumn, targetColumn, limit == Integer.MAX_VALUE ? 0 : limit,
                "--data");
        OverwriteOption.refuseWithResume(resume, overwrite.overwrite, "the interrupted evaluation in --out");
        RecordWriter.checkTarget("--out", outDir().resolve(TranslationEval.TRANSLATIONS), file);
        if (!resume) {
            keepEarlier(TranslationEval.SCORES);
        }
        GenerationConfig cfg = beam.apply(GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), maxNewTokens, 1,
                List.of(), 1, 32, false, false), spec, unread);
        policyOptions.resolveHead(false); // the record shows the head that scores, not null when --head is not given
        PrintWriter err = spec.commandLine().getErr();
        // from here on Ctrl-C stops after the current batch, so the translations so far are kept
        Interrupts.install(err, "the translations so far, after the current batch");
        Path dir = outDir();
        // the output is checked (and a resume's rows read) before the model loads, so a refusal is quick
        try (ResumableOutput o = TranslationEval.open(spec, dir, p, file, sourceColumn, targetColumn, cfg, unread, resume,
                overwrite.overwrite);
                DqnPolicy pol = load(); ModelOptions.Loaded m = PolicyOptions.runModel(modelOptions, pol, policy, err)) {
            o.resolveOption("--data", file); // the values used where these were not given, not null
            o.resolveOption("--out", dir); // (--limit not given: the whole file, which no --limit value names)
            if (!o.bindLoaded(m, pol, err, "translations")) {
                return Interrupts.status();
            }
            PromptFit.check(p.examples(), file, ReadOptions.defaults(), m, cfg.tokenHealing(), cfg.maxNewTokens(),
                    PromptFit.REMEDY);
            if (columnsNote != null) {
                err.println(columnsNote);
            }
            spec.commandLine().getOut().println("translation of " + p.prompts().size() + " sentences of "
                    + file.getFileName() + " (" + sourceColumn + " -> " + targetColumn + "):");
            return TranslationEval.run(o, m, pol, p, cfg, dir, spec.commandLine().getOut(), err);
        }
    }

    /**
     * One evaluation, with a progress bar of its episodes on standard error, kept in {@code log}; null when
     * Ctrl-C stopped it between batches.
     */
    private EvalMetrics evaluateWithProgress(DqnTrainer.Setup setup, DqnConfig cfg, DqnPolicy p, EpisodeLog log) {
        ProgressBar[] bar = {null};
        try {
            return DqnTrainer.evaluate(setup, cfg, p, new TrainListener() {
                @Override
                public void onEvaluationProgress(String policy, long done, long total) {
                    if (bar[0] == null) {
                        bar[0] = new ProgressBar(spec.commandLine().getErr(), policy + " episodes", total);
                    }
                    bar[0].update(done, "");
                }

                @Override
                public boolean stopRequested() {
                    return Interrupts.requested();
                }
            }, log);
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /**
     * Refuses, before the work, an output directory that holds an earlier evaluation of this task (another
     * width, another test file): it is kept unless --overwrite says otherwise.
     */
    private void keepEarlier(String summaryFile) {
        overwrite.check(outDir(), summaryFile, "an earlier " + task + " evaluation");
    }

    /**
     * The columns a translation run was trained on ({@code source_column}/{@code target_column} of its
     * provenance), for {@code --source-column}/{@code --target-column} not given: a head trained to translate
     * into French is scored against the French references, not the default German ones; a start-up line on
     * standard error says the columns were taken from the run. A checkpoint that cannot be read is left to
     * {@link #load} to report.
     */
    private void runColumns() {
        Map<String, String> run;
        try {
            run = DqnTrainer.checkpointHeader(policy);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return;
        }
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        boolean source = !pr.hasMatchedOption("--source-column") && run.containsKey("source_column");
        boolean target = !pr.hasMatchedOption("--target-column") && run.containsKey("target_column");
        if (source) {
            sourceColumn = run.get("source_column");
        }
        if (target) {
            targetColumn = run.get("target_column");
        }
        if (source || target) {
            columnsNote = TrainCommand.columnsLine(sourceColumn, targetColumn, source, target, "qdecode train", policy);
        }
    }

    /** The start-up line of columns taken from the run ({@link #runColumns}); null if none. */
    private String columnsNote;

    /**
     * The reward specs of a continuation or dialogue evaluation without {@code --reward}: the run's own, as
     * {@code train} recorded them (its provenance's {@code reward}, {@link DqnCli#rewardsJson}), so a run trained
     * for a classifier or a mix is scored on what it was trained for, not on the task's default; a start-up line
     * on standard error says so ({@link #rewardNote}). A reward that came from a plug-in is created from the run's
     * own plug-in jars, checked to be the bytes the run recorded, as {@code train --resume} does, unless {@code
     * --plugin} is given (then from those). A run that recorded no reward, or whose checkpoint cannot be read or
     * is another task's (left to {@link #load} to report), gets the task's default ({@link DqnCli#defaultRewards}).
     *
     * @return the reward specs
     * @throws CliException (bad input) when the run's reward is not a list of specs, or comes from a plug-in jar
     *     of the run's that is gone or changed and {@code --plugin} is not given
     */
    private List<String> runRewards() {
        List<String> defaults = DqnCli.defaultRewards(task);
        Map<String, String> run;
        try {
            run = DqnTrainer.checkpointHeader(policy);
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return defaults;
        }
        if (!run.containsKey("reward") || !task.equals(run.getOrDefault("task", "continuation"))) {
            return defaults;
        }
        List<String> specs;
        try {
            specs = DqnCli.rewardsOf(run.get("reward"));
        } catch (RuntimeException e) {
            specs = null;
        }
        if (specs == null || specs.isEmpty() || specs.stream().anyMatch(String::isBlank)) {
            throw new CliException("--policy " + policy + ": the reward the run recorded, " + run.get("reward")
                    + ", is not a list of reward specs (expected a checkpoint written by qdecode train, or --reward)",
                    ExitCodes.BAD_INPUT);
        }
        DqnCli.checkRewardFiles(run, "--policy " + policy, "put it back to score the run with the reward it was "
                + "trained with, or give --reward to score it with another");
        String from = "";
        List<String> pluginIds = pluginIds(specs);
        if (!pluginIds.isEmpty() && rewardOptions.plugins.isEmpty() && run.containsKey("plugins")) {
            rewardOptions.plugins = runPlugins(run, pluginIds);
            from = ", from its plug-in " + String.join(", ", rewardOptions.plugins.stream().map(Path::toString).toList());
        }
        rewardNote = "reward: " + Rewards.sumText(specs) + " (the run's, as train recorded it" + from + ")";
        try { // the run's own threshold goes with its own reward (train --positive-threshold may have set it)
            runThreshold = run.containsKey("positive_threshold") ? Double.valueOf(run.get("positive_threshold")) : null;
        } catch (NumberFormatException e) {
            runThreshold = null;
        }
        return specs;
    }

    /** The reward ids of specs that no built-in reward has: they came from plug-ins. */
    private static List<String> pluginIds(List<String> specs) {
        List<String> builtIn;
        try (Rewards r = Rewards.discover()) {
            builtIn = r.ids();
        }
        List<String> ids = new ArrayList<>();
        for (Rewards.Term t : Rewards.terms(specs)) {
            if (!builtIn.contains(t.id()) && !ids.contains(t.id())) {
                ids.add(t.id());
            }
        }
        return ids;
    }

    /**
     * The plug-in jars the run recorded, each checked to be there with the bytes it had (sha256) by the check
     * {@code train --resume} makes ({@link DqnCli#recordedPlugins(Map, java.util.function.Function)}).
     *
     * @throws CliException (bad input) naming the reward, the run, the jar and {@code --plugin}
     */
    private List<Path> runPlugins(Map<String, String> run, List<String> ids) {
        String what = "--policy " + policy + ": the run's reward '" + String.join("', '", ids) + "' comes from its "
                + "plug-in ";
        String remedy = "; expected it back in place, the plug-in given with --plugin, or another --reward)";
        return DqnCli.recordedPlugins(run, m -> m.gone()
                ? what + m.file() + ", which is not there (recorded by qdecode train" + remedy
                : what + m.file() + ", which changed since the run was trained (sha256 " + m.sha256() + ", the run's: "
                        + m.recorded() + remedy.replace("back in place", "as it was"));
    }

    /** The start-up line of a reward taken from the run ({@link #runRewards}); null if none. */
    private String rewardNote;

    /**
     * The positive threshold the run recorded, when its reward is taken from the run ({@link #runRewards}) and it
     * recorded one: the default of {@code --positive-threshold} then; null otherwise.
     */
    private Double runThreshold;

    /** --out, or the policy's run directory's evaluation/ folder. */
    private Path outDir() {
        return out != null ? out : (Files.isDirectory(policy) ? policy : policy.toAbsolutePath().getParent())
                .resolve(DIR);
    }

    /**
     * Refuses a {@code --policy} run of another task than {@code --task} before anything else is read or loaded:
     * its metrics would mean nothing. Every task refuses it alike, as the bad input it is (a run that does not
     * fit, like a {@code --model} of another model): one line naming {@code --policy}, the run's task and the
     * task expected. A checkpoint that cannot be read is left to the task's loading to report.
     *
     * @throws CliException (bad input) when the run was trained for another task
     */
    private void requireRunOfTask() {
        String trained;
        try {
            trained = DqnTrainer.checkpointHeader(policy).getOrDefault("task", "continuation");
        } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
            return;
        }
        if (!trained.equals(task)) {
            throw new CliException(wrongTask(policy, trained, task), ExitCodes.BAD_INPUT);
        }
    }

    /**
     * The refusal of a {@code --policy} run trained for another task than the one evaluated.
     *
     * @param policy the run as given
     * @param trained the run's task
     * @param task the task evaluated ({@code --task})
     * @return one line naming {@code --policy}, the run's task and what was expected
     */
    static String wrongTask(Path policy, String trained, String task) {
        return "--policy " + policy + ": a --task " + trained + " run (expected a run of --task " + task
                + "; evaluate it with --task " + trained + ")";
    }

    /** Loads the policy, refusing a head trained for another task (its metrics would mean nothing). */
    private DqnPolicy load() {
        DqnPolicy p = policyOptions.load(policy, DqnPolicy.Mode.GUIDED);
        String trained = p.provenance().getOrDefault("task", "continuation");
        if (!trained.equals(task)) { // checked first by requireRunOfTask; kept for a checkpoint replaced since
            p.close();
            throw new CliException(wrongTask(policy, trained, task), ExitCodes.BAD_INPUT);
        }
        return p;
    }

    /**
     * Writes comparison.tsv and comparison.json; the latter also records the PyTorch thread count(s) that sampled
     * the episodes ({@code threads}: every session's, as the episodes' record holds them) and, when the reward
     * embeds texts, the thread count it scored every episode with ({@code rewardThreads}: this session's), and the
     * threshold {@code positive_rate} counts rewards above ({@code positive_threshold}).
     */
    private static void write(Path dir, EvalMetrics base, EvalMetrics trained, List<String> specs, double threshold,
            String threads, String rewardThreads) {
        try {
            Files.createDirectories(dir);
            List<String> cols = List.of("metric", "base", "trained");
            try (RecordWriter w = RecordWriter.open(dir.resolve("comparison.tsv"), cols)) {
                String[] names = {"mean_reward", "reward_std", "positive_rate", "kl", "perplexity", "distinct_1",
                    "distinct_2", "mean_length", "repeat_fraction"};
                double[] b = base.quality();
                double[] t = trained.quality();
                for (int i = 0; i < names.length; i++) {
                    w.write(names[i], b[i], t[i]);
                }
                w.commit();
            }
            JsonObject j = new JsonObject();
            JsonArray reward = new JsonArray();
            specs.forEach(reward::add);
            j.add("reward", reward); // the specs both were scored with: --reward, the run's, or the default
            j.addProperty("positive_threshold", threshold); // what positive_rate counts: rewards above it
            j.addProperty(DqnCli.THREADS, threads);
            if (rewardThreads != null) {
                j.addProperty(DqnCli.REWARD_ENCODER_THREADS, rewardThreads);
            }
            j.add("base", base.toEvaluationJson()); // no training episode or speeds: an evaluation has none
            j.add("trained", trained.toEvaluationJson());
            Files.writeString(dir.resolve("comparison.json"),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(j),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
