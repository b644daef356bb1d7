package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a resume's refusal of --reward, --plugin and the columns shows as the run's own setting. */
class ResumeRecordedSettingTest {
    @Test
    void namesTheRunsRecordedValueForEveryOptionTheResumeDoesNotTake() {
        Map<String, String> translation = Map.of("task", "translation", "reward", "[\"bleu\",\"chrf:0.5\"]",
                "source_column", "en", "target_column", "fr", "plugins", "[\"/x/a.jar\",\"/x/b.jar\"]");
        assertEquals("bleu + chrf:0.5", TrainCommand.recordedSetting("--reward", translation));
        assertEquals("/x/a.jar,/x/b.jar", TrainCommand.recordedSetting("--plugin", translation));
        assertEquals("en", TrainCommand.recordedSetting("--source-column", translation));
        assertEquals("fr", TrainCommand.recordedSetting("--target-column", translation));

        // a translation run from before the columns were recorded ran on the defaults
        Map<String, String> older = Map.of("task", "translation", "reward", "[\"bleu\"]");
        assertEquals("en", TrainCommand.recordedSetting("--source-column", older));
        assertEquals("de", TrainCommand.recordedSetting("--target-column", older));
        assertEquals("none", TrainCommand.recordedSetting("--plugin", older));

        Map<String, String> dialogue = Map.of("task", "dialogue", "reward", "[\"token-f1\"]");
        assertEquals("none, a --task dialogue run", TrainCommand.recordedSetting("--source-column", dialogue));
        assertEquals("none, a --task dialogue run", TrainCommand.recordedSetting("--target-column", dialogue));
        // no task recorded: a continuation run (as the resume reads it)
        assertEquals("none, a --task continuation run", TrainCommand.recordedSetting("--source-column",
                Map.of("reward", "[\"vader\"]")));
        assertEquals("vader", TrainCommand.recordedSetting("--reward", Map.of("reward", "[\"vader\"]")));
    }
}
