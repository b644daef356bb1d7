package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.engine.Engine;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A classifier trains on any thread. PyTorch's grad mode is per thread, and DJL turns it off only on the
 * thread that starts the engine: the head's Adam step updated its parameters (leaves that require a
 * gradient) in place, which PyTorch refuses where grad mode is on, so {@code TextClassifier.train} on any
 * other thread (a worker pool, {@code ClassificationTrainer.run}'s probe) failed with
 * {@code EngineException: a leaf Variable that requires grad is being used in an in-place operation}.
 */
class TrainOnAnyThreadTest {

    /** A 2-dimensional stand-in encoder: the classifier's own work, not an embedding model's. */
    private static final SentenceEncoder ENCODER = new SentenceEncoder() {
        @Override
        public int dimension() {
            return 2;
        }

        @Override
        public float[][] embed(List<String> texts) {
            float[][] out = new float[texts.size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new float[] {texts.get(i).length(), texts.get(i).startsWith("good") ? 1 : 0};
            }
            return out;
        }

        @Override
        public String id() {
            return "stand-in";
        }

        @Override
        public void close() {}
    };

    private static double[][] trainAndPredict(ClassifierConfig config) {
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            texts.add((i % 2 == 0 ? "good " : "bad ") + "x".repeat(i % 5));
            labels.add(i % 2 == 0 ? "1" : "0");
        }
        try (TextClassifier c = TextClassifier.train(ENCODER, texts, labels, config)) {
            return c.predictProba(List.of("good x", "bad xx"));
        }
    }

    @Test
    void aClassifierTrainsOnAThreadOtherThanTheEnginesOwn() throws Exception {
        Engine.getEngine("PyTorch"); // started on this thread, if not yet
        for (ClassifierConfig config : List.of(ClassifierConfig.logistic().withMaxEpochs(3),
                ClassifierConfig.mlp().withMaxEpochs(3))) {
            double[][] here = trainAndPredict(config);
            AtomicReference<double[][]> there = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    there.set(trainAndPredict(config));
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "worker");
            worker.start();
            worker.join();
            assertNull(failure.get(), () -> "training on another thread failed: " + failure.get());
            assertEquals(here.length, there.get().length);
            for (int i = 0; i < here.length; i++) {
                assertArrayEquals(here[i], there.get()[i], 0.0, "the same training on either thread");
            }
        }
    }
}
