package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.pystr.PyStr;
import dev.qdecode.tokenizer.Decimals;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a tab-separated lexicon file as the original Python code does ({@code read().rstrip('\n')
 * .split('\n')}) and builds one-line {@link RewardInputException}s (bad input, exit 3) that name the file
 * and line ({@link #load} adds the reward and its parameter).
 */
final class LexiconFile {

    private LexiconFile() {}

    /**
     * The lines of a UTF-8 file: a leading byte-order mark and trailing newlines removed, then split
     * on {@code '\n'} (a {@code '\r'} stays on its line and is removed later by {@link PyStr#strip}).
     *
     * @param file the file
     * @param what what the file is, for messages (e.g. "VADER lexicon")
     * @return the lines, numbered from 1 by their index + 1
     * @throws RewardInputException when the file is missing, unreadable or not UTF-8
     */
    static List<String> lines(Path file, String what) {
        String content;
        try {
            byte[] bytes = Files.readAllBytes(file);
            content = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new RewardInputException(what + " " + file + ": file not found", e);
        } catch (CharacterCodingException e) {
            throw new RewardInputException(what + " " + file + ": not valid UTF-8 text", e);
        } catch (IOException e) {
            throw new RewardInputException(what + " " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        // a leading byte-order mark is skipped, as in every text file qdecode reads: kept, it became part of
        // the first token, whose entry then silently never matched (or made a header line a bad line)
        int start = content.startsWith("\uFEFF") ? 1 : 0;
        int end = content.length();
        while (end > start && content.charAt(end - 1) == '\n') {
            end--;
        }
        return List.of(content.substring(start, end).split("\n", -1));
    }

    /**
     * The {@code lexicon} parameter of a sentiment reward: the default when it is not given, else
     * the path given, which must name a directory holding {@code files} ({@code files} empty: a
     * regular file). A value that names nothing, or the wrong kind of thing (a directory for a file, or
     * the reverse), is bad usage naming the reward, the parameter and what is there instead ({@link
     * RewardParams#bad}), so that a mistyped path is not reported as a failing reward, as {@code
     * classifier:model=} treats a directory that does not exist; a directory that exists but lacks one of
     * {@code files} is bad input ({@link RewardInputException}), as a classifier directory without its
     * files is.
     *
     * @param params the reward's parameters
     * @param def the default path
     * @param expected what the value should name, for the message
     * @param files the files the directory must hold; empty when the value names a file
     * @return the path to load
     * @throws RewardException a {@code RewardSpecException} for a value that names nothing or the wrong
     *     kind of thing; a {@link RewardInputException} for a directory without one of {@code files}
     */
    static Path lexiconParameter(RewardParams params, Path def, String expected, String... files) {
        String given = params.getString("lexicon", null);
        if (given == null) {
            return def;
        }
        Path path;
        try {
            path = given.isBlank() ? null : Path.of(given);
        } catch (InvalidPathException e) {
            path = null;
        }
        if (path == null) {
            throw params.bad("lexicon", given, expected);
        }
        String problem = null;
        Path shown = path.toAbsolutePath().normalize();
        if (!Files.exists(path)) {
            problem = shown + " does not exist";
        } else if (files.length == 0 && !Files.isRegularFile(path)) {
            problem = shown + " is not a file";
        } else if (files.length > 0 && !Files.isDirectory(path)) {
            problem = shown + " is not a directory";
        } else {
            for (String f : files) {
                if (!Files.isRegularFile(path.resolve(f))) {
                    throw new RewardInputException("reward '" + params.rewardId() + "': parameter lexicon='" + given
                            + "': " + shown + " has no file " + f + " (expected " + expected + ")");
                }
            }
        }
        if (problem != null) {
            throw params.bad("lexicon", given, expected + " (" + problem + ")");
        }
        return path;
    }

    /**
     * Loads the lexicon that {@link #lexiconParameter} resolved, so that a {@link RewardInputException} of
     * the loader (a bad line, no entries, not UTF-8, a missing file), which names the file and line, also
     * names the reward and the parameter that pointed at the file, as the errors of {@link #lexiconParameter}
     * do: {@code reward 'vader': parameter lexicon='DIR': VADER lexicon DIR/vader_lexicon.txt line 7: expected
     * ...}; without the parameter, {@code parameter lexicon (default PATH)}.
     *
     * @param <T> the lexicon type
     * @param params the reward's parameters
     * @param path the path {@link #lexiconParameter} returned
     * @param loader loads the lexicon from {@code path} (e.g. {@code Vader::load})
     * @return the loaded lexicon
     * @throws RewardInputException (bad input) the loader's, its message prefixed with the reward and parameter
     */
    static <T> T load(RewardParams params, Path path, java.util.function.Function<Path, T> loader) {
        try {
            return loader.apply(path);
        } catch (RewardInputException e) {
            String given = params.getString("lexicon", null);
            throw new RewardInputException("reward '" + params.rewardId() + "': parameter lexicon"
                    + (given == null ? " (default " + path.toAbsolutePath().normalize() + ")" : "='" + given + "'")
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * An error for one bad line.
     *
     * @param what what the file is
     * @param file the file
     * @param lineNo the 1-based line number
     * @param line the raw line
     * @param expected what was expected there
     * @return the exception to throw (bad input)
     */
    static RewardInputException bad(String what, Path file, int lineNo, String line, String expected) {
        return new RewardInputException(what + " " + file + " line " + lineNo + ": expected " + expected
                + ", got '" + shorten(line) + "'");
    }

    /** The line made printable on one line and cut to 80 characters. */
    private static String shorten(String line) {
        String s = line.replace("\t", "\\t").replace("\r", "\\r");
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /**
     * Parses a float as Python's {@code float()} would for lexicon values (surrounding whitespace
     * allowed); only finite decimal numbers are accepted.
     *
     * @return the value, or NaN when the text is not a finite decimal number
     */
    static double parseNumber(String text) {
        String t = PyStr.strip(text);
        if (!Decimals.isDecimal(t)) {
            return Double.NaN;
        }
        double d = Double.parseDouble(t);
        return Double.isFinite(d) ? d : Double.NaN;
    }
}
