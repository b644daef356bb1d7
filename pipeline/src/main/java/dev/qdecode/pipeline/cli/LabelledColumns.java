package dev.qdecode.pipeline.cli;

import picocli.CommandLine.Option;

/** The columns of a labelled classification file (a picocli mixin of {@code train} and {@code evaluate}). */
final class LabelledColumns {
    @Option(names = "--text-column", paramLabel = "COLUMN", defaultValue = "sentence",
            description = "Classification: text column (default: ${DEFAULT-VALUE}).")
    String text;

    @Option(names = "--label-column", paramLabel = "COLUMN", defaultValue = "label",
            description = "Classification: label column (default: ${DEFAULT-VALUE}).")
    String label;
}
