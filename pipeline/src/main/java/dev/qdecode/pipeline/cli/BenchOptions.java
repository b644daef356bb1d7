package dev.qdecode.pipeline.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Range checks of the {@code bench} commands' numeric options, made before any work: a value out of
 * range is a usage error naming the option, the value given and the range expected.
 */
final class BenchOptions {
    private BenchOptions() {}

    /** The most timed runs a benchmark takes: it keeps the timing of every run. */
    static final int MAX_RUNS = 10_000;

    /**
     * Refuses a {@code --runs} outside {@code [1, MAX_RUNS]}.
     *
     * @param spec the command
     * @param runs the value given
     * @throws CommandLine.ParameterException {@code --runs 0: out of range (expected 1 to 10000: the timing of
     *     every run is kept)}
     */
    static void runs(CommandSpec spec, int runs) {
        between(spec, "--runs", runs, 1, MAX_RUNS, "the timing of every run is kept");
    }

    /**
     * Refuses a value below {@code min}.
     *
     * @param spec the command
     * @param option the option name, e.g. {@code --runs}
     * @param value the value given
     * @param min the smallest value accepted
     * @throws CommandLine.ParameterException {@code --runs 0: out of range (expected at least 1)}
     */
    static void atLeast(CommandSpec spec, String option, long value, long min) {
        if (value < min) {
            throw outOfRange(spec, option, value, "at least " + min);
        }
    }

    /**
     * Refuses a value outside {@code [min, max]}.
     *
     * @param spec the command
     * @param option the option name
     * @param value the value given
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @param why why {@code max} is the limit, for the message (e.g. {@code 4 x the 2 available
     *     processors}); empty for none
     * @throws CommandLine.ParameterException {@code --threads 100000: out of range (expected 1 to 8: 4 x
     *     the 2 available processors)}
     */
    static void between(CommandSpec spec, String option, long value, long min, long max, String why) {
        if (value < min || value > max) {
            throw outOfRange(spec, option, value, min + " to " + max + (why.isEmpty() ? "" : ": " + why));
        }
    }

    /**
     * Refuses a list with an element below 1 (or missing).
     *
     * @param spec the command
     * @param option the option name, e.g. {@code --batch-sizes}
     * @param values the values given
     * @throws CommandLine.ParameterException {@code --batch-sizes 8,0: 0 is out of range (expected
     *     positive sizes)}
     */
    static void allPositive(CommandSpec spec, String option, List<Integer> values) {
        for (Integer v : values) {
            if (v == null || v < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " "
                        + joined(values) + ": " + v + " is out of range (expected positive sizes)");
            }
        }
        once(spec, option, values);
    }

    /**
     * Refuses a value given twice in a list of things to measure: it would be measured twice, and its
     * rows read as two results.
     *
     * @param spec the command
     * @param option the option or parameter, for the message
     * @param values the values given
     */
    static void once(CommandSpec spec, String option, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (values.subList(0, i).contains(values.get(i))) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + " " + values.get(i)
                        + ": given twice (expected each once)");
            }
        }
    }

    private static CommandLine.ParameterException outOfRange(CommandSpec spec, String option, long value,
            String expected) {
        return new CommandLine.ParameterException(spec.commandLine(),
                option + " " + value + ": out of range (expected " + expected + ")");
    }

    private static String joined(List<Integer> values) {
        return String.join(",", values.stream().map(String::valueOf).toList());
    }
}
