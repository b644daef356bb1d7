package dev.qdecode.rewards;

import java.util.Objects;

/**
 * A corpus-level metric value (e.g. corpus BLEU) with its reproducibility signature, returned by
 * {@link Reward#corpusScore(java.util.List)} for rewards that are corpus metrics.
 *
 * @param metric the metric name as printed, e.g. {@code BLEU} or {@code chrF2++}
 * @param score the corpus score (on the metric's own scale, e.g. 0–100 for BLEU)
 * @param signature the signature, e.g. {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}
 * @param line the full human-readable line, e.g. {@code BLEU|nrefs:1|... = 34.12 65.2/40.1/...}
 */
public record CorpusScore(String metric, double score, String signature, String line) {

    /**
     * Validates the fields.
     *
     * @param metric the metric name as printed; not null
     * @param score the corpus score on the metric's own scale
     * @param signature the reproducibility signature; not null
     * @param line the full human-readable line; not null
     * @throws NullPointerException if {@code metric}, {@code signature} or {@code line} is null
     */
    public CorpusScore {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(signature, "signature");
        Objects.requireNonNull(line, "line");
    }
}
