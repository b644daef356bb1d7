package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate --task continuation} without {@code --reward} scores a run on the reward it was trained for,
 * as {@code train} recorded it, and says so: it scored every run with VADER, whatever the run was trained on, and
 * named the reward nowhere. The run's positive threshold comes with its reward. An explicit {@code --reward} still
 * wins.
 */
class EvaluateRunRewardTest {
    private static final String MIX = "afinn+0.5*length:min=20";

    private static JsonObject comparison(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("comparison.json"))).getAsJsonObject();
    }

    private static double mean(JsonObject c, String policy) {
        return c.getAsJsonObject(policy).get("mean_reward").getAsDouble();
    }

    private static double rate(JsonObject c, String policy) {
        return c.getAsJsonObject(policy).get("positive_rate").getAsDouble();
    }

    @Test
    void aRunIsScoredOnItsOwnRewardUnlessAnotherIsGiven(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "prompt\nOnce upon a time\nTom went to the park.\n");
        Path run = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run("train", "--model", CliRunner.model("stories260K"), "--reward", MIX,
                "--episodes", "8", "--rollout-episodes", "4", "--max-new-tokens", "4", "--min-new-tokens", "1",
                "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "2", "--eval-samples", "1",
                "--positive-threshold", "-0.6",
                "--prompts", prompts.toString(), "--eval-prompts", prompts.toString(), "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String[] common = {"evaluate", "--policy", run.toString(), "--prompts", prompts.toString(), "--samples", "1"};

        Path byDefault = tmp.resolve("default");
        r = CliRunner.run(concat(common, "--out", byDefault.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(("reward: " + MIX + " (the run's, as train recorded it)")::equals), r.err());
        assertTrue(r.out().contains("on 2 prompts (p.tsv), reward " + MIX + ":"), r.out());
        JsonObject d = comparison(byDefault);
        assertEquals(List.of(MIX), List.of(d.getAsJsonArray("reward").get(0).getAsString()), d.toString());
        assertEquals(1, d.getAsJsonArray("reward").size(), d.toString());

        // the same as naming the run's reward: same episodes, same scores (the length term makes them negative)
        Path named = tmp.resolve("named");
        r = CliRunner.run(concat(common, "--reward", MIX, "--out", named.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(r.err().contains("the run's, as train recorded it"), r.err());
        JsonObject n = comparison(named);
        assertEquals(mean(n, "base"), mean(d, "base"), 0.0);
        assertEquals(mean(n, "trained"), mean(d, "trained"), 0.0);
        assertTrue(mean(d, "base") < 0, d.toString());
        // the run's --positive-threshold -0.6 goes with its reward (every reward here is about -0.5); a named
        // reward takes the threshold's own default, 0
        assertEquals(1.0, rate(d, "base"), 0.0, d.toString());
        assertEquals(0.0, rate(n, "base"), 0.0, n.toString());

        // an explicit --reward wins, and is named
        Path vader = tmp.resolve("vader");
        r = CliRunner.run(concat(common, "--reward", "vader", "--out", vader.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertFalse(r.err().contains("the run's, as train recorded it"), r.err());
        assertTrue(r.out().contains("), reward vader:"), r.out());
        assertEquals("vader", comparison(vader).getAsJsonArray("reward").get(0).getAsString());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
