package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.generate.GenerationException;
import dev.qdecode.rewards.RewardException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Turns every failure into one line on standard error and a meaningful exit code: never a stack
 * trace, unless {@code QDECODE_DEBUG=1} is set.
 */
final class ErrorHandler
        implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(
            Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        if (debug()) {
            ex.printStackTrace(err);
        }
        err.println("qdecode: error: " + oneLine(message(ex)));
        if (ex instanceof dev.qdecode.rewards.RewardSpecException) { // a --reward value that does not parse
            hint(err, cl);
        }
        err.flush();
        return exitCode(ex);
    }

    /** The second line of an option that does not parse or does not belong with the others. */
    private static void hint(PrintWriter err, CommandLine cl) {
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for the options.");
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        Optional<String> missing = missingOptionFile(ex, args);
        if (missing.isPresent()) { // a missing input file is bad input, as every other one is
            err.println("qdecode: error: " + missing.get());
            err.flush();
            return ExitCodes.BAD_INPUT;
        }
        err.println("qdecode: error: " + withoutPicocliPrefix(oneLine(byteOrderMark(ex).orElse(numberMessage(ex))))
                + unquotedInOptionFile(ex, args).map(h -> " (" + h + ")").orElse(""));
        hint(err, cl);
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * The message of a parse error; a number option's bad value ends with an example of one that is read
     * (the option's default where it has one), e.g. {@code Invalid value for option '--episodes': 'x' is
     * not a whole number (expected a whole number, e.g. 6000)}.
     */
    private static String numberMessage(CommandLine.ParameterException ex) {
        String m = ex.getMessage();
        if (ex.getCause() instanceof NumberConverters.Refusal r && m != null && m.endsWith(r.getMessage())) {
            return m.substring(0, m.length() - r.getMessage().length()) + NumberConverters.withExample(r, ex.getArgSpec());
        }
        return m;
    }

    static int exitCode(Throwable ex) {
        if (ex instanceof CliException c) {
            return c.exitCode();
        }
        if (ex instanceof dev.qdecode.rewards.RewardSpecException) {
            return ExitCodes.USAGE; // the --reward value, not the reward, is wrong
        }
        if (ex instanceof dev.qdecode.rewards.RewardInputException) {
            return ExitCodes.BAD_INPUT; // a file the --reward value names, e.g. a classifier directory, is wrong
        }
        if (ex instanceof RewardException) {
            return ExitCodes.REWARD_FAILED;
        }
        if (ex instanceof GenerationException g) {
            return g.badInput() ? ExitCodes.BAD_INPUT : ExitCodes.USAGE;
        }
        if (ex instanceof CommandLine.ParameterException) {
            return ExitCodes.USAGE;
        }
        if (UserErrors.isUserError(ex)) {
            return ExitCodes.BAD_INPUT;
        }
        return ExitCodes.INTERNAL;
    }

    static String message(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) {
            ex = u.getCause();
        }
        if (ex instanceof NoSuchFileException n) {
            return "file not found: " + n.getFile();
        }
        if (ex instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists and is not a directory (expected a directory, or a path that does "
                    + "not exist yet)";
        }
        if (ex instanceof NotDirectoryException n) {
            return n.getFile() + ": not a directory";
        }
        if (ex instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (exitCode(ex) == ExitCodes.INTERNAL) {
            String m = ex.getMessage();
            return "internal error: " + ex.getClass().getSimpleName() + (m == null ? "" : ": " + m)
                    + " (set QDECODE_DEBUG=1 for the stack trace)";
        }
        return ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
    }

    /** An option file's invisible byte-order mark, named (it made its first option unknown). */
    private static Optional<String> byteOrderMark(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            for (String a : u.getUnmatched()) {
                if (a.startsWith("\uFEFF")) {
                    return Optional.of("'" + a.substring(1) + "' is preceded by a UTF-8 byte-order mark, as the first "
                            + "argument of an @options file saved with one (expected the file without it)");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * An {@code @options} file is split into words at white space (picocli's rule), so an unquoted value with
     * spaces ({@code --prompt Tom went}) leaves its later words unmatched, in a message whose index counts the
     * words after the file was read in: say which file held them and how to quote the value. Only when every
     * unmatched word that is not an option appears in an {@code @FILE} of the command line.
     */
    private static Optional<String> unquotedInOptionFile(CommandLine.ParameterException ex, String[] args) {
        if (!(ex instanceof CommandLine.UnmatchedArgumentException u) || args == null) {
            return Optional.empty();
        }
        List<String> words = u.getUnmatched().stream().filter(w -> !w.startsWith("-")).toList();
        if (words.isEmpty()) {
            return Optional.empty();
        }
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        for (int i = 0; i < args.length; i++) {
            Path f = i > 0 && takesValue(spec, args[i - 1]) ? null : optionFile(args[i]);
            if (f == null || !Files.isRegularFile(f)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                continue;
            }
            if (words.stream().allMatch(text::contains)) {
                return Optional.of(args[i] + " is split into words at white space, so a value with spaces there "
                        + "must be quoted as one word: expected e.g. --prompt \"Tom went\" or \"--prompt=Tom went\" "
                        + "in the file, not --prompt Tom went or --prompt=\"Tom went\"");
            }
        }
        return Optional.empty();
    }

    /**
     * picocli reads {@code @FILE} arguments as option files, but leaves one whose file does not exist as
     * a plain argument, which then reads as "Unmatched argument", or is hidden behind "Missing required
     * option" (the options it held are missing): name the missing file instead. An {@code @...} argument
     * that is an option's value is not a file.
     */
    private static Optional<String> missingOptionFile(CommandLine.ParameterException ex, String[] args) {
        CommandLine.Model.CommandSpec spec = ex.getCommandLine().getCommandSpec();
        for (int i = 0; args != null && i < args.length; i++) {
            String a = args[i];
            boolean isValue = i > 0 && takesValue(spec, args[i - 1]);
            Path f = isValue ? null : optionFile(a);
            if (f != null && !Files.exists(f)) {
                return Optional.of(a + ": option file " + a.substring(1) + " not found");
            }
        }
        return Optional.empty();
    }

    /**
     * The file an {@code @FILE} argument names, which picocli reads as options when it exists.
     *
     * @param arg a command-line argument
     * @return the path, or null when the argument is not {@code @} followed by a path
     */
    static Path optionFile(String arg) {
        if (arg.length() < 2 || !arg.startsWith("@")) {
            return null;
        }
        try {
            return Path.of(arg.substring(1));
        } catch (java.nio.file.InvalidPathException e) {
            return null; // not a path: picocli leaves it as a value
        }
    }

    /** Whether {@code arg} is an option of the command (or of one above it) that takes a value. */
    private static boolean takesValue(CommandLine.Model.CommandSpec spec, String arg) {
        for (CommandLine.Model.CommandSpec s = spec; s != null; s = s.parent()) {
            CommandLine.Model.OptionSpec o = s.findOption(arg);
            if (o != null) {
                return o.arity().max() > 0;
            }
        }
        return false;
    }

    /**
     * A picocli message without the {@code "Error: "} that picocli puts before its argument-group
     * errors (mutually exclusive or missing group options), which after our own prefix read {@code
     * qdecode: error: Error: ...}.
     *
     * @param message a one-line message
     * @return the message without a leading {@code "Error: "}
     */
    static String withoutPicocliPrefix(String message) {
        return message.startsWith("Error: ") ? message.substring("Error: ".length()) : message;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }

    private static boolean debug() {
        String d = System.getenv("QDECODE_DEBUG");
        return d != null && !d.isBlank() && !"0".equals(d);
    }
}
