package dev.qdecode.pipeline.cli;

import dev.qdecode.models.ModelFiles;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.report.RunReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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

    /**
     * Refuses an {@code out} that is a file, or a directory that already holds anything, unless
     * {@code --overwrite} was given (a file is refused even then).
     *
     * @param out the output directory
     * @param what what it would receive, for the message (e.g. "a training run")
     * @param alternative how else to go on, for the message (e.g. "pass --resume to continue its run")
     * @throws CliException (usage) naming --out and a file it holds
     */
    void checkEmpty(Path out, String what, String alternative) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CliException("--out " + out + ": is a file (expected a directory for " + what + ")",
                    ExitCodes.USAGE);
        }
        if (!Files.exists(out)) {
            RecordWriter.checkCreatable("--out", out, out); // not found only when the job writes at its end
            return;
        }
        if (overwrite) {
            return;
        }
        try (Stream<Path> files = Files.list(out)) {
            java.util.List<String> names = files.map(f -> f.getFileName().toString())
                    .filter(n -> !n.equals(RunLock.FILE)).sorted().toList();
            if (!names.isEmpty()) {
                throw new CliException("--out " + out + ": already holds " + String.join(", ", names.subList(0,
                        Math.min(3, names.size()))) + (names.size() > 3 ? " and " + (names.size() - 3) + " more" : "")
                        + " (" + (alternative.isEmpty() ? "" : alternative + ", ") + "choose another --out, or add "
                        + "--overwrite to write " + what + " over them)", ExitCodes.USAGE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directories that {@code evaluate} and {@code report} write in a run directory by default. */
    private static final List<String> RUN_OUTPUT_DIRS = List.of(EvaluateCommand.DIR, RunReport.DIR);

    /**
     * With {@code --overwrite}, removes the earlier run that {@code out} holds (train, sft), so the new run
     * does not share its directory with another head's results: the run's {@code checkpoint.qdq},
     * {@code metrics.jsonl} (which a new run would otherwise append to) and {@code summary.json}, and the
     * {@code evaluation/} and {@code report/} directories that {@code evaluate} and {@code report} write
     * beside them. Nothing happens without {@code --overwrite}, or when {@code out} holds none of the run's
     * files; every other file in {@code out} is kept. Call it once the command has checked its inputs,
     * just before it starts writing.
     *
     * @param out the output directory
     * @param err receives one line naming what was removed (nothing when nothing was)
     * @throws UncheckedIOException when a file cannot be removed
     */
    void clearEarlierRun(Path out, PrintWriter err) {
        if (!overwrite || DqnTrainer.RUN_FILES.stream().noneMatch(f -> Files.exists(out.resolve(f)))) {
            return;
        }
        List<String> removed = new ArrayList<>();
        try {
            for (String f : DqnTrainer.RUN_FILES) {
                if (Files.deleteIfExists(out.resolve(f))) {
                    removed.add(f);
                }
            }
            for (String d : RUN_OUTPUT_DIRS) {
                if (Files.exists(out.resolve(d))) {
                    ModelFiles.deleteTree(out.resolve(d));
                    removed.add(d + "/");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the earlier run in " + out, e);
        }
        err.println("--overwrite: removed the earlier run in " + out + " (" + String.join(", ", removed) + ")");
        err.flush();
    }

    /**
     * Refuses {@code --overwrite} together with {@code --resume} (train, sft): one continues the run in
     * --out, the other replaces it.
     *
     * @param resume whether --resume was given
     * @throws CliException (usage) when both were given
     */
    void refuseWithResume(boolean resume) {
        refuseWithResume(resume, overwrite, "the run in --out");
    }

    /**
     * Refuses {@code --overwrite} together with {@code --resume}, for any command that has both.
     *
     * @param resume whether --resume was given
     * @param overwrite whether --overwrite was given
     * @param what what --resume continues, for the message (e.g. "the run in --out")
     * @throws CliException (usage) when both were given
     */
    static void refuseWithResume(boolean resume, boolean overwrite, String what) {
        if (resume && overwrite) {
            throw new CliException("--overwrite: not with --resume (expected one: --resume continues " + what
                    + ", --overwrite replaces it)", ExitCodes.USAGE);
        }
    }
}
