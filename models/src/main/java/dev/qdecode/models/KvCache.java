package dev.qdecode.models;

import ai.djl.ndarray.NDManager;

/**
 * Key/value cache of a batch of sequences being decoded incrementally, created by {@link
 * CausalLM#prefill}.
 *
 * <p>The cache is preallocated for {@code longest prompt + maxNewTokens} positions and written in
 * place; prompts are left-padded (masked) so that every row appends at the same column. Rows are
 * numbered {@code 0..batchSize()-1}; {@link #retainRows} renumbers them. A cache is not thread-safe;
 * close it to release its native memory.
 */
public interface KvCache extends AutoCloseable {

    /**
     * Number of rows currently in the cache.
     *
     * @return the batch size
     */
    int batchSize();

    /**
     * Tokens processed so far in a row (its prompt plus the tokens appended by {@link #step}).
     *
     * @param row a row index in {@code [0, batchSize())}
     * @return the row's length
     */
    int length(int row);

    /**
     * Number of further tokens each row can take before the cache is full.
     *
     * @return remaining steps (0 when full)
     */
    int remaining();

    /**
     * The output at the latest position of every row: after {@link CausalLM#prefill}, the last prompt
     * token; after {@link #step}, the appended token. Its arrays belong to the manager given to that
     * call.
     *
     * @return logits {@code [batch, vocab]} and hidden state {@code [batch, hidden]}
     * @throws IllegalStateException if the arrays of the latest output were already closed
     */
    StepOutput last();

    /**
     * Appends one token to every row and runs the model on it.
     *
     * @param stepManager manager that will own the returned arrays (intermediates are freed before
     *     returning)
     * @param nextTokens one token id per row, {@code length == batchSize()}
     * @return logits {@code [batch, vocab]} and hidden state {@code [batch, hidden]}, float32
     * @throws IllegalArgumentException if the number of tokens or a token id is wrong
     * @throws IllegalStateException if the cache is full or closed
     */
    StepOutput step(NDManager stepManager, int[] nextTokens);

    /**
     * Keeps only the given rows, in the given order (e.g. drop finished sequences to save work). The
     * output returned by {@link #last()} is reduced the same way when its arrays are still open.
     *
     * @param rows indices of the rows to keep (at least one; each in {@code [0, batchSize())})
     * @throws IllegalArgumentException if {@code rows} is empty or holds an invalid index
     */
    void retainRows(int[] rows);

    /** Releases the cache's native memory. Idempotent. */
    @Override
    void close();
}
