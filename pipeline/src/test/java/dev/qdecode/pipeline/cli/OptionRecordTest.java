package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output's record holds every option this use reads as the value it took: an option not given whose default is
 * decided at run time ({@code --model} and {@code --prompt-format} of generate, {@code --format} from the file's
 * extension, evaluate's {@code --prompts}, {@code --seed}, {@code --samples}, {@code --reward},
 * {@code --positive-threshold}, {@code --out}) is recorded with its value, not null, and one that took no value
 * ({@code --policy} of the base model) is left out. A resume with or without an option at its default still
 * continues: {@code --format tsv} against a run started without it was refused before ("--format tsv (the run's:
 * TSV)").
 */
class OptionRecordTest {

    private static final Path PROMPTS = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");

    @Test
    void generateAndEvaluateRecordTheValuesTheirUnsetOptionsTook(@TempDir Path tmp) throws IOException {
        Path plain = tmp.resolve("plain.tsv");
        CliRunner.Result g = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts",
                PROMPTS.toString(), "--limit", "2", "--max-new-tokens", "2", "--output", plain.toString());
        assertEquals(0, g.code(), g.err());
        JsonObject record = record(plain);
        JsonObject options = options(record);
        assertEquals(record.getAsJsonObject("resolved").get("prompt_format").getAsString(),
                options.get("--prompt-format").getAsString());
        assertEquals("tsv", options.get("--format").getAsString());
        assertFalse(options.has("--policy"), options.toString()); // the base model: no value to record

        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--seed", "5");
        Path guided = tmp.resolve("guided.jsonl");
        g = CliRunner.run("generate", "--policy", run.toString(), "--prompts", PROMPTS.toString(), "--limit", "2",
                "--max-new-tokens", "2", "--format", "TSV", "--output", guided.toString());
        assertEquals(0, g.code(), g.err());
        record = record(guided);
        options = options(record);
        // the run's model, as loaded
        assertEquals(record.getAsJsonObject("loaded").get("model_dir").getAsString(), options.get("--model").getAsString());
        assertEquals(Path.of(CliRunner.model("stories260K")).toAbsolutePath().normalize().toString(),
                options.get("--model").getAsString());
        assertEquals(record.getAsJsonObject("resolved").get("prompt_format").getAsString(),
                options.get("--prompt-format").getAsString());
        assertEquals("TSV", options.get("--format").getAsString()); // given: as given

        CliRunner.Result e = CliRunner.run("evaluate", "--policy", run.toString(), "--limit", "2");
        assertEquals(0, e.code(), e.err());
        Path evaluation = run.resolve("evaluation");
        record = record(evaluation.resolve(EpisodeLog.FILE));
        options = options(record);
        assertEquals(PROMPTS.toAbsolutePath().normalize().toString(), options.get("--prompts").getAsString());
        assertEquals("5", options.get("--seed").getAsString()); // the run's --seed
        assertEquals(record.getAsJsonObject("settings").get("--seed").getAsString(), options.get("--seed").getAsString());
        assertEquals("1", options.get("--samples").getAsString()); // the run's --eval-samples
        assertEquals("[\"vader\"]", options.get("--reward").toString()); // the run's reward
        assertEquals("0.0", options.get("--positive-threshold").getAsString());
        assertEquals(evaluation.toAbsolutePath().normalize().toString(), options.get("--out").getAsString());
        assertEquals(Path.of(CliRunner.model("stories260K")).toAbsolutePath().normalize().toString(),
                options.get("--model").getAsString());
        assertEquals(record.getAsJsonObject("resolved").get("prompt_format").getAsString(),
                options.get("--prompt-format").getAsString());
    }

    @Test
    void aResumeWithOrWithoutAnOptionAtItsDefaultContinues(@TempDir Path tmp) throws IOException {
        String[] common = {"generate", "--model", CliRunner.model("stories260K"), "--prompts", PROMPTS.toString(),
            "--limit", "4", "--batch-size", "2", "--max-new-tokens", "3", "--seed", "3"};
        Path full = tmp.resolve("full.tsv");
        CliRunner.Result r = CliRunner.run(concat(common, "--output", full.toString()));
        assertEquals(0, r.code(), r.err());
        byte[] expected = Files.readAllBytes(full);
        String text = new String(expected, StandardCharsets.UTF_8);
        int cut = text.indexOf('\n', text.indexOf('\n', text.indexOf('\n') + 1) + 1) + 1; // header and one batch
        String noFormat = Files.readString(ResumableOutput.runFile(full));

        // started without --format and --prompt-format; resumed with them at the values they took, and back
        Map<String, String[]> resumes = Map.of("with", new String[] {"--format", "tsv", "--prompt-format",
            options(JsonParser.parseString(noFormat).getAsJsonObject()).get("--prompt-format").getAsString()},
                "upper", new String[] {"--format", "TSV"});
        for (Map.Entry<String, String[]> resume : resumes.entrySet()) {
            Path out = tmp.resolve(resume.getKey() + ".tsv");
            Files.writeString(RecordWriter.part(out), text.substring(0, cut));
            Files.writeString(ResumableOutput.runFile(RecordWriter.part(out)), noFormat);
            r = CliRunner.run(concat(concat(common, "--output", out.toString(), "--resume"), resume.getValue()));
            assertEquals(0, r.code(), resume.getKey() + ": " + r.err());
            assertArrayEquals(expected, Files.readAllBytes(out), resume.getKey());
        }
        Path given = tmp.resolve("given.tsv");
        r = CliRunner.run(concat(common, "--format", "tsv", "--output", given.toString()));
        assertEquals(0, r.code(), r.err());
        Path out = tmp.resolve("without.tsv");
        Files.writeString(RecordWriter.part(out), text.substring(0, cut));
        Files.writeString(ResumableOutput.runFile(RecordWriter.part(out)), Files.readString(ResumableOutput.runFile(given)));
        r = CliRunner.run(concat(common, "--output", out.toString(), "--resume"));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(expected, Files.readAllBytes(out));
        assertEquals("tsv", options(record(out)).get("--format").getAsString());
    }

    private static JsonObject record(Path output) throws IOException {
        return JsonParser.parseString(Files.readString(ResumableOutput.runFile(output))).getAsJsonObject();
    }

    /** The record's options, each checked to hold a value: none is null. */
    private static JsonObject options(JsonObject record) {
        JsonObject options = record.getAsJsonObject("options");
        for (Map.Entry<String, JsonElement> o : options.entrySet()) {
            assertFalse(o.getValue().isJsonNull(), o.getKey() + " is null in " + options);
        }
        return options;
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
