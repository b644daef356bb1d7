package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files: exact round trip, atomic replacement, clear errors on damage. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static Checkpoint.Data data(QHead head, DqnConfig cfg, boolean replay) {
        return new Checkpoint.Data(cfg, Map.of("episodes", 640L, "updates", 320L), Map.of("klBeta", 0.0125),
                Map.of("replay", -1234567890123L, "rollout", 42L),
                Map.of("model", "/work/shared/models/TinyStories-656K", "model.sha256", "ab12", "reward", "vader"),
                head.export(), replay);
    }

    private static QHead trainedHead() {
        QHead head = new QHead(4, 8, 11, DqnConfig.Activation.RELU, 3);
        Rng r = new Rng(1);
        float[] phi = new float[3 * 4];
        for (int i = 0; i < phi.length; i++) {
            phi[i] = (float) r.nextGaussian();
        }
        head.train(phi, 3, new int[] {1, 5, 10}, new float[] {0.5f, -0.2f, 1f}, null, 0.01, 1, 1);
        head.polyak(0.1);
        return head;
    }

    @Test
    void roundTripIsExactWithReplay() throws IOException {
        DqnConfig cfg = DqnConfig.builder().prioritized(true).replaySize(20).batchSize(4).tauQ(0.2).returnMin(-1.0)
                .returnMax(1.0).build();
        ReplayBuffer rb = ReplayBuffer.of(cfg);
        rb.add(ReplayBufferTest.episode(6, 1));
        rb.add(ReplayBufferTest.episode(7, 2));
        rb.updatePriorities(new int[] {0, 3, 9}, new float[] {0.4f, 1.5f, 0.01f});
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (QHead head = trainedHead()) {
            Checkpoint.Data d = data(head, cfg, true);
            Checkpoint.write(file, d, rb);
            ReplayBuffer back = ReplayBuffer.of(cfg);
            Checkpoint.Data r = Checkpoint.read(Checkpoint.fileOf(dir), back);
            assertEquals(cfg, r.config());
            assertEquals(d.counters(), r.counters());
            assertEquals(d.values(), r.values());
            assertEquals(d.rng(), r.rng());
            assertEquals(d.provenance(), r.provenance());
            assertTrue(r.hasReplay());
            HeadState a = d.head();
            HeadState b = r.head();
            assertArrayEquals(a.online(), b.online());
            assertArrayEquals(a.target(), b.target());
            assertArrayEquals(a.adamM(), b.adamM());
            assertArrayEquals(a.adamV(), b.adamV());
            assertEquals(a.adamStep(), b.adamStep());
            assertEquals(rb.episodes(), back.episodes());
            for (int s = 0; s < 20; s++) {
                assertEquals(rb.probability(s), back.probability(s), 0);
            }
            // Reading without a buffer skips the replay and still gives the head.
            assertArrayEquals(a.online(), Checkpoint.read(file, null).head().online());
            // The decoding policy loads from the run directory.
            try (DqnPolicy p = DqnPolicy.load(dir, DqnPolicy.Mode.GUIDED)) {
                assertEquals(11, p.vocabSize());
                assertEquals(4, p.embeddingSize());
                assertEquals(0.2, p.config().tauQ());
            }
        }
    }

    @Test
    void rewriteReplacesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        DqnConfig cfg = DqnConfig.defaults();
        try (QHead head = trainedHead()) {
            Checkpoint.write(file, data(head, cfg, false), null);
            head.polyak(1.0);
            Checkpoint.write(file, data(head, cfg, false), null);
            assertArrayEquals(head.export().target(), Checkpoint.read(file, null).head().target());
        }
        try (var files = Files.list(dir)) {
            assertEquals(java.util.List.of(Checkpoint.FILE_NAME), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void damagedFilesGiveOneClearLine() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (QHead head = trainedHead()) {
            Checkpoint.write(file, data(head, DqnConfig.defaults(), false), null);
        }
        byte[] bytes = Files.readAllBytes(file);
        byte[] flipped = bytes.clone();
        flipped[bytes.length - 20] ^= 0x10;
        Files.write(file, flipped);
        assertMessage(file, "checksum mismatch");
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertMessage(file, "truncated checkpoint");
        Files.writeString(file, "{\"not\": \"a checkpoint\"}");
        assertMessage(file, "not a qdecode DQN checkpoint");
        assertMessage(dir.resolve("missing.qdq"), "checkpoint not found");
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file, null));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
