package dev.qdecode.pipeline.cli;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Options that only some uses of a command read. Given where they would be ignored (a translation file
 * column on a continuation run, a policy setting without a policy), they are refused with a usage
 * error that says where they belong, instead of being silently skipped.
 */
final class OptionScope {
    private OptionScope() {}

    /**
     * Refuses the first of {@code options} given on the command line.
     *
     * @param spec the command
     * @param where the use that ignores them, for the message (e.g. {@code "generate without --policy"})
     * @param expected where they belong (e.g. {@code "with --policy"})
     * @param options option names
     * @throws CommandLine.ParameterException {@code OPTION: not for WHERE (expected it only EXPECTED)}
     */
    static void refuse(CommandSpec spec, String where, String expected, List<String> options) {
        CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        for (String o : options) {
            if (pr.hasMatchedOption(o)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        o + ": not for " + where + " (expected it only " + expected + ")");
            }
        }
    }

    /**
     * {@link #refuse(CommandSpec, String, String, List)}, and adds the options to {@code unread}: this use of
     * the command does not read them, so a record of its options ({@link ResumableOutput}) leaves them out.
     *
     * @param spec the command
     * @param where the case in which they are not read
     * @param expected where they are read
     * @param options the options
     * @param unread collects the options not read
     */
    static void refuse(CommandSpec spec, String where, String expected, List<String> options,
            Set<String> unread) {
        refuse(spec, where, expected, options);
        unread.addAll(options);
    }

    /**
     * Refuses every given option that {@code task} does not read.
     *
     * @param spec the command
     * @param task the task of this call
     * @param readers per option, the tasks that read it
     * @return the options of the table that {@code task} does not read, in the table's order (none of them
     *     was given), e.g. to leave their defaults out of a record of the settings
     * @throws CommandLine.ParameterException {@code OPTION: not for COMMAND --task TASK (expected it only
     *     with --task A or B)}
     */
    static Set<String> byTask(CommandSpec spec, String task, Map<String, List<String>> readers) {
        Set<String> unread = new LinkedHashSet<>();
        for (Map.Entry<String, List<String>> e : readers.entrySet()) {
            List<String> tasks = e.getValue();
            if (!tasks.contains(task)) {
                String expected = tasks.size() == 1 ? tasks.get(0)
                        : String.join(", ", tasks.subList(0, tasks.size() - 1)) + " or " + tasks.get(tasks.size() - 1);
                refuse(spec, spec.name() + " --task " + task, "with --task " + expected, List.of(e.getKey()), unread);
            }
        }
        return unread;
    }

    /**
     * A readers table: the same tasks for several options, in order.
     *
     * @param tasks the tasks that read them
     * @param options the options
     * @param into the table to add to
     */
    static void read(List<String> tasks, List<String> options, LinkedHashMap<String, List<String>> into) {
        for (String o : options) {
            into.put(o, tasks);
        }
    }
}
