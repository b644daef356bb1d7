package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardsAndBenchCommandTest {
    @TempDir Path tmp;

    @Test
    void listShowsEveryBuiltInReward() {
        CliRunner.Result r = CliRunner.run("rewards", "list");
        assertEquals(0, r.code(), r.err());
        for (String id : List.of("bleu", "chrf", "vader", "afinn", "classifier", "label-match", "token-f1", "length", "repetition")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ")), id + " missing: " + r.out());
        }
    }

    @Test
    void scoreGivesSacreBleuCorpusScoreWithSignatureAndPerLineScores() throws IOException {
        // The sacreBLEU README example (two reference streams): BLEU = 48.53.
        Path hyp = tmp.resolve("hyp.txt");
        Path ref1 = tmp.resolve("ref1.txt");
        Path ref2 = tmp.resolve("ref2.txt");
        Files.writeString(hyp, "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
        Files.writeString(ref1, "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n");
        Files.writeString(ref2, "The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n");
        Path out = tmp.resolve("scores.tsv");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyp.toString(),
                "--ref", ref1.toString(), "--ref", ref2.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("48.53"), r.out());
        assertTrue(r.out().contains("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp"), r.out());
        List<String> rows = Files.readAllLines(out);
        assertEquals(4, rows.size());
        double first = Double.parseDouble(rows.get(1).split("\t")[2]);
        assertEquals(1.0, first, 1e-9, "identical hypothesis scores 1.0: " + rows.get(1));

        CliRunner.Result bad = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyp.toString(),
                "--ref", tmp.resolve("missing.txt").toString());
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());

        CliRunner.Result unknown = CliRunner.run("rewards", "score", "--reward", "nosuch", "--hyp", hyp.toString());
        assertEquals(ExitCodes.REWARD_FAILED, unknown.code());
        assertTrue(unknown.err().contains("nosuch"), unknown.err());
    }

    @Test
    void benchGenerateReportsATableRowPerBatchSize() {
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", CliRunner.model("stories260K"),
                "--batch-sizes", "1,3", "--new-tokens", "4", "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("260,032 parameters"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("1 ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("3 ")), r.out());

        CliRunner.Result bad = CliRunner.run("bench", "generate", "--batch-sizes", "0");
        assertEquals(ExitCodes.USAGE, bad.code());
    }

    @Test
    void benchRewardsRunsANamedBenchmark() {
        CliRunner.Result r = CliRunner.run("bench", "rewards", "--list");
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().filter(l -> l.startsWith("bleu")).findFirst().orElseThrow().split("\\s+")[0];
        r = CliRunner.run("bench", "rewards", first, "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(first), r.out());
    }
}
