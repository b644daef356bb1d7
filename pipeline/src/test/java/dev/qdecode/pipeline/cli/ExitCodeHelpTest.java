package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.NativeCalls;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;

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
        assertTrue(line.contains(" 143 stopped by SIGTERM, handled as Ctrl-C is: the same work is saved first"), line);
        assertTrue(line.contains(" 129 stopped by SIGHUP (the terminal closed), handled as Ctrl-C is"), line);
    }

    /**
     * Every exit code {@link ExitCodes} names is a row of the help's list and a number of the README's table, and the
     * signal ones are the 128 + signal number that {@link NativeCalls#exitStatus} (and the launcher) give. SIGHUP's
     * 129 had no row of its own in the help (only "(129: SIGHUP)" inside SIGTERM's).
     */
    @Test
    void everyNamedExitCodeIsAHelpRowAndInTheReadmeAndSignalsAre128PlusTheirNumber() throws Exception {
        List<Integer> named = new ArrayList<>();
        for (Field f : ExitCodes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                named.add(f.getInt(null));
            }
        }
        assertEquals(8, named.size(), "ExitCodes' constants: " + named);
        String help = CliRunner.run("--help").out();
        String list = help.substring(help.indexOf("Exit codes:"));
        List<Integer> rows = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^  (\\d+) ").matcher(list);
        while (m.find()) {
            rows.add(Integer.parseInt(m.group(1)));
        }
        assertEquals(named.stream().sorted().toList(), rows.stream().sorted().toList(), list);
        String readme = Files.readString(Path.of("..", "README.md"));
        int at = readme.indexOf("## Exit codes");
        String table = readme.substring(at, readme.indexOf("\n## ", at + 1));
        for (int code : named) {
            assertTrue(Pattern.compile("(?m)(^|[ (])" + code + " ").matcher(table).find(), "README lacks " + code);
        }
        assertEquals(ExitCodes.INTERRUPTED, NativeCalls.exitStatus(new Signal("INT")));
        assertEquals(ExitCodes.TERMINATED, NativeCalls.exitStatus(new Signal("TERM")));
        assertEquals(ExitCodes.HANGUP, NativeCalls.exitStatus(new Signal("HUP")));
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
