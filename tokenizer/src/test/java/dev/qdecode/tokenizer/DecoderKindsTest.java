package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Surface texts and streaming for decoder kinds that the real models here do not use (GPT-2-style
 * byte level, Metaspace, WordPiece, and one the table does not interpret), on small synthetic
 * tokenizers checked against the Rust decoder itself.
 */
class DecoderKindsTest {
    @TempDir Path dir;

    /** For every id: what it adds after an anchor token equals the table's surface text. */
    static void assertSurfaceMatchesRust(TextTokenizer t, int anchor) {
        String base = t.decode(new int[] {anchor}, false);
        for (int id = 0; id < t.vocabSize(); id++) {
            String both = t.decode(new int[] {anchor, id}, false);
            assertTrue(both.startsWith(base), both);
            assertEquals(both.substring(base.length()), t.surfaceText(id), "id " + id + " piece " + t.piece(id));
        }
    }

    static void assertStreams(TextTokenizer t, List<String> texts) {
        for (String text : texts) {
            int[] ids = t.encode(text, true);
            for (boolean skip : new boolean[] {true, false}) {
                IncrementalDecoder d = t.incrementalDecoder(skip);
                StringBuilder sb = new StringBuilder();
                for (int id : ids) {
                    String c = d.push(id);
                    assertTrue(c.indexOf('\uFFFD') < 0, c);
                    sb.append(c);
                }
                sb.append(d.flush());
                assertEquals(t.decode(ids, skip), sb.toString(), text);
            }
        }
    }

    TextTokenizer write(JsonObject tokenizerJson) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), new Gson().toJson(tokenizerJson), StandardCharsets.UTF_8);
        return TextTokenizer.load(dir);
    }

    static JsonObject base(JsonObject model, String preTokenizer, String decoder) {
        JsonObject o = new JsonObject();
        o.addProperty("version", "1.0");
        o.add("truncation", null);
        o.add("padding", null);
        JsonArray added = new JsonArray();
        JsonObject eos = new JsonObject();
        eos.addProperty("id", model.getAsJsonObject("vocab").size());
        eos.addProperty("content", "<|endoftext|>");
        eos.addProperty("single_word", false);
        eos.addProperty("lstrip", false);
        eos.addProperty("rstrip", false);
        eos.addProperty("normalized", false);
        eos.addProperty("special", true);
        added.add(eos);
        o.add("added_tokens", added);
        o.add("normalizer", null);
        o.add("pre_tokenizer", JsonParser.parseString(preTokenizer));
        o.add("post_processor", null);
        o.add("decoder", JsonParser.parseString(decoder));
        o.add("model", model);
        return o;
    }

    static JsonObject bpe(Map<String, Integer> vocab, List<String> merges) {
        JsonObject m = new JsonObject();
        m.addProperty("type", "BPE");
        m.add("dropout", null);
        m.add("unk_token", null);
        m.add("continuing_subword_prefix", null);
        m.add("end_of_word_suffix", null);
        m.addProperty("fuse_unk", false);
        m.addProperty("byte_fallback", false);
        m.add("vocab", new Gson().toJsonTree(vocab));
        JsonArray mg = new JsonArray();
        merges.forEach(mg::add);
        m.add("merges", mg);
        return m;
    }

    /** GPT-2's bytes_to_unicode. */
    static String[] byteChars() {
        String[] out = new String[256];
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            out[b] = new String(Character.toChars(printable ? b : 256 + extra++));
        }
        return out;
    }

    @Test
    void byteLevelLikeGpt2() throws Exception {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String c : byteChars()) {
            vocab.put(c, vocab.size());
        }
        List<String> merges = List.of("Ġ t", "h e", "Ġt he", "Ã ©");
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        String bl = "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":true}";
        try (TextTokenizer t = write(base(bpe(vocab, merges), bl, bl))) {
            assertEquals(" the", t.surfaceText(t.pieceId("Ġthe")));
            assertEquals("é", t.surfaceText(t.pieceId("Ã©")));
            assertArrayEquals(new byte[] {(byte) 0xE2}, t.surfaceBytes(t.pieceId(byteChars()[0xE2])));
            assertSurfaceMatchesRust(t, t.pieceId("a"));
            assertStreams(t, List.of("the café ’ 😀 東京 the end", "é"));
            TokenHealing.Healed h = TokenHealing.heal(t, t.encode("see t", false));
            assertEquals(" t", h.removedText());
            assertTrue(h.allows(t.pieceId("Ġthe")));
        }
    }

    @Test
    void metaspace() throws Exception {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String c : List.of("▁", "t", "h", "e", "a", "c", "f", "é", "’", "s")) {
            vocab.put(c, vocab.size());
        }
        List<String> merges = List.of("▁ t", "h e", "▁t he");
        for (String m : merges) {
            vocab.put(m.replace(" ", ""), vocab.size());
        }
        String ms = "{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\"always\",\"split\":true}";
        try (TextTokenizer t = write(base(bpe(vocab, merges), ms, ms))) {
            assertEquals(" the", t.surfaceText(t.pieceId("▁the")));
            assertSurfaceMatchesRust(t, t.pieceId("a"));
            assertStreams(t, List.of("the cafe", "a’s the"));
        }
    }

    @Test
    void wordPieceWithCleanup() throws Exception {
        JsonObject m = new JsonObject();
        m.addProperty("type", "WordPiece");
        m.addProperty("unk_token", "[UNK]");
        m.addProperty("continuing_subword_prefix", "##");
        m.addProperty("max_input_chars_per_word", 100);
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String w : List.of("[UNK]", "the", "cat", "##s", "play", "##ing", ".", ",", "a", "!")) {
            vocab.put(w, vocab.size());
        }
        m.add("vocab", new Gson().toJsonTree(vocab));
        try (TextTokenizer t = write(base(m, "{\"type\":\"BertPreTokenizer\"}",
                "{\"type\":\"WordPiece\",\"prefix\":\"##\",\"cleanup\":true}"))) {
            assertEquals(" the", t.surfaceText(t.pieceId("the")));
            assertEquals("s", t.surfaceText(t.pieceId("##s")));
            assertEquals(".", t.surfaceText(t.pieceId(".")));
            assertSurfaceMatchesRust(t, t.pieceId("a"));
            assertStreams(t, List.of("the cats playing, a cat!"));
        }
    }

    @Test
    void decoderNotInterpretedIsMeasuredWithTheRustDecoder() throws Exception {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (String c : List.of("<pad>", "|", "t", "h", "e", "a")) {
            vocab.put(c, vocab.size());
        }
        JsonObject model = bpe(vocab, new ArrayList<>());
        try (TextTokenizer t = write(base(model, "{\"type\":\"Whitespace\"}",
                "{\"type\":\"CTC\",\"pad_token\":\"<pad>\",\"word_delimiter_token\":\"|\",\"cleanup\":true}"))) {
            for (String c : List.of("t", "h", "e", "a")) {
                assertEquals(c, t.surfaceText(t.pieceId(c)));
            }
            assertEquals("", t.surfaceText(t.pieceId("<pad>")), "CTC drops its pad token");
        }
    }
}
