package dev.qdecode.pipeline.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.generate.Generation;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.rewards.bleu.BleuScore;
import dev.qdecode.rewards.bleu.Chrf;
import dev.qdecode.rewards.bleu.ChrfScore;
import dev.qdecode.rewards.bleu.CorpusMetric;
import dev.qdecode.rewards.bleu.PairedBootstrap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code qdecode evaluate --task translation}: corpus BLEU and chrF (sacreBLEU-compatible, with
 * signatures) of greedy (or beam-search) decoding by the base (SFT) model and by the trained head
 * (on log π_ref + Q/τ_Q over the candidates), side by side on a test file, with a paired bootstrap of the
 * difference (95% interval, one-sided p-value). The hypotheses are written as TSV batch by batch (both
 * systems decode a batch, then its rows are made durable), so an interrupted evaluation continues with
 * {@code --resume} and scores what an uninterrupted one would have.
 */
final class TranslationEval {
    private TranslationEval() {}

    /** One system's output and scores. */
    record System(String name, List<String> hypotheses, BleuScore bleu, ChrfScore chrf, double seconds) {}

    /** The hypotheses file, whose rows are written batch by batch (resumable). */
    static final String TRANSLATIONS = "translations.tsv";

    /** The scores file, written once every sentence is decoded. */
    static final String SCORES = "translation-scores.json";

    /**
     * Opens the hypotheses file of an evaluation before the model loads (so a refusal is quick): a new one
     * (an existing one is refused unless {@code overwrite}), or the interrupted one to continue
     * ({@code resume}), whose rows must be the first sources of {@code data}, in order.
     *
     * @param spec the command, for the record
     * @param dir the evaluation's directory
     * @param data the sources and references
     * @param file the --data file they were read from, for messages
     * @param sourceColumn the --source-column they were read from
     * @param targetColumn the --target-column
     * @param cfg the decoding settings (its batch size decides the whole batches a resume keeps)
     * @param unread the options of the command this evaluation does not read, left out of the record
     * @param resume whether --resume was given
     * @param overwrite whether --overwrite was given
     * @return the output
     */
    static ResumableOutput open(CommandSpec spec, Path dir, TaskOptions.Prompts data, Path file, String sourceColumn,
            String targetColumn, GenerationConfig cfg, java.util.Collection<String> unread, boolean resume,
            boolean overwrite) {
        List<String> identity = new ArrayList<>();
        for (int i = 0; i < data.prompts().size(); i++) {
            identity.add(data.prompts().get(i) + "\t" + String.join("\t", data.rowReferences().get(i)));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("--max-new-tokens", Integer.toString(cfg.maxNewTokens()));
        settings.put("--beams", Integer.toString(cfg.beams()));
        if (cfg.beams() > 1) {
            settings.put("--length-penalty", Double.toString(cfg.lengthPenalty()));
        }
        settings.put("batch_size", Integer.toString(cfg.batchSize()));
        settings.put("--source-column", sourceColumn); // other columns read other rows from the same file
        settings.put("--target-column", targetColumn);
        ResumableOutput o = ResumableOutput.open(spec, "--out", dir.resolve(TRANSLATIONS), columns(cfg), identity,
                "--data", file, settings, unread, ResumableOutput.wholeBatches(data.prompts().size(),
                cfg.batchSize()), resume, overwrite);
        try {
            o.checkDoneRows(data.prompts().stream().map(List::of).toList(), "sentences");
            // the rows are decoded by PyTorch: every session's count when a resume keeps earlier ones
            o.noteThreads(DqnCli.THREADS, DqnCli.threads(), true);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /** source, reference, then one column per system. */
    private static List<String> columns(GenerationConfig cfg) {
        List<String> cols = new ArrayList<>(List.of("source", "reference"));
        for (String name : names(cfg)) {
            cols.add(name.replace(' ', '_'));
        }
        return cols;
    }

    private static List<String> names(GenerationConfig cfg) {
        String how = cfg.beams() > 1 ? " beam " + cfg.beams() : " greedy";
        return List.of("base" + how, "DQN head" + how);
    }

    /**
     * Decodes every source not yet in {@code o} with the base model and with the head, batch by batch (each
     * batch by both, then its rows are written and made durable), then scores both systems, marks the
     * translations finished and writes the scores. Ctrl-C ({@link Interrupts}) stops after the current batch.
     *
     * @return {@link ExitCodes#OK}, or {@link Interrupts#status()} when stopped before the last sentence
     */
    static int run(ResumableOutput o, ModelOptions.Loaded m, DqnPolicy policy, TaskOptions.Prompts data,
            GenerationConfig cfg, Path dir, PrintWriter out, PrintWriter err) {
        List<String> src = data.prompts();
        // each row's own references: a source that occurs twice in a test file is two segments, each scored
        // against its own reference, as sacreBLEU scores the file's reference column
        List<List<String>> refs = data.rowReferences();
        List<String> names = names(cfg);
        List<List<String>> hyps = List.of(new ArrayList<>(), new ArrayList<>());
        for (List<String> row : o.doneRows()) {
            hyps.get(0).add(row.get(2));
            hyps.get(1).add(row.get(3));
        }
        int from = hyps.get(0).size();
        o.announce(err, src.size(), "sentences", "all " + src.size() + " sentences were already decoded; scoring them");
        Generator base = new Generator(m.model(), m.tokenizer(), m.format(), cfg);
        Generator head = new Generator(m.model(), m.tokenizer(), m.format(), cfg, policy);
        double[] seconds = new double[2];
        long[] mark = {java.lang.System.nanoTime()};
        int done;
        try (ProgressBar bar = new ProgressBar(err, "sentences (" + names.get(0) + ", then the head)", src.size(),
                from)) {
            // the base model's generator encodes (and checks) every source before its first batch
            done = from + base.generate(src, from, null, batch -> {
                long t = java.lang.System.nanoTime();
                seconds[0] += (t - mark[0]) / 1e9;
                List<String> batchSrc = new ArrayList<>();
                batch.forEach(g -> batchSrc.add(src.get(g.index())));
                List<Generation> guided = head.generate(batchSrc, null);
                mark[0] = java.lang.System.nanoTime();
                seconds[1] += (mark[0] - t) / 1e9;
                for (int k = 0; k < batch.size(); k++) {
                    int i = batch.get(k).index();
                    String b = batch.get(k).text().strip();
                    String h = guided.get(k).text().strip();
                    hyps.get(0).add(b);
                    hyps.get(1).add(h);
                    o.write(src.get(i), refs.get(i).get(0), b, h);
                }
                o.flush();
                bar.update(hyps.get(0).size(), "");
                mark[0] = java.lang.System.nanoTime();
                return !Interrupts.requested();
            });
        }
        if (done < src.size()) {
            o.interrupted(err, done, src.size(), "sentences", "translations");
            return Interrupts.status();
        }
        // scored before the translations are marked finished: a failure here leaves them to --resume, which
        // scores them without decoding again
        List<System> systems = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            List<String> h = hyps.get(k);
            systems.add(new System(names.get(k), h, Bleu.corpusLevel().corpusScore(h, refs),
                    Chrf.defaults().corpusScore(h, refs), seconds[k]));
        }
        o.finish();
        Interrupts.restoreDefault();
        report(systems, refs, policy, cfg, src.size() - from, dir, out, o.recorded(DqnCli.THREADS));
        return ExitCodes.OK;
    }

    /** Prints the scores side by side with the paired bootstrap, and writes them. */
    private static void report(List<System> systems, List<List<String>> refs, DqnPolicy policy, GenerationConfig cfg,
            int decoded, Path dir, PrintWriter out, String threads) {
        out.printf(Locale.ROOT, "%-18s %8s %8s %8s%n", "system", "BLEU", "chrF2", "seconds");
        for (System s : systems) {
            out.printf(Locale.ROOT, "%-18s %8.2f %8.2f %8.1f%n", s.name(), s.bleu().score(), s.chrf().score(), s.seconds());
        }
        // the difference row belongs to the table: the notes on it follow it
        out.printf(Locale.ROOT, "difference         %+8.2f %+8.2f%n", systems.get(1).bleu().score()
                - systems.get(0).bleu().score(), systems.get(1).chrf().score() - systems.get(0).chrf().score());
        if (decoded < refs.size()) {
            out.printf(Locale.ROOT, "(resumed: the seconds are this session's, for its %d of the %d sentences)%n",
                    decoded, refs.size());
        }
        if (cfg.beams() > 1) {
            out.printf(Locale.ROOT, "beam search: %d beams, length penalty %s%n", cfg.beams(), cfg.lengthPenalty());
        }
        List<PairedBootstrap.Result> paired = new ArrayList<>();
        for (CorpusMetric metric : List.of(Bleu.corpusLevel(), Chrf.defaults())) {
            paired.add(PairedBootstrap.compare(metric, systems.get(0).hypotheses(), systems.get(1).hypotheses(),
                    refs, PairedBootstrap.DEFAULT_RESAMPLES, PairedBootstrap.DEFAULT_SEED));
        }
        out.printf(Locale.ROOT, "paired bootstrap, %s - %s (%d resamples, seed %d):%n", systems.get(1).name(),
                systems.get(0).name(), PairedBootstrap.DEFAULT_RESAMPLES, PairedBootstrap.DEFAULT_SEED);
        for (PairedBootstrap.Result r : paired) {
            out.printf(Locale.ROOT, "  %-6s %+6.2f  95%% interval [%+.2f, %+.2f]  p(not better) = %.3f%n", r.metric(),
                    r.delta(), r.lower(), r.upper(), r.pValue());
        }
        out.printf(Locale.ROOT, "DQN head: log pi_ref + %s*Q/tau_Q, %s head%s%n", policy.decoding().qWeight(),
                policy.decoding().headName(), policy.ensembleSize() > 1
                        ? ", Q averaged over an ensemble of " + policy.ensembleSize() + " runs' heads" : "");
        out.println("BLEU signature: " + systems.get(0).bleu().signature());
        out.println("chrF signature: " + systems.get(0).chrf().signature());
        write(dir, systems, policy, paired, cfg, decoded, threads);
        out.println("wrote " + dir.resolve(TRANSLATIONS) + " and " + dir.resolve(SCORES));
    }

    private static void write(Path dir, List<System> systems, DqnPolicy policy, List<PairedBootstrap.Result> paired,
            GenerationConfig cfg, int decoded, String threads) {
        JsonObject j = new JsonObject();
        j.addProperty(DqnCli.THREADS, threads); // the PyTorch count(s) that decoded the rows, as their record has it
        for (System s : systems) {
            JsonObject o = new JsonObject();
            o.addProperty("bleu", s.bleu().score());
            o.addProperty("bleu_signature", s.bleu().signature());
            o.addProperty("chrf", s.chrf().score());
            o.addProperty("chrf_signature", s.chrf().signature());
            o.addProperty("seconds", s.seconds());
            o.addProperty("sentences_timed", decoded);
            o.addProperty("beams", cfg.beams());
            o.addProperty("length_penalty", cfg.lengthPenalty());
            if (s != systems.get(0)) {
                o.addProperty("q_weight", policy.decoding().qWeight());
                o.addProperty("head", policy.decoding().headName());
                o.add("heads", DqnCli.headFiles(policy.sources()));
                JsonObject bs = new JsonObject();
                paired.forEach(r -> bs.add(r.metric(), r.toJson()));
                o.add("paired_bootstrap_vs_" + systems.get(0).name().replace(' ', '_'), bs);
            }
            j.add(s.name(), o);
        }
        try {
            Files.writeString(dir.resolve(SCORES),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(j), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(dir.resolve(SCORES) + ": cannot write (" + e.getMessage() + ")");
        }
    }
}
