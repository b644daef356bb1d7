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
