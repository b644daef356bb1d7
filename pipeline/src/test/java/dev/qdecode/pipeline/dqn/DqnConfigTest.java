package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config validation, JSON round trip, file + override layering. */
class DqnConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreThePrototypeSettings() {
        DqnConfig c = DqnConfig.defaults();
        assertEquals(DqnConfig.Backup.SOFT, c.backup());
        assertEquals(0.2, c.tauQ());
        assertEquals(0.01, c.polyak());
        assertEquals(0, c.targetSync());
        assertEquals(20, c.candidatesTopK());
        assertEquals(64, c.batchSize());
        assertEquals(16, c.updatesPerRollout());
        assertEquals(32, c.rolloutEpisodes());
        assertEquals(1e-3, c.lr());
        assertEquals(4, c.nStep());
        assertTrue(c.clipTargets());
        assertNull(c.returnMin());
    }

    @Test
    void jsonRoundTripAndFileLayering() throws IOException {
        DqnConfig c = DqnConfig.builder().backup(DqnConfig.Backup.DOUBLE).activation(DqnConfig.Activation.GELU)
                .returnMin(-1.0).returnMax(2.0).seed(-5L).candidatesTopP(0.9).prioritized(true).demonstrations(0.25).build();
        assertEquals(c, DqnConfig.fromJson(c.toJson(), "test"));
        assertTrue(c.toJson().contains("\"backup\": \"double\""));
        Path f = dir.resolve("dqn.json");
        c.write(f);
        assertEquals(c, DqnConfig.read(f));
        // A partial file keeps the defaults for missing keys; the command line overrides the file.
        Files.writeString(f, "{\"tauQ\": 0.2, \"backup\": \"hard\", \"episodes\": 100}");
        DqnConfig fromFile = DqnConfig.read(f);
        assertEquals(0.2, fromFile.tauQ());
        assertEquals(DqnConfig.Backup.HARD, fromFile.backup());
        assertEquals(64, fromFile.batchSize());
        DqnConfig withCli = fromFile.toBuilder().tauQ(0.3).build();
        assertEquals(0.3, withCli.tauQ());
        assertEquals(100, withCli.episodes());
    }

    private static void assertError(String json, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DqnConfig.fromJson(json, "x.json"));
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage());
        }
        assertTrue(e.getMessage().startsWith("x.json:"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
    }

    @Test
    void errorsNameTheFileTheKeyAndTheOption() {
        assertError("{\"gama\": 0.9}", "unknown key \"gama\"", "gamma");
        assertError("{\"gamma\": 1.5}", "--gamma", "(0, 1]", "1.5");
        assertError("{\"batchSize\": 6.5}", "\"batchSize\"", "--batch-size", "an integer");
        assertError("{\"batchSize\": \"64\"}", "an integer");
        assertError("{\"backup\": \"max\"}", "--backup", "soft, hard, double", "max");
        // the key and its option once ("key \"activation\" (--head-activation): --head-activation: expected ...")
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> DqnConfig.fromJson("{\"activation\": \"tanh\"}", "x.json"));
        assertEquals("x.json: key \"activation\" (--head-activation): expected one of relu, gelu, linear but got 'tanh'",
                name.getMessage());
        assertError("{\"prioritized\": 1}", "--prioritized", "true or false");
        assertError("{\"returnMin\": 0.0}", "--return-max", "both");
        assertError("{\"minCandidates\": 30}", "--min-candidates", "--candidates-top-k");
        // the value refused is --kl-beta's 0, not the target's 0.5 (which the message gave as what it got)
        assertError("{\"klTarget\": 0.5}", "--kl-target 0.5: expected --kl-beta > 0", "but --kl-beta is 0");
        assertError("{\"demonstrations\": 1.5}", "--demonstrations", "[0, 1]", "1.5");
        assertError("[1, 2]", "JSON object");
        assertError("{\"tauQ\": ", "x.json:1: malformed JSON at column 10: the text ends before the JSON value is complete");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DqnConfig.builder().replaySize(10).build());
        assertEquals("--replay-size: expected at least --batch-size (64) transitions but got 10", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DqnConfig.read(Path.of("/nonexistent/dqn.json")));
    }

    @Test
    void schedules() {
        DqnConfig c = DqnConfig.builder().episodes(1000).epsilonStart(0.1).epsilonEnd(0.01).build();
        assertEquals(0.1, c.epsilonAt(0), 1e-12);
        assertEquals(0.055, c.epsilonAt(500), 1e-12);
        assertEquals(0.01, c.epsilonAt(1000), 1e-12);
        assertEquals(0.01, c.epsilonAt(5000), 1e-12);
        DqnConfig d = c.toBuilder().epsilonEpisodes(100).build();
        assertEquals(0.01, d.epsilonAt(100), 1e-12);
        assertEquals(0.4, c.priorityBetaAt(0), 1e-12);
        assertEquals(0.7, c.priorityBetaAt(500), 1e-12);
        assertEquals(1.0, c.priorityBetaAt(2000), 1e-12);
        assertEquals("--tau-q", DqnConfig.optionOf("tauQ"));
    }

    @Test
    void learningRateSchedules() {
        DqnConfig c = DqnConfig.builder().episodes(1000).lr(1e-3).build();
        assertEquals(DqnConfig.LrSchedule.CONSTANT, c.lrSchedule());
        assertEquals(1e-3, c.lrAt(0), 0);
        assertEquals(1e-3, c.lrAt(1000), 0);
        DqnConfig lin = c.toBuilder().lrSchedule(DqnConfig.LrSchedule.LINEAR).build();
        assertEquals(1e-3, lin.lrAt(0), 1e-15);
        assertEquals(0.75e-3, lin.lrAt(250), 1e-15);
        assertEquals(0, lin.lrAt(1000), 1e-15);
        assertEquals(0, lin.lrAt(4000), 1e-15);
        DqnConfig cos = c.toBuilder().lrSchedule(DqnConfig.LrSchedule.COSINE).build();
        assertEquals(1e-3, cos.lrAt(0), 1e-15);
        assertEquals(0.5e-3, cos.lrAt(500), 1e-15);
        assertEquals(0.5e-3 * (1 + Math.cos(Math.PI / 4)), cos.lrAt(250), 1e-15);
        assertEquals(0, cos.lrAt(1000), 1e-15);
        // Round trip through the stored JSON, and a one-line error naming the option for a bad name.
        assertEquals(cos, DqnConfig.fromJson(cos.toJson(), "test"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DqnConfig.fromJson("{\"lrSchedule\": \"step\"}", "cfg.json"));
        assertTrue(e.getMessage().contains("--lr-schedule"), e.getMessage());
        assertTrue(e.getMessage().contains("cfg.json"), e.getMessage());
    }
}
