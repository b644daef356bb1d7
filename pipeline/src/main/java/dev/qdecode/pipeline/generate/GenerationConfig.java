package dev.qdecode.pipeline.generate;

import java.util.List;

/**
 * Everything that decides what {@link Generator} produces, validated in one place.
 *
 * @param sampling how tokens are chosen
 * @param maxNewTokens the most tokens to generate per prompt (&gt; 0)
 * @param minNewTokens end-of-sequence is suppressed until this many tokens exist (0..max)
 * @param stopStrings generation stops when one of these appears in the generated text
 * @param seed the random seed (each prompt gets its own stream, so results do not depend on batching)
 * @param batchSize prompts decoded together (&gt; 0)
 * @param tokenHealing back up the last prompt token and constrain the first new token to pieces
 *     that start with its text
 * @param truncatePrompt drop the oldest prompt tokens when prompt + new tokens exceed the model's
 *     context, instead of failing
 */
public record GenerationConfig(
        SamplingConfig sampling,
        int maxNewTokens,
        int minNewTokens,
        List<String> stopStrings,
        long seed,
        int batchSize,
        boolean tokenHealing,
        boolean truncatePrompt) {

    /** Validates the fields; errors name the CLI option. */
    public GenerationConfig {
        if (sampling == null) {
            throw new IllegalArgumentException("sampling: missing");
        }
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
    }
}
