package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --head} takes online or target; any other value does not parse, so it is bad usage with the line
 * pointing to the command's {@code --help}, as the README says of every option that does not parse (as
 * {@code --mode bogus} already was); so is a {@code --q-weight} that is not above 0. Both were refused with the
 * error line alone.
 */
class HeadOptionTest {

    @Test
    void anUnknownHeadIsUsageWithTheHelpHint() {
        String[][] commands = {
            {"generate", "--policy", "no-such-run", "--head", "bogus", "--prompt", "Hi"},
            {"evaluate", "--task", "translation", "--policy", "no-such-run", "--head", "bogus"},
            {"evaluate", "--task", "classification", "--policy", "no-such-run", "--head", "bogus"},
        };
        for (String[] args : commands) {
            CliRunner.Result r = CliRunner.run(args);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals(List.of("qdecode: error: --head: expected online or target but got 'bogus'",
                    "Try 'qdecode " + args[0] + " --help' for the options."), r.err().lines().toList(), args[0]);
        }
    }

    /** {@code --q-weight} out of range is the same kind of error (it is checked once the run is named). */
    @Test
    void aQWeightOutOfRangeIsUsageWithTheHelpHint() {
        CliRunner.Result r = CliRunner.run("generate", "--policy", "no-such-run", "--q-weight", "0", "--prompt", "Hi");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of("qdecode: error: --q-weight: expected a number > 0 but got 0.0",
                "Try 'qdecode generate --help' for the options."), r.err().lines().toList());
    }
}
