package dev.qdecode.pipeline.cli;

import static dev.qdecode.pipeline.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.util.List;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --task translation} without {@code --data}/{@code --dev} reads Multi30k's files of the
 * {@code --source-column}/{@code --target-column} pair (it read en-de's whatever the columns, so
 * {@code --target-column fr} failed on en-de val's missing {@code fr} column).
 */
class TranslationDefaultsTest {

    @Test
    void theDefaultFilesFollowTheColumnPair(@TempDir Path shared) throws IOException {
        Path dir = Files.createDirectories(shared.resolve("data/multi30k"));
        for (String f : new String[] {"en-de.train.tsv", "en-de.val.tsv", "en-fr.train.tsv", "en-fr.val.tsv"}) {
            Files.writeString(dir.resolve(f), "id\ten\tx\n");
        }
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "en", "de", "train"));
        assertEquals(dir.resolve("en-fr.train.tsv"), TaskOptions.multi30k(shared, "en", "fr", "train"));
        assertEquals(dir.resolve("en-fr.val.tsv"), TaskOptions.multi30k(shared, "en", "fr", "val"));
        // the other direction reads the same file
        assertEquals(dir.resolve("en-fr.val.tsv"), TaskOptions.multi30k(shared, "fr", "en", "val"));
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "de", "en", "train"));
        // no file of the pair: en-de's, whose reader then names the missing column
        assertEquals(dir.resolve("en-de.val.tsv"), TaskOptions.multi30k(shared, "en", "cs", "val"));
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "source", "target", "train"));
        // a column that is not a plain name never leaves the directory
        assertEquals(dir.resolve("en-de.val.tsv"), TaskOptions.multi30k(shared, "../../x/en", "fr", "val"));
    }

    @Test
    void trainWithFrenchTargetsReadsEnFrByDefault() {
        Path enFr = Path.of(System.getProperty("qdecode.shared")).resolve("data/multi30k/en-fr.val.tsv");
        TaskOptions o = new TaskOptions();
        o.sourceColumn = "en";
        o.targetColumn = "fr";
        assertEquals(enFr.toAbsolutePath().normalize(), o.translationDev().toAbsolutePath().normalize());
    }

    /**
     * A run trained into French is evaluated on French references by default: evaluate took the default
     * columns en -> de and en-de's test file, so an en-fr run scored BLEU 0.03 against German. Without
     * --data it reads en-fr's test file; an explicit --target-column still wins.
     */
    @Test
    void evaluateScoresARunOnTheColumnsItWasTrainedOn(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-fr.val.tsv"));
        Path data = tmp.resolve("en-fr.tsv");
        Files.write(data, lines.subList(0, 9));
        Path runDir = tmp.resolve("run");
        String model = CliRunner.model("TinyStories-656K");
        Result r = run("train", "--task", "translation", "--model", model, "--data", data.toString(), "--dev",
                data.toString(), "--target-column", "fr", "--episodes", "4", "--rollout-episodes", "4",
                "--max-new-tokens", "4", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "2",
                "--eval-samples", "1", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Result e = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model,
                "--limit", "3", "--max-new-tokens", "4", "--out", tmp.resolve("eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("translation of 3 sentences of en-fr.test_2016_flickr.tsv (en -> fr):"), e.out());
        Result given = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model,
                "--data", CliRunner.shared().resolve("data/multi30k/en-de.val.tsv").toString(), "--target-column", "de",
                "--limit", "3", "--max-new-tokens", "4", "--out", tmp.resolve("eval-de").toString());
        assertEquals(ExitCodes.OK, given.code(), given.err());
        assertTrue(given.out().contains("translation of 3 sentences of en-de.val.tsv (en -> de):"), given.out());
    }
}
