package dev.qdecode.pipeline.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code qdecode bench}: speed and memory benchmarks (never timed assertions in tests). */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: medians of several runs after warm-up, with machine load printed.",
        subcommands = {BenchGenerateCommand.class, BenchRewardsCommand.class, BenchTrainCommand.class})
final class BenchCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: generate, rewards or train");
    }
}
