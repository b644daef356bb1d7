package dev.qdecode.pipeline.generate;

import ai.djl.ndarray.NDManager;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.KvCache;
import dev.qdecode.models.StepOutput;

/**
 * The prefill, score, choose, step loop shared by step-by-step generation and beam search: the
 * model runs on the cache rows, the policy (if any) rescores them, a {@link Chooser} says which rows
 * go on (in which order, repeats allowed) with which next token, and the cache follows.
 */
final class DecodeLoop {
    private DecodeLoop() {}

    /** Decides the next step from the scores of the current rows. */
    @FunctionalInterface
    interface Chooser {
        /**
         * Called once per step.
         *
         * @param scores row-major {@code rows × V} (after the policy)
         * @param rows the number of cache rows
         * @param step tokens appended so far (0 right after the prompt)
         * @return the rows to keep and their next tokens (an empty step ends the loop)
         */
        Step choose(float[] scores, int rows, int step);
    }

    /**
     * The next step.
     *
     * @param rows cache rows to continue, in their new order (repeats duplicate a row)
     * @param tokens the token each continued row appends
     */
    record Step(int[] rows, int[] tokens) {}

    /**
     * Runs the loop until the chooser continues no row.
     *
     * @param model the model
     * @param prompts the prompt ids (one cache row each at first)
     * @param maxNewTokens the cache's room for new tokens
     * @param policy rescoring policy (null = the model's logits)
     * @param firstAllowed per prompt, the only ids its first new token may be (null entries or null: no
     *     constraint); handed to the policy at the first step, where row i is prompt i
     * @param minNewTokens steps (new tokens) before end-of-sequence may be chosen; the policy is told the
     *     end-of-sequence ids are banned until then
     * @param eosIds the end-of-sequence ids
     * @param nanos accumulates {backbone, choosing} time
     * @param chooser decides each step
     */
    static void run(CausalLM model, int[][] prompts, int maxNewTokens, TokenPolicy policy, int[][] firstAllowed,
            int minNewTokens, int[] eosIds, long[] nanos, Chooser chooser) {
        int vocab = model.config().vocabSize();
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager stepManager = root.newSubManager();
            long t0 = System.nanoTime();
            KvCache cache = model.prefill(stepManager, prompts, maxNewTokens);
            try {
                StepOutput out = cache.last();
                for (int step = 0; ; step++) {
                    int rows = cache.batchSize();
                    float[] scores = out.logits().toFloatArray();
                    long t1 = System.nanoTime();
                    nanos[0] += t1 - t0;
                    if (policy != null) {
                        scores = policy.scores(out, scores, rows, vocab, step == 0 ? firstAllowed : null,
                                step < minNewTokens ? eosIds : null);
                    }
                    stepManager.close();
                    Step next = chooser.choose(scores, rows, step);
                    t0 = System.nanoTime();
                    nanos[1] += t0 - t1;
                    if (next.rows().length == 0) {
                        break;
                    }
                    if (!isIdentity(next.rows(), rows)) {
                        cache.retainRows(next.rows());
                    }
                    stepManager = root.newSubManager();
                    out = cache.step(stepManager, next.tokens());
                }
            } finally {
                cache.close();
            }
        }
    }

    private static boolean isIdentity(int[] keep, int rows) {
        if (keep.length != rows) {
            return false;
        }
        for (int i = 0; i < rows; i++) {
            if (keep[i] != i) {
                return false;
            }
        }
        return true;
    }
}
