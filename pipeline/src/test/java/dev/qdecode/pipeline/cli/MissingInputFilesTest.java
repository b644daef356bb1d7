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
}
