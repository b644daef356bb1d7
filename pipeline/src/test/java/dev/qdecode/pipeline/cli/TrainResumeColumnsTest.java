package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume} of a translation run started with other columns than the defaults (en -> fr) goes on
 * with the run's columns, given no column options: an interrupted run is resumed on its own files, reads the
 * French references (the files have no German column, so the default 'de' would stop it) and records en -> fr
 * in its final summary.
 */
class TrainResumeColumnsTest {

    @Test
    void aResumedRunKeepsItsNonDefaultColumns(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-fr.val.tsv"));
        assertEquals("id\ten\tfr", lines.get(0));
        Path data = Files.write(tmp.resolve("train-en-fr.tsv"), lines.subList(0, 13));
        List<String> devRows = new ArrayList<>(lines.subList(0, 1));
        devRows.addAll(lines.subList(13, 17));
        Path dev = Files.write(tmp.resolve("dev-en-fr.tsv"), devRows);
        Path run = tmp.resolve("run");

        // started with the columns given, in its own JVM, and stopped with Ctrl-C after its first checkpoint
        String first = CliRunner.interruptedAfterCheckpoint(run, tmp.resolve("first.log"), List.of(
                "train", "--task", "translation", "--model", CliRunner.model("stories260K"), "--data", data.toString(),
                "--dev", dev.toString(), "--source-column", "en", "--target-column", "fr", "--episodes", "320",
                "--rollout-episodes", "16", "--max-new-tokens", "4", "--batch-size", "16", "--updates-per-rollout", "1",
                "--eval-every", "0", "--checkpoint-every", "16", "--eval-limit", "2", "--eval-samples", "1",
                "--save-replay", "--seed", "3", "--out", run.toString()));
        assertTrue(first.contains("(continue with: qdecode train --resume --out " + run + ")"), first);
        assertFalse(Files.exists(run.resolve(DqnTrainer.SUMMARY_FILE)), first);
        Map<String, String> started = DqnTrainer.checkpointInfo(run);
        assertTrue(Long.parseLong(started.get("episodes_done")) < 320, started.toString()); // unfinished
        assertEquals("en", started.get("source_column"), started.toString());
        assertEquals("fr", started.get("target_column"), started.toString());

        // resumed without column options: the run's columns, files and references
        CliRunner.Result r = CliRunner.run("train", "--resume", "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("held-out prompts (dev-en-fr.tsv):"), r.out());
        assertFalse(r.err().contains("missing column"), r.err());
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve(DqnTrainer.SUMMARY_FILE)))
                .getAsJsonObject();
        assertEquals(320, summary.get("episodes").getAsInt(), summary.toString());
        JsonObject prov = summary.getAsJsonObject("provenance");
        assertEquals("translation", prov.get("task").getAsString());
        assertEquals("en", prov.get("source_column").getAsString());
        assertEquals("fr", prov.get("target_column").getAsString());
        assertEquals(data.toAbsolutePath().normalize().toString(), prov.get("prompts").getAsString());
        assertEquals(dev.toAbsolutePath().normalize().toString(), prov.get("eval_prompts").getAsString());
    }
}
