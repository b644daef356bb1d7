package dev.qdecode.rewards;

/**
 * A file or model directory that a reward parameter names exists but cannot be used: a {@code
 * classifier:model=DIR} that holds no saved classifier, or whose {@code classifier.json}, head weights
 * or encoder files are wrong. Unlike other {@link RewardException}s it is an input that is wrong, not
 * the reward, so commands report it as bad input, as they report any other bad model or data file. A
 * parameter value that names nothing (a missing directory) is a {@link RewardSpecException}.
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
}
