package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit codes that {@code qdecode --help} lists name every command that saves its work on Ctrl-C, and the
 * classification task of train and evaluate as the exception, and say that SIGTERM and SIGHUP are handled as Ctrl-C
 * is, with their own exit statuses (143, 129).
 */
class ExitCodeHelpTest {

    @Test
    void exitCode130NamesEveryCommandThatSavesItsWork() {
        CliRunner.Result r = CliRunner.run("--help");
        assertEquals(ExitCodes.OK, r.code());
        String help = r.out().replaceAll("\\s+", " ");
        int at = help.indexOf(" 130 ");
        assertTrue(at >= 0, help);
        int end = help.indexOf("Options can be read", at); // the footer's next paragraph
        String line = help.substring(at, end < 0 ? help.length() : end);
        for (String saver : new String[] {"train", "sft", "generate --output", "rewards score --output", "evaluate"}) {
            assertTrue(line.contains(saver), "130 line lacks " + saver + ": " + line);
        }
        // evaluate --task classification cannot be resumed: the line must not promise that every evaluation saves
        // its work (a train --task classification run saves its checkpoint, which --resume continues)
        assertTrue(line.contains("train, evaluate (not --task classification), sft,"), line);
        // a scheduler's SIGTERM (and SIGHUP) saves the same work, with exit status 128 + the signal's number
        assertTrue(line.contains(" 143 stopped by SIGTERM (129: SIGHUP), handled as Ctrl-C is: the same work is saved "
                + "first"), line);
    }

    /**
     * {@code train --resume --task translation} of a continuation run exits 2 and {@code evaluate --task translation
     * --policy} of one exits 3, and the help's exit codes did not say which is which: an option that contradicts the
     * run a resume continues is bad usage (as another {@code --reward} or {@code --gamma} is), a {@code --policy}
     * run that does not fit the task is bad input (as a {@code --model} other than the run's is). Both are listed.
     */
    @Test
    void aResumeContradictionIsUsageAndAPolicyOfAnotherTaskIsBadInput(@TempDir Path tmp) {
        Path run = CliRunner.tinyRun(tmp.resolve("run"));
        CliRunner.Result r = CliRunner.run("train", "--resume", "--task", "translation", "--out", run.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --task translation: the run in " + run + " is a --task "
                + "continuation run, which --resume continues"), r.err());
        r = CliRunner.run("evaluate", "--task", "translation", "--policy", run.toString(), "--out",
                tmp.resolve("eval").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --policy " + run + ": a --task continuation run"), r.err());

        String help = CliRunner.run("--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains(" 2 bad usage (unknown option, invalid value or combination, an option that "
                + "contradicts the run --resume continues, e.g. train --resume --task of another task) "), help);
        assertTrue(help.contains(" 3 bad input (file, model, data, a --policy run that does not fit, e.g. of another "
                + "--task) "), help);
    }
}
