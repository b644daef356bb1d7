package dev.qdecode.pipeline.generate;

import dev.qdecode.models.ModelConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Peak memory of decoding one batch, estimated before decoding so that a batch that cannot fit is
 * refused with the estimate instead of exhausting the machine: the KV cache of every row ({@code
 * rows x layers x 2 x kvHeads x headDim x (longest prompt + new tokens)} floats, counted twice
 * because a step that drops or reorders rows copies it), a step's logits three times (the engine's
 * tensor, its Java copy and a policy's rescored copy) and the prompts' attention scores during the
 * prefill ({@code prompts x heads x promptLength^2} floats). Rows are prompts times beams.
 */
public final class DecodeMemory {
    private DecodeMemory() {}

    /**
     * Estimates the peak bytes of decoding a batch.
     *
     * @param c the model architecture
     * @param prompts prompts decoded together
     * @param beams beams per prompt (1 without beam search)
     * @param longestPrompt tokens of the longest prompt
     * @param maxNew new tokens at most
     * @return the estimate in bytes
     * @throws NullPointerException naming {@code c} when it is null
     */
    public static long bytes(ModelConfig c, int prompts, int beams, int longestPrompt, int maxNew) {
        Objects.requireNonNull(c, "c");
        double rows = (double) prompts * beams;
        double context = (double) longestPrompt + maxNew;
        double kv = rows * c.numLayers() * 2.0 * c.numKvHeads() * c.headDim() * context;
        double logits = rows * c.vocabSize();
        double prefill = (double) prompts * c.numHeads() * longestPrompt * longestPrompt;
        double floats = 2 * kv + 3 * logits + prefill;
        return (long) Math.min(Long.MAX_VALUE, 4 * floats);
    }

    /**
     * Refuses a batch whose estimate exceeds the JVM's maximum heap.
     *
     * @param c the model architecture
     * @param prompts prompts decoded together
     * @param beams beams per prompt (1 without beam search)
     * @param longestPrompt tokens of the longest prompt (0: not counted, for a check before encoding)
     * @param maxNew new tokens at most
     * @param what what is decoded, for the message, e.g. {@code decoding 32 prompts}
     * @param smaller the options that lower the estimate, for the message, e.g. {@code --batch-size}
     * @throws GenerationException naming the estimate, the limit and the options
     * @throws NullPointerException naming {@code c}, {@code what} or {@code smaller} when it is null
     */
    public static void check(ModelConfig c, int prompts, int beams, int longestPrompt, int maxNew, String what,
            String smaller) {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(smaller, "smaller");
        Objects.requireNonNull(c, "c");
        long need = bytes(c, prompts, beams, longestPrompt, maxNew);
        long limit = Runtime.getRuntime().maxMemory();
        if (need > limit) {
            String tokens = longestPrompt > 0 ? " of up to " + longestPrompt + "+" + maxNew + " tokens"
                    : " of " + maxNew + " new tokens";
            throw new GenerationException(what + tokens + " needs about "
                    + format(need) + ", more than the maximum heap of " + format(limit) + " (expected a smaller "
                    + smaller + ", or a larger heap, e.g. QDECODE_JAVA_OPTS=-Xmx16g)");
        }
    }

    /**
     * The longest of some token sequences.
     *
     * @param ids the sequences
     * @return the largest length (0 for none)
     * @throws NullPointerException naming {@code ids} when it is null
     */
    public static int longest(int[][] ids) {
        Objects.requireNonNull(ids, "ids");
        return Arrays.stream(ids).mapToInt(a -> a.length).max().orElse(0);
    }

    /**
     * Formats a size for messages.
     *
     * @param b bytes
     * @return e.g. {@code 1.23 GiB}, {@code 80.0 MiB}, {@code 1.0 KiB} or {@code 512 bytes}
     */
    public static String format(long b) {
        if (b >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", b / (double) (1L << 20));
        }
        return b >= 1L << 10 ? String.format(Locale.ROOT, "%.1f KiB", b / (double) (1L << 10)) : b + " bytes";
    }
}
