package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.data.Datasets;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} records its reward so that {@code train --resume} and {@code evaluate --policy} (without
 * {@code --reward}) create it again, from whatever directory they run in: a relative {@code classifier:model=} or
 * {@code lexicon=} path is recorded absolute, or those commands would read another directory's classifier, or none
 * ({@code /elsewhere/runs/sst2-clf does not exist}).
 */
class RecordedRewardPathTest {
    @Test
    void aRelativeRewardPathIsRecordedAbsolute(@TempDir Path tmp) {
        Path lexicon = CliRunner.shared().resolve("data/lexicons/afinn-165.tsv").toAbsolutePath().normalize();
        String relative = Path.of("").toAbsolutePath().relativize(lexicon).toString();
        assertTrue(!Path.of(relative).isAbsolute(), relative);
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "0.5*afinn:lexicon=" + relative + ",normalise=true");
        String recorded = DqnTrainer.checkpointHeader(run).get("reward");
        assertEquals(List.of("0.5*afinn:lexicon=" + lexicon + ",normalise=true"), DqnCli.rewardsOf(recorded));
    }

    /**
     * The files a reward reads from a path given to it are recorded with their sha256 (reward_files_sha256), so
     * the run says which classifier or lexicon, byte for byte, scored it; a run whose rewards read none records
     * nothing.
     */
    @Test
    void theRewardsFilesAreRecordedWithTheirSha256(@TempDir Path tmp) {
        Path lexicon = CliRunner.shared().resolve("data/lexicons/afinn-165.tsv").toAbsolutePath().normalize();
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "afinn:lexicon=" + lexicon, "--reward",
                "0.1*length:min=2");
        assertEquals(Map.of(lexicon.toString(), Datasets.sha256(lexicon)), new com.google.gson.Gson().fromJson(
                DqnTrainer.checkpointHeader(run).get("reward_files_sha256"), Map.class));
        Path plain = CliRunner.tinyRun(tmp.resolve("plain"), "--reward", "afinn");
        assertFalse(DqnTrainer.checkpointHeader(plain).containsKey("reward_files_sha256"));
    }

    /**
     * evaluate --policy, scoring a run on its own reward, refuses a lexicon (or classifier) that changed since the
     * run was trained, naming it with both sha256 (exit 3), as it refuses a changed plug-in jar; an explicit --reward
     * is the user's choice and is not refused.
     */
    @Test
    void evaluateRefusesARewardFileThatChanged(@TempDir Path tmp) throws java.io.IOException {
        Path lexicon = java.nio.file.Files.copy(CliRunner.shared().resolve("data/lexicons/afinn-165.tsv"),
                tmp.resolve("afinn.tsv"));
        String before = Datasets.sha256(lexicon);
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "afinn:lexicon=" + lexicon);
        java.nio.file.Files.writeString(lexicon, "superb\t5\n", java.nio.file.StandardOpenOption.APPEND);
        String after = Datasets.sha256(lexicon);
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        CliRunner.Result r = CliRunner.run("evaluate", "--policy", run.toString(), "--prompts", prompts.toString(),
                "--limit", "2", "--samples", "1", "--out", tmp.resolve("ev").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --policy " + run + ": the run's reward reads " + lexicon + ", which changed since "
                + "the run started (sha256 " + after + ", the run's: " + before + "; put it back to score the run with "
                + "the reward it was trained with, or give --reward to score it with another)", r.err().strip());
        r = CliRunner.run("evaluate", "--policy", run.toString(), "--prompts", prompts.toString(), "--limit", "2",
                "--samples", "1", "--reward", "afinn:lexicon=" + lexicon, "--out", tmp.resolve("ev2").toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
    }

    /**
     * rewards score --output records the sha256 of the lexicon or classifier its reward reads, and --resume refuses
     * one that changed since (exit 2, naming the file and both sha256), rather than scoring the rest with another
     * one into the same file.
     */
    @Test
    void rewardsScoreResumeRefusesARewardFileThatChanged(@TempDir Path tmp) throws java.io.IOException {
        Path lexicon = java.nio.file.Files.copy(CliRunner.shared().resolve("data/lexicons/afinn-165.tsv"),
                tmp.resolve("afinn.tsv"));
        String before = Datasets.sha256(lexicon);
        StringBuilder hyp = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            hyp.append("a good and happy day number ").append(i).append('\n');
        }
        Path hyps = java.nio.file.Files.writeString(tmp.resolve("hyp.txt"), hyp);
        Path full = tmp.resolve("full.tsv");
        String[] score = {"rewards", "score", "--reward", "afinn:lexicon=" + lexicon, "--hyp", hyps.toString(),
            "--output"};
        CliRunner.Result r = CliRunner.run(concat(score, full.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(java.nio.file.Files.readString(ResumableOutput.runFile(full)).contains("\"" + lexicon + "\": \""
                + before + "\""), "the record names the lexicon with its sha256");
        // a run cut after 4 rows, resumed after the lexicon changed
        List<String> rows = java.nio.file.Files.readAllLines(full);
        Path cut = tmp.resolve("cut.tsv");
        java.nio.file.Files.writeString(RecordWriter.part(cut), String.join("\n", rows.subList(0, 5)) + "\n");
        java.nio.file.Files.copy(ResumableOutput.runFile(full), ResumableOutput.runFile(RecordWriter.part(cut)));
        java.nio.file.Files.writeString(lexicon, "superb\t5\n", java.nio.file.StandardOpenOption.APPEND);
        String after = Datasets.sha256(lexicon);
        r = CliRunner.run(concat(score, cut.toString(), "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("reward_files_sha256 " + lexicon + " " + after + " (the run's: " + before + ")"),
                r.err());
        assertTrue(!java.nio.file.Files.exists(cut), "nothing finished");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
