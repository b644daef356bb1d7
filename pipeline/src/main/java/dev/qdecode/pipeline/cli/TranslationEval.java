package dev.qdecode.pipeline.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.qdecode.pipeline.dqn.DqnPolicy;
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
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code qdecode evaluate --task translation}: corpus BLEU and chrF (sacreBLEU-compatible, with
 * signatures) of greedy (or beam-search) decoding by the base (SFT) model and by the trained head
 * (on log π_ref + Q/τ_Q over the candidates), side by side on a test file, with a paired bootstrap of the
 * difference (95% interval, one-sided p-value); hypotheses are written as TSV.
 */
final class TranslationEval {
    private TranslationEval() {}

    /** One system's output and scores. */
    record System(String name, List<String> hypotheses, BleuScore bleu, ChrfScore chrf, double seconds) {}

    static void run(ModelOptions.Loaded m, DqnPolicy policy, TaskOptions.Prompts data, GenerationConfig cfg,
            Path dir, PrintWriter out, PrintWriter err) {
        List<String> src = data.prompts();
        List<List<String>> refs = new ArrayList<>();
        for (String s : src) {
            refs.add(data.references().get(s));
        }
        String how = cfg.beams() > 1 ? " beam " + cfg.beams() : " greedy";
        List<System> systems = new ArrayList<>();
        systems.add(decode("base" + how, new Generator(m.model(), m.tokenizer(), m.format(), cfg), src, refs,
                err));
        if (policy != null) {
            systems.add(decode("DQN head" + how, new Generator(m.model(), m.tokenizer(), m.format(), cfg,
                    policy), src, refs, err));
        }
        out.printf(Locale.ROOT, "%-18s %8s %8s %8s%n", "system", "BLEU", "chrF2", "seconds");
        for (System s : systems) {
            out.printf(Locale.ROOT, "%-18s %8.2f %8.2f %8.1f%n", s.name(), s.bleu().score(), s.chrf().score(), s.seconds());
        }
        if (cfg.beams() > 1) {
            out.printf(Locale.ROOT, "beam search: %d beams, length penalty %s%n", cfg.beams(), cfg.lengthPenalty());
        }
        List<PairedBootstrap.Result> paired = new ArrayList<>();
        if (systems.size() == 2) {
            out.printf(Locale.ROOT, "difference         %+8.2f %+8.2f%n", systems.get(1).bleu().score()
                    - systems.get(0).bleu().score(), systems.get(1).chrf().score() - systems.get(0).chrf().score());
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
        }
        if (policy != null) {
            out.printf(Locale.ROOT, "DQN head: log pi_ref + %s*Q/tau_Q, %s head%s%n", policy.decoding().qWeight(),
                    policy.decoding().headName(), policy.ensembleSize() > 1
                            ? ", Q averaged over an ensemble of " + policy.ensembleSize() + " runs' heads" : "");
        }
        out.println("BLEU signature: " + systems.get(0).bleu().signature());
        out.println("chrF signature: " + systems.get(0).chrf().signature());
        write(dir, src, refs, systems, policy, paired, cfg);
        out.println("wrote " + dir.resolve("translations.tsv") + " and " + dir.resolve("translation-scores.json"));
    }

    private static System decode(String name, Generator g, List<String> src, List<List<String>> refs,
            PrintWriter err) {
        ProgressBar bar = new ProgressBar(err, name, src.size());
        long t0 = java.lang.System.nanoTime();
        List<String> hyp = new ArrayList<>();
        g.generate(src, (done, total, tokens) -> bar.update(done, "")).forEach(x -> hyp.add(x.text().strip()));
        bar.close();
        double secs = (java.lang.System.nanoTime() - t0) / 1e9;
        return new System(name, hyp, Bleu.corpusLevel().corpusScore(hyp, refs), Chrf.defaults().corpusScore(hyp, refs),
                secs);
    }

    private static void write(Path dir, List<String> src, List<List<String>> refs, List<System> systems,
            DqnPolicy policy, List<PairedBootstrap.Result> paired, GenerationConfig cfg) {
        try {
            Files.createDirectories(dir);
            List<String> cols = new ArrayList<>(List.of("source", "reference"));
            systems.forEach(s -> cols.add(s.name().replace(' ', '_')));
            try (RecordWriter w = RecordWriter.open(dir.resolve("translations.tsv"), cols)) {
                for (int i = 0; i < src.size(); i++) {
                    Object[] row = new Object[cols.size()];
                    row[0] = src.get(i);
                    row[1] = refs.get(i).get(0);
                    for (int k = 0; k < systems.size(); k++) {
                        row[2 + k] = systems.get(k).hypotheses().get(i);
                    }
                    w.write(row);
                }
                w.commit();
            }
            JsonObject j = new JsonObject();
            for (System s : systems) {
                JsonObject o = new JsonObject();
                o.addProperty("bleu", s.bleu().score());
                o.addProperty("bleu_signature", s.bleu().signature());
                o.addProperty("chrf", s.chrf().score());
                o.addProperty("chrf_signature", s.chrf().signature());
                o.addProperty("seconds", s.seconds());
                o.addProperty("beams", cfg.beams());
                o.addProperty("length_penalty", cfg.lengthPenalty());
                if (policy != null && s != systems.get(0)) {
                    o.addProperty("q_weight", policy.decoding().qWeight());
                    o.addProperty("head", policy.decoding().headName());
                    o.add("heads", DqnCli.headFiles(policy.sources()));
                    JsonObject bs = new JsonObject();
                    paired.forEach(r -> bs.add(r.metric(), r.toJson()));
                    o.add("paired_bootstrap_vs_" + systems.get(0).name().replace(' ', '_'), bs);
                }
                j.add(s.name(), o);
            }
            Files.writeString(dir.resolve("translation-scores.json"),
                    new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(j), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
