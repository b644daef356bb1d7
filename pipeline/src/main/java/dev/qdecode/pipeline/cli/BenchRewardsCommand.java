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

    /** More worker threads than this many per available processor measure only contention. */
    static final int MAX_THREADS_PER_PROCESSOR = 4;

    @Option(names = "--threads", defaultValue = "1",
            description = "Worker threads, at most 4 per available processor (default: ${DEFAULT-VALUE}).")
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
        int processors = Runtime.getRuntime().availableProcessors();
        BenchOptions.between(spec, "--threads", threads, 1, (long) MAX_THREADS_PER_PROCESSOR * processors,
                MAX_THREADS_PER_PROCESSOR + " x the " + processors + " available processors");
        BenchOptions.atLeast(spec, "--runs", runs, 1);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        List<String> known = RewardBenchmarks.benchmarks().stream().map(RewardBenchmarks.Spec::name).toList();
        for (String name : names) {
            if (!known.contains(name)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "NAME " + name
                        + ": unknown benchmark (expected one of " + String.join(", ", known) + "; see --list)");
            }
        }
        List<String> todo = names.isEmpty() ? known : names;
        out.println(BenchEnvironment.describe());
        for (String name : todo) {
            out.println(RewardBenchmarks.run(name, SharedDir.locate(), threads, warmup, runs).format());
            out.flush();
        }
        return ExitCodes.OK;
    }
}
