package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --overwrite} over an earlier run leaves only the new run in {@code --out}: the earlier
 * run's checkpoint, metrics (which the new run would otherwise append to), summary, evaluation and
 * report are removed, other files are kept, and a new run refused before it writes keeps the earlier one.
 */
class TrainOverwriteTest {
    @TempDir Path tmp;

    private static String[] args(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void aContinuationRunReplacesTheEarlierRunsFilesAndKeepsOthers() throws IOException {
        Path out = tmp.resolve("run");
        String[] tiny = {"train", "--model", CliRunner.model("stories260K"), "--episodes", "8", "--rollout-episodes",
            "8", "--max-new-tokens", "4", "--min-new-tokens", "1", "--eval-limit", "2", "--eval-samples", "1",
            "--eval-every", "4", "--out", out.toString()};
        CliRunner.Result first = CliRunner.run(tiny);
        assertEquals(ExitCodes.OK, first.code(), first.err());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertTrue(Files.exists(out.resolve("report/report.html")));
        // what evaluate would have written for this head, and a file qdecode never writes
        Files.createDirectories(out.resolve("evaluation"));
        Files.writeString(out.resolve("evaluation/comparison.json"), "{\"earlier\": true}");
        Files.writeString(out.resolve("notes.txt"), "keep");

        CliRunner.Result again = CliRunner.run(args(tiny, "--seed", "2", "--overwrite"));
        assertEquals(ExitCodes.OK, again.code(), again.err());
        assertTrue(again.err().contains("--overwrite: removed the earlier run in " + out + " (checkpoint.qdq, "
                + "metrics.jsonl, summary.json, evaluation/, report/)"), again.err());
        assertEquals(metrics.size(), Files.readAllLines(out.resolve("metrics.jsonl")).size(),
                "the new run's metrics only, not appended to the earlier run's");
        assertFalse(Files.exists(out.resolve("evaluation")), "the earlier head's evaluation is gone");
        assertTrue(Files.exists(out.resolve("report/report.html")), "the new run's report");
        assertTrue(Files.readString(out.resolve("summary.json")).contains("\"seed\""));
        assertEquals("keep", Files.readString(out.resolve("notes.txt")));
    }

    @Test
    void aClassificationRunCanBeEvaluatedAgainAfterOverwriteAndARefusedOneKeepsTheEarlier() throws IOException {
        Path sst2 = CliRunner.shared().resolve("data/sst2");
        Path train = Files.write(tmp.resolve("tr.tsv"), Files.readAllLines(sst2.resolve("train.tsv"),
                StandardCharsets.UTF_8).subList(0, 121));
        Path small = Files.write(tmp.resolve("s40.tsv"), Files.readAllLines(sst2.resolve("train.tsv"),
                StandardCharsets.UTF_8).subList(0, 41));
        Path dev = Files.write(tmp.resolve("dev.tsv"), Files.readAllLines(sst2.resolve("dev.tsv"),
                StandardCharsets.UTF_8).subList(0, 41));
        Path out = tmp.resolve("ow");
        String[] cls = {"train", "--task", "classification", "--model", CliRunner.model("stories260K"), "--dev",
            dev.toString(), "--out", out.toString()};
        CliRunner.Result r = CliRunner.run(args(cls, "--data", train.toString(), "--seed", "1"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String[] evaluate = {"evaluate", "--task", "classification", "--policy", out.toString()};
        r = CliRunner.run(evaluate);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        byte[] checkpoint = Files.readAllBytes(out.resolve("checkpoint.qdq"));

        // refused before it writes (a reward that cannot tell the labels apart): the earlier run is kept
        r = CliRunner.run(args(cls, "--data", small.toString(), "--reward", "vader", "--overwrite"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("evaluation/classification.json")), r.err());
        assertTrue(java.util.Arrays.equals(checkpoint, Files.readAllBytes(out.resolve("checkpoint.qdq"))));

        r = CliRunner.run(args(cls, "--data", small.toString(), "--seed", "2", "--overwrite"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("evaluation")), "the earlier head's evaluation is gone");
        assertTrue(Files.readString(out.resolve("summary.json")).contains(small.toString()));
        // the new head is evaluated without --overwrite: nothing of the earlier one is left to replace
        r = CliRunner.run(evaluate);
        assertEquals(ExitCodes.OK, r.code(), r.err());
    }
}
