package dev.qdecode.rewards;

/**
 * A file or model directory that a reward reads (named by a parameter, or the parameter's default) exists
 * but cannot be used: a {@code classifier:model=DIR} that holds no saved classifier, or whose {@code
 * classifier.json}, head weights or encoder files are wrong; a lexicon file ({@code afinn:lexicon=FILE},
 * the files of a {@code vader:lexicon=DIR}) that has a bad line, no entries or is not UTF-8 text, or a
 * {@code vader:lexicon=DIR} that lacks one of its files; a plug-in jar file ({@link Rewards#loadPlugin}) that is
 * missing, unreadable or not a jar (zip) file at all. Unlike other {@link RewardException}s it is an
 * input that is wrong, not the reward, so commands report it as bad input (exit 3), as they report any
 * other bad model or data file. A parameter value that names nothing (a path that does not exist) or
 * the wrong kind of thing (a file where a directory is expected, or the reverse) is a {@link
 * RewardSpecException} (bad usage).
 */
public class RewardInputException extends RewardException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the reward, the parameter and file, and what was expected
     * @param cause the underlying failure, or null
     */
    public RewardInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception without a cause.
     *
     * @param message one line naming the file (and line) and what was expected
     */
    public RewardInputException(String message) {
        super(message);
    }
}
