package dev.qdecode.pipeline.cli;

import dev.qdecode.data.ClassificationExample;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.DialogueExample;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.pipeline.sft.DialogueFormat;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.pipeline.dqn.ClassificationTrainer;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.EvalMetrics;
import dev.qdecode.pipeline.dqn.TrainListener;
import dev.qdecode.pipeline.dqn.Verbalizer;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.SharedDir;
import dev.qdecode.rewards.classifier.EmbeddingCache;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data options of the supervised-data tasks of {@code qdecode train}: classification (and its run)
 * and translation (sources as prompts, targets as references).
 */
final class TaskOptions {
    /** Adam learning rate of the classification head unless --lr is given. */
    static final double CLASSIFICATION_LR = 1e-4;

    /**
     * Prompts with their ids (the file's, one per data row, in order) and references, for tasks scored
     * against gold targets (none for continuation).
     */
    record Prompts(List<String> prompts, List<String> ids, Map<String, List<String>> references,
            List<List<String>> rowReferences) {
        /**
         * One prompt per row, in order; a prompt that occurs several times collects all its references in
         * {@link #references()}, each distinct text once in first-seen order (an identical reference on
         * several rows, or twice in one row, is kept once), while {@link #rowReferences()} keeps each row's
         * own as given (what a test set scores against).
         */
        static <T> Prompts of(List<T> rows, Function<T, String> id, Function<T, String> prompt,
                Function<T, List<String>> refs) {
            Map<String, List<String>> r = new LinkedHashMap<>();
            List<String> prompts = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            List<List<String>> own = new ArrayList<>();
            for (T row : rows) {
                String p = prompt.apply(row);
                prompts.add(p);
                ids.add(id.apply(row));
                List<String> rowRefs = List.copyOf(refs.apply(row));
                own.add(rowRefs);
                List<String> pooled = r.computeIfAbsent(p, k -> new ArrayList<>());
                for (String ref : rowRefs) {
                    if (!pooled.contains(ref)) { // an identical reference once: a plug-in may average over them
                        pooled.add(ref);
                    }
                }
            }
            return new Prompts(prompts, ids, r, own);
        }

        /** The prompts as examples with their ids, in order. */
        List<PromptExample> examples() {
            List<PromptExample> e = new ArrayList<>(prompts.size());
            for (int i = 0; i < prompts.size(); i++) {
                e.add(new PromptExample(ids.get(i), prompts.get(i)));
            }
            return e;
        }
    }

    @Option(names = "--source-column", defaultValue = TranslationExample.DEFAULT_SOURCE_COLUMN,
            description = "Translation: source column (default: the one a --model written by 'qdecode sft' was "
                    + "trained on, else ${DEFAULT-VALUE}).")
    String sourceColumn;

    @Option(names = "--target-column", defaultValue = TranslationExample.DEFAULT_TARGET_COLUMN,
            description = "Translation: target (reference) column (default: the one a --model written by 'qdecode "
                    + "sft' was trained on, else ${DEFAULT-VALUE}).")
    String targetColumn;

    /** The translation training file: --data, or Multi30k's train file of the column pair ({@link #multi30k}). */
    Path translationTrain() {
        return data != null ? data : multi30k(SharedDir.locate(), sourceColumn, targetColumn, "train");
    }

    /** The translation evaluation file: --dev, or Multi30k's val file of the column pair ({@link #multi30k}). */
    Path translationDev() {
        return dev != null ? dev : multi30k(SharedDir.locate(), sourceColumn, targetColumn, "val");
    }

    /**
     * Multi30k's file of a language pair under {@code <shared>/data/multi30k}: {@code SOURCE-TARGET.SPLIT.tsv}
     * when it exists, else {@code TARGET-SOURCE.SPLIT.tsv} (the same file read the other way round, e.g.
     * {@code --source-column de --target-column en} reads en-de), else en-de's, whose missing column the
     * reader then names.
     *
     * @param shared the shared directory
     * @param source the source column, a language code in Multi30k's files
     * @param target the target column
     * @param split {@code train} or {@code val}
     * @return the file
     */
    static Path multi30k(Path shared, String source, String target, String split) {
        Path dir = shared.resolve("data/multi30k");
        for (String pair : List.of(source + "-" + target, target + "-" + source)) {
            Path f = dir.resolve(pair + "." + split + ".tsv");
            if (!pair.contains("/") && !pair.contains("\\") && Files.isRegularFile(f)) {
                return f;
            }
        }
        return dir.resolve(TranslationExample.DEFAULT_SOURCE_COLUMN + "-" + TranslationExample.DEFAULT_TARGET_COLUMN + "."
                + split + ".tsv");
    }

    /** The dialogue training file: --data or XDailyDialog's dev pairs (there is no train split). */
    Path dialogueTrain() {
        return data != null ? data : SharedDir.locate().resolve("data/xdailydialog/pairs_en_dev.tsv");
    }

    /** The dialogue evaluation file: --dev or XDailyDialog's test pairs. */
    Path dialogueDev() {
        return dev != null ? dev : SharedDir.locate().resolve("data/xdailydialog/pairs_en_test.tsv");
    }

    /**
     * Dialogue pairs read from a file, whose contexts become prompts once the model is known ({@link #fit}).
     *
     * @param file the file, for the warning
     * @param rows the pairs, in file order
     */
    record Dialogues(Path file, List<DialogueExample> rows) {
        /**
         * Each context (its last {@value DialogueFormat#CONTEXT_TURNS} turns, as {@code sft} trains on) rendered
         * by {@link DialogueFormat} becomes a
         * prompt, the response its reference, on one line as the context's turns ({@link DialogueFormat#line}: a
         * line break inside it one space), which is what {@code sft} trains on and what {@code train
         * --demonstrations} teacher-forces: a line break there would start another speaker's turn. A prompt that would leave no room for {@code maxNewTokens} in the
         * model's context is shortened by {@link DialogueFormat#fit} (older turns dropped first, then the
         * beginning of the last turn), with one warning line on {@code err} counting them. Rows whose prompts
         * come out as the same text (the same last turns) pool their responses in {@link Prompts#references()}:
         * an episode of that prompt is the same input to the model whichever row it came from, so train and
         * evaluate score it against all of them (unlike a translation test set's rows, {@link
         * Prompts#rowReferences()}).
         *
         * @param tok the model's tokenizer
         * @param format the model's prompt format
         * @param maxPositions the model's context (max_position_embeddings)
         * @param maxNewTokens the tokens an episode may generate after the prompt
         * @param err where the warning goes
         * @return the prompts and references, and how many contexts were shortened
         */
        Fitted fit(TextTokenizer tok, PromptFormat format, int maxPositions, int maxNewTokens, PrintWriter err) {
            int room = maxPositions - maxNewTokens;
            List<String> prompts = new ArrayList<>(rows.size());
            for (DialogueExample e : rows) {
                prompts.add(DialogueFormat.render(DialogueFormat.recent(e.contextTurns())));
            }
            int dropped = 0;
            int cut = 0;
            boolean unfit = false;
            if (room >= 1) { // else nothing fits: the trainer refuses --max-new-tokens
                int[][] ids = format.encodeBatch(tok, prompts);
                for (int i = 0; i < ids.length; i++) {
                    if (ids[i].length > room) {
                        DialogueFormat.Fitted f = DialogueFormat.fit(DialogueFormat.recent(rows.get(i).contextTurns()),
                                tok, format, room);
                        if (f.shortened()) {
                            prompts.set(i, f.prompt());
                            dropped += f.cut() ? 0 : 1;
                            cut += f.cut() ? 1 : 0;
                        } else {
                            unfit = true;
                        }
                    }
                }
            }
            int shortened = dropped + cut;
            if (shortened > 0) {
                List<String> how = new ArrayList<>();
                if (dropped > 0) {
                    how.add(dropped + " kept fewer of their last " + DialogueFormat.CONTEXT_TURNS + " turns (older turns dropped)");
                }
                if (cut > 0) {
                    how.add(cut + " kept only the end of their last turn (its beginning cut)");
                }
                err.printf(Locale.ROOT, "qdecode: warning: %d of %d dialogue contexts in %s were shortened to fit the "
                        + "model's context (%d positions − %d new tokens = %d prompt tokens): %s%n", shortened,
                        rows.size(), file, maxPositions, maxNewTokens, room, String.join(", ", how));
                err.flush();
            }
            List<Integer> index = java.util.stream.IntStream.range(0, rows.size()).boxed().toList();
            return new Fitted(Prompts.of(index, i -> rows.get(i).id(), prompts::get,
                    i -> List.of(DialogueFormat.line(rows.get(i).response()))), shortened, unfit);
        }
    }

    /**
     * Dialogue prompts fitted to a model.
     *
     * @param prompts the prompts and their references
     * @param shortened how many contexts were shortened to fit
     * @param unfit whether a context is still too long (no cut of it fits): the caller refuses it
     */
    record Fitted(Prompts prompts, int shortened, boolean unfit) {}

    /**
     * Reads dialogue pairs (file order, at most {@code limit}; 0 = all: the file is sorted by dialogue id, so
     * a limit takes whole dialogues first); {@link Dialogues#fit} makes them prompts for a model.
     */
    static Dialogues dialogue(Path file, int limit, String option) {
        return new Dialogues(file, load(file, option, DIALOGUE_FILE,
                () -> Datasets.dialogue(file, ReadOptions.defaults().withLimit(limit)).examples()));
    }

    /**
     * Reads a translation file: the sources become prompts (in file order, at most {@code limit}; 0 =
     * all), the targets their references (all targets of a source that occurs more than once).
     */
    static Prompts translation(Path file, String source, String target, int limit, String option) {
        List<TranslationExample> rows = load(file, option, translationFile(source, target), () -> {
            requireDistinctColumns("--source-column", source, "--target-column", target);
            return Datasets.translation(file, ReadOptions.defaults().withColumn("source", source)
                    .withColumn("target", target).withLimit(limit)).examples();
        });
        return Prompts.of(rows, TranslationExample::id, TranslationExample::source, TranslationExample::references);
    }

    /** Reads a continuation prompts file (in file order, at most {@code limit}; 0 = all): no references. */
    static Prompts continuation(Path file, int limit, String option) {
        return Prompts.of(DqnCli.promptExamples(file, limit, option), PromptExample::id, PromptExample::prompt,
                e -> List.of());
    }

    /** What a dialogue file must hold, for the message naming a missing one. */
    static final String DIALOGUE_FILE = "dialogue pairs with columns 'context' and 'response'";

    /**
     * What a translation file must hold, for the message naming a missing one.
     *
     * @param source the source column
     * @param target the target column
     * @return e.g. {@code a translation file with columns 'en' and 'de'}
     */
    static String translationFile(String source, String target) {
        return "a translation file with columns '" + source + "' and '" + target + "'";
    }

    /**
     * What a labelled classification file must hold, for the message naming a missing one.
     *
     * @param text the text column
     * @param label the label column
     * @return e.g. {@code labelled examples with columns 'sentence' and 'label'}
     */
    static String classificationFile(String text, String label) {
        return "labelled examples with columns '" + text + "' and '" + label + "'";
    }

    /**
     * Refuses a command's task files when one is missing, a directory or unreadable, before any of them is read:
     * a missing {@code --dev} is then named as such, not hidden behind a column or value error of the
     * {@code --data} file read before it.
     *
     * @param expected what the files should be, for the message (e.g. {@link #translationFile})
     * @param dataOption the training file's option, e.g. {@code --data}
     * @param data the training file, read first
     * @param devOption the evaluation file's option, e.g. {@code --dev}
     * @param dev the evaluation file
     * @throws CliException (bad input) {@code OPTION FILE: file not found (expected WHAT)}, or {@code is a
     *     directory}, {@code cannot be read}
     */
    static void requireFiles(String expected, String dataOption, Path data, String devOption, Path dev) {
        DqnCli.requireReadableFile(dataOption, data, expected);
        DqnCli.requireReadableFile(devOption, dev, expected);
    }

    /**
     * Refuses two column options that name the same column: bad usage (exit 2), naming both options, where the
     * reader would name the data file (exit 3) for what the command line got wrong. Checked once the file is
     * known to be there, so a missing file is named first.
     *
     * @param optionA the first option, e.g. {@code --source-column}
     * @param a its column
     * @param optionB the second option, e.g. {@code --target-column}
     * @param b its column
     * @throws CliException (usage) {@code --source-column en and --target-column en: the same column (expected a
     *     different column for each)}
     */
    static void requireDistinctColumns(String optionA, String a, String optionB, String b) {
        if (a.equals(b)) {
            throw new CliException(optionA + " " + a + " and " + optionB + " " + b + ": the same column (expected a "
                    + "different column for each)", ExitCodes.USAGE);
        }
    }

    /**
     * Reads a task file: a one-line error when it is missing or holds no examples; the reader runs once the file
     * is known to be there (and may first check the options, {@link #requireDistinctColumns}).
     *
     * @param expected what the file should be, for the error (e.g. "labelled examples with columns …")
     */
    private static <T> List<T> load(Path file, String option, String expected, Supplier<List<T>> reader) {
        DqnCli.requireReadableFile(option, file, expected);
        List<T> rows = reader.get();
        if (rows.isEmpty()) {
            throw new CliException(file + ": no examples (expected at least one data row)");
        }
        return rows;
    }

    @Option(names = "--data", paramLabel = "FILE",
            description = "Training examples. Classification: labelled texts (default: <shared>/data/sst2/train.tsv); "
                    + "translation: source/target pairs (default: <shared>/data/multi30k/SRC-TGT.train.tsv for --source-column "
                    + "SRC and --target-column TGT, else TGT-SRC.train.tsv, else en-de.train.tsv); dialogue: "
                    + "context/response pairs (default: <shared>/data/xdailydialog/pairs_en_dev.tsv).")
    Path data;

    @Option(names = "--dev", paramLabel = "FILE",
            description = "Evaluation examples, as --data. Defaults: <shared>/data/sst2/dev.tsv, "
                    + "<shared>/data/multi30k/SRC-TGT.val.tsv (as --data), <shared>/data/xdailydialog/pairs_en_test.tsv.")
    Path dev;

    @Mixin LabelledColumns columns;

    @Option(names = "--data-limit", defaultValue = "0",
            description = "Classification: use only the first N training rows; 0 = all (default: ${DEFAULT-VALUE}).")
    int dataLimit;

    @Option(names = "--labels", paramLabel = "LABEL=TEXT[,…]", defaultValue = "0=bad,1=good",
            description = "Classification: the verbaliser, label → the text the policy generates; texts may span "
                    + "several tokens (default: ${DEFAULT-VALUE}).")
    String labels;

    @Option(names = "--template", defaultValue = "Review: {text} Sentiment:", converter = TemplateConverter.class,
            description = "Classification: the prompt around each text, with {text} once (default: ${DEFAULT-VALUE}). "
                    + "Escapes, as in --prompt-format: \\n \\t \\; \\\\.")
    String template;

    @Option(names = "--encoder", paramLabel = "ID",
            description = "Classification: take φ(s) from this sentence encoder (minilm, minilm-q, or a model dir as "
                    + "hf:DIR) instead of the --model decoder; each label is then one action.")
    String encoder;

    /**
     * Continues an interrupted classification run ({@code train --resume}): reads its data, labels, template,
     * encoder or model, reward and config from its checkpoint's provenance, checks that its data files still have
     * their recorded sha256, and runs it again into the same directory. The embeddings finished before the
     * interruption are read from the cache (an unfinished one goes on from its finished batches), and the head is
     * trained again from its initial state with the run's seed: the result is an uninterrupted run's.
     *
     * @param cmd the command
     * @param prior the run's checkpoint information ({@code DqnTrainer.checkpointInfo})
     * @param runDir the run directory
     * @return the exit code
     */
    int resume(TrainCommand cmd, Map<String, String> prior, Path runDir) {
        DqnConfig cfg;
        try {
            cfg = DqnConfig.fromJson(prior.get("config"), runDir.resolve("checkpoint.qdq").toString());
        } catch (IllegalArgumentException e) {
            throw new CliException("--resume: " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
        data = Path.of(prior.get("data"));
        dev = Path.of(prior.get("dev"));
        dataLimit = Integer.parseInt(prior.get("data_limit"));
        columns.text = prior.get("text_column");
        columns.label = prior.get("label_column");
        labels = prior.get("labels");
        template = prior.get("template");
        encoder = prior.get("encoder");
        // the recorded config is complete: no task default replaces any of its settings
        Set<String> chosen = Set.of("episodes", "lr", "allTerminalActions");
        return run(cmd, cfg, chosen, DqnCli.rewardsOf(prior.get("reward")), runDir, prior);
    }

    /**
     * Runs the task; returns the exit code.
     *
     * @param prior a resumed run's checkpoint information, or null for a new run
     */
    int run(TrainCommand cmd, DqnConfig cfg, Set<String> chosen, List<String> rewardSpecs, Path runDir,
            Map<String, String> prior) {
        Verbalizer verbalizer;
        try {
            verbalizer = Verbalizer.parse(labels);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.USAGE);
        }
        try {
            if (encoder == null) {
                ClassificationTrainer.checkDecoderTemplate(template);
            } else {
                ClassificationTrainer.checkTemplate(template);
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.USAGE);
        }
        Path shared = SharedDir.locate();
        Path trainFile = data != null ? data : shared.resolve("data/sst2/train.tsv");
        Path devFile = dev != null ? dev : shared.resolve("data/sst2/dev.tsv");
        requireFiles(classificationFile(columns.text, columns.label), "--data", trainFile, "--dev", devFile);
        if (prior != null) {
            requireRecordedData(prior, runDir, "--data", trainFile, "data_sha256");
            requireRecordedData(prior, runDir, "--dev", devFile, "dev_sha256");
        }
        List<ClassificationExample> train = read(trainFile, dataLimit, "--data", verbalizer);
        List<ClassificationExample> devRows = read(devFile, 0, "--dev", verbalizer);
        if (!chosen.contains("episodes")) {
            cfg = cfg.toBuilder().episodes(train.size()).build(); // one pass over the training set
        }
        if (!chosen.contains("lr")) {
            // Measured on SST-2 (validation split of train, seed 1): 1e-3 overfits the MiniLM-state head
            // within 3,000 episodes (validation 0.779); 1e-4 reaches 0.782; the decoder state is within
            // 0.7 points either way.
            cfg = cfg.toBuilder().lr(CLASSIFICATION_LR).build();
        }
        if (!chosen.contains("allTerminalActions")) {
            // Every decision that ends a label also stores the labels not chosen (their rewards are known).
            // Measured on SST-2, mean validation accuracy over seeds 1-3: TinyStories-656K 0.621 with vs
            // 0.614 without; MiniLM 0.808 vs 0.809.
            cfg = cfg.toBuilder().allTerminalActions(true).build();
        }
        List<String> specs = rewardSpecs.isEmpty() ? DqnCli.defaultRewards("classification") : rewardSpecs;
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("task", "classification");
        prov.put("data", trainFile.toAbsolutePath().normalize().toString());
        prov.put("data_sha256", Datasets.sha256(trainFile));
        prov.put("data_limit", Integer.toString(dataLimit)); // rows of --data used: 0 = all (the sha256 is the file's)
        prov.put("text_column", columns.text);
        prov.put("label_column", columns.label);
        prov.put("dev", devFile.toAbsolutePath().normalize().toString());
        prov.put("dev_sha256", Datasets.sha256(devFile));
        prov.put("labels", verbalizer.toSpec());
        prov.put("template", template);
        prov.put("reward", DqnCli.rewardsJson(specs));
        DqnCli.putRewardFiles(prov, specs);
        prov.put("qdecode_version", VersionProvider.version());
        prov.put("seed", Long.toString(cfg.seed()));
        prov.put(DqnCli.THREADS, DqnCli.threads());
        PrintWriter out = cmd.spec.commandLine().getOut();
        PrintWriter err = cmd.spec.commandLine().getErr();
        ClassificationTrainer.Result r;
        // Until a new run's checkpoint is written there is nothing to resume; from then on, --resume continues it
        // (a resumed run's checkpoint is there throughout: its rewrite is an atomic rename).
        Interrupts.quitWithNotice(err, startNotice(runDir, prior != null));
        try (Reward reward = cmd.rewardOptions.create(specs, cfg.seed())) {
            DqnCli.putRewardEncoderThreads(prov, reward);
            if (encoder != null) {
                prov.put("encoder", encoder);
                try (SentenceEncoder enc = ClassifierCommand.openEncoder(cmd.spec, encoder)) {
                    // its states' count (ONNX Runtime for MiniLM, PyTorch for hf:DIR), before the checkpoint
                    if (enc.threads() != null) {
                        prov.put(DqnCli.ENCODER_THREADS, enc.threads());
                    }
                    r = train(new ClassificationTrainer.Backbone(null, null, null, null, enc), verbalizer, train, devRows,
                            reward, runDir, prov, cfg, cmd.overwrite, prior != null, err);
                }
            } else {
                try (ModelOptions.Loaded m = prior != null
                        ? PolicyOptions.runModel(cmd.modelOptions, prior, "--resume " + runDir) : cmd.modelOptions.load()) {
                    String hash = m.weightsId();
                    prov.put("model_dir", m.dir().toAbsolutePath().normalize().toString());
                    prov.put("model_sha256", hash);
                    if (m.tokenizerId() != null) {
                        prov.put("tokenizer_sha256", m.tokenizerId());
                    }
                    prov.put("prompt_format", m.format().toSpec());
                    r = train(new ClassificationTrainer.Backbone(m.model(), m.tokenizer(), m.format(), hash, null),
                            verbalizer, train, devRows, reward, runDir, prov, cfg, cmd.overwrite, prior != null, err);
                }
            }
        }
        Interrupts.restoreDefault(); // the run is saved: from here on, Ctrl-C only skips the report
        out.printf(Locale.ROOT, "classification on %s (%d examples): DQN head %.4f accuracy, logistic probe on the same "
                + "embeddings %.4f (DQN − probe %+.2f points, paired bootstrap 95%% interval [%+.2f, %+.2f])%n",
                devFile.getFileName(), devRows.size(), r.dqnAccuracy(), r.probeAccuracy(),
                100 * (r.dqnAccuracy() - r.probeAccuracy()), r.versusProbe().lower(), r.versusProbe().upper());
        if (!Double.isNaN(r.zeroShotAccuracy())) {
            out.printf(Locale.ROOT, "zero-shot backbone (argmax π_ref over the label tokens) %.4f; ", r.zeroShotAccuracy());
        }
        out.printf(Locale.ROOT, "majority label %.4f; %d episodes, %d updates in %.1f s%n", r.majorityAccuracy(),
                r.episodes(), r.updates(), r.seconds());
        out.println("run dir: " + runDir + " (metrics.jsonl, summary.json, checkpoint.qdq)");
        return ExitCodes.OK;
    }

    /** What the embeddings left by a stop become, for the notices below. */
    private static final String CACHED = "a data set's embeddings are cached, those of an unfinished embedding batch by "
            + "batch, so it goes on from them";

    /**
     * The notice of a stop before the classification run's checkpoint is written: a new run holds nothing to resume
     * yet; a resumed run's checkpoint is still there as it was, so the resume is given again.
     *
     * @param runDir the run directory
     * @param resumed whether this is {@code train --resume}
     * @return the notice, without the {@code qdecode: interrupted: } prefix
     */
    static String startNotice(Path runDir, boolean resumed) {
        return resumed ? "the run is as it was, at its checkpoint: continue with: qdecode train --resume --out "
                + runDir + " (" + CACHED + ")" : runDir + " holds no run yet (nothing to resume: run the command "
                + "again; " + CACHED + ")";
    }

    /**
     * The notice of a stop while a new run's checkpoint is written, which may fall before or after its atomic
     * rename: true either way, it names the file to look for.
     *
     * @param runDir the run directory
     * @param file the checkpoint file being written
     * @return the notice, without the {@code qdecode: interrupted: } prefix
     */
    static String writingNotice(Path runDir, Path file) {
        return "stopped while the run's checkpoint was written: if " + file + " exists, continue with: qdecode train "
                + "--resume --out " + runDir + "; if not, run the command again (" + CACHED + ")";
    }

    /**
     * The notice of a stop once the run's checkpoint is written.
     *
     * @param runDir the run directory
     * @return the notice, without the {@code qdecode: interrupted: } prefix
     */
    static String savedNotice(Path runDir) {
        return "the run is saved at its checkpoint, before its head was trained: continue with: qdecode train --resume "
                + "--out " + runDir + " (the embeddings finished so far are cached, and the head is trained again from "
                + "the start with the run's seed, as an uninterrupted run's)";
    }

    private ClassificationTrainer.Result train(ClassificationTrainer.Backbone b, Verbalizer v,
            List<ClassificationExample> train, List<ClassificationExample> devRows, Reward reward, Path runDir,
            Map<String, String> prov, DqnConfig cfg, OverwriteOption overwrite, boolean resumed, PrintWriter err) {
        EmbeddingCache cache = EmbeddingCache.atDefaultLocation();
        err.printf(Locale.ROOT, "classification: %d training and %d evaluation examples, labels %s, %d episodes "
                + "(embedding the texts first; cached under %s)%n", train.size(), devRows.size(), v.toSpec(),
                cfg.episodes(), cache.directory());
        err.flush();
        ProgressBar[] bar = new ProgressBar[1];
        String[] lastEval = {""};
        TrainListener l = new TrainListener() {
            @Override
            public void onRollout(long done, long total, double meanReward, double epsilon) {
                if (bar[0] == null) {
                    bar[0] = new ProgressBar(err, "episodes", total);
                }
                bar[0].update(done, String.format(Locale.ROOT, "reward %.3f%s", meanReward, lastEval[0]));
            }

            @Override
            public void onEvaluation(EvalMetrics m) {
                lastEval[0] = String.format(Locale.ROOT, "  dev accuracy %.4f", m.positiveRate());
            }

            private final EmbeddingBar embedding = new EmbeddingBar(err);

            @Override
            public void onEmbedding(long done, long total) {
                embedding.update(done, total);
            }

            @Override
            public void beforeWriting() {
                overwrite.clearEarlierRun(runDir, err); // labels and reward checked: the new run replaces it
            }

            @Override
            public void beforeCheckpoint(Path file) {
                if (!resumed) { // a resumed run's notice is true before and after the checkpoint's rename
                    Interrupts.quitWithNotice(err, writingNotice(runDir, file));
                }
            }

            @Override
            public void onCheckpoint(Path file, long episodesDone) {
                // the run's checkpoint (config, provenance) is written before anything is embedded
                Interrupts.quitWithNotice(err, savedNotice(runDir));
            }

            @Override
            public void onStage(String description) {
                if (bar[0] != null) {
                    bar[0].close();
                }
                err.println(description);
                err.flush();
                bar[0] = null;
                lastEval[0] = "";
            }
        };
        try {
            ClassificationTrainer.Setup setup = new ClassificationTrainer.Setup(b, v, template, train, devRows, reward,
                    runDir, prov, cache);
            return ClassificationTrainer.run(setup, cfg, l);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /**
     * Refuses a resumed run's data file whose bytes changed since the run started: its examples, and so the
     * cached embeddings and the head, would be another data set's.
     */
    private static void requireRecordedData(Map<String, String> prior, Path runDir, String option, Path file,
            String key) {
        String now = Datasets.sha256(file);
        if (!now.equals(prior.get(key))) { // worded as every resume words a changed file
            throw new CliException("--resume " + runDir + ": " + Datasets.changedSinceRun("the run's " + option + " "
                    + file, now, prior.get(key), "expected the run's file unchanged: put it back to resume, or train "
                    + "with the changed file in a new run"), ExitCodes.BAD_INPUT);
        }
    }

    private List<ClassificationExample> read(Path file, int limit, String option, Verbalizer verbalizer) {
        if (limit < 0) {
            throw new CliException("--data-limit: expected 0 (all) or a positive count but got " + limit, ExitCodes.USAGE);
        }
        return classification(file, columns.text, columns.label, limit, option, verbalizer);
    }

    /**
     * Reads labelled examples (at most {@code limit}; 0 = all): a one-line error when missing or empty,
     * or (naming the file and line) when a label is not one of the verbaliser's.
     */
    static List<ClassificationExample> classification(Path file, String text, String label, int limit, String option,
            Verbalizer verbalizer) {
        return load(file, option, classificationFile(text, label), () -> {
            requireDistinctColumns("--text-column", text, "--label-column", label);
            return Datasets.classification(file, ReadOptions.defaults().withColumn("text", text)
                    .withColumn("label", label).withLimit(limit)
                    .withAllowedLabels(verbalizer.labels().keySet())).examples();
        });
    }
}
