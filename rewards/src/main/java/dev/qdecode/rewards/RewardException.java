package dev.qdecode.rewards;

/** A reward could not be created or failed while scoring; the message is one line for the user. */
public class RewardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the reward, the parameter or episode, and what was expected
     */
    public RewardException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message one line naming the reward, the parameter or episode, and what was expected
     * @param cause the underlying failure
     */
    public RewardException(String message, Throwable cause) {
        super(message, cause);
    }
}
