package dev.qdecode.models;

/**
 * A model directory, configuration or weight file that cannot be used.
 *
 * <p>The message is a single user-facing line that names the file and, where relevant, the
 * configuration field or tensor and what was expected, e.g. {@code model.safetensors: tensor
 * 'model.norm.weight' has shape [32], expected [64]}.
 */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a one-line message.
     *
     * @param message the message, naming the file and field or tensor at fault
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a one-line message and the underlying cause.
     *
     * @param message the message, naming the file and field or tensor at fault
     * @param cause the underlying I/O or parse error
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
