package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** Writes a trained head with the default config and no replay to {@code file}; returns its bytes. */
    private static byte[] writeDefault(Path file) throws IOException {
        try (QHead head = trainedHead()) {
            Checkpoint.write(file, data(head, DqnConfig.defaults(), false), null);
        }
        return Files.readAllBytes(file);
    }

    @Test
    void damagedFilesGiveOneClearLine() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        byte[] bytes = writeDefault(file);
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

    /**
     * A checkpoint written with its replay buffer (--save-replay) is checked whole when only the head is
     * wanted (generate/evaluate --policy): before, the checksum after the replay data was never read, so a
     * damaged head decoded silently and a file cut off inside the replay data loaded as a policy.
     */
    @Test
    void aCheckpointWithReplayIsCheckedWholeWhenOnlyItsHeadIsRead() throws IOException {
        DqnConfig cfg = DqnConfig.builder().replaySize(20).batchSize(4).build();
        ReplayBuffer rb = ReplayBuffer.of(cfg);
        rb.add(ReplayBufferTest.episode(6, 1));
        rb.add(ReplayBufferTest.episode(7, 2));
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (QHead head = trainedHead()) {
            Checkpoint.write(file, data(head, cfg, true), rb);
        }
        byte[] bytes = Files.readAllBytes(file);
        int headerEnd = 12 + java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt();
        assertArrayEquals(Checkpoint.read(file, ReplayBuffer.of(cfg)).head().online(),
                Checkpoint.read(file, null).head().online());
        byte[] flipped = bytes.clone();
        flipped[headerEnd + 1] ^= 0x40; // the first online parameter's exponent
        Files.write(file, flipped);
        assertMessage(file, "checksum mismatch");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DqnPolicy.load(dir, DqnPolicy.Mode.GUIDED).close());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        // cut off in the replay data: its last bytes are read as the checksum, which they are not
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 30));
        assertMessage(file, "checksum mismatch");
        Files.write(file, java.util.Arrays.copyOf(bytes, headerEnd + 100)); // cut off in the head
        assertMessage(file, "truncated checkpoint");
    }

    @Test
    void theHeaderAloneIsReadWithoutTheParameters() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        DqnConfig cfg = DqnConfig.builder().episodes(96).seed(5).build();
        Checkpoint.Data d;
        try (QHead head = trainedHead()) {
            d = data(head, cfg, false);
            Checkpoint.write(file, d, null);
        }
        byte[] bytes = Files.readAllBytes(file);
        // the parameters cut off: the header still reads (the full read refuses the file)
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Checkpoint.Data h = Checkpoint.readHeader(file);
        assertEquals(cfg, h.config());
        assertEquals(d.counters(), h.counters());
        assertEquals(d.provenance(), h.provenance());
        assertEquals(11, h.head().vocab());
        assertEquals(null, h.head().online());
        assertMessage(file, "truncated checkpoint");
        Map<String, String> info = DqnTrainer.checkpointHeader(dir);
        assertEquals("640", info.get("episodes_done"));
        assertEquals("96", info.get("episodes_total"));
        assertEquals("vader", info.get("reward"));
        Files.write(file, java.util.Arrays.copyOf(bytes, 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.readHeader(file));
        assertEquals(file + ": truncated checkpoint (20 bytes; " + Checkpoint.DAMAGED + ")", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.readHeader(dir.resolve("missing.qdq")));
        assertEquals(dir.resolve("missing.qdq") + ": checkpoint not found (expected a run directory written by "
                + "qdecode train, or its checkpoint.qdq)", e.getMessage());
    }

    /**
     * A damaged checkpoint says what was expected and what to do, in one line without the damaged bytes:
     * before, an empty or cut-off file said only "truncated checkpoint", a changed byte in the header gave
     * Gson's message quoting the bytes ("corrupt checkpoint header (com.google.gson.stream.MalformedJson
     * Exception: Expected ':' at line 1 column 15 path $.format…"), and a changed checksum only "checksum
     * mismatch". Reading never changes the file.
     */
    @Test
    void aDamagedCheckpointSaysWhatWasExpectedAndLeavesTheFile() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        byte[] bytes = writeDefault(file);
        String damaged = "; " + Checkpoint.DAMAGED + ")";
        Files.write(file, new byte[0]);
        assertEquals(file + ": empty checkpoint (0 bytes" + damaged, readMessage(file));
        assertEquals(file + ": empty checkpoint (0 bytes" + damaged,
                assertThrows(IllegalArgumentException.class, () -> Checkpoint.readHeader(file)).getMessage());
        Files.write(file, java.util.Arrays.copyOf(bytes, 1000));
        assertEquals(file + ": truncated checkpoint (1000 bytes" + damaged, readMessage(file));
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        Files.write(file, flipped);
        assertEquals(file + ": corrupt checkpoint (checksum mismatch" + damaged, readMessage(file));
        // a changed byte in the JSON header: the damage is said as such, not as the field it hit
        for (int at : new int[] {14, 20, 40}) {
            byte[] header = bytes.clone();
            header[at] ^= 0x7f;
            Files.write(file, header);
            assertEquals(file + ": corrupt checkpoint (checksum mismatch" + damaged, readMessage(file), "byte " + at);
            assertEquals(file + ": corrupt checkpoint (checksum mismatch" + damaged,
                    assertThrows(IllegalArgumentException.class, () -> Checkpoint.readHeader(file)).getMessage());
            assertArrayEquals(header, Files.readAllBytes(file));
        }
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 3);
        Files.write(file, longer);
        assertEquals(file + ": corrupt checkpoint (trailing bytes" + damaged, readMessage(file));
        Files.writeString(file, "{\"not\": \"a checkpoint\"}");
        assertEquals(file + ": not a qdecode DQN checkpoint (it does not begin with QDQCKPT1; expected a checkpoint "
                + "written by qdecode train)", readMessage(file));
    }

    private static String readMessage(Path file) {
        return assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file, null)).getMessage();
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file, null));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(part), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void anEnsembleAveragesItsHeadsQAndRefusesRunsThatDoNotFit() throws IOException {
        DqnConfig cfg = DqnConfig.builder().candidatesTopK(4).tauQ(0.2).build();
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Files.createDirectories(a);
        Files.createDirectories(b);
        int h = 4;
        int v = 11;
        int rows = 2;
        Rng r = new Rng(7);
        float[] phi = new float[rows * h];
        for (int i = 0; i < phi.length; i++) {
            phi[i] = (float) r.nextGaussian();
        }
        float[] logits = new float[rows * v];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian();
        }
        try (QHead ha = trainedHead(); QHead hb = new QHead(h, 8, v, DqnConfig.Activation.RELU, 5)) {
            hb.train(phi, rows, new int[] {2, 7}, new float[] {1f, -1f}, null, 0.05, 1, 1);
            Checkpoint.write(a.resolve(Checkpoint.FILE_NAME), data(ha, cfg, false), null);
            Checkpoint.write(b.resolve(Checkpoint.FILE_NAME), data(hb, cfg, false), null);
            // the same head from a second run directory (one run given twice is refused)
            Path a2 = java.nio.file.Files.createDirectories(a.resolveSibling("a2"));
            java.nio.file.Files.copy(a.resolve(Checkpoint.FILE_NAME), a2.resolve(Checkpoint.FILE_NAME));
            IllegalArgumentException twice = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> DqnPolicy.load(List.of(a, a), DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED));
            assertTrue(twice.getMessage().contains("given twice"), twice.getMessage());
            Candidates cands = Candidates.of(cfg);
            try (DqnPolicy ens = DqnPolicy.load(List.of(a, b), DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED);
                    DqnPolicy same = DqnPolicy.load(List.of(a, a2), DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED);
                    DqnPolicy alone = DqnPolicy.load(a, DqnPolicy.Mode.GUIDED)) {
                assertEquals(2, ens.ensembleSize());
                assertEquals(List.of(a.resolve(Checkpoint.FILE_NAME), b.resolve(Checkpoint.FILE_NAME)), ens.sources());
                assertArrayEquals(alone.scores(phi, logits.clone(), rows, v), same.scores(phi, logits.clone(), rows, v));
                float[] s = ens.scores(phi, logits.clone(), rows, v);
                for (int row = 0; row < rows; row++) {
                    // π(a) ∝ π_ref(a)·exp(mean Q(a)/τ) over the candidates
                    Candidates.Set c = cands.select(logits, row * v, v, null, null);
                    float[] x = java.util.Arrays.copyOfRange(phi, row * h, row * h + h);
                    float[] qa = ha.q(x, 1, c.ids(), c.size());
                    float[] qb = hb.q(x, 1, c.ids(), c.size());
                    double[] w = new double[c.size()];
                    double z = 0;
                    for (int j = 0; j < c.size(); j++) {
                        w[j] = Math.exp(c.logp()[j] + (qa[j] + qb[j]) / 2 / 0.2);
                        z += w[j];
                    }
                    double zs = 0;
                    for (int j = 0; j < v; j++) {
                        zs += Math.exp(s[row * v + j]);
                    }
                    for (int j = 0; j < c.size(); j++) {
                        assertEquals(w[j] / z, Math.exp(s[row * v + c.ids()[j]]) / zs, 1e-5);
                    }
                    assertTrue(Math.abs(qa[0] - qb[0]) > 1e-4, "the two heads differ");
                }
            }
            Path c = dir.resolve("c");
            Files.createDirectories(c);
            Checkpoint.write(c.resolve(Checkpoint.FILE_NAME), data(hb, cfg.toBuilder().tauQ(0.5).build(), false), null);
            IllegalArgumentException tau = assertThrows(IllegalArgumentException.class,
                    () -> DqnPolicy.load(List.of(a, c), DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED));
            assertEquals(c + ": --tau-q 0.5 but the first run's is 0.2 (expected the same "
                    + "candidate settings and tau_Q in every run of an ensemble)", tau.getMessage());
        }
        try (QHead wide = new QHead(4, 8, 12, DqnConfig.Activation.RELU, 1)) {
            Path d = dir.resolve("d");
            Files.createDirectories(d);
            Checkpoint.write(d.resolve(Checkpoint.FILE_NAME), data(wide, cfg, false), null);
            IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                    () -> DqnPolicy.load(List.of(a, d), DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED));
            assertTrue(vocab.getMessage().contains("12 actions but the first run's takes 4 and 11"), vocab.getMessage());
        }
    }

    /** A cross-entropy head comes back as one: its output is read as the logit of Q again. */
    @Test
    void valueLossTravelsWithTheHead() throws IOException {
        DqnConfig cfg = DqnConfig.builder().valueLoss(DqnConfig.ValueLoss.CROSS_ENTROPY).build();
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        try (QHead head = new QHead(4, 8, 11, DqnConfig.Activation.RELU, DqnConfig.ValueLoss.CROSS_ENTROPY, 3)) {
            float[] phi = {0.5f, -1f, 2f, 0.25f};
            head.train(phi, 1, new int[] {7}, new float[] {1f}, null, 0.05, 0, 1);
            Checkpoint.write(file, data(head, cfg, false), null);
            Checkpoint.Data r = Checkpoint.read(file, null);
            assertEquals(DqnConfig.ValueLoss.CROSS_ENTROPY, r.config().valueLoss());
            assertEquals(DqnConfig.ValueLoss.CROSS_ENTROPY, r.head().valueLoss());
            try (QHead back = QHead.of(r.head())) {
                float[] q = back.q(phi, 1, new int[] {7, 2}, 2);
                assertArrayEquals(head.q(phi, 1, new int[] {7, 2}, 2), q);
                assertTrue(q[0] > 0.5f && q[0] < 1f && q[1] == 0.5f, java.util.Arrays.toString(q));
            }
        }
    }

    /** A head header whose activation or value loss is not one qdecode knows names the file and the field. */
    @Test
    void anUnknownHeadActivationOrValueLossNamesTheFileAndTheField() throws IOException {
        Path file = dir.resolve(Checkpoint.FILE_NAME);
        byte[] bytes = writeDefault(file);
        int len = java.nio.ByteBuffer.wrap(bytes, 8, 4).getInt();
        String header = new String(bytes, 12, len, java.nio.charset.StandardCharsets.UTF_8);
        for (String[] edit : new String[][] {{"\"valueLoss\":\"huber\"", "\"valueLoss\":\"logistic\"", "head.valueLoss"},
                {"\"activation\":\"relu\"", "\"activation\":\"swish\"", "head.activation"}}) {
            int head = header.indexOf("\"head\":");
            assertTrue(head > 0 && header.indexOf(edit[0], head) > 0, header);
            // the config has a valueLoss too: only the head's is changed
            byte[] h = (header.substring(0, head) + header.substring(head).replace(edit[0], edit[1]))
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            out.write(bytes, 0, 8);
            out.write(java.nio.ByteBuffer.allocate(4).putInt(h.length).array());
            out.write(h);
            out.write(bytes, 12 + len, bytes.length - 12 - len - 8);
            // a file written so (e.g. by a later version), its checksum right: not one damaged since
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(out.toByteArray());
            out.write(java.nio.ByteBuffer.allocate(8).putLong(crc.getValue()).array());
            Files.write(file, out.toByteArray());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.readHeader(file));
            String value = edit[1].substring(edit[1].lastIndexOf(':') + 2, edit[1].length() - 1);
            assertTrue(e.getMessage().startsWith(file + ": corrupt checkpoint header (" + edit[2] + ": expected one of "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("but got '" + value + "')"), e.getMessage());
            assertMessage(file, edit[2]);
        }
    }
}
