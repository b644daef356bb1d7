package dev.qdecode.pipeline.generate;

/**
 * Decoding or training settings that cannot run on this machine, e.g. a batch or a replay buffer whose
 * estimated memory exceeds the limit (bad usage).
 */
public final class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the failure.
     *
     * @param message one line naming the settings and what was expected
     */
    public GenerationException(String message) {
        super(message);
    }
}
