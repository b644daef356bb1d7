package dev.qdecode.pipeline.generate;

import dev.qdecode.models.StepOutput;
import java.util.Objects;

/**
 * A decoding policy on top of the language model: at each step it may replace the model's logits
 * by its own scores (e.g. log π_ref + Q/τ on a candidate set, −∞ elsewhere). The {@link Generator}
 * then applies the usual constraints and greedy/sampled choice to the returned scores.
 */
public interface TokenPolicy {

    /**
     * Scores for the next token of every active row.
     *
     * @param out the model's step output (logits {@code [R, V]} and state embeddings {@code [R, H]})
     * @param logits the same logits copied to Java, row-major {@code R × V}
     * @param rows the number of active rows R
     * @param vocab the vocabulary size V
     * @return scores row-major {@code R × V} (may be {@code logits} itself, modified in place)
     */
    float[] scores(StepOutput out, float[] logits, int rows, int vocab);

    /**
     * Scores for the next token of every active row when some rows may choose only among given tokens
     * (token healing's first step), so that a policy can draw its own choices from those tokens. The
     * default ignores {@code allowed} (the generator applies it to the returned scores anyway).
     *
     * @param out the model's step output (logits {@code [R, V]} and state embeddings {@code [R, H]})
     * @param logits the same logits copied to Java, row-major {@code R × V}
     * @param rows the number of active rows R
     * @param vocab the vocabulary size V
     * @param allowed per row, the only ids it may choose (a null entry: no constraint); null = none for any row
     * @return scores row-major {@code R × V} (may be {@code logits} itself, modified in place)
     */
    default float[] scores(StepOutput out, float[] logits, int rows, int vocab, int[][] allowed) {
        return scores(out, logits, rows, vocab);
    }

    /**
     * Scores for the next token of every active row under the generator's constraints of this step: some rows
     * may choose only among given tokens (token healing's first step), and every row is barred from the
     * {@code banned} tokens (end-of-sequence before {@code --min-new-tokens}), so that a policy can draw its
     * own choices from the tokens the generator will accept. The default ignores {@code banned} (the
     * generator applies it to the returned scores anyway) and calls the method that matches {@code allowed}.
     *
     * @param out the model's step output (logits {@code [R, V]} and state embeddings {@code [R, H]})
     * @param logits the same logits copied to Java, row-major {@code R × V}
     * @param rows the number of active rows R
     * @param vocab the vocabulary size V
     * @param allowed per row, the only ids it may choose (a null entry: no constraint); null = none for any row
     * @param banned ids no row may choose at this step (null or empty: none)
     * @return scores row-major {@code R × V} (may be {@code logits} itself, modified in place)
     */
    default float[] scores(StepOutput out, float[] logits, int rows, int vocab, int[][] allowed, int[] banned) {
        return allowed == null ? scores(out, logits, rows, vocab) : scores(out, logits, rows, vocab, allowed);
    }

    /**
     * log Σ exp over a row of scores (the log-normaliser that turns them into log-probabilities;
     * −∞ entries count as zero probability).
     *
     * @param row scores, row-major
     * @param off the row's first index
     * @param len the row's length
     * @return the log-sum-exp
     * @throws NullPointerException naming {@code row} when it is null
     */
    static double logSumExp(float[] row, int off, int len) {
        Objects.requireNonNull(row, "row");
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) {
            max = Math.max(max, row[off + i]);
        }
        double z = 0;
        for (int i = 0; i < len; i++) {
            z += Math.exp(row[off + i] - max);
        }
        return max + Math.log(z);
    }
}
