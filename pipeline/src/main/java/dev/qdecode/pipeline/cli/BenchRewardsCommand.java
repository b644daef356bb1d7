package dev.qdecode.pipeline.cli;

import dev.qdecode.rewards.RewardBenchmarks;
import dev.qdecode.rewards.SharedDir;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qdecode bench rewards}: reward throughput, medians of several runs. */
@Command(name = "rewards", mixinStandardHelpOptions = true,
        description = "Measure reward throughput (items/s, median of --runs timed runs after --warmup untimed ones).")
final class BenchRewardsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Benchmarks to run (default: all; see --list).")
    List<String> names = new ArrayList<>();

    @Option(names = "--list", description = "List the benchmarks and exit.")
    boolean list;

    @Option(names = "--threads", defaultValue = "1", description = "Worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (RewardBenchmarks.Spec s : RewardBenchmarks.benchmarks()) {
                out.printf("%-24s %s (%s)%n", s.name(), s.description(), s.unit());
            }
            return ExitCodes.OK;
        }
        if (threads < 1 || runs < 1 || warmup < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--threads and --runs must be >= 1 and --warmup >= 0");
        }
        List<String> todo = new ArrayList<>(names);
        if (todo.isEmpty()) {
            RewardBenchmarks.benchmarks().forEach(s -> todo.add(s.name()));
        }
        out.println(BenchEnvironment.describe());
        for (String name : todo) {
            out.println(RewardBenchmarks.run(name, SharedDir.locate(), threads, warmup, runs).format());
            out.flush();
        }
        return ExitCodes.OK;
    }
}
