package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --task classification} of a run on a decoder said "embedding 4 prompts with DIR..." of the labelled
 * texts it embeds (each in the run's template); it now says "embedding 4 texts in the run's template '...' with
 * DIR...", as the encoder path says "texts", and the heading names the backbone without nested parentheses.
 */
class ClassificationEvalWordingTest {

    @Test
    void theDecoderPathSpeaksOfTexts(@TempDir Path tmp) throws Exception {
        Path data = Files.writeString(tmp.resolve("train.tsv"),
                "sentence\tlabel\nThe dog was happy.\t1\nThe day was sad.\t0\nHis cake was great.\t1\n"
                        + "The game was awful.\t0\n");
        Path run = tmp.resolve("cls");
        String model = CliRunner.model("TinyStories-656K");
        Result t = CliRunner.run("train", "--task", "classification", "--model", model, "--data", data.toString(),
                "--dev", data.toString(), "--episodes", "8", "--eval-every", "4", "--out", run.toString());
        assertEquals(ExitCodes.OK, t.code(), t.err());
        Result e = CliRunner.run("evaluate", "--task", "classification", "--policy", run.toString(), "--out",
                tmp.resolve("ev").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        Path dir = Path.of(model).toAbsolutePath().normalize(); // the run's model, as it recorded it
        assertTrue(e.err().contains("embedding 4 texts in the run's template 'Review: {text} Sentiment:' with " + dir
                + "..."), e.err());
        assertFalse(e.err().contains("prompts"), e.err());
        assertTrue(e.out().startsWith("classification of 4 examples of train.tsv with the target head of " + run
                + " (decoder " + dir + ", prompt format <|start_story|>{text};special=false):\n"), e.out());
    }
}
