package dev.qdecode.pipeline.cli;

import picocli.CommandLine;

/** The list of subcommands, in the order {@code qdecode --help} shows them. */
final class Subcommands {
    private Subcommands() {}

    static void register(CommandLine cl) {
        cl.addSubcommand(new GenerateCommand());
        cl.addSubcommand(new TrainCommand());
        cl.addSubcommand(new SftCommand());
        cl.addSubcommand(new EvaluateCommand());
        cl.addSubcommand(new ReportCommand());
        cl.addSubcommand(new RewardsCommand());
        cl.addSubcommand(new ClassifierCommand());
        cl.addSubcommand(new TokenizerCommand());
        cl.addSubcommand(new BenchCommand());
    }
}
