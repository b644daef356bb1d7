package dev.qdecode.pipeline.sft;

/**
 * A supervised fine-tuning run cannot start or continue; the message is one line for the user.
 * Most are about an input (a data, model, checkpoint or config file: {@link #usage()} false);
 * those about the options the user chose (a resume with other options, a finished run to resume,
 * settings too large for the memory limit, a {@code --batch-tokens} below the longest sequence) are
 * {@link #usage()} true.
 */
public final class SftException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** Whether an option value the user chose is wrong, rather than an input. */
    private final boolean usage;

    /**
     * Creates the exception for a bad input.
     *
     * @param message one line naming the file/option and what was expected
     */
    public SftException(String message) {
        this(message, false);
    }

    private SftException(String message, boolean usage) {
        super(message);
        this.usage = usage;
    }

    /**
     * Creates the exception for options that cannot work (bad usage rather than bad input).
     *
     * @param message one line naming the option and what was expected
     * @return the exception
     */
    public static SftException ofUsage(String message) {
        return new SftException(message, true);
    }

    /**
     * Whether the options the user chose are wrong (bad usage), rather than an input file.
     *
     * @return true for bad usage
     */
    public boolean usage() {
        return usage;
    }
}
