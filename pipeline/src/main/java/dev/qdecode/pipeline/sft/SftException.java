package dev.qdecode.pipeline.sft;

/** A supervised fine-tuning run cannot start or continue; the message is one line for the user. */
public final class SftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the file/option and what was expected
     */
    public SftException(String message) {
        super(message);
    }
}
