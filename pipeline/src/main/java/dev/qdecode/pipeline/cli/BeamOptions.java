package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.SamplingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Beam-search options, shared by {@code generate} and {@code evaluate --task translation}. */
final class BeamOptions {
    @Option(names = "--beams", paramLabel = "N", defaultValue = "1",
            description = "Beam search of width N (1 = off): keeps the N best partial outputs by summed "
                    + "log-probability (with --policy: of the guided policy log pi_ref + Q/tau_Q over its candidates) "
                    + "and returns the best finished one. Deterministic (in generate it implies "
                    + "--strategy greedy) (default: ${DEFAULT-VALUE}).")
    int beams;

    @Option(names = "--length-penalty", paramLabel = "ALPHA", defaultValue = "1.0",
            description = "Beam search ranks finished outputs by score / length^ALPHA (0 = raw sum, which favours "
                    + "short outputs) (default: ${DEFAULT-VALUE}).")
    double lengthPenalty;

    /**
     * Applies the options: with {@code --beams N > 1} and no {@code --strategy} given, decoding
     * becomes greedy (beam search is deterministic).
     *
     * @param cfg the step-by-step settings
     * @param spec the command (for usage errors and whether {@code --strategy} was given)
     * @param unread collects the options this decoding does not read ({@code --length-penalty} without beams)
     * @return the settings with beam search
     * @throws CommandLine.ParameterException naming the option when the combination is invalid
     */
    GenerationConfig apply(GenerationConfig cfg, CommandLine.Model.CommandSpec spec, java.util.Set<String> unread) {
        if (beams <= 1) {
            OptionScope.refuse(spec, "decoding without beam search", "with --beams N above 1",
                    java.util.List.of("--length-penalty"), unread);
        }
        try {
            GenerationConfig c = cfg;
            if (beams > 1 && spec.optionsMap().containsKey("--strategy")
                    && !spec.commandLine().getParseResult().hasMatchedOption("--strategy")) {
                c = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), c.maxNewTokens(), c.minNewTokens(),
                        c.stopStrings(), c.seed(), c.batchSize(), c.tokenHealing(), c.truncatePrompt());
            }
            return c.withBeams(beams, lengthPenalty);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
