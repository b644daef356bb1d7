package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
