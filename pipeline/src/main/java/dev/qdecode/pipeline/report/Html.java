package dev.qdecode.pipeline.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The self-contained {@code report.html}: inline CSS, charts as base64 PNG data URIs, no scripts and
 * no external fetches. Every piece of run data is HTML-escaped.
 */
final class Html {

    /** Summary metrics in table order; other numeric fields follow in file order. */
    private static final List<String> ORDER = List.of("mean_reward", "reward_std", "positive_rate", "kl", "perplexity",
            "distinct_1", "distinct_2", "mean_length", "repeat_fraction", "loss", "q_abs_mean", "q_abs_max",
            "updates_per_s", "rollout_tokens_per_s");
    /** Summary fields that are not metrics. */
    private static final Set<String> NOT_METRICS = Set.of("episode", "step", "samples");
    /** The ratios the targets are stated in (highlighted). */
    private static final List<String> HEADLINE = List.of("mean_reward", "perplexity", "distinct_2");
    /** Speed fields: the base model is not trained, so it has none. */
    private static final Set<String> THROUGHPUT = Set.of("updates_per_s", "rollout_tokens_per_s", "steps_per_s", "tokens_per_s",
            "target_tokens_per_s");
    /** The task whose runs have accuracies rather than base vs trained (and no KL, diversity or examples). */
    static final String CLASSIFICATION = "classification";
    /** A classification summary's paired-bootstrap comparison of the DQN head with the probe. */
    private static final String BOOTSTRAP = "dqn_minus_probe_paired_bootstrap";
    /** The marker the trainer puts between a prompt and its continuation in examples. */
    private static final String PROMPT_MARK = "▸";

    /** Sections with more entries than this are laid out in columns. */
    private static final int LONG_SECTION = 16;

    private static final String CSS = """
            :root{--fg:#1f2328;--muted:#59636e;--border:#d0d7de;--bg:#f6f8fa;--key:#fff8e1}
            *{box-sizing:border-box}
            body{margin:0;color:var(--fg);background:#fff;
              font:14px/1.5 -apple-system,"Segoe UI",Roboto,"DejaVu Sans","Liberation Sans",Arial,sans-serif}
            main{max-width:1280px;margin:0 auto;padding:24px 28px 48px}
            h1{font-size:24px;margin:0 0 2px}
            h2{font-size:18px;margin:36px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}
            h3{font-size:15px;margin:0 0 8px}
            .path{color:var(--muted);font-family:"DejaVu Sans Mono",Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
            .chips{display:flex;flex-wrap:wrap;gap:8px;margin:14px 0 0}
            .chip{background:var(--bg);border:1px solid var(--border);border-radius:999px;padding:2px 12px;font-size:13px}
            .chip.key{background:var(--key);border-color:#e3c770}
            .note{color:var(--muted);font-size:13px;margin:8px 0 0}
            table{border-collapse:collapse;width:100%}
            th,td{border:1px solid var(--border);padding:5px 10px;text-align:left;vertical-align:top}
            th{background:var(--bg);font-weight:600}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            tr.key td{background:var(--key)}
            table.summary{width:auto;min-width:560px}
            .ratio{color:var(--muted);font-size:12px;margin-left:6px}
            .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
            figure{margin:0;border:1px solid var(--border);border-radius:6px;padding:8px;background:#fff}
            figure img{width:100%;height:auto;display:block}
            figcaption{color:var(--muted);font-size:12px;margin-top:4px}
            table.examples td{white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px;width:38%}
            table.examples td.idx{width:1%;white-space:nowrap;color:var(--muted)}
            table.examples td.prompt{color:var(--muted);font-style:italic;width:23%}
            section.kv{margin-bottom:20px}
            .kvgrid{columns:3 300px;column-gap:24px;border-top:1px solid var(--border)}
            .kvgrid div{display:flex;justify-content:space-between;gap:12px;break-inside:avoid;padding:4px 8px;
              border-bottom:1px solid var(--border);font-size:13px}
            .kvgrid code{font-family:"DejaVu Sans Mono",Consolas,monospace}
            .kvgrid span{overflow-wrap:anywhere;text-align:right}
            table.kv td{overflow-wrap:anywhere;font-size:13px}
            table.kv td:first-child{font-family:"DejaVu Sans Mono",Consolas,monospace;white-space:nowrap;width:1%}
            footer{margin-top:40px;color:var(--muted);font-size:12px}
            """;

    private Html() {}

    /**
     * The report page.
     *
     * @param runs the main run first, then the compared runs
     * @param charts the rendered charts
     * @return the HTML document
     */
    static String page(List<RunData> runs, List<Charts.Chart> charts) {
        RunData run = runs.get(0);
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>qdecode report: ").append(esc(run.name())).append("</title>\n<style>\n").append(CSS)
                .append("</style>\n</head>\n<body>\n<main>\n");
        header(b, run);
        summary(b, run);
        if (runs.size() > 1) {
            compare(b, runs);
        }
        b.append("<h2 id=\"charts\">Training curves</h2>\n");
        // dashed lines are drawn only from a summary's finite base values: say so only where one exists, and name
        // a charted metric whose base value is NaN or infinite, which has none
        boolean base = runs.stream().anyMatch(r -> r.summaryNumbers("base").values().stream().anyMatch(Double::isFinite));
        String undrawn = undrawnBaseLines(runs);
        if (runs.size() > 1) {
            b.append("<p class=\"note\">Runs overlaid: ").append(esc(String.join(", ", runs.stream().map(RunData::name).toList())))
                    .append(base ? ". Dashed lines: each run's base model (from its summary.json)" : "")
                    .append(undrawn).append(".</p>\n");
        } else if (run.rows().isEmpty()) {
            b.append("<p class=\"note\">No evaluation yet.</p>\n");
        } else {
            // an sft run is evaluated on its dev set, a classification run on labelled examples
            b.append("<p class=\"note\">One point per evaluation on the ")
                    .append(isSft(run) ? "dev set" : CLASSIFICATION.equals(run.task()) ? "held-out examples"
                            : "held-out prompts")
                    .append(base ? "; dashed lines: the base model" : "").append(undrawn).append(".</p>\n");
        }
        b.append("<div class=\"grid\">\n");
        for (Charts.Chart c : charts) {
            b.append("<figure id=\"chart-").append(esc(c.id())).append("\"><img alt=\"").append(esc(c.title()))
                    .append("\" width=\"").append(c.width()).append("\" height=\"").append(c.height())
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(c.png()))
                    .append("\"><figcaption>").append(esc(c.title())).append(" (").append(esc(c.id())).append(".png)")
                    .append("</figcaption></figure>\n");
        }
        b.append("</div>\n");
        examples(b, run);
        objects(b, run);
        boolean fromCheckpoint = run.summary() == null && run.checkpoint() != null && run.checkpoint().error() == null;
        b.append("<footer>Generated by <code>qdecode report</code> from ")
                .append(run.rows().isEmpty() && fromCheckpoint ? RunData.CHECKPOINT : esc(RunData.METRICS)
                        + (run.summary() != null ? " and " + RunData.SUMMARY : fromCheckpoint ? " and "
                        + RunData.CHECKPOINT : run.sft() != null && run.sft().error() == null ? " and " + RunData.SFT_PROVENANCE : ""))
                .append(". Self-contained: the charts are inlined PNG files (also written beside this page).</footer>\n")
                .append("</main>\n</body>\n</html>\n");
        return b.toString();
    }

    private static void header(StringBuilder b, RunData run) {
        b.append("<header>\n<h1>qdecode run report: ").append(esc(run.name())).append("</h1>\n<div class=\"path\">")
                .append(esc(run.dir().toAbsolutePath().normalize().toString())).append("</div>\n<div class=\"chips\">");
        List<String[]> chips = new ArrayList<>();
        if (run.summary() != null) {
            for (Map.Entry<String, JsonElement> e : run.summary().entrySet()) {
                if (e.getValue() instanceof JsonPrimitive p) {
                    chips.add(new String[] {e.getKey(), p.isNumber() ? fmt(p.getAsDouble()) : p.getAsString()});
                }
            }
        }
        RunData.Recorded ckpt = run.checkpoint();
        if (ckpt != null && ckpt.error() == null) {
            chips.add(new String[] {"status", "unfinished, " + ckpt.episodesDone() + " of " + ckpt.episodesTotal()
                + " episodes"});
        }
        chips.add(new String[] {"evaluations", String.valueOf(run.rows().size())});
        JsonObject prov = run.settings("provenance");
        if (prov != null) {
            for (String k : List.of("model_dir", "reward", "task", "seed", "qdecode_version")) {
                boolean shown = chips.stream().anyMatch(c -> c[0].equals(k));
                if (!shown && prov.get(k) instanceof JsonPrimitive p) {
                    String v = p.getAsString();
                    chips.add(new String[] {k.equals("model_dir") ? "model" : k.equals("qdecode_version") ? "version" : k,
                        k.equals("model_dir") ? v.substring(Math.max(v.lastIndexOf('/'), v.lastIndexOf('\\')) + 1)
                        : k.equals("reward") ? RunData.rewardText(v) : v});
                }
            }
        }
        for (String[] c : chips) {
            b.append("<span class=\"chip\">").append(esc(c[0])).append(": <b>").append(esc(c[1])).append("</b></span>");
        }
        Map<String, Double> base = run.summaryNumbers("base");
        Map<String, Double> trained = run.summaryNumbers("trained");
        for (String f : HEADLINE) {
            String r = ratio(base.get(f), trained.get(f));
            if (!r.isEmpty()) {
                b.append("<span class=\"chip key\">").append(esc(Charts.label(f))).append(" trained/base: <b>")
                        .append(r).append("</b></span>");
            }
        }
        b.append("</div>\n</header>\n");
    }

    private static void summary(StringBuilder b, RunData run) {
        if (run.summary() == null && isSft(run)) {
            sft(b, run);
            return;
        }
        if (run.summary() == null) {
            unfinished(b, run);
            return;
        }
        if (CLASSIFICATION.equals(run.task())) {
            classification(b, run);
            return;
        }
        b.append("<h2 id=\"summary\">Summary: base vs trained</h2>\n");
        Map<String, Double> base = run.summaryNumbers("base");
        Map<String, Double> trained = run.summaryNumbers("trained");
        if (base.isEmpty() && trained.isEmpty()) {
            b.append("<p class=\"note\">").append(esc(RunData.SUMMARY) + " has no base/trained sections.").append("</p>\n");
            return;
        }
        b.append("<table class=\"summary\">\n<tr><th>metric</th><th class=\"num\">base</th><th class=\"num\">trained</th>")
                .append("<th class=\"num\">trained / base</th></tr>\n");
        for (String f : metricOrder(List.of(base, trained))) {
            b.append("<tr").append(HEADLINE.contains(f) ? " class=\"key\"" : "").append("><td>").append(esc(Charts.label(f)))
                    .append("</td><td class=\"num\">").append(cell(THROUGHPUT.contains(f) ? null : base.get(f)))
                    .append("</td><td class=\"num\">")
                    .append(cell(trained.get(f))).append("</td><td class=\"num\">").append(THROUGHPUT.contains(f) ? "" : ratio(base.get(f), trained.get(f)))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
        Double samples = trained.getOrDefault("samples", base.get("samples"));
        b.append("<p class=\"note\">Base: the pretrained model alone; trained: the learned decoding policy; both on the same held-out prompts")
                .append(samples != null ? " (" + fmt(samples) + " samples per model)" : "")
                .append(". Perplexity is measured under the base model.</p>\n");
    }

    /**
     * Whether a run is {@code qdecode sft}'s: its metrics are indexed by optimizer step and carry the
     * training loss (a DQN run's are indexed by episode and it writes summary.json).
     */
    static boolean isSft(RunData run) {
        return "step".equals(run.xKey()) && !run.rows().isEmpty()
                && run.rows().get(0).values().containsKey("train_loss");
    }

    /**
     * A {@code qdecode sft} run's summary: its first, best and last evaluations (losses, dev perplexity, dev
     * BLEU), best as sft chooses the model it keeps: the first highest dev BLEU, or without BLEU the first
     * lowest dev loss.
     */
    private static void sft(StringBuilder b, RunData run) {
        List<RunData.Row> rows = run.rows();
        String key = rows.stream().anyMatch(r -> isFinite(r.values().get("bleu"))) ? "bleu" : "dev_loss";
        RunData.Row best = null;
        for (RunData.Row r : rows) {
            Double v = r.values().get(key);
            if (isFinite(v) && (best == null || ("bleu".equals(key) ? v > best.values().get(key)
                    : v < best.values().get(key)))) {
                best = r;
            }
        }
        RunData.Row first = rows.get(0);
        RunData.Row last = rows.get(rows.size() - 1);
        b.append("<h2 id=\"summary\">Summary: supervised fine-tuning (qdecode sft)</h2>\n")
                .append("<table class=\"summary\">\n<tr><th>metric</th><th class=\"num\">first (step ")
                .append(fmt(first.x())).append(")</th><th class=\"num\">best (step ")
                .append(best == null ? "–" : fmt(best.x())).append(")</th><th class=\"num\">last (step ")
                .append(fmt(last.x())).append(")</th></tr>\n");
        for (String f : List.of("train_loss", "dev_loss", "dev_ppl", "bleu")) {
            if (rows.stream().noneMatch(r -> r.values().containsKey(f))) {
                continue;
            }
            b.append("<tr").append(f.equals(key) ? " class=\"key\"" : "").append("><td>").append(esc(Charts.label(f)))
                    .append("</td><td class=\"num\">").append(cell(first.values().get(f)))
                    .append("</td><td class=\"num\">").append(cell(best == null ? null : best.values().get(f)))
                    .append("</td><td class=\"num\">").append(cell(last.values().get(f))).append("</td></tr>\n");
        }
        b.append("</table>\n<p class=\"note\">").append(rows.size()).append(rows.size() == 1 ? " evaluation" : " evaluations")
                .append(" on the dev set. Best: the ").append("bleu".equals(key) ? "highest dev BLEU" : "lowest dev loss")
                .append(", the model qdecode sft keeps in the run directory; no base-vs-trained summary (that is "
                        + "qdecode train's, for a DQN head).</p>\n");
    }

    private static boolean isFinite(Double v) {
        return v != null && Double.isFinite(v);
    }

    /** A run without summary.json: how far it got and how to continue it (from its checkpoint). */
    private static void unfinished(StringBuilder b, RunData run) {
        RunData.Recorded c = run.checkpoint();
        if (c == null) { // not a DQN run's directory (e.g. sft's), or one stopped before its first checkpoint
            b.append("<h2 id=\"summary\">Summary</h2>\n<p class=\"note\">").append(esc(RunData.SUMMARY))
                    .append(" not found: no base-vs-trained summary (qdecode train writes one when training ends); the "
                    + "charts show the evaluations in ").append(esc(RunData.METRICS)).append(".</p>\n");
            return;
        }
        b.append("<h2 id=\"summary\">Summary: unfinished run</h2>\n<p class=\"note\">");
        if (c.error() != null) {
            b.append(esc(RunData.SUMMARY)).append(" not found: the run has not finished; the charts show its evaluations "
                    + "so far. Its ").append(esc(RunData.CHECKPOINT)).append(" could not be read: ").append(esc(c.error()))
                    .append("</p>\n");
            return;
        }
        boolean allDone = c.episodesDone() >= c.episodesTotal();
        b.append("The run has not finished: ").append(allDone ? "all " + c.episodesTotal() + " episodes were trained but "
                + "the final evaluation did not end" : c.episodesDone() + " of " + c.episodesTotal() + " episodes done")
                .append(" (as of its last checkpoint). No ").append(esc(RunData.SUMMARY))
                .append(" yet: the base-vs-trained comparison is written when training ends; ")
                .append(run.rows().isEmpty() ? "no evaluation was logged yet (" + esc(RunData.METRICS)
                        + " has none), so there are no charts." : "the charts show the evaluations so far.")
                .append("</p>\n");
        if (CLASSIFICATION.equals(run.task())) {
            // its checkpoint holds the options, not a head: a resume reads the cached embeddings and trains the head
            b.append("<p class=\"note\">Continue it with <code>")
                    .append(esc("qdecode train --resume --out " + shellWord(run.dir().toAbsolutePath().normalize().toString())))
                    .append("</code> (the embeddings finished so far are cached; the head is trained again from the "
                            + "start with the run's seed).</p>\n");
        } else {
            b.append("<p class=\"note\">").append(allDone ? "Finish" : "Continue").append(" it with <code>")
                    .append(esc("qdecode train --resume --out " + shellWord(run.dir().toAbsolutePath().normalize().toString())))
                    .append("</code>.</p>\n");
        }
    }

    /** A classification run's accuracies on the held-out examples, against its baselines. */
    private static void classification(StringBuilder b, RunData run) {
        b.append("<h2 id=\"summary\">Summary: accuracy on the held-out examples</h2>\n");
        JsonObject s = run.summary();
        List<String[]> rows = new ArrayList<>();
        for (String[] k : new String[][] {{"dqn_accuracy", "DQN head"},
            {"probe_accuracy", "logistic probe on the same embeddings"},
            {"zero_shot_accuracy", "zero-shot backbone (argmax over the label tokens)"},
            {"majority_accuracy", "majority label"}}) {
            if (s.get(k[0]) instanceof JsonPrimitive p && p.isNumber()) {
                rows.add(new String[] {k[1], fmt(p.getAsDouble())});
            }
        }
        if (rows.isEmpty()) {
            b.append("<p class=\"note\">").append(esc(RunData.SUMMARY)).append(" records no accuracies.</p>\n");
            return;
        }
        b.append("<table class=\"summary\">\n<tr><th>classifier</th><th class=\"num\">accuracy</th></tr>\n");
        for (String[] r : rows) {
            b.append("<tr").append(r == rows.get(0) ? " class=\"key\"" : "").append("><td>").append(esc(r[0]))
                    .append("</td><td class=\"num\">").append(esc(r[1])).append("</td></tr>\n");
        }
        b.append("</table>\n");
        if (s.get(BOOTSTRAP) instanceof JsonObject d && d.get("delta") instanceof JsonPrimitive delta
                && d.get("lower95") instanceof JsonPrimitive lo && d.get("upper95") instanceof JsonPrimitive hi) {
            b.append("<p class=\"note\">DQN head − probe: ").append(esc(String.format(Locale.ROOT, "%+.2f points, "
                    + "paired bootstrap 95%% interval [%+.2f, %+.2f]", delta.getAsDouble(), lo.getAsDouble(),
                    hi.getAsDouble()))).append(".</p>\n");
        }
    }

    /** A path as one shell word: as it is when it needs no quoting, else single-quoted. */
    static String shellWord(String s) {
        return s.matches("[A-Za-z0-9_./:@%+=,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static void compare(StringBuilder b, List<RunData> runs) {
        b.append("<h2 id=\"compare\">Compared runs</h2>\n<table>\n<tr><th>metric (trained)</th>");
        for (RunData r : runs) {
            b.append("<th class=\"num\">").append(esc(r.name())).append("</th>");
        }
        b.append("</tr>\n");
        Set<String> scalars = new LinkedHashSet<>();
        for (RunData r : runs) {
            if (r.summary() != null) {
                r.summary().entrySet().stream().filter(e -> e.getValue() instanceof JsonPrimitive).forEach(e -> scalars.add(e.getKey()));
            }
        }
        for (String k : scalars) {
            b.append("<tr><td>").append(esc(k)).append("</td>");
            for (RunData r : runs) {
                JsonElement v = r.summary() == null ? null : r.summary().get(k);
                b.append("<td class=\"num\">").append(v instanceof JsonPrimitive p ? esc(p.isNumber() ? fmt(p.getAsDouble()) : p.getAsString()) : "–")
                        .append("</td>");
            }
            b.append("</tr>\n");
        }
        for (String k : List.of("reward", "model_dir")) {
            if (runs.stream().anyMatch(r -> section(r, "provenance") != null && section(r, "provenance").has(k))) {
                b.append("<tr><td>").append(esc(k)).append("</td>");
                for (RunData r : runs) {
                    JsonObject p = section(r, "provenance");
                    b.append("<td class=\"num\">").append(p != null && p.has(k) ? esc(text(k, p.get(k))) : "–").append("</td>");
                }
                b.append("</tr>\n");
            }
        }
        List<Map<String, Double>> trained = runs.stream().map(r -> r.summaryNumbers("trained")).toList();
        for (String f : metricOrder(trained)) {
            b.append("<tr").append(HEADLINE.contains(f) ? " class=\"key\"" : "").append("><td>").append(esc(Charts.label(f)))
                    .append("</td>");
            for (RunData r : runs) {
                Double t = r.summaryNumbers("trained").get(f);
                String ratio = ratio(r.summaryNumbers("base").get(f), t);
                b.append("<td class=\"num\">").append(cell(t))
                        .append(ratio.isEmpty() ? "" : "<span class=\"ratio\">" + ratio + " base</span>").append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n<p class=\"note\">Each cell: the run's trained policy; the small figure is its ratio to the run's own base model.</p>\n");
    }

    private static void examples(StringBuilder b, RunData run) {
        List<String> base = run.examples("base");
        List<String> trained = run.examples("trained");
        if (base.isEmpty() && trained.isEmpty()) {
            return;
        }
        b.append("<h2 id=\"examples\">Examples</h2>\n<table class=\"examples\">\n<tr><th>#</th><th>prompt</th>");
        if (!base.isEmpty()) {
            b.append("<th>base model</th>");
        }
        if (!trained.isEmpty()) {
            b.append("<th>trained policy</th>");
        }
        b.append("</tr>\n");
        int n = Math.max(base.size(), trained.size());
        for (int i = 0; i < n; i++) {
            String[] bs = i < base.size() ? split(base.get(i)) : null;
            String[] ts = i < trained.size() ? split(trained.get(i)) : null;
            String prompt = bs != null ? bs[0] : ts[0];
            boolean shared = bs == null || ts == null || bs[0].equals(ts[0]);
            b.append("<tr><td class=\"idx\">").append(i + 1).append("</td><td class=\"prompt\">")
                    .append(shared ? esc(prompt) : "–").append("</td>");
            if (!base.isEmpty()) {
                b.append("<td>").append(bs == null ? "" : esc(shared ? bs[1] : base.get(i))).append("</td>");
            }
            if (!trained.isEmpty()) {
                b.append("<td>").append(ts == null ? "" : esc(shared ? ts[1] : trained.get(i))).append("</td>");
            }
            b.append("</tr>\n");
        }
        b.append("</table>\n<p class=\"note\">Continuations of the first held-out prompts (first sample each)")
                .append(base.isEmpty() ? " by the trained policy" + (run.summary() == null ? " at the last evaluation" : "")
                        : trained.isEmpty() ? " by the base model" : ", base model and trained policy side by side")
                .append(".</p>\n");
    }

    /** The summary's other object sections (config, provenance, ...) as key/value tables. */
    private static void objects(StringBuilder b, RunData run) {
        List<Map.Entry<String, JsonElement>> sections;
        if (run.summary() != null) {
            boolean classification = CLASSIFICATION.equals(run.task());
            sections = run.summary().entrySet().stream()
                    .filter(e -> e.getValue().isJsonObject() && !e.getKey().equals("base") && !e.getKey().equals("trained")
                            && !(classification && e.getKey().equals(BOOTSTRAP))) // in the summary table's note
                    .toList();
        } else {
            // an unfinished run: its checkpoint's settings
            sections = new ArrayList<>();
            for (String k : List.of("config", "provenance")) {
                JsonObject o = run.settings(k);
                if (o != null && o.size() > 0) {
                    sections.add(Map.entry(k, o));
                }
            }
        }
        if (sections.isEmpty()) {
            return;
        }
        b.append("<h2 id=\"settings\">Configuration and provenance</h2>\n");
        if (run.sft() != null && run.sft().error() == null) {
            b.append("<p class=\"note\">From the run's ").append(esc(RunData.SFT_PROVENANCE)).append(".</p>\n");
        } else if (run.summary() == null) {
            b.append("<p class=\"note\">From the run's ").append(esc(RunData.CHECKPOINT))
                    .append(" (the run has no ").append(esc(RunData.SUMMARY)).append(" yet).</p>\n");
        }
        for (Map.Entry<String, JsonElement> s : sections) {
            Set<Map.Entry<String, JsonElement>> entries = s.getValue().getAsJsonObject().entrySet();
            boolean grid = entries.size() > LONG_SECTION;
            b.append("<section class=\"kv\" id=\"").append(esc(s.getKey())).append("\"><h3>").append(esc(title(s.getKey())))
                    .append("</h3>\n").append(grid ? "<div class=\"kvgrid\">\n" : "<table class=\"kv\">\n");
            for (Map.Entry<String, JsonElement> e : entries) {
                String k = esc(e.getKey());
                String v = esc("provenance".equals(s.getKey()) ? text(e.getKey(), e.getValue()) : text(e.getValue()));
                b.append(grid ? "<div><code>" + k + "</code><span>" + v + "</span></div>\n"
                        : "<tr><td>" + k + "</td><td>" + v + "</td></tr>\n");
            }
            b.append(grid ? "</div>" : "</table>").append("</section>\n");
        }
    }

    /** A JSON value as text: strings unquoted, integral numbers without ".0", the rest as compact JSON. */
    private static String text(JsonElement v) {
        if (v == null || v.isJsonNull()) {
            return "not given"; // an option left out (sft records its options as given, nulls included)
        }
        return v instanceof JsonPrimitive p ? (p.isNumber() ? numberText(p) : p.getAsString()) : String.valueOf(v);
    }

    /** A provenance value as text: the recorded reward as {@link RunData#rewardText} shows it, the rest as {@link #text}. */
    private static String text(String key, JsonElement v) {
        return "reward".equals(key) && v instanceof JsonPrimitive p && p.isString() ? RunData.rewardText(p.getAsString())
                : text(v);
    }

    private static String title(String key) {
        return switch (key) {
            case "config" -> "Configuration";
            case "provenance" -> "Provenance";
            default -> key;
        };
    }

    private static JsonObject section(RunData run, String key) {
        return run.settings(key);
    }

    private static List<String> metricOrder(List<Map<String, Double>> maps) {
        Set<String> all = new LinkedHashSet<>();
        maps.forEach(m -> all.addAll(m.keySet()));
        List<String> out = new ArrayList<>(ORDER.stream().filter(all::contains).toList());
        all.stream().filter(f -> !ORDER.contains(f) && !NOT_METRICS.contains(f)).forEach(out::add);
        return out;
    }

    /** Splits an example at the prompt marker: {prompt, continuation} ({"", text} without a marker). */
    private static String[] split(String example) {
        int i = example.indexOf(PROMPT_MARK);
        return i < 0 ? new String[] {"", example}
                : new String[] {example.substring(0, i).strip(), example.substring(i + PROMPT_MARK.length()).strip()};
    }

    /**
     * The charted metrics whose base value in a run's summary.json is NaN or infinite, so that no dashed line is drawn
     * for them: {@code ; no base line where summary.json's base value is not a finite number: perplexity (NaN)}
     * (with the run's name when several are overlaid), escaped; empty when there are none.
     */
    private static String undrawnBaseLines(List<RunData> runs) {
        List<String> undrawn = new ArrayList<>();
        for (RunData r : runs) {
            for (Map.Entry<String, Double> e : r.summaryNumbers("base").entrySet()) {
                String f = e.getKey();
                if (!Double.isFinite(e.getValue()) && Charts.drawsBaseLine(f) && r.rows().stream()
                        .anyMatch(row -> row.values().get(f) != null && Double.isFinite(row.values().get(f)))) {
                    undrawn.add(Charts.label(f) + (runs.size() > 1 ? " of " + r.name() : "") + " (" + fmt(e.getValue())
                            + ")");
                }
            }
        }
        return undrawn.isEmpty() ? "" : esc("; no base line where summary.json's base value is not a finite number: "
                + String.join(", ", undrawn));
    }

    private static String cell(Double v) {
        return v == null ? "–" : esc(fmt(v));
    }

    private static String ratio(Double base, Double trained) {
        // only between non-negative values: a negative base (a signed reward) would flip the sign of a gain
        if (base == null || trained == null || !Double.isFinite(base) || !Double.isFinite(trained) || base < 1e-12
                || trained < 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%.2f×", trained / base);
    }

    private static String numberText(JsonPrimitive p) {
        double d = p.getAsDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : p.getAsString();
    }

    /**
     * A compact number: integers as integers, otherwise about four significant digits.
     *
     * @param v the value
     * @return its text
     */
    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.1f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (a >= 1e-3) {
            return String.format(Locale.ROOT, "%.4f", v);
        }
        return String.format(Locale.ROOT, "%.3e", v);
    }

    /**
     * Escapes text for HTML element content and quoted attribute values.
     *
     * @param s the text
     * @return the escaped text
     */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
