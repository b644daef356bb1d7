package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record of {@code generate --policy RUN --output FILE} holds the head that scored under {@code --head}, as it
 * holds every other option's value as given or defaulted: without {@code --head} it said {@code "--head": null}
 * while {@code resolved.policy_head} said {@code online}.
 */
class HeadRecordTest {

    @Test
    void theGenerateRecordNamesTheHeadUsed(@TempDir Path tmp) throws IOException {
        Path run = CliRunner.tinyRun(tmp.resolve("run"));
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");

        Path plain = tmp.resolve("plain.tsv");
        CliRunner.Result g = CliRunner.run("generate", "--policy", run.toString(), "--prompts", prompts.toString(),
                "--limit", "2", "--max-new-tokens", "2", "--output", plain.toString());
        assertEquals(0, g.code(), g.err());
        JsonObject record = record(plain);
        assertEquals("\"online\"", record.getAsJsonObject("options").get("--head").toString());
        assertEquals("online", record.getAsJsonObject("resolved").get("policy_head").getAsString());

        Path target = tmp.resolve("target.tsv");
        g = CliRunner.run("generate", "--policy", run.toString(), "--prompts", prompts.toString(), "--limit", "2",
                "--max-new-tokens", "2", "--head", "Target", "--output", target.toString());
        assertEquals(0, g.code(), g.err());
        record = record(target);
        assertEquals("\"target\"", record.getAsJsonObject("options").get("--head").toString());
        assertEquals("target", record.getAsJsonObject("resolved").get("policy_head").getAsString());
    }

    private static JsonObject record(Path output) throws IOException {
        return JsonParser.parseString(Files.readString(ResumableOutput.runFile(output))).getAsJsonObject();
    }
}
