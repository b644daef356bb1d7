package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two column options naming the same column are bad usage (exit 2), named by both options: {@code train},
 * {@code sft} and {@code evaluate} refused them as bad input of the data file (exit 3, "FILE: fields 'source' and
 * 'target' of task translation both read column 'en'"), which sent the user to the file for what the command
 * line got wrong. A missing data file is still named first ({@link MissingInputFilesTest}).
 */
class SameColumnOptionsTest {

    @Test
    void theSameColumnForBothFieldsIsBadUsageNamingBothOptions(@TempDir Path tmp) {
        String out = tmp.resolve("out").toString();
        String model = CliRunner.model("stories260K");
        String m30k = CliRunner.shared().resolve("data/multi30k/en-de.val.tsv").toString();
        String sst2 = CliRunner.shared().resolve("data/sst2/dev.tsv").toString();
        String dialogue = CliRunner.shared().resolve("data/xdailydialog/pairs_en_test.tsv").toString();
        String translation = "--source-column en and --target-column en: the same column (expected a different "
                + "column for each)";
        Object[][] cases = {
            {translation, new String[] {"train", "--task", "translation", "--model", model, "--data", m30k, "--dev",
                m30k, "--source-column", "en", "--target-column", "en", "--out", out}},
            {translation, new String[] {"evaluate", "--task", "translation", "--policy", tmp.resolve("run").toString(),
                "--data", m30k, "--source-column", "en", "--target-column", "en"}},
            {"--text-column label and --label-column label: the same column (expected a different column for each)",
                new String[] {"train", "--task", "classification", "--model", model, "--data", sst2, "--dev", sst2,
                    "--text-column", "label", "--out", out}},
            {"--source-column response and --target-column response: the same column (expected a different column "
                    + "for each)", new String[] {"sft", "--task", "dialogue", "--model", model, "--data", dialogue,
                        "--dev", dialogue, "--source-column", "response", "--out", out}},
        };
        for (Object[] c : cases) {
            String[] args = (String[]) c[1];
            CliRunner.Result r = CliRunner.run(args);
            String where = String.join(" ", args);
            assertEquals(ExitCodes.USAGE, r.code(), where + ": " + r.err());
            assertEquals(List.of("qdecode: error: " + c[0]), r.err().lines().toList(), where);
        }
    }
}
