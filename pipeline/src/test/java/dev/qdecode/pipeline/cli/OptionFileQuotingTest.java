package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code @options} file is split into words at white space (picocli's rule): a value with spaces is given
 * quoted, as one word, as the README's example does. An unquoted one left picocli's bare {@code Unmatched arguments
 * from index 5: 'went', ...}, whose index counts the words after the file was read in and which named no file;
 * the message now names the file and says how to quote the value.
 */
class OptionFileQuotingTest {

    private static final String QUOTE_HINT = " is split into words at white space, so a value with spaces there must"
            + " be quoted as one word: expected e.g. --prompt \"Tom went\" or \"--prompt=Tom went\" in the file, not "
            + "--prompt Tom went or --prompt=\"Tom went\")";

    @Test
    void aQuotedValueWithSpacesIsOneValue(@TempDir Path tmp) throws Exception {
        String model = CliRunner.model("stories260K");
        Path doubled = Files.writeString(tmp.resolve("double.txt"),
                "--model " + model + "\n--prompt \"Tom went to the park.\"\n--max-new-tokens 2\n");
        CliRunner.Result r = CliRunner.run("generate", "@" + doubled);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().startsWith("Tom went to the park."), r.out());

        Path single = Files.writeString(tmp.resolve("single.txt"),
                "--model " + model + " --max-new-tokens 2\n# a comment\n'--prompt=Tom said \"hi\".'\n");
        r = CliRunner.run("generate", "@" + single);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().startsWith("Tom said \"hi\"."), r.out());
    }

    @Test
    void anUnquotedValueWithSpacesNamesTheFileAndHowToQuote(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("opts.txt"),
                "--model " + CliRunner.model("stories260K") + "\n--prompt Tom went to the park.\n");
        CliRunner.Result r = CliRunner.run("generate", "@" + file);
        CliRunner.assertUsage(r, "qdecode: error: Unmatched arguments from index 5: 'went', 'to', 'the', 'park.' (@"
                + file + QUOTE_HINT);
        assertEquals(2, r.err().lines().count(), r.err()); // and the line pointing to --help

        // --prompt="…" is split too: the option takes the empty word before the quote, the quoted text is left over
        Path equals = Files.writeString(tmp.resolve("equals.txt"), "--prompt=\"Tom went\"\n");
        r = CliRunner.run("generate", "@" + equals);
        CliRunner.assertUsage(r, "'Tom went' (@" + equals + QUOTE_HINT);
    }

    @Test
    void unmatchedWordsOfTheCommandLineItselfGetNoHint(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("opts.txt"), "--max-new-tokens 2\n");
        CliRunner.Result r = CliRunner.run("generate", "@" + file, "--prompt", "Tom", "went");
        CliRunner.assertUsage(r, "Unmatched argument at index 5: 'went'");
        assertFalse(r.err().contains("split into words"), r.err());
    }
}
