package dev.qdecode.pipeline.cli;

import dev.qdecode.data.DataException;
import dev.qdecode.models.ModelException;
import dev.qdecode.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Which exceptions mean bad user input (exit code 3) rather than a bug. */
final class UserErrors {
    private UserErrors() {}

    static boolean isUserError(Throwable ex) {
        return ex instanceof IOException
                || ex instanceof UncheckedIOException
                || ex instanceof DataException
                || ex instanceof ModelException
                || ex instanceof TokenizerException;
    }
}
