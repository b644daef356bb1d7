package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A negative {@code --limit} of {@code classifier train|eval} and {@code --data-limit} of
 * {@code train --task classification} are bad usage with the second line pointing to the command's
 * {@code --help}, as the README says of every option that does not parse, as the same {@code --limit -1}
 * already was in {@code generate} and {@code --epochs 0} in {@code classifier train}. They were refused with
 * the error line alone (and classifier eval only after loading the classifier).
 */
class CountOptionHintTest {

    private static void usageWithHint(CliRunner.Result r, String error, String command) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: " + error, "Try 'qdecode " + command + " --help' for the options."),
                r.err().lines().toList());
    }

    @Test
    void classifierLimit(@TempDir Path tmp) throws Exception {
        Path data = Files.writeString(tmp.resolve("d.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        usageWithHint(CliRunner.run("classifier", "train", "--data", data.toString(), "--limit", "-1", "--out",
                tmp.resolve("clf").toString()), "--limit: expected 0 (all) or a positive count but got -1",
                "classifier train");
        usageWithHint(CliRunner.run("classifier", "eval", "--classifier", tmp.resolve("clf").toString(), "--data",
                data.toString(), "--limit", "-2"), "--limit: expected 0 (all) or a positive count but got -2",
                "classifier eval");
    }

    @Test
    void trainDataLimit(@TempDir Path tmp) {
        usageWithHint(CliRunner.run("train", "--task", "classification", "--data-limit", "-1", "--out",
                tmp.resolve("run").toString()), "--data-limit: expected 0 (all) or a positive count but got -1", "train");
    }
}
