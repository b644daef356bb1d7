package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code --reward} specs are shown one way wherever a command or report shows the combined reward:
 * joined by {@code " + "} ({@link dev.qdecode.rewards.Rewards#sumText}). Before, train's start-up line joined
 * them with a space ({@code reward vader 0.1*length:min=3}), a resume's refusal with a comma (which a spec's
 * own parameters also use), the report showed the recorded JSON array, while evaluate and rewards score
 * joined them with {@code " + "}. What runs record (a JSON array of the specs) is unchanged.
 */
class RewardSumTextTest {
    private static final String SUM = "vader + 0.1*length:min=3";

    @Test
    void trainEvaluateResumeAndReportShowTheSpecsJoinedByPlus(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "prompt\nOnce upon a time\nTom went to the park.\n");
        Path run = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run("train", "--model", CliRunner.model("stories260K"), "--reward", "vader",
                "--reward", "0.1*length:min=3", "--episodes", "4", "--rollout-episodes", "4", "--max-new-tokens", "4",
                "--min-new-tokens", "1", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "2",
                "--eval-samples", "1", "--prompts", prompts.toString(), "--eval-prompts", prompts.toString(), "--out",
                run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(("training 4 episodes on stories260K, reward " + SUM + ", run dir " + run)
                ::equals), r.err());
        // recorded as before: the JSON array of the specs
        assertTrue(Files.readString(run.resolve("summary.json")).contains("\"reward\": \"[\\\"vader\\\",\\\"0.1*length:min=3\\\"]\""),
                Files.readString(run.resolve("summary.json")));
        String html = Files.readString(run.resolve("report/report.html"));
        assertTrue(html.contains("reward: <b>" + SUM + "</b>"), html);
        assertTrue(html.contains("<tr><td>reward</td><td>" + SUM + "</td></tr>"), html);

        r = CliRunner.run("evaluate", "--policy", run.toString(), "--prompts", prompts.toString(), "--samples", "1",
                "--out", tmp.resolve("eval").toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(("reward: " + SUM + " (the run's, as train recorded it)")::equals), r.err());
        assertTrue(r.out().contains("on 2 prompts (p.tsv), reward " + SUM + ":"), r.out());

        r = CliRunner.run("train", "--resume", "--reward", "afinn", "--reward", "vader", "--out", run.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --resume continues with the run's own --reward, but --reward afinn --reward vader "
                + "(the run's: " + SUM + ") (expected it left out: a resumed run keeps its own)",
                r.err().lines().findFirst().orElse(""));

        Path hyps = Files.writeString(tmp.resolve("h.txt"), "a good day\nbad\n");
        r = CliRunner.run("rewards", "score", "--hyp", hyps.toString(), "--reward", "vader", "--reward",
                "0.1*length:min=3");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("mean " + SUM + " = ")), r.out());
    }
}
