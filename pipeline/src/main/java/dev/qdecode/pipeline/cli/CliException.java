package dev.qdecode.pipeline.cli;

/** A user-facing failure with its own exit code; the message is one line. */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    /** The process exit code ({@link ExitCodes}). */
    private final int exitCode;

    /**
     * Creates a bad-input failure ({@link ExitCodes#BAD_INPUT}).
     *
     * @param message one line naming the file/option/field and what was expected
     */
    public CliException(String message) {
        this(message, ExitCodes.BAD_INPUT);
    }

    /**
     * Creates a failure with an explicit exit code.
     *
     * @param message one line naming the file/option/field and what was expected
     * @param exitCode the exit code ({@link ExitCodes})
     */
    public CliException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * Creates a failure with an explicit exit code that says more about an earlier one (kept as the cause, for
     * {@code QDECODE_DEBUG=1}'s stack trace).
     *
     * @param message one line naming the file/option/field and what was expected
     * @param exitCode the exit code ({@link ExitCodes})
     * @param cause the failure this one reports
     */
    public CliException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * The exit code this failure maps to.
     *
     * @return the exit code
     */
    public int exitCode() {
        return exitCode;
    }
}
