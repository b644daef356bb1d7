package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TextTokenizerTest {
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

    static TextTokenizer tok(String model) {
        return model.equals("stories260K") ? s260 : tiny;
    }

    @Test
    void specialTokensOfTinyStoriesComeFromItsFiles() {
        assertEquals(2048, tiny.vocabSize());
        assertEquals(1, tiny.bosId());
        assertEquals("<|start_story|>", tiny.piece(tiny.bosId()));
        assertArrayEquals(new int[] {2}, tiny.eosIds());
        assertTrue(tiny.isEos(2));
        assertFalse(tiny.isEos(1));
        // special_tokens_map.json and tokenizer_config.json declare pad_token "<unk>".
        assertEquals(tiny.pieceId("<unk>"), tiny.padId());
        assertEquals(0, tiny.unkId());
        assertTrue(tiny.isSpecial(0) && tiny.isSpecial(1) && tiny.isSpecial(2));
        assertFalse(tiny.isSpecial(80));
    }

    @Test
    void stories260KHasNoPadToken() {
        assertEquals(512, s260.vocabSize());
        assertEquals(1, s260.bosId());
        assertEquals("<s>", s260.piece(1));
        assertArrayEquals(new int[] {2}, s260.eosIds());
        assertEquals(-1, s260.padId(), "tokenizer_config.json says pad_token null: no silent default");
        assertEquals(0, s260.unkId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"random-gpt2", "random-qwen2", "random-qwen2-bf16"})
    void randomFixturesTakeSpecialIdsFromConfigJson(String name) {
        try (TextTokenizer t = TextTokenizer.load(Fixtures.randomFixture(name))) {
            assertEquals(2048, t.vocabSize());
            assertEquals(1, t.bosId());
            assertArrayEquals(new int[] {2}, t.eosIds());
            assertEquals(-1, t.padId());
            assertArrayEquals(tiny.encode("Once upon a time, Lily", true), t.encode("Once upon a time, Lily", true));
        }
    }

    @Test
    void eosListInGenerationConfigIsUsedAndPadIdFromConfig(@TempDir Path dir) throws Exception {
        Path src = Fixtures.model("stories260K");
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": [2, 426]}");
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 2, \"pad_token_id\": 3}");
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            assertArrayEquals(new int[] {2, 426}, t.eosIds());
            assertTrue(t.isEos(426));
            assertEquals(3, t.padId());
            assertEquals(1, t.bosId());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K", "stories260K"})
    void encodeReproducesGoldenPromptIds(String model) {
        TextTokenizer t = tok(model);
        JsonObject g = Fixtures.golden(model);
        int checked = 0;
        for (String section : new String[] {"greedy", "last_position"}) {
            for (JsonElement c : g.getAsJsonArray(section)) {
                JsonObject o = c.getAsJsonObject();
                assertArrayEquals(Fixtures.ints(o.getAsJsonArray("prompt_ids")),
                        t.encode(o.get("prompt_text").getAsString(), true), section + ": " + o.get("prompt_text"));
                checked++;
            }
        }
        for (JsonElement c : g.getAsJsonArray("loglik")) {
            JsonObject o = c.getAsJsonObject();
            assertArrayEquals(Fixtures.ints(o.getAsJsonArray("ids")), t.encode(o.get("text").getAsString(), true));
            checked++;
        }
        assertTrue(checked >= 12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K", "stories260K"})
    void decodeReproducesGoldenTexts(String model) {
        TextTokenizer t = tok(model);
        for (JsonElement c : Fixtures.golden(model).getAsJsonArray("greedy")) {
            JsonObject o = c.getAsJsonObject();
            int[] out = Fixtures.ints(o.getAsJsonArray("output_ids"));
            int[] fresh = Fixtures.ints(o.getAsJsonArray("new_ids"));
            assertEquals(o.get("decoded_full").getAsString(), t.decode(out, true));
            assertEquals(o.get("decoded_full_keep_special").getAsString(), t.decode(out, false));
            assertEquals(o.get("decoded_new_tokens").getAsString(), t.decode(fresh, true));
        }
    }

    @Test
    void encodeBatchEqualsSingleEncodesAndIsNotPadded() {
        List<String> prompts = Fixtures.devPrompts();
        for (TextTokenizer t : new TextTokenizer[] {tiny, s260}) {
            for (boolean special : new boolean[] {true, false}) {
                int[][] batch = t.encodeBatch(prompts, special);
                assertEquals(prompts.size(), batch.length);
                for (int i = 0; i < batch.length; i++) {
                    assertArrayEquals(t.encode(prompts.get(i), special), batch[i], prompts.get(i));
                }
                assertTrue(Arrays.stream(batch).mapToInt(r -> r.length).distinct().count() > 1, "ragged rows");
            }
        }
        assertEquals(0, tiny.encodeBatch(List.of(), true).length);
    }

    @Test
    void longTextsAreNotTruncated() {
        String text = String.join(" ", java.util.Collections.nCopies(300, "Tom saw a big red ball."));
        for (TextTokenizer t : new TextTokenizer[] {tiny, s260}) {
            int[] ids = t.encode(text, true);
            assertTrue(ids.length > 600, "DJL's default would cut at 512: " + ids.length);
            assertEquals(text, t.decode(ids, true));
        }
    }

    @Test
    void pieceAndPieceIdAreInverse() {
        for (TextTokenizer t : new TextTokenizer[] {tiny, s260}) {
            for (int id = 0; id < t.vocabSize(); id++) {
                assertEquals(id, t.pieceId(t.piece(id)));
            }
        }
        assertEquals("<0xE2>", s260.piece(s260.pieceId("<0xE2>")));
        assertEquals(-1, s260.pieceId("not a piece"));
        assertThrows(IllegalArgumentException.class, () -> tiny.piece(2048));
        assertThrows(IllegalArgumentException.class, () -> tiny.decode(new int[] {1, -1}, true));
    }

    /** Every token's surface text, checked against the Rust decoder after an anchor token. */
    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K", "stories260K"})
    void surfaceTextMatchesTheRustDecoderForTheWholeVocabulary(String model) {
        TextTokenizer t = tok(model);
        int anchor = t.pieceId("a");
        assertEquals("a", t.decode(new int[] {anchor}, false));
        int bytePieces = 0;
        for (int id = 0; id < t.vocabSize(); id++) {
            String piece = t.piece(id);
            byte[] b = t.surfaceBytes(id);
            if (piece.matches("<0x[0-9A-F]{2}>")) {
                bytePieces++;
                assertArrayEquals(new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)}, b, piece);
                if ((b[0] & 0x80) != 0) {
                    assertEquals("\uFFFD", t.surfaceText(id), "a lone non-ASCII byte is not text");
                    continue;
                }
            }
            String expected = t.decode(new int[] {anchor, id}, false).substring(1);
            assertEquals(expected, t.surfaceText(id), "id " + id + " piece " + piece);
            assertEquals(expected, new String(b, StandardCharsets.UTF_8));
        }
        assertEquals(model.equals("stories260K") ? 256 : 0, bytePieces);
        assertEquals(" the", s260.surfaceText(s260.pieceId("▁the")));
        assertEquals("ce ", tiny.surfaceText(tiny.pieceId("ce▁")));
        assertEquals("<|start_story|>", tiny.surfaceText(1));
    }

    @Test
    void tokenStartsIndexTheTextAsJavaWritesIt() {
        String text = "héllo 你好 world 😀 end";
        // TinyStories-656K: 你好 is one <unk>, which still starts at 你; after the emoji (two Java chars) the
        // indices are char indices, not the Rust tokenizer's code points.
        int[] starts = tiny.tokenStarts(text);
        int[] ids = tiny.encode(text, false);
        assertEquals(ids.length, starts.length);
        for (int i = 1; i < starts.length; i++) {
            assertTrue(starts[i] >= starts[i - 1], Arrays.toString(starts));
        }
        assertTrue(Arrays.stream(starts).anyMatch(s -> s == text.indexOf('你')), Arrays.toString(starts));
        assertTrue(Arrays.stream(starts).anyMatch(s -> text.startsWith("end", s) || text.startsWith(" end", s)),
                Arrays.toString(starts));
        // stories260K: the byte tokens of one character all start where it does.
        int[] b = s260.tokenStarts(text);
        int han = text.indexOf('你');
        assertEquals(3, Arrays.stream(b).filter(s -> s == han).count(), Arrays.toString(b));
        assertEquals(4, Arrays.stream(b).filter(s -> s == text.indexOf("😀")).count(), Arrays.toString(b));
    }

    @Test
    void surfaceBytesConcatenateToTheDecodedBytes() {
        Random rnd = new Random(42);
        for (TextTokenizer t : new TextTokenizer[] {tiny, s260}) {
            for (String text : List.of("Lily went to the park. She saw a café, naïve ß ’ 😀 and 東京.",
                    "  two spaces\nand a newline", "\"Hi!\" said Tom.")) {
                int[] ids = t.encode("a" + text, false);
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                for (int id : ids) {
                    bytes.writeBytes(t.surfaceBytes(id));
                }
                String fromSurface = bytes.toString(StandardCharsets.UTF_8);
                String decoded = t.decode(ids, false);
                // the first piece may lose one leading space to the decoder's Strip
                assertTrue(fromSurface.equals(decoded) || fromSurface.equals(" " + decoded), fromSurface + " vs " + decoded);
            }
            // random non-special ids
            for (int trial = 0; trial < 50; trial++) {
                int[] ids = new int[20];
                ids[0] = t.pieceId("a");
                for (int i = 1; i < ids.length; i++) {
                    int id;
                    do {
                        id = rnd.nextInt(t.vocabSize());
                    } while (t.isSpecial(id) || t.piece(id).startsWith("<0x"));
                    ids[i] = id;
                }
                StringBuilder sb = new StringBuilder();
                for (int id : ids) {
                    sb.append(t.surfaceText(id));
                }
                assertEquals(t.decode(ids, false), sb.toString());
            }
        }
    }

    @Test
    void concurrentUseGivesTheSameResultsAsSequentialUse() throws Exception {
        List<String> prompts = Fixtures.devPrompts();
        try (TextTokenizer fresh = TextTokenizer.load(Fixtures.model("stories260K"))) {
            List<int[]> expected = new ArrayList<>();
            for (String p : prompts) {
                expected.add(s260.encode(p, true));
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    final int offset = w;
                    results.add(pool.submit(() -> {
                        boolean ok = true;
                        for (int i = 0; i < prompts.size(); i++) {
                            int k = (i + offset * 25) % prompts.size();
                            int[] ids = fresh.encode(prompts.get(k), true);
                            ok &= Arrays.equals(expected.get(k), ids);
                            ok &= prompts.get(k).equals(fresh.decode(ids, true));
                            ok &= fresh.surfaceText(ids[ids.length - 1]).equals(s260.surfaceText(ids[ids.length - 1]));
                        }
                        return ok;
                    }));
                }
                for (Future<Boolean> f : results) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void missingDirectoryIsAOneLineError(@TempDir Path dir) {
        TokenizerException e = assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir.resolve("nope")));
        assertOneLine(e, "model directory not found");
        e = assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir));
        assertOneLine(e, "tokenizer.json: not found");
    }

    @Test
    void corruptTokenizerJsonIsAOneLineError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}, ");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)), "tokenizer.json:1: malformed JSON at column ");
        Files.writeString(dir.resolve("tokenizer.json"), "[1, 2]");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)), "JSON object");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\"}}");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)), "model.vocab");
        // valid JSON that the Rust tokenizer rejects
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\", \"vocab\": {\"a\": 0}}}");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)), "rejected");
    }

    @Test
    void specialTokenOutsideTheVocabularyIsAOneLineError(@TempDir Path dir) throws Exception {
        Files.copy(Fixtures.model("stories260K").resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<bos>\"}");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)),
                "tokenizer_config.json: bos_token \"<bos>\" is not a token");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        Files.writeString(dir.resolve("config.json"), "{\"eos_token_id\": 9999}");
        assertOneLine(assertThrows(TokenizerException.class, () -> TextTokenizer.load(dir)), "eos_token_id = 9999");
    }

    static void assertOneLine(TokenizerException e, String expectedPart) {
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }
}
