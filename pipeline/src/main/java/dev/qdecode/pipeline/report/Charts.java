package dev.qdecode.pipeline.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's line charts (XChart, rendered to PNG): one chart per known metric group that any
 * run has, plus one "other" chart for numeric fields no group knows. Every series is one metric of
 * one run (and policy, when a run's lines have several); the run's base-model value from
 * {@code summary.json} is a dashed horizontal line in the same colour.
 */
final class Charts {

    /** PNG width in pixels. */
    static final int WIDTH = 800;
    /** PNG height in pixels (charts with a long legend are taller). */
    static final int HEIGHT = 450;

    /**
     * A chart of metric fields, on a left and (for a different scale) a right y axis.
     *
     * @param id file name stem of the PNG
     * @param title chart title
     * @param left fields on the left axis
     * @param right fields on the right axis
     * @param leftTitle left axis title when it shows several fields
     * @param rightTitle right axis title when it shows several fields
     */
    record Spec(String id, String title, List<String> left, List<String> right, String leftTitle, String rightTitle) {}

    /**
     * A rendered chart.
     *
     * @param id file name stem
     * @param title chart title
     * @param width PNG width ({@link #WIDTH})
     * @param height PNG height ({@link #HEIGHT}, more when the legend needs one row per series)
     * @param png the PNG bytes
     */
    record Chart(String id, String title, int width, int height, byte[] png) {}

    /** The known metric groups of DQN runs ({@code qdecode train}) and SFT runs, in report order. */
    static final List<Spec> KNOWN = List.of(
            new Spec("reward", "Reward on held-out prompts", List.of("mean_reward"), List.of("positive_rate"),
                    "reward", "positive rate"),
            new Spec("accuracy", "Accuracy on held-out examples", List.of("accuracy", "online_accuracy"), List.of(),
                    "accuracy", null),
            new Spec("train-reward", "Reward of the training rollouts (exploring)", List.of("train_reward"),
                    List.of("epsilon"), "reward", "ε"),
            new Spec("kl", "KL to the base model", List.of("kl", "train_kl"), List.of("kl_beta"), "KL (nats per episode)",
                    "KL β"),
            new Spec("perplexity", "Perplexity under the base model", List.of("perplexity", "dev_perplexity"), List.of(),
                    "perplexity", null),
            new Spec("diversity", "Diversity and length", List.of("distinct_1", "distinct_2"), List.of("mean_length"),
                    "distinct-n", "tokens"),
            new Spec("repetition", "Degenerate repetition", List.of("repeat_fraction"), List.of(), "fraction", null),
            new Spec("loss", "Value loss and Q-values", List.of("loss"), List.of("q_abs_mean", "q_abs_max", "target_mean"),
                    "loss", "Q"),
            new Spec("targets", "Bellman targets and gradients", List.of("clipped_fraction"), List.of("grad_norm"),
                    "clipped fraction", "gradient norm"),
            // qdecode sft's fields (SftTrainer): train_loss, dev_loss, dev_ppl, bleu (translation), lr,
            // target_tokens_per_s, with step, epoch, best, bleu_samples and elapsed_s as bookkeeping
            new Spec("sft-loss", "Training and dev loss", List.of("train_loss", "dev_loss"), List.of("dev_ppl"), "loss",
                    "perplexity"),
            new Spec("dev-quality", "Dev-set quality", List.of("bleu", "dev_bleu", "dev_chrf", "dev_f1"), List.of(),
                    "score", null),
            new Spec("learning-rate", "Learning rate", List.of("lr", "learning_rate"), List.of(), "learning rate", null),
            new Spec("throughput", "Training speed", List.of("updates_per_s", "steps_per_s"),
                    List.of("rollout_tokens_per_s", "tokens_per_s", "target_tokens_per_s"), "per second", "tokens/s"));

    /**
     * Groups left out of a classification run's report: its episodes walk one label's tokens without a
     * KL penalty (train KL and KL β are always 0) and its length is the label's, so neither KL nor
     * diversity and length say anything there.
     */
    private static final Set<String> NOT_FOR_CLASSIFICATION = Set.of("kl", "diversity");
    /**
     * Whether a field is one the report charts or draws as an error bar: a number wherever it is written, so a value
     * of another type is a damaged line, refused, not a point left out of its chart.
     *
     * @param field a metrics.jsonl key
     * @return true for a known metric field
     */
    static boolean isKnownMetric(String field) {
        return ERROR_BARS.containsValue(field) || KNOWN.stream().anyMatch(s -> s.left().contains(field)
                || s.right().contains(field));
    }

    /**
     * Whether a chart draws a dashed base-model line for a field when the summary's base value is finite: a charted
     * metric (not an error bar) whose base value means something.
     *
     * @param field a metrics.jsonl key
     * @return true when a finite base value of it is drawn
     */
    static boolean drawsBaseLine(String field) {
        return !NO_BASE.contains(field) && KNOWN.stream().anyMatch(s -> s.left().contains(field)
                || s.right().contains(field));
    }

    /** Fields drawn as error bars of another field. */
    private static final Map<String, String> ERROR_BARS = Map.of("mean_reward", "reward_std");
    /** Numeric fields that are bookkeeping, not metrics. */
    private static final Set<String> BOOKKEEPING = Set.of("episode", "step", "epoch", "samples", "reward_std", "updates",
            "bleu_samples", "elapsed_s");
    /** Fields whose base-model value means nothing (no base line; the summary shows the base's throughput as "–"). */
    private static final Set<String> NO_BASE = Set.of("kl", "kl_beta", "train_kl", "train_reward", "epsilon", "updates_per_s", "rollout_tokens_per_s", "steps_per_s",
            "tokens_per_s", "target_tokens_per_s");

    private static final Map<String, String> LABELS = Map.ofEntries(
            Map.entry("mean_reward", "mean reward"), Map.entry("reward_std", "reward std"),
            Map.entry("positive_rate", "positive rate"), Map.entry("kl", "KL (exact, held-out)"), Map.entry("kl_beta", "KL β"),
            Map.entry("perplexity", "perplexity"), Map.entry("dev_perplexity", "dev perplexity"),
            Map.entry("distinct_1", "distinct-1"), Map.entry("distinct_2", "distinct-2"),
            Map.entry("mean_length", "mean length"), Map.entry("repeat_fraction", "4×-repeat fraction"),
            Map.entry("loss", "value loss"), Map.entry("q_abs_mean", "mean |Q|"),
            Map.entry("target_mean", "mean target"), Map.entry("clipped_fraction", "clipped targets"),
            Map.entry("grad_norm", "gradient norm"), Map.entry("train_reward", "train reward"),
            Map.entry("train_kl", "train KL (sampled estimate)"), Map.entry("epsilon", "ε"), Map.entry("accuracy", "accuracy (averaged head)"), Map.entry("online_accuracy", "accuracy (online head)"), Map.entry("q_abs_max", "max |Q|"),
            Map.entry("updates_per_s", "updates/s"), Map.entry("steps_per_s", "steps/s"),
            Map.entry("rollout_tokens_per_s", "rollout tokens/s"), Map.entry("tokens_per_s", "tokens/s"),
            Map.entry("train_loss", "train loss"), Map.entry("dev_loss", "dev loss"), Map.entry("dev_bleu", "dev BLEU"),
            Map.entry("dev_chrf", "dev chrF"), Map.entry("dev_f1", "dev token F1"), Map.entry("lr", "learning rate"),
            Map.entry("learning_rate", "learning rate"), Map.entry("samples", "samples"),
            Map.entry("dev_ppl", "dev perplexity"), Map.entry("bleu", "dev BLEU"),
            Map.entry("target_tokens_per_s", "target tokens/s"));

    /**
     * What the {@code loss} field of each {@code valueLoss} is, in the legend and the chart's title: a
     * classification run fits Q = σ(z) to its targets by cross-entropy (its default), not by a Huber TD loss.
     */
    private static final Map<String, String> LOSS_LABELS = Map.of("huber", "TD loss (Huber)",
            "cross-entropy", "cross-entropy loss (Q = σ(z) vs targets)");

    /** Tableau 10: distinguishable, colour-blind-friendly. */
    private static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC)
    };

    /** Per-metric markers when several runs share a colour each. */
    private static final Marker[] MARKERS = {
        SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.CROSS
    };

    private static final BasicStroke SOLID = new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final BasicStroke DASHED = new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {7f, 5f}, 0f);

    private static final Font LEGEND_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final int LEGEND_PADDING = 10;
    private static final int LEGEND_LINE = 28;

    private Charts() {}

    /**
     * A human label for a metric field.
     *
     * @param field the JSON field name
     * @return its label (the field name itself when unknown)
     */
    static String label(String field) {
        return LABELS.getOrDefault(field, field);
    }

    /**
     * The label of a metric field of one run: {@link #label(String)}, but for {@code loss} the loss that
     * run's head was fitted with ({@code TD loss (Huber)}, or {@code cross-entropy loss (Q = σ(z) vs targets)}).
     *
     * @param field the JSON field name
     * @param run the run
     * @return its label
     */
    static String label(String field, RunData run) {
        return "loss".equals(field) ? LOSS_LABELS.getOrDefault(String.valueOf(run.valueLoss()), label(field))
                : label(field);
    }

    /**
     * The title of the loss chart: named by the loss the runs' heads were fitted with, e.g. {@code TD loss
     * (Huber) and Q-values}; {@code Value loss and Q-values} when compared runs used different losses (the
     * legend names each) or a run's is not recorded.
     */
    private static String lossTitle(List<RunData> runs) {
        Set<String> kinds = new LinkedHashSet<>();
        runs.forEach(r -> kinds.add(LOSS_LABELS.get(String.valueOf(r.valueLoss()))));
        String only = kinds.size() == 1 ? kinds.iterator().next() : null;
        return only != null ? Character.toUpperCase(only.charAt(0)) + only.substring(1) + " and Q-values"
                : "Value loss and Q-values";
    }

    /**
     * The specs to draw for these runs: the known groups with at least one present field, then
     * "other" for the remaining numeric fields.
     *
     * @param runs the runs (the first is the main run)
     * @return specs with only the present fields
     */
    static List<Spec> specs(List<RunData> runs) {
        Set<String> present = new LinkedHashSet<>();
        Set<String> xKeys = new LinkedHashSet<>();
        for (RunData r : runs) {
            present.addAll(r.numericFields());
            if (r.xKey() != null) {
                xKeys.add(r.xKey());
            }
        }
        List<Spec> out = new ArrayList<>();
        Set<String> handled = new LinkedHashSet<>(BOOKKEEPING);
        handled.addAll(xKeys);
        // compared runs are of one task (RunReport refuses others)
        boolean classification = Html.CLASSIFICATION.equals(runs.get(0).task());
        for (Spec s : KNOWN) {
            handled.addAll(s.left());
            handled.addAll(s.right());
            if (classification && NOT_FOR_CLASSIFICATION.contains(s.id())) {
                continue;
            }
            List<String> left = s.left().stream().filter(present::contains).toList();
            List<String> right = s.right().stream().filter(present::contains).toList();
            if (left.isEmpty()) {
                left = right;
                right = List.of();
            }
            if (!left.isEmpty()) {
                // a classification run is evaluated on labelled examples, not prompts to continue
                String title = classification ? s.title().replace("held-out prompts", "held-out examples") : s.title();
                if ("loss".equals(s.id())) {
                    title = lossTitle(runs);
                }
                out.add(new Spec(s.id(), title, left, right, s.leftTitle(), s.rightTitle()));
            }
        }
        List<String> other = present.stream().filter(f -> !handled.contains(f)).toList();
        if (!other.isEmpty()) {
            out.add(new Spec("other", "Other metrics", other, List.of(), "value", null));
        }
        return out;
    }

    /**
     * Draws every chart for these runs.
     *
     * @param runs the runs (the first is the main run; more are overlaid, named in the legend)
     * @return the charts, in report order (groups without a single finite value are left out)
     */
    static List<Chart> render(List<RunData> runs) {
        List<Chart> out = new ArrayList<>();
        for (Spec s : specs(runs)) {
            List<Line> lines = lines(s, runs);
            if (lines.stream().anyMatch(l -> !l.base())) {
                XYChart c = draw(s, runs.get(0).xKey(), lines);
                try {
                    out.add(new Chart(s.id(), s.title(), c.getWidth(), c.getHeight(),
                            BitmapEncoder.getBitmapBytes(c, BitmapEncoder.BitmapFormat.PNG)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot encode chart " + s.id(), e);
                }
            }
        }
        return out;
    }

    /** One drawn line: a metric of a run (or its base-model value, dashed). */
    private record Line(String name, double[] xs, double[] ys, double[] errors, int group, Color colour,
            Marker marker, boolean base) {}

    /**
     * The lines of a chart. One run: a colour per metric. Several runs: a colour per run and a
     * marker per metric, so that a run is one colour throughout the report.
     */
    /**
     * The names of the series a chart draws, its dashed base lines ({@code … (base)}) included, in drawing order.
     *
     * @param spec the chart
     * @param runs the runs it draws
     * @return the series names
     */
    static List<String> seriesNames(Spec spec, List<RunData> runs) {
        return lines(spec, runs).stream().map(Line::name).toList();
    }

    private static List<Line> lines(Spec spec, List<RunData> runs) {
        List<Line> out = new ArrayList<>();
        boolean manyRuns = runs.size() > 1;
        int colour = 0;
        for (int ri = 0; ri < runs.size(); ri++) {
            RunData run = runs.get(ri);
            List<String> policies = run.policies();
            String firstTrained = policies.stream().filter(p -> !"base".equals(p)).findFirst().orElse("");
            for (String policy : policies) {
                int fi = 0;
                for (int group = 0; group < 2; group++) {
                    for (String field : group == 0 ? spec.left() : spec.right()) {
                        int fieldIndex = fi++;
                        List<RunData.Row> rows = run.rows().stream()
                                .filter(r -> r.policy().equals(policy) && finite(r.values().get(field))).toList();
                        if (rows.isEmpty()) {
                            continue;
                        }
                        double[] xs = rows.stream().mapToDouble(RunData.Row::x).toArray();
                        double[] ys = rows.stream().mapToDouble(r -> r.values().get(field)).toArray();
                        String errField = ERROR_BARS.get(field);
                        boolean bars = errField != null && rows.stream().allMatch(r -> finite(r.values().get(errField)));
                        double[] errors = bars ? rows.stream().mapToDouble(r -> r.values().get(errField)).toArray() : null;
                        String plain = seriesName(run, manyRuns, policy, policies.size() > 1, field);
                        Color c = PALETTE[(manyRuns ? ri : colour++) % PALETTE.length];
                        out.add(new Line(bars ? plain + " ± std" : plain, xs, ys, errors, group, c,
                                manyRuns ? MARKERS[fieldIndex % MARKERS.length] : SeriesMarkers.CIRCLE, false));
                        Double base = run.summaryNumbers("base").get(field);
                        if (base != null && Double.isFinite(base) && !NO_BASE.contains(field) && policy.equals(firstTrained)) {
                            double lo = Math.min(0, Arrays.stream(xs).min().orElseThrow());
                            double hi = Arrays.stream(xs).max().orElseThrow();
                            out.add(new Line(plain + " (base)", new double[] {lo, hi == lo ? lo + 1 : hi},
                                    new double[] {base, base}, null, group, c, SeriesMarkers.NONE, true));
                        }
                    }
                }
            }
        }
        return out;
    }

    private static XYChart draw(Spec spec, String xKey, List<Line> lines) {
        String xTitle = xKey == null ? "evaluation" : xKey;
        // Legend below the plot: in one row when it fits, else without the base lines (the x-axis
        // title then says what dashed lines are), else one entry per row under a taller chart.
        List<String> all = lines.stream().map(Line::name).toList();
        List<String> main = lines.stream().filter(l -> !l.base()).map(Line::name).toList();
        boolean hideBase = legendWidth(all) > WIDTH - 24 && lines.size() > main.size();
        boolean stacked = legendWidth(hideBase ? main : all) > WIDTH - 24;
        int height = stacked ? HEIGHT + (main.size() - 1) * legendRowHeight() : HEIGHT;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height).title(spec.title())
                .xAxisTitle(hideBase ? xTitle + "   (dashed lines: base model)" : xTitle).build();
        XYStyler st = chart.getStyler();
        style(st);
        if (stacked) {
            st.setLegendLayout(Styler.LegendLayout.Vertical);
        }
        chart.setYAxisGroupTitle(0, axisTitle(spec.left(), spec.leftTitle()));
        if (lines.stream().anyMatch(l -> l.group() == 1)) {
            st.setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            chart.setYAxisGroupTitle(1, axisTitle(spec.right(), spec.rightTitle()));
        }
        double[][] yRange = {{Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}};
        boolean integerX = true;
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        for (Line l : lines) {
            XYSeries s = l.errors() != null ? chart.addSeries(l.name(), l.xs(), l.ys(), l.errors())
                    : chart.addSeries(l.name(), l.xs(), l.ys());
            s.setYAxisGroup(l.group());
            s.setLineColor(l.colour());
            s.setMarkerColor(l.colour());
            s.setMarker(l.marker());
            s.setLineStyle(l.base() ? DASHED : SOLID);
            s.setShowInLegend(!(l.base() && hideBase));
            for (double y : l.ys()) {
                yRange[l.group()][0] = Math.min(yRange[l.group()][0], y);
                yRange[l.group()][1] = Math.max(yRange[l.group()][1], y);
            }
            for (double x : l.xs()) {
                integerX &= x == Math.rint(x);
                xMin = Math.min(xMin, x);
                xMax = Math.max(xMax, x);
            }
        }
        for (int g = 0; g < 2; g++) {
            double lo = yRange[g][0];
            double hi = yRange[g][1];
            // A nearly constant, non-negative series (e.g. mean length 47.95..48) drawn from 0, not magnified.
            if (lo >= 0 && hi > 0 && hi - lo < 0.01 * hi) {
                st.setYAxisMin(g, 0.0);
            }
        }
        double yAbsMax = 0;
        for (double[] r : yRange) {
            if (Double.isFinite(r[0])) {
                yAbsMax = Math.max(yAbsMax, Math.max(Math.abs(r[0]), Math.abs(r[1])));
            }
        }
        st.setYAxisDecimalPattern(yAbsMax > 0 && yAbsMax < 1e-3 ? "0.0##E0" : "#,##0.####");
        if (xMin == xMax) {
            st.setXAxisMin(xMin - 1).setXAxisMax(xMax + 1);
        }
        if (integerX) {
            st.setXAxisDecimalPattern("#,##0");
        }
        return chart;
    }

    /** Width of a one-row legend: per entry the line sample, the text and XChart's paddings. */
    private static int legendWidth(List<String> names) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            FontMetrics fm = g.getFontMetrics(LEGEND_FONT);
            int w = 2 * LEGEND_PADDING;
            for (String n : names) {
                w += LEGEND_LINE + fm.stringWidth(n) + 3 * LEGEND_PADDING;
            }
            return w;
        } finally {
            g.dispose();
        }
    }

    /** Height of one entry of a stacked legend. */
    private static int legendRowHeight() {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        try {
            return g.getFontMetrics(LEGEND_FONT).getHeight() + LEGEND_PADDING;
        } finally {
            g.dispose();
        }
    }

    private static boolean finite(Double v) {
        return v != null && Double.isFinite(v);
    }

    private static String seriesName(RunData run, boolean manyRuns, String policy, boolean manyPolicies, String field) {
        StringBuilder b = new StringBuilder();
        if (manyRuns) {
            b.append(run.name()).append(" · ");
        }
        b.append(label(field, run));
        if (manyPolicies) {
            b.append(" (").append(policy.isEmpty() ? "no policy" : policy).append(')');
        }
        return b.toString();
    }

    private static String axisTitle(List<String> fields, String several) {
        return fields.size() == 1 ? label(fields.get(0)) : several;
    }

    private static void style(XYStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xCCCCCC));
        s.setPlotGridLinesColor(new Color(0xE6E6E6));
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        s.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        s.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setLegendFont(LEGEND_FONT);
        s.setLegendPadding(LEGEND_PADDING);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setLegendSeriesLineLength(LEGEND_LINE);
        s.setChartTitleBoxVisible(false);
        s.setMarkerSize(6);
        s.setErrorBarsColorSeriesColor(true);
        s.setAntiAlias(true);
        s.setPlotMargin(8);
    }
}
