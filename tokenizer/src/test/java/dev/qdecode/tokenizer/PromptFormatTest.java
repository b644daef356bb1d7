package dev.qdecode.tokenizer;

import static dev.qdecode.tokenizer.TextTokenizerTest.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PromptFormatTest {
    static TextTokenizer tiny;
    static TextTokenizer s260;

    @BeforeAll
    static void load() {
        tiny = TextTokenizer.load(Fixtures.model("TinyStories-656K"));
        s260 = TextTokenizer.load(Fixtures.model("stories260K"));
    }

    @AfterAll
    static void close() {
        tiny.close();
        s260.close();
    }

    @Test
    void tinyStoriesDefaultIsItsNativeFormatAndReproducesTheNativeGoldenIds() {
        PromptFormat f = PromptFormat.forModel(Fixtures.model("TinyStories-656K"), tiny);
        assertEquals(new PromptFormat("<|start_story|>{text}", false), f);
        JsonObject nat = Fixtures.golden("TinyStories-656K").getAsJsonObject("native_prompt_format");
        int checked = 0;
        for (String section : new String[] {"greedy", "last_position"}) {
            for (JsonElement c : nat.getAsJsonArray(section)) {
                JsonObject o = c.getAsJsonObject();
                assertArrayEquals(Fixtures.ints(o.getAsJsonArray("prompt_ids")), f.encode(tiny, o.get("prompt_text").getAsString()));
                checked++;
            }
        }
        for (JsonElement c : nat.getAsJsonArray("loglik")) {
            JsonObject o = c.getAsJsonObject();
            int[] ids = f.encode(tiny, o.get("text").getAsString());
            assertArrayEquals(Fixtures.ints(o.getAsJsonArray("ids")), ids);
            assertTrue(ids.length > 1 && ids[1] != tiny.pieceId("▁"), "no lone ▁ after BOS");
            checked++;
        }
        assertTrue(checked >= 9);
    }

    @Test
    void stories260KDefaultReproducesItsGoldenPromptIds() {
        PromptFormat f = PromptFormat.forModel(Fixtures.model("stories260K"), s260);
        assertEquals(PromptFormat.plain(), f);
        for (JsonElement c : Fixtures.golden("stories260K").getAsJsonArray("greedy")) {
            JsonObject o = c.getAsJsonObject();
            assertArrayEquals(Fixtures.ints(o.getAsJsonArray("prompt_ids")), f.encode(s260, o.get("prompt_text").getAsString()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"random-gpt2", "random-qwen2", "random-qwen2-bf16"})
    void randomFixturesShareTheTinyStoriesTokenizerAndItsDetectedFormat(String name) {
        try (TextTokenizer t = TextTokenizer.load(Fixtures.randomFixture(name))) {
            assertEquals(new PromptFormat("<|start_story|>{text}", false), PromptFormat.forModel(Fixtures.randomFixture(name), t));
        }
    }

    @Test
    void batchEncodeInAFormatEqualsSingleEncodes() {
        PromptFormat f = PromptFormat.detect(tiny);
        List<String> prompts = Fixtures.devPrompts().subList(0, 20);
        int[][] batch = f.encodeBatch(tiny, prompts);
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(f.encode(tiny, prompts.get(i)), batch[i]);
            assertEquals(tiny.bosId(), batch[i][0]);
        }
    }

    /**
     * A template given on the command line ({@code sft --template}, {@code train --task classification
     * --template}) reads the escapes --prompt-format's template does; one without a backslash is as given.
     */
    @Test
    void templateEscapesAreThoseOfPromptFormat() {
        assertEquals("Q: {text}\nA:\t;\\", PromptFormat.unescapeTemplate("Q: {text}\\nA:\\t\\;\\\\"));
        assertEquals(PromptFormat.parse("Q: {text}\\nA:\\t\\;\\\\").template(),
                PromptFormat.unescapeTemplate("Q: {text}\\nA:\\t\\;\\\\"));
        String plain = "Review: {text} Sentiment; <sep> =";
        assertTrue(plain == PromptFormat.unescapeTemplate(plain), "no backslash: the same string");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PromptFormat.unescapeTemplate("C:\\x {text}"));
        assertEquals("unknown escape \\x (use \\n, \\t, \\; or \\\\)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptFormat.unescapeTemplate("{text} \\"));
        // shown as given: one line, and the shown text reads back as the template
        for (String t : List.of("Q: {text}\nA:", "{source}\\n=", "a\tb; c", plain)) {
            String shown = PromptFormat.escapeTemplate(t);
            assertFalse(shown.contains("\n") || shown.contains("\t"), shown);
            assertEquals(t, PromptFormat.unescapeTemplate(shown));
        }
        assertEquals("{source}\\\\n=", PromptFormat.escapeTemplate("{source}\\n="));
    }

    @Test
    void parseAcceptsTheDocumentedSyntax() {
        assertEquals(new PromptFormat("{text}", true), PromptFormat.parse("{text}"));
        assertEquals(new PromptFormat("<|start_story|>{text}", false), PromptFormat.parse("<|start_story|>{text};special=false"));
        assertEquals(new PromptFormat("<s>{text}", true), PromptFormat.parse("<s>{text}; special = true"));
        assertEquals(new PromptFormat("Q: {text}\nA;\t\\", false), PromptFormat.parse("Q: {text}\\nA\\;\\t\\\\;special=false"));
        for (PromptFormat f : List.of(PromptFormat.plain(), new PromptFormat("a;b\\c\n{text}\t", false),
                new PromptFormat("<|start_story|>{text}", false))) {
            assertEquals(f, PromptFormat.parse(f.toSpec()), "round trip of " + f.toSpec());
            assertFalse(f.toSpec().contains("\n"));
        }
        assertEquals("x Z y", new PromptFormat("x {text} y", true).apply("Z"));
        assertEquals("x {text}$1 y", new PromptFormat("x {text} y", true).apply("{text}$1"), "inserted literally");
    }

    @Test
    void parseRejectsBadSpecsWithOneLine() {
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("<s> hello")), "no {text}");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text} {text}")), "exactly once");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text};specail=false")), "unknown option");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text};special=no")), "special=no");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text};special=true;special=false")), "twice");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text}\\x")), "unknown escape");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("{text}\\")), "lone backslash");
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.parse("a\nb")), "no {text}");
        assertOneLine(assertThrows(TokenizerException.class, () -> new PromptFormat("no placeholder", true)), "{text}");
        assertEquals("spec", assertThrows(NullPointerException.class, () -> PromptFormat.parse(null)).getMessage());
    }

    @Test
    void settingsFileInTheModelDirectoryOverridesDetection(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(PromptFormat.SETTINGS_FILE),
                "{\"sft\": {\"task\": \"translation\"}, \"prompt_format\": {\"template\": \"{text}\", \"add_special_tokens\": true}}");
        PromptFormat f = PromptFormat.forModel(dir, tiny);
        assertEquals(PromptFormat.plain(), f);
        assertArrayEquals(new int[] {1, 80, 147, 201, 282, 57}, f.encode(tiny, "Once upon a time"));
        // add_special_tokens defaults to true
        Files.writeString(dir.resolve(PromptFormat.SETTINGS_FILE), "{\"prompt_format\": {\"template\": \"<|start_story|>{text}\"}}");
        assertEquals(new PromptFormat("<|start_story|>{text}", true), PromptFormat.forModel(dir, tiny));
        // a settings file without a prompt format leaves the detection in charge
        Files.writeString(dir.resolve(PromptFormat.SETTINGS_FILE), "{\"sft\": {\"task\": \"translation\"}}");
        assertEquals(PromptFormat.detect(tiny), PromptFormat.forModel(dir, tiny));
        assertEquals(Optional.empty(), PromptFormat.readSettings(dir.resolve(PromptFormat.SETTINGS_FILE)));
    }

    @Test
    void explicitSettingsFileIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my-settings.json");
        Files.writeString(file, "{\"prompt_format\": {\"template\": \"<s>{text}\", \"add_special_tokens\": false}}");
        PromptFormat f = PromptFormat.readSettings(file).orElseThrow();
        assertArrayEquals(s260.encode("Lily and Tom", true), f.encode(s260, "Lily and Tom"));
    }

    @Test
    void badSettingsFilesAreOneLineErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(PromptFormat.SETTINGS_FILE);
        assertOneLine(assertThrows(TokenizerException.class, () -> PromptFormat.readSettings(file)), "not found");
        String[][] cases = {
            {"{\"prompt_format\": ", ":1: malformed JSON at column 19: the text ends before the JSON value is complete"},
            {"{\"prompt_format\": \"{text}\"}", "must be an object"},
            {"{\"prompt_fromat\": {\"template\": \"{text}\"}}", "unknown key \"prompt_fromat\" (expected prompt_format or sft)"},
            {"{\"prompt_format\": {\"template\": \"hello\"}}", "has no {text}"},
            {"{\"prompt_format\": {\"template\": 3}}", "template must be a string"},
            {"{\"prompt_format\": {\"template\": \"{text}\", \"special\": false}}", "unknown key \"special\""},
            {"{\"prompt_format\": {\"template\": \"{text}\", \"add_special_tokens\": \"no\"}}", "add_special_tokens must be"},
        };
        for (String[] c : cases) {
            Files.writeString(file, c[0]);
            TokenizerException e = assertThrows(TokenizerException.class, () -> PromptFormat.forModel(dir, tiny));
            assertOneLine(e, c[1]);
            assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        }
    }
}
