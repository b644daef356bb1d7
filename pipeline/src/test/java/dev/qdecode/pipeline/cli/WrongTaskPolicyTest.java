package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code --policy} run of another task than the command expects is an input that does not fit (exit 3, bad input,
 * like a {@code --model} of another model): a continuation run given to {@code evaluate --task translation} or
 * {@code --task dialogue} used to exit 2, to {@code --task classification} 3, and a classification run given to
 * {@code generate} or {@code evaluate} 3. Every case now exits 3 with one line naming {@code --policy}, the run as
 * typed (generate named {@code RUN/checkpoint.qdq} for {@code --policy RUN}, where evaluate names {@code RUN}), the
 * run's task and what was expected.
 */
class WrongTaskPolicyTest {

    @Test
    void aRunOfAnotherTaskIsBadInputEverywhere(@TempDir Path tmp) throws Exception {
        Path cont = CliRunner.tinyDefaultRun(tmp.resolve("cont"));
        Path data = Files.writeString(tmp.resolve("train.tsv"),
                "sentence\tlabel\nThe dog was happy.\t1\nThe day was sad.\t0\nHis cake was great.\t1\n"
                        + "The game was awful.\t0\n");
        Path cls = tmp.resolve("cls");
        Result k = CliRunner.run("train", "--task", "classification", "--model", CliRunner.model("TinyStories-656K"),
                "--data", data.toString(), "--dev", data.toString(), "--episodes", "8", "--eval-every", "4", "--out",
                cls.toString());
        assertEquals(ExitCodes.OK, k.code(), k.err());

        for (String task : List.of("translation", "dialogue", "classification")) {
            Result r = CliRunner.run("evaluate", "--task", task, "--policy", cont.toString(), "--out",
                    tmp.resolve("e-" + task).toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), task + ": " + r.err());
            assertEquals(List.of("qdecode: error: --policy " + cont + ": a --task continuation run (expected a run "
                    + "of --task " + task + "; evaluate it with --task continuation)"), r.err().lines().toList());
            assertEquals("", r.out());
        }
        for (String task : List.of("continuation", "translation", "dialogue")) {
            Result r = CliRunner.run("evaluate", "--task", task, "--policy", cls.toString(), "--out",
                    tmp.resolve("f-" + task).toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), task + ": " + r.err());
            assertEquals(List.of("qdecode: error: --policy " + cls + ": a --task classification run (expected a run "
                    + "of --task " + task + "; evaluate it with --task classification)"), r.err().lines().toList());
        }
        // generate names the run as typed, as evaluate does: it named RUN/checkpoint.qdq for a --policy RUN
        for (Path typed : List.of(cls, cls.resolve("checkpoint.qdq"))) {
            Result g = CliRunner.run("generate", "--policy", typed.toString(), "--prompt", "The dog was");
            assertEquals(ExitCodes.BAD_INPUT, g.code(), g.err());
            assertEquals(List.of("qdecode: error: --policy " + typed + ": a classification run (expected a run of "
                    + "--task continuation, translation or dialogue; label texts with it by evaluate --task "
                    + "classification)"), g.err().lines().toList());
            assertEquals("", g.out());
        }
        Result g = CliRunner.run("generate", "--policy", cont.toString(), "--ensemble", cls.toString(), "--prompt",
                "The dog was");
        assertEquals(ExitCodes.BAD_INPUT, g.code(), g.err());
        assertEquals(List.of("qdecode: error: --policy/--ensemble " + cls + ": a classification run (expected a run of "
                + "--task continuation, translation or dialogue; label texts with it by evaluate --task "
                + "classification)"), g.err().lines().toList());
    }
}
