package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code evaluate}'s decoding-time options where the task scores the run's policy as trained
 * ({@code --q-weight}, {@code --head}, {@code --ensemble}) do not belong with the others: like every such
 * option (e.g. {@code --beams} with {@code --task continuation}), the refusal is bad usage with the second line
 * pointing to the command's {@code --help}, as the README's error section says. They were refused with the one
 * line alone. The check runs before the run is read, so the run directory need not exist.
 */
class AsTrainedOptionsHintTest {
    private static final String HINT = "Try 'qdecode evaluate --help' for the options.";

    @Test
    void continuationRefusesEachDecodingOptionWithTheHelpHint() {
        String[][] cases = {
            {"--q-weight", "0.5", "(expected it only with generate or evaluate --task translation)"},
            {"--head", "target", "(expected it only with generate or evaluate --task translation, or evaluate --task "
                    + "classification)"},
            {"--ensemble", "other-run", "(expected it only with generate or evaluate --task translation, or evaluate "
                    + "--task classification)"},
        };
        for (String[] c : cases) {
            CliRunner.Result r = CliRunner.run("evaluate", "--policy", "no-such-run", c[0], c[1]);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals(List.of("qdecode: error: " + c[0] + ": not for evaluate --task continuation, which scores the "
                    + "run's policy as trained " + c[2], HINT), r.err().lines().toList(), c[0]);
        }
    }

    @Test
    void dialogueAndClassificationToo() {
        CliRunner.Result dialogue = CliRunner.run("evaluate", "--task", "dialogue", "--policy", "no-such-run",
                "--head", "online");
        assertEquals(ExitCodes.USAGE, dialogue.code(), dialogue.err());
        assertEquals(List.of("qdecode: error: --head: not for evaluate --task dialogue, which scores the run's policy "
                + "as trained (expected it only with generate or evaluate --task translation, or evaluate --task "
                + "classification)", HINT), dialogue.err().lines().toList());
        CliRunner.Result classification = CliRunner.run("evaluate", "--task", "classification", "--policy",
                "no-such-run", "--q-weight", "1");
        assertEquals(ExitCodes.USAGE, classification.code(), classification.err());
        assertEquals(List.of("qdecode: error: --q-weight: not for evaluate --task classification, which scores the "
                + "run's policy as trained (expected it only with generate or evaluate --task translation)", HINT),
                classification.err().lines().toList());
    }
}
