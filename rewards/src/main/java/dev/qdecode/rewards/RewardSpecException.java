package dev.qdecode.rewards;

/**
 * A reward spec that is wrong as typed: bad syntax ({@code [W*]id[:key=value,...]}), an unknown
 * reward id, a parameter the reward does not accept, or a parameter value it refuses ({@link
 * RewardParams#bad}, e.g. {@code bleu:max-order=x}; also a required parameter left out). Unlike
 * other {@link RewardException}s it is the user's option value that is wrong, not the reward, so
 * commands report it as a usage error (so is a value naming a path that does not exist, or a file where a
 * directory is expected, or the reverse). A file or model directory that the value names but that
 * cannot be used is a {@link RewardInputException} (bad input); a provider that fails for another
 * reason (an exception of its own) is a plain {@link RewardException}.
 */
public class RewardSpecException extends RewardException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the spec or the reward and parameter, and what was expected
     */
    public RewardSpecException(String message) {
        super(message);
    }
}
