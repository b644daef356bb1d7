package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --task continuation} keeps every sampled episode in OUT/episodes.jsonl batch by batch; an
 * evaluation cut where a kill leaves it (whole batches, then half a row) resumes with --resume to the
 * uninterrupted evaluation's episodes and metrics, and a resume with another setting is refused.
 */
class EvaluateResumeTest {

    private static JsonObject metrics(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("comparison.json"))).getAsJsonObject();
    }

    /**
     * Trains a small run for {@code episodes} episodes in TMP/run and evaluates it whole into TMP/full: 40
     * prompts x 2 samples, 80 episodes per model, in batches of 64 and 16.
     *
     * @return the evaluate command's arguments up to {@code --out}, whose value is to follow
     */
    private static String[] trainAndEvaluate(Path tmp, int episodes) throws Exception {
        Path run = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run("train", "--episodes", Integer.toString(episodes), "--rollout-episodes",
                "16", "--max-new-tokens", "8", "--min-new-tokens", "2", "--eval-limit", "2", "--eval-samples", "1",
                "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String[] common = {"evaluate", "--policy", run.toString(), "--limit", "40", "--samples", "2", "--out"};
        r = CliRunner.run(concat(common, tmp.resolve("full").toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        return common;
    }

    @Test
    void anInterruptedEvaluationResumesToTheUninterruptedOne(@TempDir Path tmp) throws Exception {
        String[] common = trainAndEvaluate(tmp, 32);
        Path full = tmp.resolve("full");
        CliRunner.Result r;
        List<String> rows = Files.readAllLines(full.resolve(EpisodeLog.FILE));
        assertEquals(160, rows.size());

        // the base model's 80, the policy's first batch of 64, and half of the next row
        Path cut = Files.createDirectories(tmp.resolve("cut"));
        List<String> kept = new ArrayList<>(rows.subList(0, 144));
        Files.writeString(cut.resolve(EpisodeLog.FILE + ".part"), String.join("\n", kept) + "\n"
                + rows.get(144).substring(0, rows.get(144).length() / 2));
        Files.copy(ResumableOutput.runFile(full.resolve(EpisodeLog.FILE)),
                ResumableOutput.runFile(cut.resolve(EpisodeLog.FILE + ".part")));
        r = CliRunner.run(concat(common, cut.toString(), "--seed", "9", "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--seed 9 (the run's: "), r.err());
        r = CliRunner.run(concat(common, cut.toString()));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("--resume to continue it"), r.err());

        r = CliRunner.run(concat(common, cut.toString(), "--resume"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("resuming after 144/160 episodes"), r.err());
        assertEquals(rows, Files.readAllLines(cut.resolve(EpisodeLog.FILE)));
        assertEquals(metrics(full), metrics(cut));
        assertEquals(Files.readString(full.resolve("comparison.tsv")), Files.readString(cut.resolve("comparison.tsv")));
        assertTrue(EpisodeLog.keep(150, 80) == 144 && EpisodeLog.keep(70, 80) == 64 && EpisodeLog.keep(80, 80) == 80
                && EpisodeLog.keep(160, 80) == 160 && EpisodeLog.keep(40, 80) == 0);
    }

    /**
     * The episodes' record holds the options a continuation evaluation reads (not the translation,
     * classification or decoding-time options it refuses, whose defaults it never used) and the lengths it
     * samples with, the run's own; an interrupted evaluation whose record an earlier version wrote with
     * every option still resumes.
     */
    @Test
    void theRecordHoldsTheOptionsTheTaskReadsAndAnOlderRecordResumes(@TempDir Path tmp) throws Exception {
        String[] common = trainAndEvaluate(tmp, 16);
        Path full = tmp.resolve("full");
        CliRunner.Result r;
        Path record = ResumableOutput.runFile(full.resolve(EpisodeLog.FILE));
        JsonObject rec = JsonParser.parseString(Files.readString(record)).getAsJsonObject();
        JsonObject options = rec.getAsJsonObject("options");
        for (String unread : List.of("--max-new-tokens", "--beams", "--length-penalty", "--source-column",
                "--target-column", "--text-column", "--label-column", "--data", "--q-weight", "--head", "--ensemble",
                "--resume", "--overwrite")) {
            assertTrue(!options.has(unread), unread + " in " + options);
        }
        assertEquals("40", options.get("--limit").getAsString());
        assertEquals("continuation", options.get("--task").getAsString());
        assertTrue(options.has("--prompts") && options.has("--reward") && options.has("--seed"), options.toString());
        assertEquals("8", rec.getAsJsonObject("policy_config").get("max_new_tokens").getAsString());
        assertEquals("2", rec.getAsJsonObject("policy_config").get("min_new_tokens").getAsString());

        // an interrupted evaluation whose record has every option, as earlier versions wrote it
        List<String> rows = Files.readAllLines(full.resolve(EpisodeLog.FILE));
        Path cut = Files.createDirectories(tmp.resolve("cut"));
        Files.write(cut.resolve(EpisodeLog.FILE + ".part"), rows.subList(0, 144));
        rec.remove("policy_config");
        for (String[] kv : new String[][] {{"--max-new-tokens", "64"}, {"--beams", "1"}, {"--length-penalty", "1.0"},
            {"--source-column", "en"}, {"--target-column", "de"}, {"--q-weight", "1.0"}}) {
            options.addProperty(kv[0], kv[1]);
        }
        Files.writeString(ResumableOutput.runFile(cut.resolve(EpisodeLog.FILE + ".part")), rec.toString());
        r = CliRunner.run(concat(common, cut.toString(), "--resume"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("resuming after 144/160 episodes"), r.err());
        assertEquals(rows, Files.readAllLines(cut.resolve(EpisodeLog.FILE)));
        assertEquals(metrics(full), metrics(cut));
        JsonObject resumed = JsonParser.parseString(Files.readString(ResumableOutput.runFile(cut.resolve(
                EpisodeLog.FILE)))).getAsJsonObject();
        assertTrue(!resumed.getAsJsonObject("options").has("--max-new-tokens"), resumed.toString());
    }

    /**
     * The record says what the kl column holds; a resume of episodes whose record defines it otherwise, or not at
     * all (written by a qdecode from before the exact KL), is refused with one line, not continued into a column
     * of mixed meanings (it was: old sampled-token values and new exact ones averaged into one "KL to pi_ref").
     */
    @Test
    void episodesWrittenUnderAnotherKlDefinitionAreNotResumed(@TempDir Path tmp) throws Exception {
        String[] common = trainAndEvaluate(tmp, 16);
        Path full = tmp.resolve("full");
        JsonObject rec = JsonParser.parseString(Files.readString(ResumableOutput.runFile(full.resolve(EpisodeLog.FILE))))
                .getAsJsonObject();
        assertEquals(EpisodeLog.KL_DEFINITION, rec.getAsJsonObject("column_definitions").get("kl").getAsString());
        List<String> rows = Files.readAllLines(full.resolve(EpisodeLog.FILE));

        Path cut = Files.createDirectories(tmp.resolve("cut"));
        Path part = cut.resolve(EpisodeLog.FILE + ".part");
        Files.write(part, rows.subList(0, 144));
        rec.remove("column_definitions"); // as a qdecode from before the marker wrote it
        Files.writeString(ResumableOutput.runFile(part), rec.toString());
        CliRunner.Result r = CliRunner.run(concat(common, cut.toString(), "--resume"));
        CliRunner.assertUsage(r, "--resume: " + part + ": its kl values were written by an earlier qdecode, whose "
                + "record does not define them (expected '" + EpisodeLog.KL_DEFINITION + "'");
        assertEquals(rows.subList(0, 144), Files.readAllLines(part), "the interrupted episodes are kept as they were");

        JsonObject other = new JsonObject();
        other.addProperty("kl", "sampled-token estimate");
        rec.add("column_definitions", other);
        Files.writeString(ResumableOutput.runFile(part), rec.toString());
        r = CliRunner.run(concat(common, cut.toString(), "--resume"));
        CliRunner.assertUsage(r, "its kl values were written as 'sampled-token estimate' (expected '"
                + EpisodeLog.KL_DEFINITION + "'");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
