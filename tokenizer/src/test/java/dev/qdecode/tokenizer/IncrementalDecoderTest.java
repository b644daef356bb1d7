package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IncrementalDecoderTest {
    static TextTokenizer tiny;
    static TextTokenizer s260;

    static final List<String> UNICODE_TEXTS = List.of(
            "The café was naïve.",
            "She said: ’Hello’ and “bye”.",
            "Straße, Fuß, groß",
            "Lily saw a 😀 and a 🐶! The end.",
            "東京 and 한국어 and ☃ snow",
            "café ☃ naïve",
            "\"Hi!\" said Tom.\nThe dog ran.",
            "  two leading spaces",
            "é");

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

    /** Streams ids and checks every chunk is whole characters; returns the concatenation. */
    static String stream(TextTokenizer t, int[] ids, boolean skip, List<String> chunks) {
        IncrementalDecoder d = t.incrementalDecoder(skip);
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String c = d.push(id);
            chunks.add(c);
            sb.append(c);
        }
        String tail = d.flush();
        chunks.add(tail);
        sb.append(tail);
        return sb.toString();
    }

    static void assertWholeCharacters(List<String> chunks) {
        for (String c : chunks) {
            assertFalse(c.indexOf('\uFFFD') >= 0, "no replacement char in a valid stream: " + c);
            if (!c.isEmpty()) {
                assertFalse(Character.isLowSurrogate(c.charAt(0)), "chunk starts mid-character");
                assertFalse(Character.isHighSurrogate(c.charAt(c.length() - 1)), "chunk ends mid-character");
            }
        }
    }

    @Test
    void byteFallbackCharactersStreamWhole() {
        for (String text : UNICODE_TEXTS) {
            int[] ids = s260.encode(text, true);
            for (boolean skip : new boolean[] {true, false}) {
                List<String> chunks = new ArrayList<>();
                assertEquals(s260.decode(ids, skip), stream(s260, ids, skip, chunks), text);
                assertWholeCharacters(chunks);
            }
            assertEquals(text, s260.decode(ids, true), "stories260K round-trips via byte fallback");
        }
    }

    @Test
    void threeBytePieceComesOutAsOneCharacterWhenComplete() {
        int[] ids = s260.encode("a ☃ b", false);
        IncrementalDecoder d = s260.incrementalDecoder(true);
        List<String> out = new ArrayList<>();
        int firstByte = -1;
        for (int i = 0; i < ids.length; i++) {
            if (firstByte < 0 && s260.piece(ids[i]).equals("<0xE2>")) {
                firstByte = i;
            }
            out.add(d.push(ids[i]));
        }
        assertTrue(firstByte > 0, "☃ is byte fallback in stories260K");
        assertEquals("", out.get(firstByte));
        assertEquals("", out.get(firstByte + 1));
        assertEquals("☃", out.get(firstByte + 2).strip());
        assertEquals("", d.flush());
    }

    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K", "stories260K"})
    void goldenGreedyOutputsStreamToTheGoldenTexts(String model) {
        TextTokenizer t = model.equals("stories260K") ? s260 : tiny;
        for (JsonElement c : Fixtures.golden(model).getAsJsonArray("greedy")) {
            JsonObject o = c.getAsJsonObject();
            int[] out = Fixtures.ints(o.getAsJsonArray("output_ids"));
            List<String> chunks = new ArrayList<>();
            assertEquals(o.get("decoded_full").getAsString(), stream(t, out, true, chunks));
            assertWholeCharacters(chunks);
            assertEquals(o.get("decoded_full_keep_special").getAsString(), stream(t, out, false, new ArrayList<>()));
        }
    }

    @Test
    void randomValidSequencesStreamLikeTheFullDecode() {
        Random rnd = new Random(7);
        for (TextTokenizer t : new TextTokenizer[] {tiny, s260}) {
            for (int trial = 0; trial < 40; trial++) {
                int[] ids = new int[1 + rnd.nextInt(40)];
                for (int i = 0; i < ids.length; i++) {
                    int id;
                    do {
                        id = rnd.nextInt(t.vocabSize());
                    } while (t.piece(id).startsWith("<0x") && (Integer.parseInt(t.piece(id).substring(3, 5), 16) & 0x80) != 0);
                    ids[i] = id; // any token, specials included, except lone non-ASCII bytes
                }
                for (boolean skip : new boolean[] {true, false}) {
                    assertEquals(t.decode(ids, skip), stream(t, ids, skip, new ArrayList<>()), java.util.Arrays.toString(ids));
                }
            }
        }
    }

    @Test
    void incompleteTrailingBytesFlushAsReplacementLikeTheFullDecode() {
        int[] ids = {s260.pieceId("▁a"), s260.pieceId("<0xE2>"), s260.pieceId("<0x98>")};
        IncrementalDecoder d = s260.incrementalDecoder(true);
        assertEquals("a", d.push(ids[0]));
        assertEquals("", d.push(ids[1]));
        assertEquals("", d.push(ids[2]));
        assertEquals(s260.decode(ids, true), "a" + d.flush());
        // pushing continues after a flush
        assertEquals(" the", d.push(s260.pieceId("▁the")));
    }

    @Test
    void leadingMarkerAndSkippedSpecialsMatchTheFullDecode() {
        // TinyStories-656K plain encode: BOS, a lone "▁", then the text
        int[] ids = tiny.encode("Once upon a time, café", true);
        assertEquals(tiny.decode(ids, true), stream(tiny, ids, true, new ArrayList<>()));
        assertEquals(tiny.decode(ids, false), stream(tiny, ids, false, new ArrayList<>()));
        assertEquals("", stream(tiny, new int[] {1, 2, 1}, true, new ArrayList<>()));
    }
}
