package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.SamplingConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Decoding options shared by {@code generate}, {@code evaluate} and {@code train}. */
final class DecodeOptions {

    /** Creates the options (used by picocli). */
    public DecodeOptions() {}

    /** How the next token is chosen. */
    enum Strategy {
        /** The most likely token. */
        greedy,
        /** Sampling with temperature, top-k and top-p. */
        sample
    }

    @Option(names = "--strategy", paramLabel = "greedy|sample", defaultValue = "sample",
            description = "How tokens are chosen (default: ${DEFAULT-VALUE}).")
    Strategy strategy;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature > 0 (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "50", description = "Sample among the k most likely tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass in (0,1]; 1 = off (default: ${DEFAULT-VALUE}).")
    double topP;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "Most tokens generated per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--min-new-tokens", defaultValue = "0",
            description = "End-of-sequence is suppressed until this many tokens exist (default: ${DEFAULT-VALUE}).")
    int minNewTokens;

    @Option(names = "--batch-size", defaultValue = "32", description = "Prompts decoded together (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seed", defaultValue = "42", description = "Sampling seed; same seed, same output (default: ${DEFAULT-VALUE}; greedy decoding takes none).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears in the output (repeatable).")
    List<String> stop = new ArrayList<>();

    @Option(names = "--no-token-healing", negatable = false,
            description = "Do not back up the last prompt token (token healing is on by default: a prompt that ends "
                    + "mid-piece, e.g. in ',' for TinyStories-656K, is completed on-distribution).")
    boolean noTokenHealing;

    @Option(names = "--truncate-prompt", description = "Drop the oldest prompt tokens when the prompt is too long for the "
            + "model's context (default: fail with an error).")
    boolean truncatePrompt;

    /**
     * Builds the validated generation config.
     *
     * @param spec the command spec (for usage errors)
     * @return the config
     * @throws CommandLine.ParameterException naming the option when a value is out of range
     */
    public GenerationConfig toConfig(CommandLine.Model.CommandSpec spec) {
        try {
            SamplingConfig sampling = strategy == Strategy.greedy
                    ? new SamplingConfig(true, temperature, topK, topP)
                    : new SamplingConfig(false, temperature, topK, topP);
            return GenerationConfig.stepwise(sampling, maxNewTokens, minNewTokens, stop, seed, batchSize,
                    !noTokenHealing, truncatePrompt);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
