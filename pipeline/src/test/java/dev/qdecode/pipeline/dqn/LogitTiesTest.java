package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.data.ClassificationExample;
import dev.qdecode.pipeline.testing.StandInEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under the cross-entropy value loss Q = σ(z) rounds to 1.0f for z ≳ 17, so logits 18 and 25 give the
 * same float Q: decisions must still prefer the larger logit, while the reported Q stays σ(z).
 */
class LogitTiesTest {
    @TempDir
    Path dir;

    /**
     * A cross-entropy head on 1-dimensional embeddings whose output for the embedding [1] is the given
     * logits (online) and {@code targetLogits} (target network): a linear hidden unit h = x, then z_a = w_a·h.
     */
    static HeadState head(float[] logits, float[] targetLogits) {
        int v = logits.length;
        int n = 2 + 2 * v;
        return new HeadState(1, 1, v, DqnConfig.Activation.LINEAR, params(logits), params(targetLogits),
                new float[n], new float[n], 0, DqnConfig.ValueLoss.CROSS_ENTROPY);
    }

    private static float[] params(float[] logits) {
        float[] p = new float[2 + 2 * logits.length];
        p[0] = 1; // W1 = [1 | bias 0]
        for (int a = 0; a < logits.length; a++) {
            p[2 + 2 * a] = logits[a]; // W2 row a = [z_a | bias 0]
        }
        return p;
    }

    @Test
    void largeLogitsTieInQButTheReportedQStaysSigma() {
        try (QHead h = QHead.of(head(new float[] {18, 25, 0}, new float[] {18, 25, 0}))) {
            float[] q = h.q(new float[] {1}, 1, new int[] {0, 1, 2}, 3);
            assertEquals(1.0f, q[0]);
            assertEquals(1.0f, q[1]);
            assertEquals(0.5f, q[2]);
        }
    }

    private ClassificationTrainer.TrainedRun run(String name, float[] logits) throws IOException {
        Path file = dir.resolve(name + ".ckpt");
        Files.createDirectories(dir);
        DqnConfig cfg = DqnConfig.builder().valueLoss(DqnConfig.ValueLoss.CROSS_ENTROPY).build();
        Checkpoint.write(file, new Checkpoint.Data(cfg, Map.of(), Map.of(), Map.of(),
                Map.of("task", "classification", "labels", "a=A,b=B", "template", "{text}", "encoder", "ones"),
                head(logits, logits), false), null);
        return ClassificationTrainer.TrainedRun.load(file);
    }

    private static final List<ClassificationExample> ONE = List.of(new ClassificationExample("e1", "x", "b"));
    private static final ClassificationTrainer.Backbone ENCODER =
            new ClassificationTrainer.Backbone(null, null, null, null, StandInEncoder.ones());

    @Test
    void classificationPredictsTheLabelOfTheLargerLogit() throws IOException {
        // label a has z = 18, label b has z = 25: both Q = 1.0f; before, the first label (a) won the tie
        ClassificationTrainer.TrainedRun r = run("one", new float[] {18, 25});
        assertEquals(List.of("b"), r.predict(ENCODER, ONE, true, null).labels());
        assertEquals(List.of("b"), r.predict(ENCODER, ONE, false, null).labels());
    }

    @Test
    void anEnsembleBreaksTiesInMeanQByTheMeanLogit() throws IOException {
        // mean Q (probability space, as documented) is 1.0f for both labels; mean logits 24 and 25.5
        ClassificationTrainer.TrainedRun r1 = run("r1", new float[] {18, 25});
        ClassificationTrainer.TrainedRun r2 = run("r2", new float[] {30, 26});
        assertEquals(List.of("b"), r1.predict(ENCODER, ONE, true, null, List.of(r2)).labels());
        // a real difference in mean Q still decides (probability space): label a has mean Q
        // (σ(-10) + σ(40)) / 2 ≈ 0.5 and mean logit 15, label b mean Q σ(2) ≈ 0.88 and mean logit 2
        ClassificationTrainer.TrainedRun r3 = run("r3", new float[] {-10, 2});
        ClassificationTrainer.TrainedRun r4 = run("r4", new float[] {40, 2});
        assertEquals(List.of("b"), r3.predict(ENCODER, ONE, true, null, List.of(r4)).labels());
    }
}
