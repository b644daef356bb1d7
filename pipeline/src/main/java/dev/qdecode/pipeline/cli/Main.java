package dev.qdecode.pipeline.cli;

import dev.qdecode.models.NativeCalls;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code qdecode} command line: fine-tune how a pretrained transformer decodes text with
 * token-level Q-learning. Subcommands do the work; every one has {@code --help}. Long option lists
 * can be kept in {@code @file}s.
 *
 * <p>Exit codes are listed in {@link ExitCodes}.
 */
@Command(
        name = "qdecode",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Token-level Q-learning decoding heads on frozen pretrained transformers.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            ExitCodes.OK + ":ok",
            ExitCodes.INTERNAL + ":internal error (a bug; QDECODE_DEBUG=1 prints the stack trace)",
            ExitCodes.USAGE + ":bad usage (unknown option, invalid value or combination, an option that contradicts the run "
                    + "--resume continues, e.g. train --resume --task of another task)",
            ExitCodes.BAD_INPUT + ":bad input (file, model, data, a --policy run that does not fit, e.g. of another --task)",
            ExitCodes.REWARD_FAILED + ":reward or plug-in failure",
            ExitCodes.INTERRUPTED + ":interrupted (Ctrl-C; train, evaluate (not --task classification), sft, "
                    + "generate --output and rewards score --output save their work first)",
            ExitCodes.TERMINATED + ":stopped by SIGTERM, handled as Ctrl-C is: the same work is saved first",
            ExitCodes.HANGUP + ":stopped by SIGHUP (the terminal closed), handled as Ctrl-C is"
        },
        footer = {
            "",
            "Options can be read from files: qdecode generate @my-options.txt"
        })
public final class Main implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /** Creates the root command (used by picocli). */
    public Main() {}

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: see 'qdecode --help'");
    }

    /**
     * Builds the picocli command line with all subcommands and the error handling installed.
     *
     * @return the configured command line
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        Subcommands.register(cl);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // An empty path ('--out ""') would mean the working directory: refuse it for every option.
        cl.registerConverter(java.nio.file.Path.class, s -> {
            if (s.isBlank()) {
                throw new CommandLine.TypeConversionException("expected a path but got an empty string");
            }
            return java.nio.file.Path.of(s);
        });
        // Every number option: what was expected, not picocli's "'x' is not an int"; no NaN or infinity (a NaN
        // threshold would count nothing as positive), nor Java's own spellings ('--time-limit 1d' was one minute).
        NumberConverters.register(cl);
        // An empty column name means no column: refuse it for every column option, as a bad value.
        cl.setExecutionStrategy(parsed -> {
            CommandLine helpFor = refuseUnmatchedBesideHelp(parsed);
            if (helpFor != null) { // 'help rewards score': the help of the command those words name
                helpFor.usage(helpFor.getOut());
                helpFor.getOut().flush();
                return ExitCodes.OK;
            }
            refuseEmptyColumns(parsed);
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler(new ErrorHandler());
        cl.setParameterExceptionHandler(new ErrorHandler());
        return cl;
    }

    /**
     * Refuses an unknown option or argument also when {@code --help} or {@code --version} is given
     * beside it: picocli then prints the help and exits 0, leaving the unknown argument unnoticed
     * (e.g. {@code train --help --bogus}), where without {@code --help} it is bad usage (exit 2). The
     * error names it as picocli's own does ("Unknown option: '--bogus'"). After {@code help}, the words
     * that name a command ({@code help rewards score --bogus}) choose the command the error's
     * {@code Try '… --help'} line names ({@code qdecode rewards score --help}), not {@code qdecode help}.
     *
     * @return for {@code help} followed by a nested command's words and nothing else ({@code help rewards
     *     score}), that command, whose help is to be printed (picocli's help command takes one word); else
     *     {@code null}
     */
    private static CommandLine refuseUnmatchedBesideHelp(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.unmatched().isEmpty()) {
                continue;
            }
            CommandLine where = p.commandSpec().commandLine();
            List<String> rest = p.unmatched();
            if (p.commandSpec().helpCommand() && where.getParent() != null) {
                // the command named after 'help' (picocli has checked that it exists), then its subcommands
                CommandLine named = where;
                List<String> words = p.matchedPositionals().isEmpty() ? List.of()
                        : List.of(String.valueOf((Object) p.matchedPositionals().get(0).getValue()));
                for (String w : words) {
                    named = where.getParent().getSubcommands().getOrDefault(w, named);
                }
                int used = 0;
                while (named != where && used < rest.size() && named.getSubcommands().containsKey(rest.get(used))) {
                    named = named.getSubcommands().get(rest.get(used++));
                }
                rest = rest.subList(used, rest.size());
                if (rest.isEmpty()) {
                    return named;
                }
                // picocli's message as 'help' parsed them, whose index is that of its first unmatched word (here
                // a command's name, so moved on by the names used), the hint naming the command whose help was asked
                String message = new CommandLine.UnmatchedArgumentException(where, rest).getMessage();
                int skipped = used;
                message = java.util.regex.Pattern.compile("(?<= index )\\d+").matcher(message)
                        .replaceFirst(m -> Integer.toString(Integer.parseInt(m.group()) + skipped));
                throw new CommandLine.UnmatchedArgumentException(named, message);
            }
            throw new CommandLine.UnmatchedArgumentException(where, rest);
        }
        return null;
    }

    /** Refuses an empty value of any {@code --…column} or {@code --…columns} option of the command run. */
    private static void refuseEmptyColumns(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (CommandLine.Model.OptionSpec o : p.matchedOptions()) {
                String name = o.longestName();
                if (!name.endsWith("-column") && !name.endsWith("-columns")) {
                    continue;
                }
                Object v = o.getValue();
                List<?> values = v instanceof List<?> l ? l : java.util.Collections.singletonList(v);
                for (Object x : values) {
                    if (x == null || x.toString().isBlank()) {
                        throw new CommandLine.ParameterException(p.commandSpec().commandLine(), "Invalid value for "
                                + "option '" + name + "': expected a column name but got an empty string");
                    }
                }
            }
        }
    }

    /**
     * Runs the CLI with the given streams (for tests).
     *
     * @param out standard output
     * @param err standard error
     * @param args the arguments
     * @return the exit code
     * @throws NullPointerException naming {@code args} when it is null
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        Objects.requireNonNull(args, "args");
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        try {
            return run(cl, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Executes; an {@code @FILE} argument that names something picocli cannot read as an option file (a
     * directory, an unreadable file) is one line of bad input (exit 3, as a missing one is), not a stack
     * trace.
     */
    private static int run(CommandLine cl, String... args) {
        // picocli expands every @FILE argument whose file exists; one it cannot read would end in its stack trace
        for (String a : args) {
            Path f = ErrorHandler.optionFile(a);
            if (f != null && Files.exists(f) && (!Files.isRegularFile(f) || !Files.isReadable(f))) {
                cl.getErr().println("qdecode: error: " + a + ": cannot read the option file (" + f
                        + (Files.isDirectory(f) ? " is a directory" : " is not a readable file")
                        + "; expected a file of options)");
                cl.getErr().flush();
                return ExitCodes.BAD_INPUT;
            }
        }
        return cl.execute(args);
    }

    /**
     * Entry point.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        // Ctrl-C, SIGTERM, SIGHUP: wait for the ONNX Runtime call in flight (a MiniLM batch) before the JVM
        // shuts down, which otherwise crashed it (SIGSEGV in libonnxruntime). Interrupts replaces the three
        // handlers for the commands that save their work.
        NativeCalls.handleTerminationSignals();
        // One PyTorch thread unless the user chose (QDECODE_THREADS): every command's tensors are small
        // (Q head, classifier head, tiny backbones), and a second thread on a busy 2-core machine was
        // measured 15-40x slower. Set before the engine starts, which applies it.
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        int code;
        try {
            code = run(commandLine(), args);
        } catch (OutOfMemoryError e) {
            // Past every memory estimate: one line, not a stack trace (what was checkpointed stays saved).
            System.err.println("qdecode: error: out of memory (maximum heap " + Runtime.getRuntime().maxMemory()
                    / (1024 * 1024) + " MiB; expected smaller batches, or a larger heap, e.g. "
                    + "QDECODE_JAVA_OPTS=-Xmx16g)");
            code = ExitCodes.INTERNAL;
        }
        System.out.flush();
        System.exit(code);
    }
}
