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

    /**
     * {@code help COMMAND --bogus} is refused as {@code COMMAND --help --bogus} is, and its hint names the
     * command whose help was asked for (it named {@code qdecode help --help}); {@code help} followed by a
     * nested command's words prints that command's help (it was refused: picocli's help takes one word).
     */
    @Test
    void helpForACommandWithAnUnknownOptionNamesThatCommandsHelp() {
        for (List<String> command : COMMANDS.subList(1, COMMANDS.size())) {
            String qualified = "qdecode " + String.join(" ", command);
            List<String> help = new ArrayList<>(List.of("help"));
            help.addAll(command);
            CliRunner.Result r = run(help, "--bogus");
            assertEquals(ExitCodes.USAGE, r.code(), qualified + ": " + r.err());
            assertEquals(List.of("qdecode: error: Unknown option: '--bogus'", "Try '" + qualified + " --help' for the options."),
                    r.err().lines().toList(), qualified);
            assertEquals("", r.out(), qualified);
            CliRunner.Result ok = run(help);
            assertEquals(ExitCodes.OK, ok.code(), qualified + ": " + ok.err());
            assertTrue(ok.out().contains("Usage: " + qualified + " "), ok.out());
        }
        CliRunner.Result extra = CliRunner.run("help", "rewards", "score", "extra");
        assertEquals(ExitCodes.USAGE, extra.code(), extra.err());
        assertEquals(List.of("qdecode: error: Unmatched argument at index 3: 'extra'",
                "Try 'qdecode rewards score --help' for the options."), extra.err().lines().toList());
        // without a command, the help command's own help
        CliRunner.Result bare = CliRunner.run("help", "--bogus");
        assertEquals(List.of("qdecode: error: Unknown option: '--bogus'", "Try 'qdecode help --help' for the options."),
                bare.err().lines().toList());
    }
}
