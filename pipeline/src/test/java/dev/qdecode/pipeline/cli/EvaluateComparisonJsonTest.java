package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * {@code evaluate}'s {@code comparison.json} reused training's evaluation record, so both systems carried training
 * fields an evaluation has no value for ({@code "episode": 0}, {@code "updates_per_s": 0.0},
 * {@code "rollout_tokens_per_s": 0.0}); they are now left out, and the fields it does measure stay.
 */
class EvaluateComparisonJsonTest {

    @Test
    void comparisonJsonHoldsNoTrainingFields(@TempDir Path tmp) throws Exception {
        Path run = CliRunner.tinyDefaultRun(tmp.resolve("run"));
        Path out = tmp.resolve("ev");
        Result e = CliRunner.run("evaluate", "--policy", run.toString(), "--limit", "2", "--samples", "1", "--out",
                out.toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        JsonObject c = JsonParser.parseString(Files.readString(out.resolve("comparison.json"))).getAsJsonObject();
        assertEquals("[\"vader\"]", c.get("reward").toString());
        for (String system : List.of("base", "trained")) {
            JsonObject m = c.getAsJsonObject(system);
            for (String training : List.of("episode", "updates_per_s", "rollout_tokens_per_s")) {
                assertFalse(m.has(training), system + " has " + training + ": " + m);
            }
            assertEquals(system, m.get("policy").getAsString());
            assertEquals(2, m.get("samples").getAsInt());
            for (String metric : List.of("mean_reward", "reward_std", "positive_rate", "kl", "perplexity",
                    "distinct_1", "distinct_2", "mean_length", "repeat_fraction")) {
                assertTrue(m.get(metric).isJsonPrimitive(), system + " lacks " + metric + ": " + m);
            }
            assertEquals(2, m.getAsJsonArray("examples").size(), m.toString());
        }
        // training's own records keep their episode and speeds
        JsonObject summary = JsonParser.parseString(Files.readString(run.resolve("summary.json"))).getAsJsonObject();
        assertTrue(summary.getAsJsonObject("trained").has("episode"), summary.toString());
        assertTrue(summary.getAsJsonObject("trained").has("updates_per_s"), summary.toString());
    }
}
