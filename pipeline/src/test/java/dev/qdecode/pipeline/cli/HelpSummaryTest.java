package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command lists of {@code --help} show each command's summary as one whole sentence. */
class HelpSummaryTest {

    /** The first line of a command's header, or else of its description: what its parent's list shows. */
    private static String summary(CommandLine cl) {
        CommandLine.Model.UsageMessageSpec u = cl.getCommandSpec().usageMessage();
        String[] lines = u.header().length > 0 ? u.header() : u.description();
        return lines.length == 0 ? "" : lines[0];
    }

    private static void collect(CommandLine cl, List<String> bad) {
        for (CommandLine sub : cl.getSubcommands().values()) {
            String s = summary(sub).strip();
            if (!s.endsWith(".")) {
                bad.add(sub.getCommandSpec().qualifiedName() + ": '" + s + "'");
            }
            collect(sub, bad);
        }
    }

    @Test
    void everySummaryIsASentenceEndingWithAPeriod() {
        List<String> bad = new ArrayList<>();
        collect(Main.commandLine(), bad);
        assertEquals(List.of(), bad);
    }

    @Test
    void theRewardOptionsNameTheDefaultOfEveryTaskTheyServe() {
        // train's --reward said "Default: vader." for every task, while dialogue and translation train on bleu
        String train = String.join(" ", Main.commandLine().getSubcommands().get("train").getCommandSpec()
                .findOption("--reward").description());
        for (String task : List.of("continuation", "translation", "dialogue", "classification")) {
            String reward = String.join(" + ", DqnCli.defaultRewards(task));
            assertTrue(train.contains((task.equals("continuation") ? "Default: " : task + ": ") + reward)
                    || train.contains(task + ", ") && train.contains(": " + reward), task + ": " + train);
        }
        String evaluate = String.join(" ", Main.commandLine().getSubcommands().get("evaluate").getCommandSpec()
                .findOption("--reward").description());
        // evaluate's default is the run's own reward; the task's default only for a run that recorded none
        assertTrue(evaluate.contains("Default: the run's, as train recorded it"), evaluate);
        assertTrue(evaluate.contains(DqnCli.defaultRewards("continuation").get(0) + " (dialogue: "
                + DqnCli.defaultRewards("dialogue").get(0) + ") for a run that recorded none"), evaluate);
    }

    @Test
    void theTopLevelListShowsSftAsAWholeSentence() {
        StringWriter out = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help");
        assertEquals(ExitCodes.OK, code);
        String help = out.toString();
        int at = help.indexOf("\n  sft ");
        assertTrue(at >= 0, help);
        // the entry runs until the next command's line (continuation lines are indented further)
        int next = help.indexOf("\n  evaluate ", at);
        String entry = help.substring(at, next).replaceAll("\\s+", " ").strip();
        assertEquals("sft Supervised fine-tuning of a decoder on prompt->target pairs (a warm start for 'train').",
                entry);
    }
}
