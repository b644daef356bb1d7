package dev.qdecode.pipeline.cli;

import com.google.gson.JsonArray;
import dev.qdecode.data.DataException;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.pipeline.dqn.ClassificationTrainer;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.EvalMetrics;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.SharedDir;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Shared pieces of the DQN commands ({@code train}, {@code evaluate}): prompts, provenance, the table. */
final class DqnCli {
    private DqnCli() {}

    static Path defaultTrainPrompts() {
        return SharedDir.locate().resolve("data/prompts/story_prompts.train.tsv");
    }

    static Path defaultEvalPrompts() {
        return SharedDir.locate().resolve("data/prompts/story_prompts.dev.tsv");
    }

    /** What a prompts file must hold, for the message naming a missing one. */
    static final String PROMPTS_FILE = "a prompts file with a 'prompt' column";

    /**
     * Refuses an input file given by an option that is missing, a directory or unreadable: bad input (exit 3), one
     * line {@code OPTION FILE: why (expected WHAT)}.
     *
     * @param option the option that named it, e.g. {@code --config}
     * @param file the file
     * @param expected what the file should be, for the message
     */
    static void requireReadableFile(String option, Path file, String expected) {
        String why = !Files.exists(file) ? "file not found" : Files.isDirectory(file) ? "is a directory"
                : !Files.isRegularFile(file) || !Files.isReadable(file) ? "cannot be read" : null;
        if (why != null) {
            throw new CliException(option + " " + file + ": " + why + " (expected " + expected + ")",
                    ExitCodes.BAD_INPUT);
        }
    }

    /** The prompts of a file with their ids, read with {@link #promptReadOptions}; at least one. */
    static List<PromptExample> promptExamples(Path file, int limit, String option) {
        requireReadableFile(option, file, PROMPTS_FILE);
        List<PromptExample> p = Datasets.prompts(file, promptReadOptions(limit)).examples();
        if (p.isEmpty()) {
            throw new DataException(file + ": no prompts found (expected at least one data row)");
        }
        return p;
    }

    /** How prompts files are read: default columns, at most {@code limit} rows (0: all). */
    static ReadOptions promptReadOptions(int limit) {
        return limit > 0 ? ReadOptions.defaults().withLimit(limit) : ReadOptions.defaults();
    }

    /** The checkpoint files of the heads an evaluation used, as absolute paths (its provenance). */
    static JsonArray headFiles(List<Path> files) {
        JsonArray a = new JsonArray();
        files.forEach(f -> a.add(f.toAbsolutePath().normalize().toString()));
        return a;
    }

    /** Reward specs as stored in provenance: a JSON array, '=' and '<' kept as written. */
    static String rewardsJson(List<String> specs) {
        return new com.google.gson.GsonBuilder().disableHtmlEscaping().create().toJson(specs);
    }

    /**
     * The reward of a task when no --reward is given: label match for classification, BLEU against the
     * references for translation and dialogue, VADER sentiment for continuation.
     *
     * @param task the task
     * @return the reward specs
     */
    static List<String> defaultRewards(String task) {
        return switch (task) {
            case "classification" -> List.of("label-match");
            case "translation", "dialogue" -> List.of("bleu");
            default -> List.of("vader");
        };
    }

    /** The reward specs stored by {@link #rewardsJson} (a JSON array). */
    static List<String> rewardsOf(String stored) {
        String[] a = new com.google.gson.Gson().fromJson(stored, String[].class);
        return List.of(a);
    }

    /**
     * A reward above this counts as positive: when every term is a classifier probability (its default
     * {@code mode=prob}), half the sum of their weights (0.5 for one classifier, whatever its weight is
     * written as); else 0.0 (VADER's compound, a margin, or a mix).
     */
    static double defaultThreshold(List<String> rewardSpecs) {
        double weights = 0;
        for (Rewards.Term t : Rewards.terms(rewardSpecs)) {
            if (!classifierProbability(t)) {
                return 0.0;
            }
            weights += t.weight();
        }
        return 0.5 * weights;
    }

    /** Whether the term is a classifier probability (its default {@code mode=prob}) with a positive weight. */
    private static boolean classifierProbability(Rewards.Term t) {
        String mode = t.params().getOrDefault("mode", "prob").strip().toLowerCase(Locale.ROOT);
        return t.id().equals("classifier") && mode.equals("prob") && t.weight() > 0;
    }

    /**
     * The warning for a positive rate that counts against {@link #defaultThreshold}'s 0.0 although a term of the reward
     * is a classifier probability ({@code mode=prob}, positive weight): that term is above 0 on every text, so with
     * terms that are rarely below 0 (token F1, BLEU, a small repetition penalty) nearly every reward counts as positive
     * whatever the policy (bench/dialogue.sh's {@code classifier + 0.5*token-f1 + 0.2*repetition} gave a positive rate
     * of 1.0 for base and trained).
     *
     * @param rewardSpecs the reward's specs
     * @param threshold the threshold the rate counts against
     * @param given whether the threshold was given ({@code --positive-threshold}) rather than defaulted
     * @return the one-line warning, or null when the threshold was given, is not 0.0, or no term is a classifier
     *     probability
     */
    static String thresholdWarning(List<String> rewardSpecs, double threshold, boolean given) {
        if (given || threshold != 0.0 || defaultThreshold(rewardSpecs) != 0.0) {
            return null;
        }
        for (Rewards.Term t : Rewards.terms(rewardSpecs)) {
            if (classifierProbability(t)) {
                return "qdecode: warning: the positive rate counts rewards > 0.0 (the default --positive-threshold "
                        + "when not every term is a classifier probability), but its classifier term is a probability "
                        + "(mode=prob), above 0 on every text, so nearly every reward may count as positive "
                        + "whatever the policy (expected --positive-threshold X, the reward that counts as a success)";
            }
        }
        return null;
    }

    /**
     * How the console names a positive-rate threshold: {@code 0.5}, {@code 0} (no trailing zeros).
     *
     * @param threshold the threshold
     * @return its text
     */
    static String thresholdText(double threshold) {
        return java.math.BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
    }

    static Map<String, String> provenance(Path modelDir, Path train, Path eval, int evalLimit, List<String> rewards,
            double threshold, long seed) {
        Map<String, String> p = new LinkedHashMap<>(DqnTrainer.modelProvenance(modelDir));
        p.put("prompts", train.toAbsolutePath().normalize().toString());
        p.put("prompts_sha256", Datasets.sha256(train));
        p.put("eval_prompts", eval.toAbsolutePath().normalize().toString());
        p.put("eval_prompts_sha256", Datasets.sha256(eval));
        p.put("eval_limit", Integer.toString(evalLimit));
        p.put("reward", rewardsJson(rewards));
        putRewardFiles(p, rewards);
        p.put("positive_threshold", Double.toString(threshold));
        p.put("qdecode_version", VersionProvider.version());
        p.put("seed", Long.toString(seed));
        p.put(THREADS, threads());
        return p;
    }

    /**
     * Records, under {@code reward_files_sha256}, the sha256 of each file a built-in reward of the specs reads from
     * a path given to it: a {@code classifier:model=} directory's {@code classifier.json} and {@code
     * head.safetensors}, a {@code vader:lexicon=} directory's two lexicon files, an {@code afinn:lexicon=} file; as
     * a JSON object from each file's absolute path to its sha256. Nothing is recorded when no term gives such a
     * path (the shared default lexicons are the data set's own), so a run's provenance says which classifier or
     * lexicon, byte for byte, its reward came from.
     *
     * @param provenance where to put it
     * @param specs the run's reward specs
     */
    static void putRewardFiles(Map<String, String> provenance, List<String> specs) {
        Map<String, String> files = rewardFiles(specs);
        if (!files.isEmpty()) {
            provenance.put("reward_files_sha256", new com.google.gson.GsonBuilder().disableHtmlEscaping().create()
                    .toJson(files));
        }
    }

    /** The provenance key of the ONNX Runtime thread count of a {@code classifier} reward's MiniLM encoder. */
    static final String REWARD_ENCODER_THREADS = "reward_encoder_threads";

    /**
     * Records, under {@value #REWARD_ENCODER_THREADS}, the thread count the reward's sentence encoder embeds each
     * episode's text with in this session ({@link Reward#encoderThreads()}: a {@code classifier:model=DIR}
     * reward's ONNX Runtime count for a MiniLM encoder, its PyTorch count for an {@code hf:DIR} one): another count
     * may sum in another order, so its scores belong to the run's provenance as the PyTorch count does. Nothing is
     * recorded for rewards that embed nothing.
     *
     * @param provenance where to put it
     * @param reward the run's reward, built
     */
    static void putRewardEncoderThreads(Map<String, String> provenance, Reward reward) {
        String threads = rewardEncoderThreads(reward);
        if (threads != null) {
            provenance.put(REWARD_ENCODER_THREADS, threads);
        }
    }

    /**
     * The value {@link #putRewardEncoderThreads} records for this reward, asked of the reward itself (it was built
     * from its classifier's {@code classifier.json}, which is not read again). Every command that scores with such
     * a reward records it under {@value #REWARD_ENCODER_THREADS} from here: {@code train}'s provenance, {@code
     * evaluate}'s {@code comparison.json} and episode record, {@code rewards score --output}'s record.
     *
     * @param reward the reward, built
     * @return the count, or null when no part of the reward embeds texts
     */
    static String rewardEncoderThreads(Reward reward) {
        return reward.encoderThreads();
    }

    /**
     * A resumed run's {@value #REWARD_ENCODER_THREADS}: every session's count, as {@link #resumedThreads} gives the
     * PyTorch one ({@code 2 then 1}; {@code unrecorded then 1} for a run that did not record it), or null when
     * this session's reward embeds nothing. A session's value may itself join the distinct counts of a reward's
     * encoders with {@code " and "} ({@code default (2 processors) and 2}); {@code " then "} separates whole
     * sessions, and this session's value is compared with the whole last one ({@code X and 2 then X and 1}).
     *
     * @param recorded the run's recorded value, or null
     * @param now this session's provenance, after {@link #putRewardEncoderThreads}
     * @return the value to record, or null
     */
    static String resumedRewardEncoderThreads(String recorded, Map<String, String> now) {
        String mine = now.get(REWARD_ENCODER_THREADS);
        if (mine == null) {
            return recorded;
        }
        return sessionsThreads(recorded, mine);
    }

    /**
     * The thread counts of every session of work done in several sessions: {@code recorded} when this session's
     * count {@code now} is its last one, else {@code recorded then now} (e.g. {@code 2 then 1}); {@value
     * #UNRECORDED}{@code  then now} when the earlier sessions recorded none.
     *
     * @param recorded the earlier sessions' record, or null when they recorded none
     * @param now this session's count, not null
     * @return the record from this session on
     */
    static String sessionsThreads(String recorded, String now) {
        return dev.qdecode.rewards.classifier.EmbeddingCache.joinThreads(recorded == null ? UNRECORDED : recorded, now);
    }

    /**
     * The files built-in rewards of the specs read from a path given to them (see {@link #putRewardFiles}), each
     * file's absolute path to its sha256, sorted by path.
     *
     * @param specs reward specs
     * @return the files and their sha256; empty when no term gives such a path
     */
    static Map<String, String> rewardFiles(List<String> specs) {
        Map<String, String> files = new java.util.TreeMap<>();
        for (Path f : Rewards.givenFiles(specs)) {
            files.put(f.toAbsolutePath().normalize().toString(), Datasets.sha256(f));
        }
        return files;
    }

    /**
     * Checks that each file a run's reward read ({@link #putRewardFiles}: its {@code reward_files_sha256}) is still
     * there with the bytes it had, so that a resumed or evaluated run is scored by the classifier or lexicon it was
     * trained with, as its plug-in jars are checked ({@link #recordedPlugins(Map, Path)}). A run that recorded none
     * passes.
     *
     * @param provenance the run's provenance
     * @param who the start of the refusal, e.g. {@code --resume RUN}
     * @param advice what to do about a changed file, the end of the refusal
     * @throws CliException (bad input) naming the first file gone or changed, its sha256 now and the run's
     */
    static void checkRewardFiles(Map<String, String> provenance, String who, String advice) {
        String json = provenance.get("reward_files_sha256");
        if (json == null) {
            return;
        }
        Map<String, String> files;
        try {
            files = new com.google.gson.Gson().fromJson(json,
                    new com.google.gson.reflect.TypeToken<java.util.TreeMap<String, String>>() { }.getType());
        } catch (RuntimeException e) {
            throw new CliException(who + ": the run's reward_files_sha256 is not a JSON object of sha256 by file ("
                    + json + ")", ExitCodes.BAD_INPUT);
        }
        for (Map.Entry<String, String> e : files.entrySet()) {
            requireRecorded(Path.of(e.getKey()), e.getValue(), m -> who + ": the run's reward reads " + m.file()
                    + (m.gone() ? ", which is not there (expected it back in place, sha256 " + m.recorded() + ")"
                            : ", which changed since the run started (sha256 " + m.sha256() + ", the run's: "
                                    + m.recorded() + "; " + advice + ")"));
        }
    }

    /** The provenance key of the PyTorch intra-op thread count a run trained with. */
    static final String THREADS = "threads";

    /**
     * The provenance key of the ONNX Runtime intra-op thread count of a classification run's MiniLM encoder
     * ({@code --encoder minilm} or {@code minilm-q}): this session's ({@link
     * dev.qdecode.rewards.classifier.SentenceEncoders#onnxThreads()}) in the checkpoint written before embedding,
     * then the count that computed the embeddings the run used ({@link ClassificationTrainer#ENCODER_THREADS}).
     */
    static final String ENCODER_THREADS = ClassificationTrainer.ENCODER_THREADS;

    /**
     * This process's PyTorch intra-op thread count as the run records it: {@code QDECODE_THREADS} (the
     * {@code ai.djl.pytorch.num_threads} property the launcher sets), else 1, which {@link Main} sets. Another
     * count sums in another order, so the same seed gives another run.
     */
    static String threads() {
        return dev.qdecode.models.CausalLM.threads();
    }

    /** How {@link #resumedThreads} joins the thread counts of a run's sessions, e.g. {@code 2 then 1}. */
    static final String THEN = " then ";

    /** What {@link #resumedThreads} records for the sessions of a run from before the count was recorded. */
    static final String UNRECORDED = "unrecorded";

    /**
     * The {@value #THREADS} record of a resumed run: the recorded one when this session goes on with the
     * count of the last session, else the recorded one followed by {@value #THEN} and this session's count
     * (e.g. {@code 2 then 1}), so the run's record tells every count it was trained with, not only the last
     * session's; a run from before the count was recorded starts with {@value #UNRECORDED}.
     *
     * @param recorded the run's recorded value, or {@code null} when its checkpoint has none
     * @return the value to record for the run from this session on
     */
    static String resumedThreads(String recorded) {
        return sessionsThreads(recorded, threads());
    }

    /** Records the reward plug-in jars of a run (absolute paths and sha256), so a resume scores alike. */
    static void recordPlugins(Map<String, String> provenance, List<Path> jars) {
        if (jars.isEmpty()) {
            return;
        }
        List<String> paths = new java.util.ArrayList<>();
        List<String> hashes = new java.util.ArrayList<>();
        for (Path j : jars) {
            paths.add(j.toAbsolutePath().normalize().toString());
            hashes.add(Datasets.sha256(j));
        }
        com.google.gson.Gson g = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
        provenance.put("plugins", g.toJson(paths));
        provenance.put("plugins_sha256", g.toJson(hashes));
    }

    /**
     * The plug-in jars a run recorded, checked to be the same bytes: a resume loads them itself (its
     * --reward specs name their ids).
     *
     * @throws CliException (bad input) when a jar is gone or changed: {@code --resume RUN: the run's reward plug-in
     *     JAR is not there (expected it back in place)}, or {@code … changed since the run started (sha256 NOW,
     *     expected RECORDED: ...)}, which says how to train with the changed jar (a new run: the run's rewards so
     *     far, in its replay and metrics, came from the old one)
     */
    static List<Path> recordedPlugins(Map<String, String> provenance, Path runDir) {
        return recordedPlugins(provenance, m -> "--resume " + runDir + ": the run's reward plug-in " + m.file()
                + (m.gone() ? " is not there (expected it back in place)"
                        : " changed since the run started (sha256 " + m.sha256() + ", expected " + m.recorded()
                        + ": its rewards so far came from that jar; put it back to resume, or train the changed jar "
                        + "in a new run: the command that started this one, plus --overwrite)"));
    }

    /**
     * A file a run recorded with its sha256 (a plug-in jar, a classifier or lexicon its reward reads) that is not
     * the run's any more.
     *
     * @param file the recorded path
     * @param sha256 the file's sha256 now; null when it is not there
     * @param recorded the sha256 the run recorded, or {@code none} when it recorded none for this file
     */
    record FileMismatch(Path file, String sha256, String recorded) {
        /**
         * Whether the file is gone (else it changed).
         *
         * @return true when no file is at the recorded path
         */
        boolean gone() {
            return sha256 == null;
        }
    }

    /**
     * Checks that a file a run recorded is still there with the bytes it had: the one comparison of
     * {@link #recordedPlugins(Map, java.util.function.Function)} and {@link #checkRewardFiles}.
     *
     * @param file the recorded path
     * @param recorded the sha256 the run recorded
     * @param refusal the one-line message for a file that is gone or changed (the command's own words)
     * @throws CliException (bad input) with the refusal's message
     */
    private static void requireRecorded(Path file, String recorded,
            java.util.function.Function<FileMismatch, String> refusal) {
        if (!Files.isRegularFile(file)) {
            throw new CliException(refusal.apply(new FileMismatch(file, null, recorded)), ExitCodes.BAD_INPUT);
        }
        String sha = Datasets.sha256(file);
        if (!sha.equals(recorded)) {
            throw new CliException(refusal.apply(new FileMismatch(file, sha, recorded)), ExitCodes.BAD_INPUT);
        }
    }

    /**
     * The plug-in jars a run recorded ({@link #recordPlugins}), each checked to be there with the bytes it had
     * (sha256): the one check of {@code train --resume} and of {@code evaluate} scoring a run on its own reward.
     *
     * @param provenance the run's provenance (its {@code plugins} and {@code plugins_sha256})
     * @param refusal the one-line message for a jar that is gone or changed (the command's own words)
     * @return the jars, in the recorded order; none when the run recorded none
     * @throws CliException (bad input) with the refusal's message for the first jar gone or changed (a jar without
     *     a recorded sha256 counts as changed)
     */
    static List<Path> recordedPlugins(Map<String, String> provenance,
            java.util.function.Function<FileMismatch, String> refusal) {
        if (!provenance.containsKey("plugins")) {
            return List.of();
        }
        com.google.gson.Gson g = new com.google.gson.Gson();
        String[] paths = g.fromJson(provenance.get("plugins"), String[].class);
        String[] hashes = g.fromJson(provenance.get("plugins_sha256"), String[].class);
        List<Path> jars = new java.util.ArrayList<>();
        for (int i = 0; i < paths.length; i++) {
            Path jar = Path.of(paths[i]);
            String recorded = hashes == null || i >= hashes.length || hashes[i] == null ? "none" : hashes[i];
            requireRecorded(jar, recorded, refusal);
            jars.add(jar);
        }
        return jars;
    }

    /**
     * Prints the base-vs-trained table; its positive-rate row names the threshold the rate counts against, e.g.
     * {@code positive rate (> 0.5)} (a rate counted against 0.0 means little for a reward that is always above 0).
     */
    static void printTable(PrintWriter out, EvalMetrics base, EvalMetrics trained, double threshold) {
        out.printf(Locale.ROOT, "%-22s %12s %12s %9s%n", "metric", "base", "trained", "ratio");
        row(out, "mean reward", base.meanReward(), trained.meanReward());
        row(out, "reward std", base.rewardStd(), trained.rewardStd());
        row(out, "positive rate (> " + thresholdText(threshold) + ")", base.positiveRate(), trained.positiveRate());
        row(out, "KL to pi_ref", base.kl(), trained.kl());
        row(out, "perplexity (base LM)", base.perplexity(), trained.perplexity());
        row(out, "distinct-1", base.distinct1(), trained.distinct1());
        row(out, "distinct-2", base.distinct2(), trained.distinct2());
        row(out, "mean length", base.meanLength(), trained.meanLength());
        row(out, "4x-repeat fraction", base.repeatFraction(), trained.repeatFraction());
        out.printf(Locale.ROOT, "(%d samples per model)%n", trained.samples());
        for (int i = 0; i < Math.min(base.examples().size(), trained.examples().size()); i++) {
            out.println("base:    " + base.examples().get(i).replace('\n', ' '));
            out.println("trained: " + trained.examples().get(i).replace('\n', ' '));
        }
        out.flush();
    }

    private static void row(PrintWriter out, String name, double b, double t) {
        out.printf(Locale.ROOT, "%-22s %12.4f %12.4f %s%n", name, b, t, ratio(b, t));
    }

    /** The ratio column: only where both values are non-negative and the base is not 0 (a reward on a signed
     * scale, such as VADER's, can be negative, and a ratio to a negative base would flip the sign of a gain). */
    static String ratio(double b, double t) {
        return b > 1e-12 && t >= 0 ? String.format(Locale.ROOT, "%8.3fx", t / b) : "        -";
    }
}
