package dev.qdecode.pipeline.generate;

import java.util.List;
import java.util.Objects;

/**
 * Everything that decides what {@link Generator} produces, validated in one place.
 *
 * @param sampling how tokens are chosen
 * @param maxNewTokens the most tokens to generate per prompt (&gt; 0)
 * @param minNewTokens end-of-sequence is suppressed until this many tokens exist (0..max)
 * @param stopStrings generation stops when one of these appears in the generated text
 * @param seed the random seed (each prompt gets its own stream, so batching changes results only through float rounding)
 * @param batchSize prompts decoded together (&gt; 0)
 * @param tokenHealing back up the last prompt token and constrain the first new token to pieces
 *     that start with its text
 * @param truncatePrompt drop the oldest prompt tokens when prompt + new tokens exceed the model's
 *     context, instead of failing
 * @param beams 1 = one token at a time by {@code sampling}; N &gt; 1 = beam search of width N
 *     (deterministic: requires greedy {@code sampling} and no stop strings), which returns the
 *     finished hypothesis with the highest sum of log-probabilities divided by its length to the
 *     power {@code lengthPenalty}
 * @param lengthPenalty α in score / length^α for beam search (0 = raw sum, which favours short
 *     outputs; 1 = per-token average, the default of fairseq and Hugging Face); ≥ 0
 */
public record GenerationConfig(
        SamplingConfig sampling,
        int maxNewTokens,
        int minNewTokens,
        List<String> stopStrings,
        long seed,
        int batchSize,
        boolean tokenHealing,
        boolean truncatePrompt,
        int beams,
        double lengthPenalty) {

    /**
     * Validates the fields; errors name the CLI option.
     *
     * @param sampling how tokens are chosen; not null, greedy when {@code beams > 1}
     * @param maxNewTokens the most tokens to generate per prompt, {@code > 0}
     * @param minNewTokens tokens before end-of-sequence is allowed, in [0, {@code maxNewTokens}]
     * @param stopStrings stop strings, each non-empty, none when {@code beams > 1}; null means none;
     *     copied
     * @param seed the random seed
     * @param batchSize prompts decoded together, {@code > 0}
     * @param tokenHealing back up the last prompt token
     * @param truncatePrompt drop the oldest prompt tokens when too long instead of failing
     * @param beams the beam width, {@code >= 1} (1 = no beam search)
     * @param lengthPenalty α for beam search, finite and {@code >= 0}
     * @throws IllegalArgumentException naming the option when a value is out of range or the
     *     combination is invalid
     * @throws NullPointerException naming {@code sampling} when it is null
     */
    public GenerationConfig {
        Objects.requireNonNull(sampling, "sampling");
        if (maxNewTokens <= 0) {
            throw new IllegalArgumentException("--max-new-tokens: expected a positive count but got " + maxNewTokens);
        }
        if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("--min-new-tokens: expected 0.." + maxNewTokens + " but got " + minNewTokens);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch-size: expected a positive count but got " + batchSize);
        }
        stopStrings = stopStrings == null ? List.of() : List.copyOf(stopStrings);
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("--stop: expected a non-empty string");
            }
        }
        if (beams < 1) {
            throw new IllegalArgumentException("--beams: expected a positive count but got " + beams);
        }
        if (!(lengthPenalty >= 0) || !Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("--length-penalty: expected a number >= 0 but got " + lengthPenalty);
        }
        if (beams > 1 && !sampling.greedy()) {
            throw new IllegalArgumentException("--beams " + beams + ": beam search is deterministic (expected "
                    + "--strategy greedy with it)");
        }
        if (beams > 1 && !stopStrings.isEmpty()) {
            throw new IllegalArgumentException("--stop: not supported with --beams " + beams + " (expected one of them)");
        }
    }

    /**
     * One token at a time (no beam search), α = 1.
     *
     * @param sampling how tokens are chosen
     * @param maxNewTokens the most tokens to generate per prompt
     * @param minNewTokens end-of-sequence is suppressed until this many tokens exist
     * @param stopStrings stop strings; null means none
     * @param seed the random seed
     * @param batchSize prompts decoded together
     * @param tokenHealing back up the last prompt token
     * @param truncatePrompt drop the oldest prompt tokens when too long
     * @return the config
     * @throws NullPointerException naming {@code sampling} when it is null
     */
    public static GenerationConfig stepwise(SamplingConfig sampling, int maxNewTokens, int minNewTokens,
            List<String> stopStrings, long seed, int batchSize, boolean tokenHealing, boolean truncatePrompt) {
        Objects.requireNonNull(sampling, "sampling");
        return new GenerationConfig(sampling, maxNewTokens, minNewTokens, stopStrings, seed, batchSize, tokenHealing,
                truncatePrompt, 1, 1.0);
    }

    /**
     * The same settings with beam search of the given width.
     *
     * @param width the number of beams (1 = off)
     * @param alpha the length penalty α
     * @return the new config
     * @throws IllegalArgumentException naming the option when the combination is invalid
     */
    public GenerationConfig withBeams(int width, double alpha) {
        return new GenerationConfig(sampling, maxNewTokens, minNewTokens, stopStrings, seed, batchSize, tokenHealing,
                truncatePrompt, width, alpha);
    }
}
