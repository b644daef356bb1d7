package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} and {@code rewards score --output} with a {@code classifier:model=DIR} reward on a MiniLM encoder
 * record the ONNX Runtime thread count that reward embedded the texts with ({@code reward_encoder_threads}), as
 * {@code train} does: they recorded none, though another count may give other scores. A resumed {@code rewards score}
 * records every session's count, since its file holds scores of each.
 */
class ScoredRewardEncoderThreadsTest {
    @TempDir
    Path tmp;
    private String before;

    @BeforeEach
    void saveProperty() {
        before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (before == null) {
            System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
        } else {
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
        }
    }

    /** A MiniLM classifier trained on 80 SST-2 rows. */
    private Path classifier() {
        Path out = tmp.resolve("clf");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data",
                CliRunner.shared().resolve("data/sst2/train.tsv").toString(), "--limit", "80", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        return out;
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    private static String threads(Path file) throws Exception {
        JsonObject o = json(file);
        return o.has(DqnCli.REWARD_ENCODER_THREADS) ? o.get(DqnCli.REWARD_ENCODER_THREADS).getAsString() : null;
    }

    @Test
    void rewardsScoreRecordsTheCountOfEverySessionThatScored() throws Exception {
        Path clf = classifier();
        StringBuilder hyp = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            hyp.append(i % 2 == 0 ? "a good and happy film " : "a dull and boring film ").append(i).append('\n');
        }
        Path hyps = Files.writeString(tmp.resolve("hyp.txt"), hyp);
        System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
        Path full = tmp.resolve("full.tsv");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "classifier:model=" + clf, "--hyp",
                hyps.toString(), "--output", full.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("1", threads(ResumableOutput.runFile(full)));

        // cut after 4 scores (as an interrupt leaves it), then resumed with another count: both are recorded
        List<String> rows = Files.readAllLines(full);
        for (boolean recorded : new boolean[] {true, false}) {
            Path cut = tmp.resolve("cut-" + recorded + ".tsv");
            Files.writeString(RecordWriter.part(cut), String.join("\n", rows.subList(0, 5)) + "\n");
            JsonObject record = json(ResumableOutput.runFile(full));
            record.remove("rows");
            record.remove("finished");
            if (!recorded) { // a record written before the count was recorded
                record.remove(DqnCli.REWARD_ENCODER_THREADS);
            }
            Files.writeString(ResumableOutput.runFile(RecordWriter.part(cut)), record.toString());
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "2");
            r = CliRunner.run("rewards", "score", "--reward", "classifier:model=" + clf, "--hyp", hyps.toString(),
                    "--output", cut.toString(), "--resume");
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertEquals(Files.readString(full), Files.readString(cut), "the same scores");
            assertEquals(recorded ? "1 then 2" : "unrecorded then 2", threads(ResumableOutput.runFile(cut)));
        }

        // a reward that embeds nothing records no count
        Path afinn = tmp.resolve("afinn.tsv");
        r = CliRunner.run("rewards", "score", "--reward", "afinn", "--hyp", hyps.toString(), "--output",
                afinn.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(json(ResumableOutput.runFile(afinn)).has(DqnCli.REWARD_ENCODER_THREADS));
    }

    @Test
    void evaluateRecordsTheCountItScoredWith() throws Exception {
        Path clf = classifier();
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "afinn");
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
        Path out = tmp.resolve("eval");
        CliRunner.Result r = CliRunner.run("evaluate", "--policy", run.toString(), "--prompts", prompts.toString(),
                "--limit", "2", "--samples", "1", "--reward", "classifier:model=" + clf, "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("1", threads(out.resolve("comparison.json")));
        assertEquals("1", threads(ResumableOutput.runFile(out.resolve(EpisodeLog.FILE))));
        // and the PyTorch count that sampled the episodes, as train records it (it recorded none)
        assertEquals(DqnCli.threads(), json(out.resolve("comparison.json")).get(DqnCli.THREADS).getAsString());
        assertEquals(DqnCli.threads(), json(ResumableOutput.runFile(out.resolve(EpisodeLog.FILE)))
                .get(DqnCli.THREADS).getAsString());

        // the run's own reward (afinn) embeds nothing: no count
        Path plain = tmp.resolve("plain");
        r = CliRunner.run("evaluate", "--policy", run.toString(), "--prompts", prompts.toString(), "--limit", "2",
                "--samples", "1", "--out", plain.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(null, threads(plain.resolve("comparison.json")));
        assertEquals(null, threads(ResumableOutput.runFile(plain.resolve(EpisodeLog.FILE))));
    }
}
