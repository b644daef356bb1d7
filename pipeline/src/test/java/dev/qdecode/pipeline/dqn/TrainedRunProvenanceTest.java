package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qdecode.data.ClassificationExample;
import dev.qdecode.pipeline.testing.StandInEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classification checkpoint whose provenance lacks what {@link ClassificationTrainer.TrainedRun#predict}
 * needs (possible only through the library: the CLI always records it) is refused when it is read.
 */
class TrainedRunProvenanceTest {
    @TempDir
    Path dir;

    /** A checkpoint of a 2-label head on 2-dimensional embeddings with the given provenance. */
    private Path checkpoint(Map<String, String> provenance) throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (QHead head = new QHead(2, 4, 2, DqnConfig.Activation.RELU, 1)) {
            Checkpoint.write(file, new Checkpoint.Data(DqnConfig.defaults(), Map.of(), Map.of(), Map.of(),
                    provenance, head.export(), false), null);
        }
        return file;
    }

    private static Map<String, String> complete() {
        Map<String, String> p = new HashMap<>();
        p.put("task", "classification");
        p.put("labels", "0=bad,1=good");
        p.put("template", "{text}");
        p.put("encoder", "stand-in");
        return p;
    }

    @Test
    void aCompleteRunIsReadAndPredicts() throws IOException {
        ClassificationTrainer.TrainedRun run = ClassificationTrainer.TrainedRun.load(checkpoint(complete()));
        ClassificationTrainer.Predictions p = run.predict(
                new ClassificationTrainer.Backbone(null, null, null, null, StandInEncoder.lengthAndGood()),
                List.of(new ClassificationExample("e1", "good x", "1"), new ClassificationExample("e2", "bad", "0")),
                true, null);
        assertEquals(2, p.labels().size());
    }

    /** Before: load succeeded and predict failed with 'NullPointerException: spec' (labels) or 'template'. */
    @ParameterizedTest
    @ValueSource(strings = {"labels", "template"})
    void aRunWithoutLabelsOrTemplateIsRefusedWhenRead(String key) throws IOException {
        Map<String, String> p = complete();
        p.remove(key);
        Path file = checkpoint(p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationTrainer.TrainedRun.load(file));
        assertEquals(file + ": its provenance has no " + key + " (expected a classification run's checkpoint, which"
                + " records its labels and template)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClassificationTrainer.TrainedRun.load(dir));
    }

    @Test
    void unparsableLabelsAreRefusedWhenReadNamingTheFile() throws IOException {
        Map<String, String> p = complete();
        p.put("labels", "good");
        Path file = checkpoint(p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassificationTrainer.TrainedRun.load(file));
        assertEquals(file + ": its provenance: --labels: expected LABEL=TEXT pairs separated by commas but got"
                + " 'good'", e.getMessage());
    }
}
