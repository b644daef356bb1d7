package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BPE training on real data (Multi30k en-de), checked through DJL's Hugging Face tokenizer. */
class BpeTrainerTest {
    /** Both columns of the first 2000 rows of Multi30k en-de train (4000 lines). */
    static List<String> subset;
    /** Both columns of all 29000 rows. */
    static List<String> full;

    @TempDir static Path tmp;

    @BeforeAll
    static void readData() {
        full = multi30k(Integer.MAX_VALUE);
        subset = multi30k(2000);
    }

    /** en and de of Multi30k en-de train (TSV, no quoting: split on tabs). */
    static List<String> multi30k(int rows) {
        Path file = Fixtures.shared().resolve("data/multi30k/en-de.train.tsv");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertEquals(List.of("id", "en", "de"), List.of(lines.get(0).split("\t", -1)));
            List<String> out = new ArrayList<>();
            for (String line : lines.subList(1, (int) Math.min(lines.size(), rows + 1L))) {
                String[] f = line.split("\t", -1);
                out.add(f[1]);
                out.add(f[2]);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TextTokenizer trainAndLoad(List<String> lines, BpeConfig cfg, String name) {
        TrainedTokenizer t = BpeTrainer.train(lines, cfg);
        Path dir = tmp.resolve(name);
        t.save(dir);
        return TextTokenizer.load(dir);
    }

    /** decode(encode(line)) == line for every line, with and without the special tokens. */
    static void assertRoundTrips(TextTokenizer tok, List<String> lines) {
        assertRoundTripsPlain(tok, lines);
        int[][] withBos = tok.encodeBatch(lines, true);
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(tok.bosId(), withBos[i][0], "line " + i + " starts with BOS");
            assertEquals(lines.get(i), tok.decode(withBos[i], true), "line " + i + " (BOS skipped)");
        }
    }

    /**
     * The package's own per-token views agree with the Rust decoder on the trained files: streaming
     * decode gives the line, and the surface bytes of the tokens concatenate to the line's bytes
     * (after the one leading space that a Llama-style decoder strips).
     */
    static void assertStreamingAndSurfacesAgree(TextTokenizer tok, List<String> lines, String lead) {
        for (String line : lines.subList(0, 300)) {
            int[] ids = tok.encode(line, true);
            IncrementalDecoder dec = tok.incrementalDecoder(true);
            StringBuilder streamed = new StringBuilder();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int id : ids) {
                streamed.append(dec.push(id));
                if (!tok.isSpecial(id)) {
                    bytes.writeBytes(tok.surfaceBytes(id));
                }
            }
            streamed.append(dec.flush());
            assertEquals(line, streamed.toString());
            assertEquals(lead + line, bytes.toString(StandardCharsets.UTF_8));
        }
    }

    /** decode(encode(line)) == line for every line, without special tokens. */
    static void assertRoundTripsPlain(TextTokenizer tok, List<String> lines) {
        int[][] plain = tok.encodeBatch(lines, false);
        for (int i = 0; i < lines.size(); i++) {
            assertEquals(lines.get(i), tok.decode(plain[i], false), "line " + i);
        }
    }

    @Test
    void llamaStyleRoundTripsEverySubsetLineAndHasTheAskedVocabulary() {
        BpeConfig cfg = BpeConfig.of(1500).withExtraSpecialTokens(List.of("<sep>", "<eot>"));
        try (TextTokenizer tok = trainAndLoad(subset, cfg, "llama-subset")) {
            assertTrue(subset.stream().anyMatch(l -> l.contains("ß")) && subset.stream().anyMatch(l -> l.contains("ü")));
            assertRoundTrips(tok, subset);
            assertStreamingAndSurfacesAgree(tok, subset, " ");
            assertEquals(1500, tok.vocabSize());
            assertEquals(0, tok.unkId());
            assertEquals(1, tok.bosId());
            assertArrayEquals(new int[] {2}, tok.eosIds());
            assertEquals(3, tok.padId());
            assertEquals("<sep>", tok.piece(4));
            assertEquals("<eot>", tok.piece(5));
            assertTrue(tok.isSpecial(4) && tok.isSpecial(5) && !tok.isSpecial(6));
            assertEquals("<0x00>", tok.piece(6));
            assertEquals("<0xFF>", tok.piece(6 + 255));
            int[] ids = tok.encode("Hunde<sep>dogs", false);
            assertTrue(Arrays.stream(ids).anyMatch(id -> id == 4), "<sep> is one token");
            // Added tokens split the text first; each side is then normalized on its own (a ▁ is prepended).
            assertEquals("Hunde<sep> dogs", tok.decode(ids, false));
            assertEquals("Hunde dogs", tok.decode(ids, true));
            // Llama-style prompt detection sees word-start markers: the plain format.
            assertEquals(PromptFormat.plain(), PromptFormat.detect(tok));
        }
    }

    @Test
    void byteLevelStyleRoundTripsEverySubsetLine() {
        BpeConfig cfg = BpeConfig.of(1500).withByteFallback(false);
        try (TextTokenizer tok = trainAndLoad(subset, cfg, "bytelevel-subset")) {
            assertRoundTrips(tok, subset);
            assertStreamingAndSurfacesAgree(tok, subset, "");
            assertEquals(1500, tok.vocabSize());
            assertEquals(1, tok.bosId());
            assertEquals(3, tok.padId());
            assertEquals("A", tok.piece(4 + 'A'), "byte tokens follow the 4 special tokens in byte order");
            assertEquals("Ġ", tok.piece(4 + ' '));
            for (String text : List.of("日本", "Grüße aus 日本!", "emoji 🙂 ok")) {
                assertEquals(text, tok.decode(tok.encode(text, false), false));
            }
        }
    }

    @Test
    void fullTrainingFileRoundTripsAtVocab8000AndFrequentWordsAreSingleTokens() {
        BpeConfig cfg = BpeConfig.of(8000).withExtraSpecialTokens(List.of("<sep>"));
        TrainedTokenizer t = BpeTrainer.train(full, cfg);
        assertEquals(8000, t.vocabSize());
        assertTrue(t.stoppedEarly().isEmpty());
        assertEquals(58000, t.trainingLines());
        Path dir = tmp.resolve("llama-full");
        t.save(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals(8000, tok.vocabSize());
            assertRoundTripsPlain(tok, full);
            // Letters, digits and punctuation are never merged into one piece (SentencePiece-like).
            for (int id = 4 + 1 + 256; id < tok.vocabSize(); id++) {
                String p = tok.piece(id);
                String body = p.startsWith("▁") ? p.substring(1) : p;
                assertTrue(body.codePoints().map(BpeTrainerTest::charClass).distinct().count() <= 1, p);
            }
            for (String word : List.of("the", "and", "und", "der", "Männer", "Straße")) {
                int[] ids = tok.encode(word, false);
                assertEquals(1, ids.length, word + " → " + Arrays.toString(ids));
                assertEquals("▁" + word, tok.piece(ids[0]));
            }
        }
    }

    @Test
    void byteFallbackEncodesUnseenCharactersAsBytes() {
        try (TextTokenizer tok = trainAndLoad(subset, BpeConfig.of(800), "llama-800")) {
            int[] ids = tok.encode("日本", false);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tok.piece(id));
            }
            // ▁ then the 6 UTF-8 bytes of 日本 (E6 97 A5 E6 9C AC).
            assertEquals(List.of("▁", "<0xE6>", "<0x97>", "<0xA5>", "<0xE6>", "<0x9C>", "<0xAC>"), pieces);
            assertFalse(Arrays.stream(ids).anyMatch(id -> id == tok.unkId()));
            assertEquals("日本", tok.decode(ids, false));
            for (String text : List.of("Grüße aus 日本!", "emoji 🙂 ok", "Ελληνικά")) {
                assertEquals(text, tok.decode(tok.encode(text, false), false));
            }
        }
    }

    /** Blank lines hold no text: not trained on, counted apart; the same vocabulary as without them. */
    @Test
    void blankLinesAreSkippedAndCountedApart() {
        for (boolean fallback : new boolean[] {true, false}) {
            BpeConfig cfg = BpeConfig.of(300).withByteFallback(fallback).withMinFrequency(1);
            TrainedTokenizer with = BpeTrainer.train(List.of("hello world", "", "the cat", " \t ", "hello cat"), cfg);
            assertEquals(3, with.trainingLines());
            assertEquals(2, with.blankLines());
            TrainedTokenizer without = BpeTrainer.train(List.of("hello world", "the cat", "hello cat"), cfg);
            assertEquals(0, without.blankLines());
            assertEquals(without.pieces(), with.pieces(), "blank lines change nothing that is trained");
        }
    }

    @Test
    void whitespaceEdgeCasesRoundTripInBothStyles() {
        List<String> edge = List.of("", " ", "  two leading", "trailing  ", "a  b   c", "tab\there", "new\nline",
                "nbsp\u00A0here", " ß ", "\t");
        for (boolean fallback : new boolean[] {true, false}) {
            try (TextTokenizer tok = trainAndLoad(subset, BpeConfig.of(700).withByteFallback(fallback),
                    "edge-" + fallback)) {
                for (String text : edge) {
                    assertEquals(text, tok.decode(tok.encode(text, false), false), fallback + ": \"" + text + "\"");
                }
            }
        }
    }

    /**
     * The two documented exceptions to the round trip (tokenizer train --help, README): in Llama style
     * a special token gets a space after it and the marker ▁ decodes as a space; byte-level style
     * round-trips both texts.
     */
    @Test
    void roundTripExceptionsAreExactlyTheDocumentedOnesInLlamaStyle() {
        BpeConfig cfg = BpeConfig.of(700).withExtraSpecialTokens(List.of("<sep>"));
        List<String> lines = subset.subList(0, 400);
        try (TextTokenizer tok = trainAndLoad(lines, cfg, "exceptions-llama")) {
            assertEquals("a<sep> b", tok.decode(tok.encode("a<sep>b", false), false));
            assertEquals("a<sep> b<sep> c", tok.decode(tok.encode("a<sep>b<sep>c", false), false));
            assertEquals("a<sep>", tok.decode(tok.encode("a<sep>", false), false), "nothing after: no space");
            assertEquals("x y", tok.decode(tok.encode("x\u2581y", false), false));
            assertEquals("Zwei Hunde.", tok.decode(tok.encode("Zwei Hunde.", false), false));
        }
        try (TextTokenizer tok = trainAndLoad(lines, cfg.withByteFallback(false), "exceptions-bytelevel")) {
            for (String text : List.of("a<sep>b", "a<sep>b<sep>c", "x\u2581y")) {
                assertEquals(text, tok.decode(tok.encode(text, false), false));
            }
        }
    }

    /**
     * A training line with the word marker ▁ (U+2581), at the start, the end, doubled or beside spaces:
     * Llama style refuses it, naming the line and where the ▁ is, rather than training a tokenizer
     * that decodes it as a space; byte-level style trains on those lines and decodes every one back.
     */
    @Test
    void aMarkerInTheTrainingTextIsRefusedInLlamaStyleAndKeptInByteLevelStyle() {
        List<String> lines = new ArrayList<>(subset.subList(0, 200));
        List<String> marked = List.of("\u2581start", "end\u2581", "doubled \u2581\u2581 here", "next to \u2581 spaces ",
                "a\u2581b", " \u2581", "\u2581");
        lines.addAll(marked);
        BpeTrainer.MarkerInTextException e = assertThrows(BpeTrainer.MarkerInTextException.class,
                () -> BpeTrainer.train(lines, BpeConfig.of(600)));
        assertEquals(201, e.line());
        assertEquals(1, e.column());
        assertEquals("training data line 201: character 1 is the word marker ▁ (U+2581), which a --byte-fallback "
                + "tokenizer cannot decode back: it decodes as a space (expected text without it, or no "
                + "--byte-fallback: byte-level style keeps it)", e.getMessage());
        e = assertThrows(BpeTrainer.MarkerInTextException.class,
                () -> BpeTrainer.train(List.of("fine", "😀 a\u2581b"), BpeConfig.of(600)));
        assertEquals(2, e.line());
        assertEquals(4, e.column(), "counted in code points: the emoji is one character");

        try (TextTokenizer tok = trainAndLoad(lines, BpeConfig.of(600).withByteFallback(false), "marker-bytelevel")) {
            for (String text : marked) {
                assertEquals(text, tok.decode(tok.encode(text, false), false));
            }
        }
    }

    @Test
    void trainingTwiceGivesIdenticalFiles() throws IOException {
        BpeConfig cfg = BpeConfig.of(1200).withExtraSpecialTokens(List.of("<sep>"));
        Path a = tmp.resolve("det-a");
        Path b = tmp.resolve("det-b");
        BpeTrainer.train(subset, cfg).save(a);
        // The same lines in another order: the word-frequency table, and so the result, is the same.
        List<String> shuffled = new ArrayList<>(subset);
        Collections.shuffle(shuffled, new Random(7));
        BpeTrainer.train(shuffled, cfg).save(b);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
        }
    }

    @Test
    void mergesAreBuiltFromEarlierTokensAndTheFirstMergeIsTheMostFrequentPair() throws IOException {
        TrainedTokenizer t = BpeTrainer.train(subset, BpeConfig.of(1000));
        Path dir = tmp.resolve("merges");
        t.save(dir);
        JsonObject model = JsonParser.parseString(Files.readString(dir.resolve("tokenizer.json"))).getAsJsonObject()
                .getAsJsonObject("model");
        JsonObject vocab = model.getAsJsonObject("vocab");
        JsonArray merges = model.getAsJsonArray("merges");
        assertEquals(t.mergeCount(), merges.size());
        assertEquals(1000 - t.baseSize(), merges.size(), "no merge reused a token here");
        int i = 0;
        for (JsonElement m : merges) {
            String[] p = m.getAsString().split(" ");
            assertEquals(2, p.length);
            int left = vocab.get(p[0]).getAsInt();
            int right = vocab.get(p[1]).getAsInt();
            int merged = vocab.get(p[0] + p[1]).getAsInt();
            assertTrue(left < merged && right < merged, "merge " + i + " " + m);
            assertEquals(t.baseSize() + i, merged, "merge " + i + " adds the next id");
            i++;
        }
        // Independent count of adjacent character pairs within ▁-words (of one character class).
        Map<String, Long> pairs = new HashMap<>();
        for (String line : subset) {
            String s = "▁" + line.replace(' ', '▁');
            for (String w : s.split("(?=▁)")) {
                int[] cps = w.codePoints().toArray();
                for (int k = 0; k + 1 < cps.length; k++) {
                    if (charClass(cps[k]) == 'N' || charClass(cps[k]) == charClass(cps[k + 1])) {
                        pairs.merge(new String(cps, k, 1) + " " + new String(cps, k + 1, 1), 1L, Long::sum);
                    }
                }
            }
        }
        String best = pairs.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        long bestCount = pairs.get(best);
        assertEquals(1, pairs.values().stream().filter(v -> v == bestCount).count(), "no tie at the top");
        assertEquals(best, merges.get(0).getAsString());
    }

    @Test
    void smallDataStopsEarlyButStillLoads() {
        TrainedTokenizer t = BpeTrainer.train(List.of("ab ab ab", "abc"), BpeConfig.of(400));
        assertTrue(t.vocabSize() < 400);
        assertTrue(t.stoppedEarly().orElseThrow().contains("at least 2 times"), t.stoppedEarly().toString());
        Path dir = tmp.resolve("tiny");
        t.save(dir);
        try (TextTokenizer tok = TextTokenizer.load(dir)) {
            assertEquals(t.vocabSize(), tok.vocabSize());
            assertEquals(List.of("▁ab"), pieces(tok, tok.encode("ab", false)));
            assertEquals("ab ab abc", tok.decode(tok.encode("ab ab abc", false), false));
        }
    }

    @Test
    void badInputGivesOneLineErrors() {
        TokenizerException small = assertThrows(TokenizerException.class, () -> BpeConfig.of(100));
        assertTrue(small.getMessage().contains("at least 260 needed"), small.getMessage());
        TokenizerException data = assertThrows(TokenizerException.class,
                () -> BpeTrainer.train(subset, BpeConfig.of(300)));
        assertTrue(data.getMessage().startsWith("--vocab-size 300 is smaller than the base alphabet: at least "),
                data.getMessage());
        assertTrue(data.getMessage().contains("distinct characters of the training data"), data.getMessage());
        // The byte-level style needs only the special and byte tokens.
        assertEquals(260, BpeTrainer.train(List.of("x"), BpeConfig.of(260).withByteFallback(false)).vocabSize());

        TokenizerException empty = assertThrows(TokenizerException.class, () -> BpeTrainer.train(List.of(), BpeConfig.of(1000)));
        assertTrue(empty.getMessage().startsWith("training data is empty"), empty.getMessage());
        empty = assertThrows(TokenizerException.class, () -> BpeTrainer.train(List.of("", ""), BpeConfig.of(1000)));
        assertTrue(empty.getMessage().contains("2 lines, none with text"), empty.getMessage());

        TokenizerException dup = assertThrows(TokenizerException.class,
                () -> BpeConfig.of(1000).withExtraSpecialTokens(List.of("<sep>", "<sep>")));
        assertTrue(dup.getMessage().startsWith("--special-tokens <sep>: duplicate special token"), dup.getMessage());
        dup = assertThrows(TokenizerException.class, () -> BpeConfig.of(1000).withExtraSpecialTokens(List.of("<s>")));
        assertTrue(dup.getMessage().startsWith("--special-tokens <s>: duplicate special token (the defaults are <unk>, <s>,"),
                dup.getMessage());
        assertThrows(TokenizerException.class, () -> BpeConfig.of(1000).withExtraSpecialTokens(List.of("a b")));
        assertThrows(TokenizerException.class, () -> BpeConfig.of(1000).withMinFrequency(0));
        for (TokenizerException e : List.of(small, data, empty, dup)) {
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    /**
     * Every refusal of a special token names the option it came from, {@code --special-tokens} (with the token),
     * as the vocabulary-size and minimum-frequency refusals name theirs: the messages said "special token X …"
     * or "duplicate special token X", which left a command-line user to guess the option to fix.
     */
    @Test
    void specialTokenRefusalsNameTheOption() {
        BpeConfig llama = BpeConfig.of(1000);
        BpeConfig byteLevel = llama.withByteFallback(false);
        Map<String, java.util.function.Supplier<BpeConfig>> cases = new LinkedHashMap<>();
        cases.put("--special-tokens: an empty token", () -> llama.withExtraSpecialTokens(List.of("")));
        cases.put("--special-tokens \"a b\": contains whitespace", () -> llama.withExtraSpecialTokens(List.of("a b")));
        cases.put("--special-tokens <sep>: duplicate", () -> llama.withExtraSpecialTokens(List.of("<sep>", "<sep>")));
        cases.put("--special-tokens </s>: duplicate", () -> llama.withExtraSpecialTokens(List.of("</s>")));
        cases.put("--special-tokens <0x41>: collides with a byte token",
                () -> llama.withExtraSpecialTokens(List.of("<0x41>")));
        cases.put("--special-tokens ▁: the word marker", () -> llama.withExtraSpecialTokens(List.of("▁")));
        cases.put("--special-tokens Ġ: the byte-level token of byte 0x20",
                () -> byteLevel.withExtraSpecialTokens(List.of("Ġ")));
        cases.put("--special-tokens a: a single character", () -> llama.withExtraSpecialTokens(List.of("a")));
        cases.forEach((start, make) -> {
            TokenizerException e = assertThrows(TokenizerException.class, make::get, start);
            assertTrue(e.getMessage().startsWith(start), e.getMessage());
            assertTrue(e.getMessage().contains("expected"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        });
    }

    /**
     * A special token spelled like a base piece that stands for other text was made that piece: with
     * {@code --special-tokens Ġ} (byte-level) or {@code ▁} (Llama style) every space became the special
     * token, and decoding with special tokens skipped gave "DasCafé" for "Das Café". Such tokens are
     * refused; the ones that are special only where the text spells them are kept.
     */
    @Test
    void specialTokenThatIsASpaceOrByteCharacterIsRefused() {
        BpeConfig byteLevel = BpeConfig.of(1000).withByteFallback(false);
        TokenizerException space = assertThrows(TokenizerException.class,
                () -> byteLevel.withExtraSpecialTokens(List.of("<sep>", "Ġ")));
        assertEquals("--special-tokens Ġ: the byte-level token of byte 0x20, which every text containing that byte "
                + "is written with (expected a token that is not such a byte character, e.g. <sep>)", space.getMessage());
        assertThrows(TokenizerException.class, () -> byteLevel.withExtraSpecialTokens(List.of("é"))); // byte 0xE9
        assertThrows(TokenizerException.class, () -> byteLevel.withExtraSpecialTokens(List.of("Ċ"))); // newline
        TokenizerException marker = assertThrows(TokenizerException.class,
                () -> BpeConfig.of(1000).withExtraSpecialTokens(List.of("▁")));
        assertEquals("--special-tokens ▁: the word marker, which stands for every space (expected a token such as "
                + "<sep>)", marker.getMessage());

        // ▁ is no piece of the byte-level style: a special token there only where a text spells it
        List<String> lines = subset.subList(0, 200);
        assertTrue(lines.stream().noneMatch(l -> l.contains("▁")));
        try (TextTokenizer tok = trainAndLoad(lines, byteLevel.withExtraSpecialTokens(List.of("<sep>")),
                "byte-level-specials")) {
            assertRoundTrips(tok, lines);
        }
    }

    /**
     * A special token that is one ordinary character (tokenizer train --special-tokens a) was accepted:
     * every such character of every text became the special token, so "A man eats a banana." decoded
     * as "A mn ets  bnn." with special tokens skipped (both styles), and in Llama style as "A ma n ea
     * ts a  ba na na ." even with them kept. Any single character is refused, in both styles.
     */
    @Test
    void aSpecialTokenThatIsASingleCharacterIsRefused() {
        for (boolean fallback : new boolean[] {true, false}) {
            for (String c : List.of("a", "|", ".", "😀")) {
                TokenizerException e = assertThrows(TokenizerException.class,
                        () -> BpeConfig.of(1000).withByteFallback(fallback).withExtraSpecialTokens(List.of("<sep>", c)),
                        fallback + " " + c);
                assertEquals("--special-tokens " + c + ": a single character, which would replace that character in"
                        + " every text (dropped where special tokens are skipped); expected a longer token such as"
                        + " <sep>", e.getMessage());
            }
            BpeConfig.of(1000).withByteFallback(fallback).withExtraSpecialTokens(List.of("<sep>", "||"));
        }
    }

    /** N for the ▁ marker, L letters and marks, D digits, O anything else. */
    private static char charClass(int cp) {
        if (cp == '▁') {
            return 'N';
        }
        int type = Character.getType(cp);
        if (Character.isLetter(cp) || type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK) {
            return 'L';
        }
        return Character.isDigit(cp) ? 'D' : 'O';
    }

    private static List<String> pieces(TextTokenizer tok, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(tok.piece(id));
        }
        return out;
    }
}
