package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --policy RUN} samples the run's guided policy over all its candidates, as its help asks
 * ("no --top-k"): leaving out {@code --top-k} used to apply the sampling default of 50 on top of the policy,
 * so a run trained with {@code --candidates-top-k 200} never produced its candidates beyond the 50th.
 */
class GeneratePolicyTopKTest {

    @Test
    void withoutTopKAPolicySamplesAllItsCandidates(@TempDir Path tmp) throws IOException {
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--candidates-top-k", "200");
        StringBuilder tsv = new StringBuilder("id\tprompt\n");
        for (int i = 0; i < 600; i++) {
            tsv.append(i).append("\tThe\n");
        }
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), tsv);
        String plain = generate(run, prompts);
        String all = generate(run, prompts, "--top-k", "0");
        String top50 = generate(run, prompts, "--top-k", "50");
        assertEquals(all, plain);
        assertNotEquals(top50, plain);
        long distinct = plain.lines().skip(1).map(l -> l.split("\t", -1)[2]).distinct().count();
        assertTrue(distinct > 50, "distinct first tokens: " + distinct);
    }

    private static String generate(Path run, Path prompts, String... extra) {
        String[] base = {"generate", "--policy", run.toString(), "--prompts", prompts.toString(), "--max-new-tokens",
            "1", "--no-token-healing", "--batch-size", "200"};
        String[] args = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }
}
