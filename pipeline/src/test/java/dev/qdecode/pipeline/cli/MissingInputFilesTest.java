package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A missing input file is bad input (exit 3) whatever the command and option, as README's exit-code
 * table says, in one line naming it: {@code --config}, {@code @options} and {@code --plugin} files were
 * exit 2 or 4 where data files were 3.
 */
class MissingInputFilesTest {

    @Test
    void everyMissingInputFileIsBadInput(@TempDir Path tmp) {
        String missing = tmp.resolve("missing").toString();
        String out = tmp.resolve("out").toString();
        String model = CliRunner.model("stories260K");
        String[][] commands = {
            {"train", "--config", missing + ".json", "--out", out},
            {"train", "--prompts", missing + ".tsv", "--out", out},
            {"train", "--task", "translation", "--data", missing + ".tsv", "--out", out},
            {"train", "@" + missing + ".txt"},
            {"train", "--plugin", missing + ".jar", "--out", out},
            {"generate", "--model", model, "--prompts", missing + ".tsv"},
            {"generate", "--prompt", "Once", "@" + missing + ".txt"},
            {"rewards", "score", "--reward", "vader", "--hyp", missing + ".tsv"},
            {"rewards", "score", "--plugin", missing + ".jar", "--reward", "vader", "--hyp", missing + ".tsv"},
            {"sft", "--init", missing + ".json", "--tokenizer", model, "--task", "dialogue", "--data", missing + ".tsv",
                "--dev", missing + ".tsv", "--out", out},
            {"classifier", "train", "--data", missing + ".tsv", "--out", out},
        };
        for (String[] args : commands) {
            CliRunner.Result r = CliRunner.run(args);
            String where = String.join(" ", args);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), where + ": " + r.err());
            assertEquals(1, r.err().lines().count(), where + ": " + r.err());
            assertTrue(r.err().startsWith("qdecode: error: ") && r.err().contains(missing), where + ": " + r.err());
        }
    }

    /**
     * A missing {@code sft --init} config says what was expected; it said "cannot read (PATH)", the path twice and
     * no word of what was wrong.
     */
    @Test
    void aMissingInitConfigSaysFileNotFound(@TempDir Path tmp) {
        String missing = tmp.resolve("missing.json").toString();
        String m30k = CliRunner.shared().resolve("data/multi30k/en-de.val.tsv").toString();
        CliRunner.Result r = CliRunner.run("sft", "--task", "translation", "--template", "{source} =", "--init", missing,
                "--tokenizer", CliRunner.model("stories260K"), "--data", m30k, "--dev", m30k, "--out",
                tmp.resolve("out").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(java.util.List.of("qdecode: error: --init " + missing + ": file not found (expected a model config "
                + "JSON, as a Hugging Face config.json, for a new model)"), r.err().lines().toList());
    }

    /**
     * A missing data file is named even where a column option does not fit the files given, or the other data
     * file has a column problem of its own: {@code tokenizer train --data MISSING.txt --columns en} said that
     * --columns is not for plain-text files (exit 2), and {@code train}, {@code sft} and the classification task
     * reported a missing column of --data before noticing that --dev was missing.
     */
    @Test
    void aMissingDataFileIsNamedBeforeColumnProblems(@TempDir Path tmp) {
        String missing = tmp.resolve("missing").toString();
        String out = tmp.resolve("out").toString();
        String model = CliRunner.model("stories260K");
        String m30k = CliRunner.shared().resolve("data/multi30k/en-de.val.tsv").toString();
        String sst2 = CliRunner.shared().resolve("data/sst2/dev.tsv").toString();
        String[][] commands = {
            {"tokenizer", "train", "--data", missing + ".txt", "--columns", "en", "--vocab-size", "500", "--out", out},
            {"tokenizer", "train", "--data", m30k, missing + ".txt", "--columns", "en", "--vocab-size", "500",
                "--out", out},
            {"train", "--task", "translation", "--model", model, "--data", m30k, "--dev", missing + ".tsv",
                "--source-column", "xx", "--target-column", "de", "--out", out},
            {"train", "--task", "translation", "--model", model, "--data", m30k, "--dev", missing + ".tsv",
                "--source-column", "en", "--target-column", "en", "--out", out},
            {"train", "--task", "classification", "--model", model, "--data", sst2, "--dev", missing + ".tsv",
                "--text-column", "xx", "--out", out},
            {"sft", "--task", "translation", "--model", model, "--template", "{source} =", "--data", m30k,
                "--dev", missing + ".tsv", "--source-column", "xx", "--target-column", "de", "--out", out},
        };
        for (String[] args : commands) {
            CliRunner.Result r = CliRunner.run(args);
            String where = String.join(" ", args);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), where + ": " + r.err());
            assertEquals(1, r.err().lines().count(), where + ": " + r.err());
            String option = args[0].equals("tokenizer") ? "--data " : "--dev ";
            String file = args[0].equals("tokenizer") ? missing + ".txt" : missing + ".tsv";
            assertTrue(r.err().startsWith("qdecode: error: " + option + file + ": file not found (expected "),
                    where + ": " + r.err());
        }
    }

    /**
     * {@code classifier train} (and {@code eval}, through the same reader) named a missing or directory
     * {@code --data}/{@code --dev} by its path only ({@code /tmp/d: expected a file but found a directory}), not by the option that gave it, as the other
     * commands do.
     */
    @Test
    void classifierDataFilesAreNamedByTheirOption(@TempDir Path tmp) throws java.io.IOException {
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("d"));
        String missing = tmp.resolve("missing.tsv").toString();
        String sst2 = CliRunner.shared().resolve("data/sst2/dev.tsv").toString();
        String out = tmp.resolve("clf").toString();
        String[][] commands = {
            {"classifier", "train", "--data", missing, "--out", out},
            {"classifier", "train", "--data", dir.toString(), "--out", out},
            {"classifier", "train", "--data", sst2, "--limit", "40", "--dev", dir.toString(), "--out", out},
        };
        String[] why = {"--data " + missing + ": file not found", "--data " + dir + ": is a directory",
            "--dev " + dir + ": is a directory"};
        for (int i = 0; i < commands.length; i++) {
            CliRunner.Result r = CliRunner.run(commands[i]);
            String where = String.join(" ", commands[i]);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), where + ": " + r.err());
            assertEquals(java.util.List.of("qdecode: error: " + why[i] + " (expected a labelled .tsv, .csv or .jsonl "
                    + "file with a text and a label column)"), r.err().lines().toList(), where);
        }
    }
}
