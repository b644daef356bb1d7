package dev.qdecode.pipeline.generate;

/**
 * Decoding or training that cannot run as asked: settings that cannot run on this machine or model (a
 * batch or replay buffer whose estimated memory exceeds the limit, more new tokens than the context
 * holds: bad usage), or an input that does not fit them (an empty prompt, a prompt too long for the
 * context: {@link #badInput()}). The message is one line naming what is wrong and what was expected.
 */
public final class GenerationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean badInput;

    /**
     * Creates a failure of the settings (bad usage).
     *
     * @param message one line naming the settings and what was expected
     */
    public GenerationException(String message) {
        this(message, false);
    }

    /**
     * Creates a failure of the settings or of the input.
     *
     * @param message one line naming what is wrong and what was expected
     * @param badInput true when the input (a prompt), not the settings, is at fault
     */
    public GenerationException(String message, boolean badInput) {
        super(message);
        this.badInput = badInput;
    }

    /**
     * Whether the input (a prompt), not the settings, is at fault.
     *
     * @return true for bad input, false for bad settings
     */
    public boolean badInput() {
        return badInput;
    }
}
