package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DQN option of {@code train} whose value does not parse or is out of range is bad usage with the second
 * line pointing to {@code qdecode train --help}, as the README's error section says of every option that does
 * not parse (and as {@code --task bogus} already had). These values are checked by {@code DqnConfig} after
 * picocli has parsed the command line, and were refused with the error line alone. A key of a {@code --config}
 * file keeps its one line naming the file and key: the file, not an option, is what to fix.
 */
class TrainOptionValueHintTest {
    private static final String HINT = "Try 'qdecode train --help' for the options.";

    @Test
    void anOptionValueThatDoesNotParseAddsTheHelpHint(@TempDir Path tmp) {
        String out = tmp.resolve("run").toString();
        String[][] cases = {
            {"--backup", "bogus", "command line: key \"backup\" (--backup): expected one of soft, hard, double but got "
                    + "'bogus'"},
            {"--lr-schedule", "sometimes", "command line: key \"lrSchedule\" (--lr-schedule): expected one of "
                    + "constant, linear, cosine but got 'sometimes'"},
            {"--gamma", "2", "command line: --gamma: expected a number in (0, 1] but got 2.0"},
            {"--episodes", "0", "command line: --episodes: expected a positive integer but got 0"},
        };
        for (String[] c : cases) {
            CliRunner.Result r = CliRunner.run("train", c[0], c[1], "--out", out);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals(List.of("qdecode: error: " + c[2], HINT), r.err().lines().toList(), c[0]);
        }
        assertEquals(false, Files.exists(tmp.resolve("run").resolve("checkpoint.qdq")));
    }

    @Test
    void aConfigFileKeyStaysOneLine(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("c.json"), "{\"backup\": \"bogus\"}");
        CliRunner.Result r = CliRunner.run("train", "--config", cfg.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: " + cfg + ": key \"backup\" (--backup): expected one of soft, hard, "
                + "double but got 'bogus'"), r.err().lines().toList());
    }
}
