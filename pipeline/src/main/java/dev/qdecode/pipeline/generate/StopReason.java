package dev.qdecode.pipeline.generate;

/** Why a generation ended. */
public enum StopReason {
    /** The model produced an end-of-sequence token (after the minimum length). */
    EOS,
    /** The maximum number of new tokens was reached. */
    MAX_TOKENS,
    /** A user stop string appeared in the generated text (the text is cut before it). */
    STOP_STRING;

    /**
     * The lower-case name written to output files.
     *
     * @return e.g. {@code "eos"}
     */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
