package dev.qdecode.pipeline.cli;

import dev.qdecode.rewards.RewardBenchmarks;
import dev.qdecode.rewards.SharedDir;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qdecode bench rewards}: reward throughput, medians of several runs, and the process's peak resident
 * memory after each benchmark.
 */
@Command(name = "rewards", mixinStandardHelpOptions = true,
        description = "Measure reward throughput (items/s, median of --runs timed runs after --warmup untimed ones) "
                + "and the process's peak resident memory after each benchmark.")
final class BenchRewardsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Benchmarks to run (default: all; see --list).")
    List<String> names = new ArrayList<>();

    @Option(names = "--list", description = "List the benchmarks (those that run on one thread say so) and exit;"
            + " takes no NAME or other option.")
    boolean list;

    /** More worker threads than this many per available processor measure only contention. */
    static final int MAX_THREADS_PER_PROCESSOR = 4;

    @Option(names = "--threads", defaultValue = "1",
            description = "Worker threads, at most 4 per available processor (default: ${DEFAULT-VALUE}). The"
                    + " benchmarks --list marks single-threaded run on one thread and are reported with threads=1;"
                    + " --threads with only those is refused.")
    int threads;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed warm-up runs (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin BenchOutput output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            if (!names.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "NAME " + names.get(0)
                        + ": not for bench rewards --list, which lists every benchmark (expected NAME only without"
                        + " --list)");
            }
            OptionScope.refuse(spec, "bench rewards --list, which runs nothing", "without --list",
                    List.of("--threads", "--runs", "--warmup", "--output", "--overwrite"));
            for (RewardBenchmarks.Spec s : RewardBenchmarks.benchmarks()) {
                out.printf("%-24s %s (%s%s)%n", s.name(), s.description(), s.unit(),
                        s.threaded() ? "" : "; single-threaded");
            }
            return ExitCodes.OK;
        }
        int processors = Runtime.getRuntime().availableProcessors();
        BenchOptions.between(spec, "--threads", threads, 1, (long) MAX_THREADS_PER_PROCESSOR * processors,
                MAX_THREADS_PER_PROCESSOR + " x the " + processors + " available processors");
        BenchOptions.runs(spec, runs);
        BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        List<String> known = RewardBenchmarks.benchmarks().stream().map(RewardBenchmarks.Spec::name).toList();
        for (String name : names) {
            if (!known.contains(name)) {
                throw new ParameterException(spec.commandLine(), "NAME " + name
                        + ": unknown benchmark (expected one of " + String.join(", ", known) + "; see --list)");
            }
        }
        BenchOptions.once(spec, "NAME", names);
        List<String> todo = names.isEmpty() ? known : names;
        refuseThreadsWhereUnused(todo);
        output.check(spec);
        JsonObject record = BenchOutput.record(spec);
        JsonArray results = new JsonArray();
        output.started(spec.commandLine().getErr());
        out.println(BenchEnvironment.describe());
        out.println("measured: items/s of the median timed run, after " + warmup + (warmup == 1 ? " warm-up run"
                : " warm-up runs") + " per benchmark; peak RSS: the process's peak resident memory so far (also of "
                + "the benchmarks above it)");
        for (String name : todo) {
            RewardBenchmarks.Result r = RewardBenchmarks.run(name, SharedDir.locate(), threads, warmup, runs);
            long peak = BenchEnvironment.peakRssMiB();
            out.println(r.format() + "  peak RSS " + peak + " MiB");
            out.flush();
            JsonObject row = new JsonObject();
            row.addProperty("name", r.name());
            row.addProperty("unit", r.unit());
            row.addProperty("threads", r.threads());
            row.addProperty("items", r.items());
            row.addProperty("per_s", r.medianPerSecond());
            row.addProperty("per_s_min", r.rangePerSecond()[0]);
            row.addProperty("per_s_max", r.rangePerSecond()[1]);
            row.add("seconds_runs", BenchOutput.json(r.secondsPerRun()));
            row.addProperty("peak_rss_mib", peak);
            results.add(row);
        }
        record.add("results", results);
        output.write(record, out);
        return ExitCodes.OK;
    }

    /**
     * Refuses {@code --threads} when every benchmark to run is single-threaded: it would change nothing.
     * With at least one threaded benchmark it is taken, and the single-threaded ones report threads=1.
     */
    private void refuseThreadsWhereUnused(List<String> todo) {
        List<String> threaded = new ArrayList<>();
        for (RewardBenchmarks.Spec s : RewardBenchmarks.benchmarks()) {
            if (s.threaded()) {
                threaded.add(s.name());
            }
        }
        if (todo.stream().noneMatch(threaded::contains)) {
            String benchmarks = todo.size() == 1 ? "benchmark " + todo.get(0) : "benchmarks " + String.join(", ", todo);
            OptionScope.refuse(spec, "the single-threaded " + benchmarks, "with "
                    + String.join(", ", threaded.subList(0, threaded.size() - 1)) + " or "
                    + threaded.get(threaded.size() - 1), List.of("--threads"));
        }
    }
}
