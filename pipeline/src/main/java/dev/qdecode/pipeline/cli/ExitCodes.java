package dev.qdecode.pipeline.cli;

/**
 * Exit codes of the {@code qdecode} command; each means one kind of outcome. This class is the one place that names
 * each number: {@code qdecode --help} lists them from here, and the README's table states them. The three signal
 * statuses are 128 + the signal's number ({@link dev.qdecode.models.NativeCalls#exitStatus}, which the handlers
 * exit with); the {@code ./qdecode} launcher, a shell script, computes them by the same rule when a signal stops
 * its build.
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success. */
    public static final int OK = 0;
    /** A bug: an unexpected exception (message printed in one line; --debug shows the trace). */
    public static final int INTERNAL = 1;
    /**
     * Bad usage: an unknown option (also beside {@code --help}), an invalid option value or combination,
     * also when a {@code --config} or {@code @options} file holds it, and an option that contradicts the run that
     * {@code --resume} continues ({@code train --resume --task T} of a run of another task, another
     * {@code --reward} or {@code --gamma}, as {@code sft --resume} and the {@code --output} resumes refuse another
     * setting).
     */
    public static final int USAGE = 2;
    /**
     * Bad input: a missing or unreadable input file (a {@code --config} or {@code @options} file
     * included), or a malformed model, data set or other input file, or one that does not fit the command (a
     * {@code --policy} run of another task than {@code evaluate --task}, a {@code --model} other than the run's).
     */
    public static final int BAD_INPUT = 3;
    /** A reward or plug-in failed (threw, or returned NaN/infinity). */
    public static final int REWARD_FAILED = 4;
    /**
     * Interrupted by the user (Ctrl-C, SIGINT); train, sft, evaluate, generate --output and rewards score --output
     * save their work first (not classification runs).
     */
    public static final int INTERRUPTED = 130;
    /**
     * Stopped by SIGTERM (a batch scheduler, {@code kill}, {@code timeout}): 128 + 15, handled as {@link #INTERRUPTED}
     * is (the work is saved first where Ctrl-C saves it).
     */
    public static final int TERMINATED = 143;
    /** Stopped by SIGHUP (the terminal closed): 128 + 1, handled as {@link #INTERRUPTED} is. */
    public static final int HANGUP = 129;
}
