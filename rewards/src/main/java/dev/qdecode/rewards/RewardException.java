package dev.qdecode.rewards;

/** A reward could not be created or failed while scoring; the message is one line for the user. */
public class RewardException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The reward id, or null when the failure is not tied to one reward. */
    private final String rewardId;
    /** The index of the failing episode in its batch, or -1. */
    private final int episodeIndex;

    /**
     * Creates the exception.
     *
     * @param message one line naming the reward, the parameter or episode, and what was expected
     */
    public RewardException(String message) {
        this(message, null, -1, null);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message one line naming the reward, the parameter or episode, and what was expected
     * @param cause the underlying failure
     */
    public RewardException(String message, Throwable cause) {
        this(message, null, -1, cause);
    }

    /**
     * Creates the exception for a failure tied to a reward and possibly an episode.
     *
     * @param message one line for the user
     * @param rewardId the reward id, or null
     * @param episodeIndex the failing episode's index in its batch, or -1 when unknown
     * @param cause the underlying failure, or null
     */
    public RewardException(String message, String rewardId, int episodeIndex, Throwable cause) {
        super(message, cause);
        this.rewardId = rewardId;
        this.episodeIndex = episodeIndex;
    }

    /**
     * The standard failure of one episode: {@code reward 'ID' failed on episode N: PROBLEM}.
     *
     * @param rewardId the reward id
     * @param episodeIndex the episode's index in the batch (0-based)
     * @param problem what went wrong (one line)
     * @param cause the underlying failure, or null
     * @return the exception to throw
     */
    public static RewardException onEpisode(
            String rewardId, int episodeIndex, String problem, Throwable cause) {
        return new RewardException("reward '" + rewardId + "' failed on episode " + episodeIndex
                + ": " + oneLine(problem), rewardId, episodeIndex, cause);
    }

    /**
     * This failure's message with its episode named by the caller instead of by its place in the scored
     * batch ({@code failed on episode N:} counts from 0 within whatever batch the reward was given):
     * {@code ... failed on WHERE: PROBLEM}, e.g. {@code WHERE = "training episode 1205"}. A message without
     * that wording gets {@code (WHERE)} appended.
     *
     * @param where how the caller names the episode
     * @return the reworded message
     */
    public String messageAt(String where) {
        String message = getMessage();
        String inBatch = " failed on episode " + episodeIndex + ": ";
        int at = message.indexOf(inBatch);
        return at < 0 ? message + " (" + where + ")"
                : message.substring(0, at) + " failed on " + where + ": " + message.substring(at + inBatch.length());
    }

    /**
     * The reward that failed, when known.
     *
     * @return the reward id, or null
     */
    public String rewardId() {
        return rewardId;
    }

    /**
     * The index (0-based, within the scored batch) of the episode that failed.
     *
     * @return the index, or -1 when the failure is not tied to one episode
     */
    public int episodeIndex() {
        return episodeIndex;
    }

    /**
     * Collapses line breaks so that a message stays on one line.
     *
     * @param s any text (null gives "(no message)")
     * @return the text on one line
     */
    public static String oneLine(String s) {
        if (s == null || s.isBlank()) {
            return "(no message)";
        }
        return s.strip().replaceAll("\\s*[\\r\\n]+\\s*", " | ");
    }
}
