package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A positive rate says what it counts: bench/dialogue.sh's reward {@code classifier + 0.5*token-f1 +
 * 0.2*repetition} got the default threshold 0.0 (not every term is a classifier probability), and its run's
 * summary.json and table showed a positive rate of 1.0 for base and trained with no word of the threshold. The
 * console now names it ({@code positive rate (> 0)}), summary.json and comparison.json record it beside the rates
 * ({@code positive_threshold}), and a defaulted 0.0 under a classifier probability term is warned of.
 */
class PositiveThresholdShownTest {
    private static final List<String> DIALOGUE = List.of("classifier:model=m,label=2", "0.5*token-f1",
            "0.2*repetition");

    @Test
    void aDefaultedZeroUnderAClassifierProbabilityIsWarnedOf() {
        String w = DqnCli.thresholdWarning(DIALOGUE, DqnCli.defaultThreshold(DIALOGUE), false);
        assertNotNull(w);
        assertTrue(w.startsWith("qdecode: warning: the positive rate counts rewards > 0.0"), w);
        assertTrue(w.contains("expected --positive-threshold X"), w);
        assertFalse(w.contains("\n"), w);
        assertNull(DqnCli.thresholdWarning(DIALOGUE, 0.0, true), "given on purpose");
        assertNull(DqnCli.thresholdWarning(DIALOGUE, 0.6, false), "a run's own threshold");
        // the rate means something: a signed reward around 0, a classifier alone (0.5), a margin, a negative weight
        assertNull(DqnCli.thresholdWarning(List.of("vader"), 0.0, false));
        assertNull(DqnCli.thresholdWarning(List.of("classifier:model=m"), 0.5, false));
        assertNull(DqnCli.thresholdWarning(List.of("classifier:model=m,mode=margin", "token-f1"), 0.0, false));
        assertNull(DqnCli.thresholdWarning(List.of("-1*classifier:model=m", "token-f1"), 0.0, false));
    }

    @Test
    void theThresholdIsNamedInTheTableAndRecordedBesideTheRates(@TempDir Path tmp) throws Exception {
        Path run = CliRunner.tinyDefaultRun(tmp.resolve("run"));
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
        assertEquals(0.0, summary.get("positive_threshold").getAsDouble(), summary.toString());
        assertTrue(summary.getAsJsonObject("base").has("positive_rate"), "the field names stay");

        Path out = tmp.resolve("ev");
        Result e = CliRunner.run("evaluate", "--policy", run.toString(), "--limit", "2", "--samples", "1",
                "--positive-threshold", "0.25", "--out", out.toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().lines().anyMatch(l -> l.startsWith("positive rate (> 0.25) ")), e.out());
        assertFalse(e.err().contains("warning: the positive rate"), e.err());
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("comparison.json"))).getAsJsonObject();
        assertEquals(0.25, c.get("positive_threshold").getAsDouble(), c.toString());
        assertTrue(c.getAsJsonObject("trained").has("positive_rate"), c.toString());
    }
}
