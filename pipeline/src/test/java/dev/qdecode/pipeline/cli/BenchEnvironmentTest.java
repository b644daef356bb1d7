package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The machine line at the top of every benchmark, and the lists of things a benchmark measures. */
class BenchEnvironmentTest {

    /** Only the three load averages are shown (/proc/loadavg also holds process counts and the last pid). */
    @Test
    void theLoadIsTheThreeAveragesOnly() {
        String line = BenchEnvironment.describe();
        assertTrue(line.matches(".* \\| load average [0-9.]+ [0-9.]+ [0-9.]+ \\(1/5/15 min\\) \\| java .*"), line);
    }

    /**
     * Every benchmark says how many PyTorch threads it ran with, and, for a model read from a directory, which
     * weights it measured (the first 12 digits of their sha256). Before, neither was printed, though the README's
     * table gives two GPT-2-small rates that differ only in QDECODE_THREADS, and two outputs of models with the
     * same directory name could not be told apart.
     */
    @Test
    void theThreadsAndTheWeightsMeasuredAreNamed() {
        String line = BenchEnvironment.describe();
        assertTrue(line.contains(" | cores " + Runtime.getRuntime().availableProcessors() + " | torch threads "
                + DqnCli.threads() + " | load average "), line);
        String model = CliRunner.model("stories260K");
        String weights = dev.qdecode.models.ModelFiles.weightsSha256(java.nio.file.Path.of(model)).substring(0, 12);
        CliRunner.Result g = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1",
                "--new-tokens", "2", "--runs", "1", "--warmup", "0");
        org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.OK, g.code(), g.err());
        assertTrue(g.out().contains("| torch threads " + DqnCli.threads() + " |"), g.out());
        assertTrue(g.out().contains("\nmodel stories260K (weights sha256 " + weights + "): llama, 260,032 parameters, "
                + "loaded in "), g.out());
        CliRunner.Result t = CliRunner.run("bench", "train", "--model", model, "--variants", "soft", "--updates", "1",
                "--runs", "1", "--rollout-episodes", "1", "--max-new-tokens", "2", "--batch-size", "4");
        org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.OK, t.code(), t.err());
        assertTrue(t.out().contains("| torch threads " + DqnCli.threads() + " |"), t.out());
        assertTrue(t.out().contains("\nmodel stories260K (weights sha256 " + weights + "): embedding 64, "), t.out());
        // a random model has no weights file: it is named by --random and its seed
        String config = java.nio.file.Path.of(model, "config.json").toString();
        CliRunner.Result r = CliRunner.run("bench", "generate", "--random", config, "--batch-sizes", "1",
                "--new-tokens", "1", "--prompt-tokens", "2", "--runs", "1", "--warmup", "0");
        org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("\nmodel random " + config + ": llama, 260,032 parameters, "), r.out());
    }

    /** A thing to measure given twice would be measured twice and read as two results: bad usage. */
    @Test
    void aBenchmarkOrSizeGivenTwiceIsRefused() {
        String[][] cases = {
            {"bench", "rewards", "bleu-sentence", "bleu-sentence", "--runs", "1"},
            {"bench", "generate", "--model", CliRunner.model("stories260K"), "--batch-sizes", "1,8,1", "--runs", "1"},
            {"bench", "train", "--model", CliRunner.model("stories260K"), "--variants", "soft,hard,soft", "--runs", "1"},
        };
        String[] expected = {"NAME bleu-sentence: given twice", "--batch-sizes 1: given twice",
            "--variants soft: given twice"};
        for (int i = 0; i < cases.length; i++) {
            CliRunner.Result r = CliRunner.run(cases[i]);
            org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: " + expected[i] + " (expected each once)"), r.err());
        }
    }
}
