package dev.qdecode.pipeline.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --overwrite} for commands that write one optional {@code --output} file ({@code rewards score},
 * {@code classifier eval}; a picocli mixin): without it, an existing file is kept and the command
 * refuses, so earlier work is never replaced by accident.
 */
final class OutputOverwriteOption {
    @Option(names = "--overwrite", description = "Replace an existing --output file (default: refuse, so earlier "
            + "work is not lost).")
    boolean overwrite;

    /**
     * Checks {@code --output} before any work: its type, that it is none of the inputs, and that it does
     * not exist unless {@code --overwrite} was given; without {@code --output}, refuses {@code --overwrite}.
     *
     * @param spec the command
     * @param command the command's name, for the message (e.g. "rewards score")
     * @param output the {@code --output} file, or null
     * @param inputs the command's input files (nulls are skipped)
     * @throws CliException (usage) naming the option
     */
    void check(CommandSpec spec, String command, Path output, Path... inputs) {
        if (output != null) {
            RecordWriter.checkTarget("--output", output, inputs);
            OtherWork.refuseFile("--output", output, spec);
            RecordWriter.checkNew("--output", output, overwrite);
        } else {
            OptionScope.refuse(spec, command + " without --output", "with --output FILE", List.of("--overwrite"));
        }
    }
}
