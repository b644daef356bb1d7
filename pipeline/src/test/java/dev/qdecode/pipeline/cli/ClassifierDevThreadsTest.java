package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code classifier train --dev} records, with the dev metrics, the MiniLM thread count that embedded the dev texts
 * ({@code metrics.dev.encoderThreads}): this job's, since the dev texts are embedded for the prediction, while the
 * training embeddings may come from the cache with another count ({@code training.encoderThreads}). The dev metrics
 * recorded no count. {@code classifier eval --output} likewise records the count that embedded its rows.
 */
class ClassifierDevThreadsTest {
    @Test
    void devMetricsRecordTheCountThatEmbeddedTheDevTexts(@TempDir Path tmp) throws Exception {
        Path sst2 = CliRunner.shared().resolve("data/sst2");
        List<String> dev = Files.readAllLines(sst2.resolve("dev.tsv")).subList(0, 41);
        Path devFile = Files.write(tmp.resolve("dev.tsv"), dev);
        String before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
        CliRunner.Result r;
        try {
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
            r = CliRunner.run("classifier", "train", "--data", sst2.resolve("train.tsv").toString(), "--limit", "80",
                    "--dev", devFile.toString(), "--out", tmp.resolve("clf").toString());
        } finally {
            if (before == null) {
                System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            } else {
                System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
            }
        }
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject metrics = JsonParser.parseString(Files.readString(tmp.resolve("clf/classifier.json")))
                .getAsJsonObject().getAsJsonObject("metrics");
        assertEquals("1", metrics.getAsJsonObject("dev").get("encoderThreads").getAsString());
        // validation metrics are of the training embeddings: training.encoderThreads is theirs
        assertFalse(metrics.getAsJsonObject("validation").has("encoderThreads"));
    }

    /**
     * {@code classifier eval --output} records in its FILE.run.json the count that embedded the rows it labels (this
     * job's): it recorded none.
     */
    @Test
    void evalOutputRecordsTheCountThatEmbeddedItsRows(@TempDir Path tmp) throws Exception {
        Path sst2 = CliRunner.shared().resolve("data/sst2");
        Path devFile = Files.write(tmp.resolve("dev.tsv"), Files.readAllLines(sst2.resolve("dev.tsv")).subList(0, 41));
        Path clf = tmp.resolve("clf");
        Path out = tmp.resolve("predictions.tsv");
        String before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
        CliRunner.Result r;
        try {
            r = CliRunner.run("classifier", "train", "--data", sst2.resolve("train.tsv").toString(), "--limit", "80",
                    "--out", clf.toString());
            assertEquals(ExitCodes.OK, r.code(), r.err());
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
            r = CliRunner.run("classifier", "eval", "--classifier", clf.toString(), "--data", devFile.toString(),
                    "--output", out.toString());
        } finally {
            if (before == null) {
                System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            } else {
                System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
            }
        }
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject record = JsonParser.parseString(Files.readString(ResumableOutput.runFile(out))).getAsJsonObject();
        assertEquals("1", record.get("encoder_threads").getAsString());
    }
}
