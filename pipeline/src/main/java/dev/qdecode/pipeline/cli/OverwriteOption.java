package dev.qdecode.pipeline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --overwrite} for commands that save a trained artefact into {@code --out} (a picocli mixin):
 * without it, an artefact already there is kept and the command refuses, so a finished training is
 * never replaced by accident.
 */
final class OverwriteOption {
    @Option(names = "--overwrite",
            description = "Replace what --out already holds (default: refuse, so earlier work is not lost).")
    boolean overwrite;

    /**
     * Refuses when {@code out} already holds {@code file} and {@code --overwrite} was not given.
     *
     * @param out the output directory
     * @param file the artefact's main file in it
     * @param what the artefact, for the message (e.g. "a tokenizer")
     * @throws CliException (usage) naming --out and the file
     */
    void check(Path out, String file, String what) {
        if (!overwrite && Files.exists(out.resolve(file))) {
            throw new CliException("--out " + out + ": already holds " + what + " (" + file + "); choose another --out "
                    + "or add --overwrite to replace it", ExitCodes.USAGE);
        }
    }
}
