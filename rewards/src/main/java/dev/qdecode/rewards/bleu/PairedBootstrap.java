package dev.qdecode.rewards.bleu;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Paired bootstrap resampling (Koehn, 2004) of a corpus metric: both systems' segment statistics are
 * resampled with the same segment indices, and the corpus score difference is recomputed on each
 * resample. Reports the 95% percentile interval of the difference (sacreBLEU's index convention:
 * the {@code n/40}-th smallest and largest) and the one-sided p-value {@code (#{Δ* ≤ 0} + 1) / (n + 1)},
 * the share of resamples in which the system is not better than the baseline. Deterministic for a
 * seed (the resampled indices differ from sacreBLEU's NumPy stream, so its intervals match only
 * statistically).
 */
public final class PairedBootstrap {
    /** sacreBLEU's default number of resamples for {@code --paired-bs}. */
    public static final int DEFAULT_RESAMPLES = 1000;
    /** sacreBLEU's default seed ({@code SACREBLEU_SEED}). */
    public static final long DEFAULT_SEED = 12345L;

    /**
     * The comparison of one metric.
     *
     * @param metric the metric's name
     * @param baseline the baseline's corpus score
     * @param system the system's corpus score
     * @param lower lower end of the 95% interval of system − baseline
     * @param upper upper end of that interval
     * @param pValue one-sided p-value of "the system is not better"
     * @param resamples number of resamples
     * @param seed the resampling seed
     */
    public record Result(String metric, double baseline, double system, double lower, double upper, double pValue,
            int resamples, long seed) {

        /**
         * Checks that {@code metric} is given.
         *
         * @param metric see the record description
         * @param baseline see the record description
         * @param system see the record description
         * @param lower see the record description
         * @param upper see the record description
         * @param pValue see the record description
         * @param resamples see the record description
         * @param seed see the record description
         * @throws NullPointerException naming {@code metric} when it is null
         */
        public Result {
            Objects.requireNonNull(metric, "metric");
        }

        /**
         * The observed difference.
         *
         * @return system − baseline
         */
        public double delta() {
            return system - baseline;
        }

        /**
         * The comparison as JSON: {@code delta}, {@code lower95}, {@code upper95}, {@code p_not_better},
         * {@code resamples}, {@code seed}.
         *
         * @return a new JSON object
         */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("delta", delta());
            o.addProperty("lower95", lower);
            o.addProperty("upper95", upper);
            o.addProperty("p_not_better", pValue);
            o.addProperty("resamples", resamples);
            o.addProperty("seed", seed);
            return o;
        }
    }

    private PairedBootstrap() {}

    /**
     * Compares a system with a baseline on the same segments and references.
     *
     * @param metric the corpus metric
     * @param baseline the baseline's hypotheses
     * @param system the system's hypotheses (same order)
     * @param references each segment's references
     * @param resamples number of resamples (&gt; 0)
     * @param seed the resampling seed
     * @return the comparison
     * @throws IllegalArgumentException when the lists differ in length, are empty, a segment has no
     *     reference, or {@code resamples} is not positive
     * @throws NullPointerException naming {@code metric}, {@code baseline}, {@code system} or {@code references} when
     *     it is null
     */
    public static Result compare(CorpusMetric metric, List<String> baseline, List<String> system,
            List<? extends List<String>> references, int resamples, long seed) {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(baseline, "baseline");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(references, "references");
        if (resamples <= 0) {
            throw new IllegalArgumentException("resamples: expected a positive count but got " + resamples);
        }
        if (baseline.size() != system.size()) {
            throw new IllegalArgumentException("paired bootstrap: " + baseline.size() + " baseline but "
                    + system.size() + " system hypotheses");
        }
        long[][] a = metric.segmentStatistics(baseline, references);
        long[][] b = metric.segmentStatistics(system, references);
        int n = a.length;
        double scoreA = metric.scoreOf(CorpusStats.add(a, null));
        double scoreB = metric.scoreOf(CorpusStats.add(b, null));
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] deltas = new double[resamples];
        int notBetter = 0;
        int[] idx = new int[n];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                idx[i] = rnd.nextInt(n);
            }
            deltas[r] = metric.scoreOf(CorpusStats.add(b, idx)) - metric.scoreOf(CorpusStats.add(a, idx));
            notBetter += deltas[r] <= 0 ? 1 : 0;
        }
        Arrays.sort(deltas);
        int lo = resamples / 40;
        return new Result(metric.name(), scoreA, scoreB, deltas[lo], deltas[resamples - lo - 1],
                (notBetter + 1.0) / (resamples + 1.0), resamples, seed);
    }
}
