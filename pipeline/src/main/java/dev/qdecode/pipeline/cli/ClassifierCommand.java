package dev.qdecode.pipeline.cli;

import dev.qdecode.data.ClassificationExample;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.rewards.classifier.ClassifierConfig;
import dev.qdecode.rewards.classifier.EmbeddingCache;
import dev.qdecode.rewards.classifier.Evaluation;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import dev.qdecode.rewards.classifier.TextClassifier;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode classifier train|eval}: the neural text classifier behind the {@code classifier} reward. */
@Command(name = "classifier", mixinStandardHelpOptions = true,
        description = "Train and evaluate a text classifier (sentence encoder + small trained head) for the "
                + "'classifier' reward.",
        subcommands = {ClassifierCommand.Train.class, ClassifierCommand.Eval.class})
final class ClassifierCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train or eval");
    }

    /** Options naming a labelled data file. */
    static final class DataOptions {
        @Option(names = "--data", paramLabel = "FILE", required = true,
                description = "Labelled examples (.tsv/.csv/.jsonl; TSV: header row, no quoting).")
        Path data;

        @Option(names = "--text-column", defaultValue = "sentence", description = "Text column (default: ${DEFAULT-VALUE}).")
        String textColumn;

        @Option(names = "--label-column", defaultValue = "label", description = "Label column (default: ${DEFAULT-VALUE}).")
        String labelColumn;

        @Option(names = "--limit", defaultValue = "0",
                description = "Use only the first N rows of --data (train's --dev is always read whole); 0 = all "
                        + "(default: ${DEFAULT-VALUE}).")
        int limit;

        /**
         * Refuses a negative {@code --limit} before any work: bad usage, with the hint to the command's --help.
         *
         * @param spec the command, for the hint
         * @throws CommandLine.ParameterException for a negative --limit
         */
        void checkLimit(CommandSpec spec) {
            if (limit < 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--limit: expected 0 (all) or a positive count but got " + limit);
            }
        }

        /**
         * Reads labelled rows; {@code labels} (empty: any) are the labels they may have; {@code limited}: only
         * the first {@code --limit} rows (for --data, not for train's --dev). A file that is missing, a directory
         * or unreadable is refused naming {@code option} (bad input).
         */
        List<ClassificationExample> read(String option, Path file, java.util.Collection<String> labels,
                boolean limited) {
            DqnCli.requireReadableFile(option, file, "a labelled .tsv, .csv or .jsonl file with a text and a label "
                    + "column");
            ReadOptions opts = ReadOptions.defaults().withColumn("text", textColumn).withColumn("label", labelColumn)
                    .withLimit(limited ? limit : 0).withAllowedLabels(labels);
            List<ClassificationExample> rows = Datasets.classification(file, opts).examples();
            if (rows.isEmpty()) {
                throw new CliException(file + ": no examples (expected at least one data row)");
            }
            return rows;
        }

        /** The provenance of a file read with {@link #read}: its path, sha256, limit, count and columns. */
        TextClassifier.DataSource source(Path file, List<ClassificationExample> rows, boolean limited) {
            return new TextClassifier.DataSource(file.toAbsolutePath().normalize().toString(),
                    Datasets.sha256(file), limited ? limit : 0, rows.size(), textColumn, labelColumn);
        }
    }

    /**
     * One line listing a file's labels in the classifier's order with their counts, e.g. {@code train.tsv: 600
     * examples, labels 0 (295), 1 (305)}, so that a stray class shows before any training.
     */
    static String labelCounts(Path file, List<ClassificationExample> rows) {
        Map<String, Long> counts = rows.stream().collect(
                java.util.stream.Collectors.groupingBy(ClassificationExample::label, java.util.stream.Collectors.counting()));
        StringBuilder b = new StringBuilder(file.getFileName() + ": " + rows.size() + " examples, labels ");
        List<String> order = TextClassifier.orderLabels(counts.keySet());
        for (int i = 0; i < order.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(order.get(i)).append(" (").append(counts.get(order.get(i))).append(')');
        }
        return b.toString();
    }

    static List<String> texts(List<ClassificationExample> rows) {
        return rows.stream().map(ClassificationExample::text).toList();
    }

    static List<String> labels(List<ClassificationExample> rows) {
        return rows.stream().map(ClassificationExample::label).toList();
    }

    static void print(PrintWriter out, String name, Evaluation e) {
        out.printf(Locale.ROOT, "%s: %s%n", name, e.summary());
        for (Evaluation.LabelMetrics m : e.perLabel()) {
            out.printf(Locale.ROOT, "  label %-10s precision %.4f  recall %.4f  F1 %.4f  support %d%n", m.label(),
                    m.precision(), m.recall(), m.f1(), m.support());
        }
    }

    /** {@code qdecode classifier train}. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Embed the texts with a sentence encoder (embeddings are cached under ~/.cache/qdecode/embeddings), "
                        + "train a logistic or MLP head, and save it with its provenance (encoder and, for a model "
                        + "directory, the sha256 of its files; --data and --dev paths, sha256, --limit and columns; "
                        + "config, seed, metrics) to --out. Prints each file's labels with their counts first.",
                "SST-2 note: its train split is made of parse-tree phrases, so a random validation split overstates "
                        + "accuracy; the head's validation split keeps phrases of one sentence together and the "
                        + "regularised logistic head is the default."
            })
    static final class Train implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DataOptions data;

        @Option(names = "--dev", paramLabel = "FILE", description = "A labelled dev file to report after training (same columns).")
        Path dev;

        @Option(names = "--encoder", defaultValue = "minilm",
                description = "Sentence encoder: minilm (all-MiniLM-L6-v2), minilm-q (quantized, faster), or a Hugging "
                        + "Face model directory (DIR or hf:DIR: mean-pooled hidden states; its files' sha256 is "
                        + "recorded and a changed model is refused by eval) (default: ${DEFAULT-VALUE}).")
        String encoder;

        @Option(names = "--head", defaultValue = "logistic", description = "logistic or mlp (default: ${DEFAULT-VALUE}).")
        String head;

        @Option(names = "--l2", description = "L2 penalty (default: 1.5e-5 logistic, 1e-4 mlp).")
        Double l2;

        @Option(names = "--lr", description = "Adam learning rate (default: 1e-2 logistic, 1e-3 mlp).")
        Double lr;

        @Option(names = "--epochs", description = "Maximum epochs (default: 30).")
        Integer epochs;

        @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where to save the classifier (classifier.json, head.safetensors, checksums.json): a directory of "
                        + "its own; one holding another command's work (a model, tokenizer, train or SFT run, evaluation, report) is refused, even with --overwrite.")
        Path out;

        @CommandLine.Mixin OverwriteOption overwrite;

        @Override
        public Integer call() {
            data.checkLimit(spec);
            OtherWork.refuse("--out", out, OtherWork.Kind.CLASSIFIER); // first: --overwrite, which checkEmpty suggests,
            // would not help
            overwrite.checkEmpty(out, "a classifier", "");
            ClassifierConfig cfg;
            ClassifierConfig.HeadType headType;
            try {
                headType = ClassifierConfig.HeadType.parse(head);
            } catch (IllegalArgumentException e) { // named as the option, as --epochs, --lr and --l2 are
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--head " + head + ": expected logistic or mlp");
            }
            try {
                cfg = headType == ClassifierConfig.HeadType.MLP
                        ? ClassifierConfig.mlp() : ClassifierConfig.logistic();
                cfg = cfg.withSeed(seed);
                if (l2 != null) {
                    cfg = cfg.withL2(l2);
                }
                if (lr != null) {
                    cfg = cfg.withLearningRate(lr);
                }
                if (epochs != null) {
                    cfg = cfg.withMaxEpochs(epochs);
                }
            } catch (IllegalArgumentException e) {
                // the config's field names, as the options that set them (the config names its fields, as it is
                // also read from classifier.json)
                String m = e.getMessage().replace("classifier config: maxEpochs=", "--epochs ")
                        .replace("classifier config: learningRate=", "--lr ").replace("classifier config: l2=", "--l2 ")
                        .replace("classifier config: ", "");
                throw new CommandLine.ParameterException(spec.commandLine(), m);
            }
            List<ClassificationExample> train = data.read("--data", data.data, List.of(), true);
            PrintWriter outW = spec.commandLine().getOut();
            outW.println(labelCounts(data.data, train));
            // The dev labels are checked against the training labels before any training.
            List<ClassificationExample> devRows = dev == null ? null
                    : data.read("--dev", dev, new java.util.TreeSet<>(labels(train)), false);
            if (devRows != null) {
                outW.println(labelCounts(dev, devRows));
            }
            long t0 = System.nanoTime();
            quitWithNotice.accept(spec.commandLine().getErr(), "nothing was saved to " + out
                    + " (the texts embedded so far are kept in the embedding cache: the same command goes on from them)");
            try (SentenceEncoder enc = openEncoder(spec, encoder)) {
                TextClassifier clf;
                EmbeddingBar bar = new EmbeddingBar(spec.commandLine().getErr());
                try {
                    clf = TextClassifier.train(enc, texts(train), labels(train), cfg, EmbeddingCache.atDefaultLocation(),
                            train.size() < EmbeddingBar.MIN_TEXTS ? done -> { } : done -> bar.update(done, train.size()));
                } catch (IllegalArgumentException e) {
                    throw new CliException(data.data + ": " + e.getMessage());
                }
                clf = clf.withData(data.source(data.data, train, true));
                outW.printf(Locale.ROOT, "trained on %d examples in %.1f s (encoder %s, head %s, seed %d)%n",
                        train.size(), (System.nanoTime() - t0) / 1e9, enc.id(),
                        cfg.head().name().toLowerCase(Locale.ROOT), cfg.seed()); // head as --head spells it
                if (clf.metrics().containsKey("validation")) {
                    print(outW, "validation", clf.metrics().get("validation"));
                }
                if (devRows != null) {
                    Evaluation e = evaluate(clf, devRows, clf.predict(texts(devRows)), dev);
                    // predict embedded the dev texts here, with this encoder's count (training's may come from the cache)
                    clf = clf.withMetrics("dev", e, enc.threads()).withDev(data.source(dev, devRows, false));
                    print(outW, "dev", e);
                }
                // from here Ctrl-C can cut the save short: "nothing was saved" would no longer be true
                quitWithNotice.accept(spec.commandLine().getErr(), savingNotice(out));
                clf.save(out);
                outW.println("saved to " + out);
            }
            return ExitCodes.OK;
        }
    }

    /**
     * Installs the line that Ctrl-C prints in {@code classifier train} before it quits
     * ({@link Interrupts#quitWithNotice}); a field so that a test can see which line is in force when.
     */
    static BiConsumer<PrintWriter, String> quitWithNotice = Interrupts::quitWithNotice;

    /**
     * The Ctrl-C line while {@code classifier train} saves: {@link TextClassifier#save} removes an earlier
     * classifier's checksums.json first and writes checksums.json last, so a save cut short leaves files that every
     * load refuses (no classifier.json, or no or a partial checksums.json that classifier.json names, or a head whose
     * sha256 is not the recorded one), and an earlier classifier there may be gone.
     *
     * @param out the --out directory
     * @return the line, without the {@code qdecode: } prefix
     */
    static String savingNotice(Path out) {
        return "the save was cut short: " + out + " may hold an incomplete classifier, which every load refuses (an "
                + "earlier one there may be gone; the same command with --overwrite saves it again, its texts all in "
                + "the embedding cache)";
    }

    /** {@code qdecode classifier eval}. */
    @Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Report accuracy, macro-F1 and per-label precision/recall/F1 of a saved classifier on a labelled file.")
    static final class Eval implements Callable<Integer> {
        @Spec CommandSpec spec;
        @CommandLine.Mixin DataOptions data;

        @Option(names = "--classifier", paramLabel = "DIR", required = true, description = "A directory written by 'classifier train'.")
        Path classifier;

        @Option(names = "--output", paramLabel = "FILE.tsv|FILE.jsonl", description = "Write one prediction per row here.")
        Path output;

        @CommandLine.Mixin OutputOverwriteOption overwrite;

        @Override
        public Integer call() {
            data.checkLimit(spec);
            overwrite.check(spec, "classifier eval", output, data.data);
            try (TextClassifier clf = loadClassifier(classifier)) {
                List<ClassificationExample> rows = data.read("--data", data.data, clf.labels(), true);
                long t0 = System.nanoTime();
                List<String> pred = clf.predict(texts(rows)); // embedded once: for the report and for --output
                Evaluation e = evaluate(clf, rows, pred, data.data);
                PrintWriter outW = spec.commandLine().getOut();
                print(outW, data.data.getFileName().toString(), e);
                outW.printf(Locale.ROOT, "%d texts in %.1f s%n", rows.size(), (System.nanoTime() - t0) / 1e9);
                if (output != null) {
                    // with its record (FILE.run.json: options, classifier, data sha256) as generate's output
                    List<String> identity = rows.stream().map(r -> r.id() + "\t" + r.text() + "\t" + r.label())
                            .toList();
                    Map<String, Object> settings = new LinkedHashMap<>();
                    settings.put("--text-column", data.textColumn);
                    settings.put("--label-column", data.labelColumn);
                    settings.put("--limit", Integer.toString(data.limit));
                    try (ResumableOutput o = ResumableOutput.open(spec, "--output", output, List.of("id", "text",
                            "gold", "predicted"), identity, "--data", data.data, settings, java.util.Set.of(), n -> n, false,
                            overwrite.overwrite)) {
                        Map<String, Object> files = new LinkedHashMap<>();
                        for (String f : List.of(TextClassifier.METADATA_FILE, TextClassifier.WEIGHTS_FILE)) {
                            if (Files.isRegularFile(classifier.resolve(f))) {
                                files.put(f, Datasets.sha256(classifier.resolve(f)));
                            }
                        }
                        o.bind(Map.of("classifier_sha256", files), Map.of("classifier_dir",
                                ResumableOutput.value(classifier.toAbsolutePath().normalize())));
                        // predict embedded the rows in this job: a MiniLM encoder's count, as a run records it
                        o.noteThreads(DqnCli.ENCODER_THREADS, clf.encoderThreads(), false);
                        for (int i = 0; i < rows.size(); i++) {
                            o.write(rows.get(i).id(), rows.get(i).text(), rows.get(i).label(), pred.get(i));
                        }
                        o.finish();
                    }
                    // on standard error, as generate's and rewards score's: standard output holds the report
                    spec.commandLine().getErr().println("wrote " + rows.size() + " predictions to " + output
                            + " (settings in " + ResumableOutput.runFile(output) + ")");
                }
            }
            return ExitCodes.OK;
        }
    }

    /** The evaluation of labels predicted for {@code rows} (each text embedded once, by the caller's predict). */
    static Evaluation evaluate(TextClassifier clf, List<ClassificationExample> rows, List<String> predicted,
            Path file) {
        try {
            return clf.evaluatePredicted(predicted, labels(rows));
        } catch (IllegalArgumentException e) {
            throw new CliException(file + ": " + e.getMessage());
        }
    }

    /**
     * Loads {@code --classifier}: a directory that is no usable classifier, or whose encoder model cannot be loaded
     * (a damaged model file of an {@code hf:} encoder), is bad input named after --classifier, as the classifier
     * reward names its {@code model=} parameter.
     */
    static TextClassifier loadClassifier(Path dir) {
        try {
            return TextClassifier.load(dir);
        } catch (IllegalArgumentException | dev.qdecode.models.ModelException e) {
            throw new CliException("--classifier: " + e.getMessage(), ExitCodes.BAD_INPUT, e);
        }
    }

    static SentenceEncoder openEncoder(CommandSpec spec, String id) {
        try {
            return SentenceEncoders.open(id);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--encoder: " + e.getMessage());
        } catch (dev.qdecode.models.ModelException e) { // a model directory that is missing or not a model: bad input
            throw new CliException("--encoder: " + e.getMessage(), ExitCodes.BAD_INPUT, e);
        }
    }
}
