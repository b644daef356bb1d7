package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    private static final String PROMPT = "Once upon a time, there was a little cat. One day,";

    @TempDir Path tmp;

    @Test
    void singlePromptStreamsGreedyTextDeterministically() {
        CliRunner.Result a = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", PROMPT, "--strategy", "greedy", "--max-new-tokens", "24");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith(PROMPT), a.out());
        String continuation = a.out().substring(PROMPT.length()).strip();
        assertTrue(continuation.split("\\s+").length >= 5, "expected words after the prompt: " + a.out());
        assertTrue(a.err().contains("new tokens, stop: "), a.err());
        CliRunner.Result b = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", PROMPT, "--strategy", "greedy", "--max-new-tokens", "24");
        assertEquals(a.out(), b.out());
    }

    @Test
    void promptsFileWritesOneRowPerPromptAndSeedFixesSamples() throws IOException {
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        Path out1 = tmp.resolve("a.tsv");
        Path out2 = tmp.resolve("b.jsonl");
        String[] common = {"generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts", prompts.toString(),
            "--limit", "6", "--max-new-tokens", "16", "--min-new-tokens", "16", "--seed", "7"};
        CliRunner.Result r1 = CliRunner.run(concat(common, "--batch-size", "4", "--output", out1.toString()));
        assertEquals(0, r1.code(), r1.err());
        List<String> rows = Files.readAllLines(out1, StandardCharsets.UTF_8);
        assertEquals("id\tprompt\tgenerated\tnew_tokens\tstop_reason", rows.get(0));
        assertEquals(7, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t", -1);
            assertEquals(5, f.length, row);
            assertEquals("16", f[3], "min = max new tokens forces exactly 16: " + row);
            assertEquals("max_tokens", f[4]);
            assertFalse(f[2].isBlank());
        }
        // Same seed, different batch size and output format: the same texts.
        CliRunner.Result r2 = CliRunner.run(concat(common, "--batch-size", "3", "--output", out2.toString()));
        assertEquals(0, r2.code(), r2.err());
        List<String> json = Files.readAllLines(out2, StandardCharsets.UTF_8);
        assertEquals(6, json.size());
        for (int i = 0; i < 6; i++) {
            String tsvText = rows.get(i + 1).split("\t", -1)[2];
            String jsonText = com.google.gson.JsonParser.parseString(json.get(i)).getAsJsonObject()
                    .get("generated").getAsString();
            assertEquals(tsvText, RecordWriter.escape(jsonText), "prompt " + i);
        }
    }

    @Test
    void stopStringsCutTheTextAndAreReported() throws IOException {
        Path in = tmp.resolve("p.tsv");
        Files.writeString(in, "id\tprompt\n1\t" + PROMPT + "\n");
        Path out = tmp.resolve("o.tsv");
        CliRunner.Result r = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts",
                in.toString(), "--strategy", "greedy", "--max-new-tokens", "64", "--stop", ".", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        String[] f = Files.readAllLines(out).get(1).split("\t", -1);
        assertEquals("stop_string", f[4]);
        assertFalse(f[2].contains("."), f[2]);
    }

    @Test
    void badInputGivesOneLineAndMeaningfulExitCodes() throws IOException {
        CliRunner.Result r = CliRunner.run("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "nope");

        r = CliRunner.run("generate", "--prompt", "x", "--batch-size", "0");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--batch-size"), r.err());

        r = CliRunner.run("generate", "--prompt", "x", "--max-new-tokens", "-3");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--max-new-tokens"), r.err());

        Path noColumn = tmp.resolve("p.tsv");
        Files.writeString(noColumn, "id\ttext\n1\thello\n");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", noColumn.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "prompt");

        Path latin1 = tmp.resolve("l.tsv");
        Files.write(latin1, "prompt\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", latin1.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "UTF-8");

        String longPrompt = "the cat sat. ".repeat(400);
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", longPrompt);
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "max_position_embeddings");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", longPrompt,
                "--truncate-prompt", "--max-new-tokens", "4", "--strategy", "greedy");
        assertEquals(0, r.code(), r.err());

        Path badModel = tmp.resolve("badmodel");
        Files.createDirectories(badModel);
        Path src = CliRunner.shared().resolve("models/stories260K");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                "generation_config.json")) {
            Files.copy(src.resolve(f), badModel.resolve(f));
        }
        Files.write(badModel.resolve("model.safetensors"), new byte[] {1, 2, 3});
        r = CliRunner.run("generate", "--model", badModel.toString(), "--prompt", "x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "safetensors");

        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", "x", "--prompt-format", "no placeholder");
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r, "{text}");
    }

    private static void assertOneLineError(CliRunner.Result r, String mustMention) {
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line expected: " + err);
        assertTrue(err.startsWith("qdecode: error: "), err);
        assertTrue(err.contains(mustMention), err);
        assertFalse(err.contains("\tat "), err);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
