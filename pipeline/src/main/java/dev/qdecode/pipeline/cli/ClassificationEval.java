package dev.qdecode.pipeline.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.qdecode.data.ClassificationExample;
import dev.qdecode.data.Datasets;
import dev.qdecode.pipeline.dqn.ClassificationTrainer;
import dev.qdecode.pipeline.dqn.Verbalizer;
import dev.qdecode.rewards.classifier.EmbeddingCache;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.tokenizer.PromptFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qdecode evaluate --task classification}: labels a file with a classification run's head on
 * the run's own backbone (its encoder, or its decoder with the recorded prompt format), reports
 * accuracy and per-label recall, and writes the predictions as TSV.
 */
final class ClassificationEval {
    private ClassificationEval() {}

    static int run(CommandSpec spec, Path policy, List<Path> ensemble, ModelOptions modelOptions, boolean targetHead,
            Path data, String textColumn, String labelColumn, int limit, Path dir) {
        ClassificationTrainer.TrainedRun run;
        List<ClassificationTrainer.TrainedRun> others = new ArrayList<>();
        try {
            run = ClassificationTrainer.TrainedRun.load(policy);
        } catch (IllegalArgumentException e) {
            throw new CliException("--policy " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
        try {
            for (Path p : ensemble) {
                others.add(ClassificationTrainer.TrainedRun.load(p));
            }
            run.requireSameSetup(others); // before any text is embedded
        } catch (IllegalArgumentException e) {
            throw new CliException("--ensemble " + e.getMessage(), ExitCodes.BAD_INPUT);
        }
        Map<String, String> prov = run.provenance();
        Path file = data != null ? data : Path.of(prov.getOrDefault("dev", "dev.tsv"));
        List<ClassificationExample> rows = TaskOptions.classification(file, textColumn, labelColumn, limit, "--data",
                Verbalizer.parse(prov.get("labels")));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String backbone;
        ClassificationTrainer.Predictions p;
        String encoderThreads = null; // the count that computed a MiniLM encoder's embeddings of the rows
        EmbeddingCache cache = EmbeddingCache.atDefaultLocation(); // one object: it knows what it computed
        try {
            if (prov.containsKey("encoder")) {
                OptionScope.refuse(spec, "evaluate --task classification of a run on the encoder " + prov.get("encoder"),
                        "for a run on a decoder backbone", List.of("--model", "--prompt-format"));
                backbone = "encoder " + prov.get("encoder");
                err.println("embedding " + rows.size() + " texts with " + prov.get("encoder") + "...");
                try (SentenceEncoder enc = ClassifierCommand.openEncoder(spec, prov.get("encoder"))) {
                    p = run.predict(new ClassificationTrainer.Backbone(null, null, null, null, enc), rows, targetHead,
                            cache, others);
                    encoderThreads = EmbeddingCache.threadsThatComputed(cache, enc,
                            rows.stream().map(ClassificationExample::text).toList());
                }
            } else {
                try (ModelOptions.Loaded m = PolicyOptions.runModel(modelOptions, prov, policy, err)) {
                    // runModel has checked the weights against the run's recorded hash: reuse it, not hash them again.
                    String hash = prov.containsKey("model_sha256") ? prov.get("model_sha256") : m.weightsId();
                    backbone = "decoder " + m.dir() + ", prompt format " + m.format().toSpec();
                    // labelled texts, each in the run's template (the label is written after it), not prompts
                    err.println("embedding " + rows.size() + " texts in the run's template '"
                            + PromptFormat.escapeTemplate(prov.get("template")) + "' with " + m.dir() + "...");
                    p = run.predict(new ClassificationTrainer.Backbone(m.model(), m.tokenizer(), m.format(), hash, null),
                            rows, targetHead, cache, others);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
        String head = targetHead ? "target" : "online";
        out.printf(Locale.ROOT, "classification of %d examples of %s with the %s head of %s%s (%s):%n", rows.size(),
                file.getFileName(), head, policy, others.isEmpty() ? ""
                        : " and of " + others.size() + " more runs (Q averaged over " + (others.size() + 1) + " heads)",
                backbone);
        out.printf(Locale.ROOT, "accuracy %.4f%n", p.accuracy());
        p.recall().forEach((label, r) -> out.printf(Locale.ROOT, "recall of label %s: %.4f%n", label, r));
        List<Path> heads = new ArrayList<>();
        heads.add(run.file());
        others.forEach(o -> heads.add(o.file()));
        write(dir, rows, p, file, head, heads, encoderThreads);
        out.println("wrote " + dir.resolve("predictions.tsv") + " and " + dir.resolve("classification.json"));
        return ExitCodes.OK;
    }

    private static void write(Path dir, List<ClassificationExample> rows, ClassificationTrainer.Predictions p, Path file,
            String head, List<Path> heads, String encoderThreads) {
        try {
            Files.createDirectories(dir);
            try (RecordWriter w = RecordWriter.open(dir.resolve("predictions.tsv"), List.of("text", "label", "predicted"))) {
                for (int i = 0; i < rows.size(); i++) {
                    w.write(rows.get(i).text(), rows.get(i).label(), p.labels().get(i));
                }
                w.commit();
            }
            JsonObject j = new JsonObject();
            j.addProperty("data", file.toAbsolutePath().normalize().toString());
            j.addProperty("data_sha256", Datasets.sha256(file));
            j.addProperty("examples", rows.size());
            j.addProperty("head", head);
            j.add("heads", DqnCli.headFiles(heads));
            j.addProperty(DqnCli.THREADS, DqnCli.threads()); // the PyTorch count the heads (and a decoder) ran with
            if (encoderThreads != null) { // as a run records it (encoder_threads), for the embeddings of these rows
                j.addProperty(ClassificationTrainer.ENCODER_THREADS, encoderThreads);
            }
            j.addProperty("accuracy", p.accuracy());
            JsonObject rec = new JsonObject();
            p.recall().forEach(rec::addProperty);
            j.add("recall", rec);
            Files.writeString(dir.resolve("classification.json"),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(j), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
