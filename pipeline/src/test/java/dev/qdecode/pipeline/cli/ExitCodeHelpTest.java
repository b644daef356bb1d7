package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
}
