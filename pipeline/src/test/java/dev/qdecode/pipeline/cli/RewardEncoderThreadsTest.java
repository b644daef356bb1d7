package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose reward is a {@code classifier:model=DIR} on a MiniLM encoder records the ONNX Runtime thread count
 * that reward embeds with ({@code reward_encoder_threads}), beside its files' sha256: it was not recorded, though
 * another count may give other scores. Other rewards, and a classifier on a model directory (PyTorch, whose count
 * is {@code threads}), record nothing; a resume records every session's count.
 */
class RewardEncoderThreadsTest {
    /** A directory whose classifier.json names this encoder (all the record reads). */
    private static Path classifier(Path dir, String encoder) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("classifier.json"), "{\"format\": \"qdecode-classifier\", \"encoder\": \""
                + encoder + "\"}\n");
        return dir;
    }

    private static Map<String, String> recorded(List<String> specs) {
        Map<String, String> p = new LinkedHashMap<>();
        DqnCli.putRewardEncoderThreads(p, specs);
        return p;
    }

    @Test
    void aMiniLmClassifierRewardRecordsItsThreadCount(@TempDir Path tmp) throws Exception {
        Path minilm = classifier(tmp.resolve("minilm"), "minilm");
        Path quantized = classifier(tmp.resolve("q"), "minilm-q");
        Path hf = classifier(tmp.resolve("hf"), "hf:" + tmp.resolve("model"));
        assertEquals(Map.of(DqnCli.REWARD_ENCODER_THREADS, SentenceEncoders.onnxThreads()),
                recorded(List.of("0.5*classifier:model=" + minilm + ",label=1", "0.1*length:min=2")));
        assertEquals(SentenceEncoders.onnxThreads(),
                recorded(List.of("classifier:model=" + quantized)).get(DqnCli.REWARD_ENCODER_THREADS));
        assertFalse(recorded(List.of("classifier:model=" + hf)).containsKey(DqnCli.REWARD_ENCODER_THREADS));
        assertFalse(recorded(List.of("afinn")).containsKey(DqnCli.REWARD_ENCODER_THREADS));
        // a directory without a classifier: the reward refuses it when created; nothing is recorded here
        assertFalse(recorded(List.of("classifier:model=" + tmp.resolve("none")))
                .containsKey(DqnCli.REWARD_ENCODER_THREADS));
    }

    @Test
    void aResumeRecordsEverySessionsCount() {
        String now = SentenceEncoders.onnxThreads();
        Map<String, String> session = Map.of(DqnCli.REWARD_ENCODER_THREADS, now);
        assertEquals(now, DqnCli.resumedRewardEncoderThreads(now, session));
        assertEquals("7 then " + now, DqnCli.resumedRewardEncoderThreads("7", session));
        assertEquals("unrecorded then " + now, DqnCli.resumedRewardEncoderThreads(null, session));
        assertNull(DqnCli.resumedRewardEncoderThreads(null, Map.of()));
    }
}
