package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --config FILE}: how a file's settings combine with the options and the task's defaults. */
class TrainConfigFileTest {

    private static void usage(CliRunner.Result r, String text) {
        CliRunner.assertUsage(r, text);
    }

    /** Refused for its missing data file, which is read after the settings: the settings were accepted. */
    private static void settingsAccepted(CliRunner.Result r, Path missing) {
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains(missing + ": file not found"), r.err());
    }

    @Test
    void aFileIsCheckedWithTheOptionsAndTaskDefaultsThatCompleteIt(@TempDir Path tmp) throws Exception {
        Path cfg = Files.writeString(tmp.resolve("short.json"), "{\"maxNewTokens\": 16}");
        Path missing = tmp.resolve("missing.tsv");
        String out = tmp.resolve("run").toString();
        // dialogue lets a turn end after its first token (--min-new-tokens 1), so 16 new tokens are enough;
        // the file used to be checked alone against the continuation default of 24 and refused
        settingsAccepted(CliRunner.run("train", "--task", "dialogue", "--config", cfg.toString(), "--data",
                missing.toString(), "--out", out), missing);
        // an option completes the file the same way
        settingsAccepted(CliRunner.run("train", "--config", cfg.toString(), "--min-new-tokens", "8", "--prompts",
                missing.toString(), "--out", out), missing);
        // what does not fit together is still refused, naming the file, the option and the value
        usage(CliRunner.run("train", "--config", cfg.toString(), "--min-new-tokens", "30", "--out", out),
                cfg + " with the command line options: --min-new-tokens: expected an integer in 0..16 "
                        + "(--max-new-tokens) but got 30");
        // a --max-new-tokens below the default --min-new-tokens (24) takes the default down with it, from the
        // file or the command line: it was refused naming a 24 the user never typed
        settingsAccepted(CliRunner.run("train", "--config", cfg.toString(), "--prompts", missing.toString(), "--out",
                out), missing);
        settingsAccepted(CliRunner.run("train", "--max-new-tokens", "8", "--prompts", missing.toString(), "--out",
                out), missing);
        // a value the file set that is out of range names the file and its key, also beside other options
        // (it said "FILE with the command line options: --gamma: ...")
        Path steep = Files.writeString(tmp.resolve("steep.json"), "{\"gamma\": 2}");
        usage(CliRunner.run("train", "--config", steep.toString(), "--episodes", "10", "--out", out),
                "qdecode: error: " + steep + ": key \"gamma\" (--gamma): expected a number in (0, 1] but got 2.0");
        // an option's value that is out of range is the command line's, the file's key or not
        usage(CliRunner.run("train", "--config", steep.toString(), "--gamma", "3", "--out", out),
                "qdecode: error: " + steep + " with the command line options: --gamma: expected a number in (0, 1] "
                        + "but got 3.0");
        // a key's own errors still name the file and the key, whatever the options
        Path wrong = Files.writeString(tmp.resolve("wrong.json"), "{\"maxNewTokens\": \"16\"}");
        usage(CliRunner.run("train", "--config", wrong.toString(), "--max-new-tokens", "16", "--out", out),
                wrong + ": key \"maxNewTokens\" (--max-new-tokens): expected an integer but got \"16\"");
        // an option's own error is the command line's, not the file's
        usage(CliRunner.run("train", "--config", cfg.toString(), "--backup", "max", "--out", out),
                "qdecode: error: command line: key \"backup\" (--backup): expected one of soft, hard, double but got "
                        + "'max'");
        assertFalse(Files.exists(tmp.resolve("run").resolve("checkpoint.qdq")));
    }

    /**
     * A --config file that is missing or a directory is bad input (exit 3), as every other missing input
     * file is (it was exit 2, "FILE: config file not found"), also with --resume; a wrong key in it stays
     * bad usage, as the option's value would be.
     */
    @Test
    void aMissingOrUnreadableFileIsBadInput(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-such.json");
        String out = tmp.resolve("run").toString();
        for (String[] args : new String[][] {{"train", "--config", missing.toString(), "--out", out},
                {"train", "--config", missing.toString(), "--out", out, "--resume"}}) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals("qdecode: error: --config " + missing + ": file not found (expected a JSON file of DQN config "
                    + "keys, e.g. {\"episodes\": 2000})", r.err().strip());
        }
        CliRunner.Result dir = CliRunner.run("train", "--config", tmp.toString(), "--out", out);
        assertEquals(ExitCodes.BAD_INPUT, dir.code(), dir.err());
        assertTrue(dir.err().startsWith("qdecode: error: --config " + tmp + ": is a directory (expected a JSON file"),
                dir.err());
        Path unknown = Files.writeString(tmp.resolve("unknown.json"), "{\"gama\": 0.9}");
        usage(CliRunner.run("train", "--config", unknown.toString(), "--out", out), unknown + ": unknown key \"gama\"");
        assertFalse(Files.exists(tmp.resolve("run")));
    }
}
