package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An unknown option is bad usage also beside {@code --help} or {@code --version}, as it is without them:
 * picocli printed the help and exited 0, leaving the typo unnoticed ({@code train --help --bogus}).
 */
class HelpWithUnknownOptionTest {

    private static final List<List<String>> COMMANDS = List.of(List.of(), List.of("train"), List.of("sft"),
            List.of("generate"), List.of("evaluate"), List.of("rewards", "score"), List.of("classifier", "train"),
            List.of("tokenizer", "train"), List.of("report"), List.of("bench", "generate"));

    private static CliRunner.Result run(List<String> command, String... more) {
        List<String> args = new ArrayList<>(command);
        args.addAll(List.of(more));
        return CliRunner.run(args.toArray(String[]::new));
    }

    @Test
    void anUnknownOptionBesideHelpIsRefusedByEveryCommand() {
        for (List<String> command : COMMANDS) {
            String name = String.join(" ", command);
            String qualified = ("qdecode " + name).strip();
            for (String[] args : new String[][] {{"--help", "--bogus"}, {"--bogus", "--help"}, {"--version", "--bogus"}}) {
                CliRunner.Result r = run(command, args);
                String where = qualified + " " + String.join(" ", args);
                assertEquals(ExitCodes.USAGE, r.code(), where + ": " + r.err());
                assertEquals(List.of("qdecode: error: Unknown option: '--bogus'",
                        "Try '" + qualified + " --help' for the options."), r.err().lines().toList(), where);
                assertEquals("", r.out(), where + ": no help printed");
            }
            // --help alone still prints the help and succeeds
            CliRunner.Result help = run(command, "--help");
            assertEquals(ExitCodes.OK, help.code(), qualified + ": " + help.err());
            assertTrue(help.out().contains("Usage: " + qualified), help.out());
        }
        // a stray argument too
        CliRunner.Result extra = CliRunner.run("train", "--help", "extra");
        assertEquals(ExitCodes.USAGE, extra.code(), extra.err());
        assertTrue(extra.err().startsWith("qdecode: error: Unmatched argument at index 2: 'extra'"), extra.err());
    }
}
