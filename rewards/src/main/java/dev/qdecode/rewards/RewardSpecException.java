package dev.qdecode.rewards;

/**
 * A reward spec that cannot be read: bad syntax ({@code [W*]id[:key=value,...]}) or an unknown
 * reward id. Unlike other {@link RewardException}s it is the user's option value that is wrong,
 * not the reward, so commands report it as a usage error.
 */
public class RewardSpecException extends RewardException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the spec and what was expected
     */
    public RewardSpecException(String message) {
        super(message);
    }
}
