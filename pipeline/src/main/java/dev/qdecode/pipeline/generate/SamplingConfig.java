package dev.qdecode.pipeline.generate;

/**
 * How the next token is chosen from the model's logits.
 *
 * @param greedy pick the most likely token (temperature, top-k and top-p are then ignored)
 * @param temperature divides the logits before sampling (&gt; 0)
 * @param topK keep only the k most likely tokens (0 = off)
 * @param topP keep the smallest set of tokens whose probability reaches p (1.0 = off)
 */
public record SamplingConfig(boolean greedy, double temperature, int topK, double topP) {

    /**
     * Validates the fields; errors name the option.
     *
     * @param greedy pick the most likely token
     * @param temperature divides the logits before sampling, finite and {@code > 0} (checked also
     *     when greedy)
     * @param topK keep only the k most likely tokens, {@code >= 0} (0 = off)
     * @param topP nucleus probability, in (0, 1] (1.0 = off)
     * @throws IllegalArgumentException naming the option when a value is out of range
     */
    public SamplingConfig {
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("--temperature: expected a number > 0 but got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k: expected 0 (off) or a positive count but got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("--top-p: expected a number in (0, 1] but got " + topP);
        }
    }

    /**
     * Greedy decoding.
     *
     * @return the config
     */
    public static SamplingConfig greedyDecoding() {
        return new SamplingConfig(true, 1.0, 0, 1.0);
    }
}
