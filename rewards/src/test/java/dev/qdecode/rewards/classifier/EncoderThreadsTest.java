package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What a run records as its MiniLM encoder's ONNX Runtime intra-op thread count. */
class EncoderThreadsTest {

    @Test
    void theCountIsThePropertysElseOnnxRuntimesDefaultOnThisMachine() {
        String before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
        try {
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, " 2 ");
            assertEquals("2", SentenceEncoders.onnxThreads());
            System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            assertEquals("default (" + Runtime.getRuntime().availableProcessors() + " processors)",
                    SentenceEncoders.onnxThreads());
        } finally {
            if (before == null) {
                System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            } else {
                System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
            }
        }
    }

    @Test
    void onlyTheMiniLmIdsRunOnOnnxRuntime() {
        assertTrue(SentenceEncoders.onOnnxRuntime("minilm"));
        assertTrue(SentenceEncoders.onOnnxRuntime(" MiniLM-q "));
        assertFalse(SentenceEncoders.onOnnxRuntime("hf:/models/bert"));
        assertFalse(SentenceEncoders.onOnnxRuntime("/models/bert"));
    }
}
