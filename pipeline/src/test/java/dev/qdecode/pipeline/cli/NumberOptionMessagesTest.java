package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * A number option's bad value says what was expected, as every other bad-input message does: before,
 * picocli's own words named the option but not what it takes ({@code '--episodes': 'x' is not an int},
 * {@code '--seed': 'x' is not a long}).
 */
class NumberOptionMessagesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "generate --max-new-tokens x|generate|--max-new-tokens|'x' is not a whole number (expected a whole number, e.g. 64)",
        "train --episodes x|train|--episodes|'x' is not a whole number (expected a whole number, e.g. 6000)",
        "train --eval-limit 1.5|train|--eval-limit|'1.5' is not a whole number (expected a whole number, e.g. 100)",
        "generate --seed 0x10|generate|--seed|'0x10' is not a whole number (expected a whole number, e.g. 42)",
        "evaluate --seed x|evaluate|--seed|'x' is not a whole number (expected a whole number, e.g. 100)",
        "tokenizer train --vocab-size 1e3|tokenizer train|--vocab-size|'1e3' is not a whole number (expected a whole"
                + " number, e.g. 100)",
        "generate --top-k 99999999999|generate|--top-k|'99999999999' is too large (expected a whole number up to"
                + " 2147483647, e.g. 50)",
        "tokenizer train --vocab-size 99999999999|tokenizer train|--vocab-size|'99999999999' is too large (expected"
                + " a whole number up to 2147483647, e.g. 100)",
        "train --seed -99999999999999999999|train|--seed|'-99999999999999999999' is too small (expected a whole"
                + " number from -9223372036854775808, e.g. 1)",
        "train --lr abc|train|--lr|'abc' is not a number (expected a number such as 0.001, 3 or 1e-4)",
        "generate --temperature 1,5|generate|--temperature|'1,5' is not a number (expected a number such as 1.0,"
                + " 3 or 1e-4)",
        "sft --time-limit NaN|sft|--time-limit|'NaN' is not a finite number (expected a number such as 0.5, 3 or"
                + " 1e-4)",
        "train --gamma 1e400|train|--gamma|'1e400' is not a finite number (expected a number such as 1.0, 3 or"
                + " 1e-4)",
    })
    void aBadNumberSaysWhatWasExpected(String args, String command, String option, String message) {
        CliRunner.Result r = CliRunner.run(args.split(" "));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: Invalid value for option '" + option + "': " + message,
                "Try 'qdecode " + command + " --help' for the options."), r.err().lines().toList());
    }

    /** Every int, long, double or float option of every command, with no exception. */
    @Test
    void everyNumberOptionOfEveryCommandSaysWhatWasExpected() {
        Set<Class<?>> numbers = Set.of(int.class, Integer.class, long.class, Long.class, double.class, Double.class,
                float.class, Float.class);
        List<String> checked = new ArrayList<>();
        List<CommandLine> commands = new ArrayList<>(List.of(Main.commandLine()));
        for (int i = 0; i < commands.size(); i++) {
            CommandLine c = commands.get(i);
            commands.addAll(c.getSubcommands().values().stream().filter(s -> s.getParent() == c).toList());
            for (CommandLine.Model.ArgSpec a : c.getCommandSpec().args()) {
                if (!numbers.contains(a.type())) {
                    continue;
                }
                List<String> args = new ArrayList<>(List.of(c.getCommandSpec().qualifiedName().split(" ")));
                args.remove(0); // "qdecode"
                if (a instanceof CommandLine.Model.OptionSpec o) {
                    args.add(o.longestName());
                }
                args.add("x");
                CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
                boolean whole = a.type() == int.class || a.type() == Integer.class || a.type() == long.class
                        || a.type() == Long.class;
                String expected = whole ? "'x' is not a whole number (expected a whole number, e.g. "
                        : "'x' is not a number (expected a number such as ";
                assertEquals(ExitCodes.USAGE, r.code(), args + ": " + r.err());
                assertTrue(r.err().startsWith("qdecode: error: Invalid value for ") && r.err().contains(expected),
                        args + ": " + r.err());
                assertEquals(2, r.err().lines().count(), r.err());
                checked.add(String.join(" ", args));
            }
        }
        assertTrue(checked.contains("train --episodes x") && checked.contains("sft --lr x")
                && checked.contains("bench train --seed x"), checked.toString());
    }

    @Test
    void anOptionFileIsReadTheSameWay(@TempDir Path tmp) throws Exception {
        Path opts = Files.writeString(tmp.resolve("opts.txt"), "--lr\n1,5\n");
        CliRunner.Result r = CliRunner.run("train", "@" + opts);
        CliRunner.assertUsage(r, "Invalid value for option '--lr': '1,5' is not a number (expected a number such as"
                + " 0.001, 3 or 1e-4)");
    }

    /**
     * The message names the spellings a decimal option reads, each of which is read: it said "a decimal number
     * with a point", though 1 and 1e-4 were read as well.
     */
    @Test
    void theSpellingsADecimalRefusalNamesAreRead() {
        NumberConverters.Refusal refusal = org.junit.jupiter.api.Assertions.assertThrows(NumberConverters.Refusal.class,
                () -> NumberConverters.toDouble("abc"));
        String message = refusal.withExample("0.001");
        assertEquals("'abc' is not a number (expected a number such as 0.001, 3 or 1e-4)", message);
        assertEquals("'abc' is not a number (expected a number such as 0.5, 3 or 1e-4)", refusal.getMessage());
        for (String named : new String[] {"0.001", "0.5", "3", "1e-4"}) {
            assertTrue(Double.isFinite(NumberConverters.toDouble(named)), named);
        }
        assertEquals(1.0, NumberConverters.toDouble("1")); // as `--lr 1` is read
    }

    @Test
    void numbersThatAreReadStayRead() {
        assertEquals(5, NumberConverters.toInt("+5"));
        assertEquals(-3, NumberConverters.toInt("-3"));
        assertEquals(Long.MAX_VALUE, NumberConverters.toLong(Long.toString(Long.MAX_VALUE)));
        assertEquals(1e-4, NumberConverters.toDouble("1e-4"));
        assertEquals(0.5, NumberConverters.toDouble(".5"));
        assertEquals(3.0f, NumberConverters.toFloat("3"));
        for (String bad : new String[] {"", " 5", "5 ", "\u0663", "2147483648"}) { // Arabic-Indic three was read as 3
            assertFalse(reads(bad), bad);
        }
    }

    private static boolean reads(String s) {
        try {
            NumberConverters.toInt(s);
            return true;
        } catch (NumberConverters.Refusal e) {
            return false;
        }
    }
}
