package dev.qdecode.tokenizer;

/**
 * A tokenizer, its model files or a prompt format could not be loaded or parsed. The message is one
 * line for the user: it names the file (or the spec) and the field, and says what was expected.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one line naming the file or spec, the field, and what was expected
     */
    public TokenizerException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message one line naming the file or spec, the field, and what was expected
     * @param cause the underlying failure
     */
    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
