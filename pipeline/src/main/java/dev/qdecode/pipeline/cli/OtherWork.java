package dev.qdecode.pipeline.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.report.RunReport;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.rewards.classifier.TextClassifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The one rule of every command that writes an {@code --out} directory or an {@code --output} file: its
 * {@code --overwrite} replaces an earlier output of the same command only, and never mixes its files into,
 * or removes, another command's work. What a directory holds is told by the files each command writes
 * ({@link Kind}); a directory holding another command's work is refused with or without {@code --overwrite},
 * in one line naming the option, what the directory holds, the file that shows it and what to do.
 */
final class OtherWork {

    private OtherWork() {
    }

    /** What a directory can hold, each told by the files that show it. */
    enum Kind {
        /** A {@code qdecode sft} run: {@code sft-provenance.json} (written first) or {@code checkpoint/}. */
        SFT_RUN("an SFT run", "the SFT run"),
        /** A {@code qdecode train} run: {@code checkpoint.qdq}, {@code summary.json}, {@code metrics.jsonl}. */
        TRAIN_RUN("a 'qdecode train' run", "the 'qdecode train' run"),
        /** A classifier of {@code qdecode classifier train}: {@code classifier.json} or {@code head.safetensors}. */
        CLASSIFIER("a classifier", "the classifier"),
        /** The results of {@code qdecode evaluate}, of any task. */
        EVALUATION("an evaluation", "the evaluation"),
        /** A report of {@code qdecode report} (or of {@code train}, which writes one at its end). */
        REPORT("a report", "the report"),
        /** A model: {@code config.json} or weights ({@code *.safetensors}), not written by {@code sft}. */
        MODEL("a model", "the model"),
        /** A tokenizer ({@code tokenizer.json}) without a model beside it. */
        TOKENIZER("a tokenizer", "the tokenizer");

        private final String what;
        private final String the;

        Kind(String what, String the) {
            this.what = what;
            this.the = the;
        }
    }

    /** Files of {@code evaluate --out}, of every task. */
    private static final List<String> EVALUATION_FILES = List.of("comparison.json", "comparison.tsv",
            EpisodeLog.FILE, EpisodeLog.FILE + ".part", TranslationEval.SCORES, TranslationEval.TRANSLATIONS,
            TranslationEval.TRANSLATIONS + ".part", "classification.json", "predictions.tsv");

    /**
     * One kind of work found in a directory, with the file that shows it.
     *
     * @param kind what the directory holds
     * @param file the file that shows it, as named in messages ("checkpoint/" for a directory)
     */
    record Found(Kind kind, String file) {
    }

    /**
     * What {@code dir} holds, in the order of {@link Kind}; nothing when it is not a directory. The model and
     * tokenizer files of an SFT run are its own (not listed apart), as are the tokenizer files of a model and
     * the {@code metrics.jsonl} of an SFT run.
     *
     * @param dir the directory
     * @return each kind of work it holds, once, with the first file that shows it
     * @throws UncheckedIOException when the directory cannot be listed
     */
    static List<Found> in(Path dir) {
        List<Found> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(f -> f.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        String sft = first(dir, names, List.of(SftTrainer.PROVENANCE, SftTrainer.CHECKPOINT));
        add(found, Kind.SFT_RUN, sft);
        add(found, Kind.TRAIN_RUN, first(dir, names, sft != null
                ? List.of(DqnTrainer.RUN_FILES.get(0), DqnTrainer.SUMMARY_FILE) : DqnTrainer.RUN_FILES));
        String classifier = first(dir, names, List.of(TextClassifier.METADATA_FILE, TextClassifier.WEIGHTS_FILE));
        add(found, Kind.CLASSIFIER, classifier);
        add(found, Kind.EVALUATION, first(dir, names, EVALUATION_FILES));
        add(found, Kind.REPORT, first(dir, names, List.of(RunReport.RECORD, RunReport.HTML)));
        String model = null;
        if (sft == null) {
            model = names.contains("config.json") ? "config.json" : names.stream()
                    .filter(n -> n.endsWith(".safetensors") && !n.equals(TextClassifier.WEIGHTS_FILE)).findFirst()
                    .orElse(null);
            add(found, Kind.MODEL, model);
        }
        if (sft == null && model == null) {
            add(found, Kind.TOKENIZER, first(dir, names, List.of("tokenizer.json",
                    TokenizerCommand.PROVENANCE_FILE)));
        }
        return found;
    }

    private static String first(Path dir, List<String> names, List<String> files) {
        for (String f : files) {
            if (names.contains(f)) {
                return Files.isDirectory(dir.resolve(f)) ? f + "/" : f;
            }
        }
        return null;
    }

    private static void add(List<Found> found, Kind kind, String file) {
        if (file != null) {
            found.add(new Found(kind, file));
        }
    }

    /**
     * Refuses an {@code --out} directory that holds another command's work, with or without {@code
     * --overwrite} (which replaces only an earlier output of the same command, {@code own}): a model, a
     * tokenizer, a {@code train} or {@code sft} run, a classifier, an evaluation or a report. Call it before
     * any other check of what {@code out} holds, so that the refusal does not suggest {@code --overwrite}.
     *
     * @param option the option, for the message (e.g. "--out")
     * @param out the output directory (nothing is refused when it is no directory)
     * @param own what the command writes there
     * @throws CliException (usage) naming the option, the directory, what it holds and the file that shows it
     */
    static void refuse(String option, Path out, Kind own) {
        for (Found f : in(out)) {
            if (f.kind() != own) {
                throw new CliException(option + " " + out + ": holds " + f.kind().what + " (" + f.file() + "), which "
                        + own.the + "'s files would be mixed with (expected a directory of its own for " + own.the
                        + ", even with --overwrite, which replaces only " + own.what + ": choose another " + option
                        + ")", ExitCodes.USAGE);
            }
        }
    }

    /**
     * Refuses an existing {@code --output} file that another command wrote, with or without {@code
     * --overwrite} (which replaces only an earlier output of the same {@code command}): one whose record
     * ({@code FILE.run.json}) names another command, or, without a record of this command, one inside a
     * directory holding another command's work (a run's {@code metrics.jsonl}, an evaluation's
     * {@code comparison.tsv}); and any file, new or not, inside a directory that another command removes or
     * checks as a whole (an SFT run's {@code checkpoint/}, a {@code train} run's {@code evaluation/} or
     * {@code report/}: see refuseInsideRun). Any other new file, or one without a record in a plain directory,
     * passes, also beside another command's work (e.g. {@code RUN/samples.tsv}).
     *
     * @param option the option, for the message (e.g. "--output")
     * @param target the output file
     * @param spec the command writing it
     * @throws CliException (usage) naming the option, the file and the command or work it belongs to
     */
    static void refuseFile(String option, Path target, CommandSpec spec) {
        String command = "qdecode " + spec.qualifiedName().replaceFirst("^qdecode ", ""); // as its record names it
        if (!Files.isRegularFile(target)) {
            refuseInsideRun(option, target);
            return;
        }
        String recorded = recordedCommand(ResumableOutput.runFile(target));
        String whose = null;
        String shownBy = null;
        if (recorded != null && !recorded.equals(command)) {
            whose = "the output of '" + recorded + "'";
            shownBy = ResumableOutput.runFile(target).getFileName().toString();
        } else if (recorded == null) {
            Path dir = target.toAbsolutePath().getParent();
            List<Found> found = in(dir);
            if (!found.isEmpty()) {
                whose = "a file of " + found.get(0).kind().what + " (" + found.get(0).file() + " in " + dir + ")";
            }
        }
        if (whose != null) {
            throw new CliException(option + " " + target + ": is " + whose + (shownBy != null ? " (" + shownBy + ")"
                    : "") + ", which '" + command + "' would replace (expected a file of its own, even with "
                    + "--overwrite, which replaces only an earlier output of '" + command + "': choose another "
                    + option + ")", ExitCodes.USAGE);
        }
        refuseInsideRun(option, target);
    }

    /**
     * Refuses an {@code --output} file, new or not, inside a directory whose files another command removes or
     * checks as a whole, where the file would be lost or break that command: the {@code checkpoint/} of an SFT
     * run (replaced at each checkpoint, removed by {@code sft --overwrite}, and checked file by file against its
     * {@code checksums.json}, so that {@code sft --resume} refuses a file of another command there as damage), and
     * the {@code evaluation/} and {@code report/} directories of a {@code train} run (removed with the run by
     * {@code train --overwrite}). A file beside a run, an evaluation or a classifier (e.g. {@code RUN/samples.tsv})
     * passes: no command removes or checks it.
     *
     * @param option the option, for the message (e.g. "--output")
     * @param target the output file
     * @throws CliException (usage) naming the option, the file, the directory it lies in and the run owning it
     */
    private static void refuseInsideRun(String option, Path target) {
        Path abs = target.toAbsolutePath().normalize();
        for (Path dir = abs.getParent(); dir != null && dir.getParent() != null; dir = dir.getParent()) {
            Path run = dir.getParent();
            String name = dir.getFileName().toString();
            String why = null;
            if (name.startsWith(SftTrainer.CHECKPOINT) && List.of("", ".old", ".tmp").contains(name.substring(
                    SftTrainer.CHECKPOINT.length())) && holds(run, Kind.SFT_RUN)) {
                why = "the checkpoint of the SFT run in " + run + ", which 'qdecode sft' replaces at each checkpoint"
                        + " and whose files 'qdecode sft --resume' checks, refusing one it did not write as damage";
            } else if ((name.equals(EvaluateCommand.DIR) || name.equals(RunReport.DIR)) && holds(run, Kind.TRAIN_RUN)) {
                why = "the " + name + "/ directory of the 'qdecode train' run in " + run + ", which 'qdecode train "
                        + "--overwrite' removes with the run";
            }
            if (why != null) {
                throw new CliException(option + " " + target + ": lies in " + why + " (expected a file outside " + dir
                        + ", e.g. in " + run + " itself: choose another " + option + ")", ExitCodes.USAGE);
            }
        }
    }

    private static boolean holds(Path dir, Kind kind) {
        return in(dir).stream().anyMatch(f -> f.kind() == kind);
    }

    /** The command a record names, or null when there is none (or it cannot be read: not this check's to judge). */
    private static String recordedCommand(Path record) {
        if (!Files.isRegularFile(record)) {
            return null;
        }
        try {
            JsonElement e = JsonParser.parseString(Files.readString(record, StandardCharsets.UTF_8));
            if (e.isJsonObject()) {
                JsonObject o = e.getAsJsonObject();
                if (o.has("command") && o.get("command").isJsonPrimitive()) {
                    return o.get("command").getAsString();
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
