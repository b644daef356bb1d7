package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link DialogueFormat#fit}: a context kept within a token budget, measured with a real tokenizer. */
class DialogueFormatTest {
    private static TextTokenizer tok;
    private static PromptFormat fmt;

    @BeforeAll
    static void load() {
        Path dir = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        tok = TextTokenizer.load(dir);
        fmt = PromptFormat.forModel(dir, tok);
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private static int length(String prompt) {
        return fmt.encode(tok, prompt).length;
    }

    /** A turn of about {@code words} words, each numbered, so that any end of it is unique. */
    private static String longTurn(int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) {
            b.append("word").append(i).append(i % 9 == 8 ? " . " : " ");
        }
        return b.toString().strip();
    }

    @Test
    void aContextKeepsItsLastTurnsAndSftTrainsOnThem() throws java.io.IOException {
        List<String> six = List.of("One .", "Two ?", "Three .", "Four !", "Five ?", "Six .");
        assertEquals(six.subList(2, 6), DialogueFormat.recent(six));
        assertEquals(six.subList(0, 3), DialogueFormat.recent(six.subList(0, 3)));
        // sft's rows are built from the same turns as train's prompts (TaskOptions.Dialogues uses recent too)
        Path dir = java.nio.file.Files.createTempDirectory("dlg");
        Path pairs = java.nio.file.Files.writeString(dir.resolve("pairs.tsv"),
                "dialog_id\tturn\ttopic\tresponse_act\tresponse_emotion\tcontext\tresponse\n"
                + "1\t6\t1\t1\t0\t" + String.join(" __eou__ ", six) + "\tSeven .\n");
        Path model = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        SftConfig cfg = new SftConfig("dialogue", pairs, pairs, null, null, null, model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 0, 1, dir.resolve("out"));
        SftData d = SftData.read(cfg, pairs, tok, fmt, 2, 512);
        assertEquals(List.of(DialogueFormat.render(six.subList(2, 6))), d.sources());
        assertEquals(length(DialogueFormat.render(six.subList(2, 6))), d.promptLength()[0]);
    }

    @Test
    void aTurnWithLineBreaksStaysOnOneLine() {
        // A CSV or JSON-lines cell may hold line breaks; the newline separates turns, so a second line of a
        // turn would read as a turn without a speaker (here even as another "B:" turn).
        List<String> turns = List.of("So Dick , how about\nB: getting some coffee ?", "Coffee ? \r\n\n  No .\u2028Thanks .");
        String p = DialogueFormat.render(turns);
        assertEquals("A: So Dick , how about B: getting some coffee ?\nB: Coffee ? No . Thanks .\nA:", p);
        assertEquals(3, p.split("\n").length, p);
        // a too-long last turn with line breaks is cut on the same one-line text
        String last = longTurn(200).replace(" . ", " .\n");
        DialogueFormat.Fitted f = DialogueFormat.fit(List.of("Hi .", last), tok, fmt, 48);
        assertTrue(f.cut());
        assertEquals(2, f.prompt().split("\n").length, f.prompt());
        assertTrue(last.replace("\n", " ").endsWith(f.prompt().substring(3, f.prompt().length() - 3)), f.prompt());
    }

    @Test
    void sftTrainsAResponseWithLineBreaksOnOneLine() throws java.io.IOException {
        Path dir = java.nio.file.Files.createTempDirectory("dlg");
        Path pairs = java.nio.file.Files.writeString(dir.resolve("pairs.csv"),
                "context,response\n\"Do you like coffee ?\",\"Coffee ?\nB: I like it .\"\n");
        Path model = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        SftConfig cfg = new SftConfig("dialogue", pairs, pairs, null, null, null, model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 0, 1, dir.resolve("out"));
        SftData d = SftData.read(cfg, pairs, tok, fmt, 2, 512);
        assertEquals(List.of("B: Do you like coffee ?\nA:"), d.sources());
        assertEquals(List.of("Coffee ? B: I like it ."), d.targets());
    }

    @Test
    void aContextThatFitsIsRenderedWhole() {
        List<String> turns = List.of("Hi .", "Hello !", "How are you ?");
        DialogueFormat.Fitted f = DialogueFormat.fit(turns, tok, fmt, 100);
        assertEquals(DialogueFormat.render(turns), f.prompt());
        assertFalse(f.shortened());
    }

    @Test
    void theOldestTurnsAreDroppedFirst() {
        List<String> turns = List.of(longTurn(60), "Do you like tea ?", longTurn(30), "Yes , very much .");
        int budget = length(DialogueFormat.render(turns.subList(1, 4))) + 2;
        assertTrue(length(DialogueFormat.render(turns)) > budget);
        DialogueFormat.Fitted f = DialogueFormat.fit(turns, tok, fmt, budget);
        assertEquals(DialogueFormat.render(turns.subList(1, 4)), f.prompt());
        assertEquals(1, f.droppedTurns());
        assertFalse(f.cut());
        assertTrue(f.shortened());

        // A budget between the last two turns and the last three keeps two.
        int two = length(DialogueFormat.render(turns.subList(2, 4)));
        DialogueFormat.Fitted g = DialogueFormat.fit(turns, tok, fmt, two);
        assertEquals(DialogueFormat.render(turns.subList(2, 4)), g.prompt());
        assertEquals(2, g.droppedTurns());
        assertTrue(g.prompt().endsWith("\nA:") && g.prompt().startsWith("A: "), g.prompt());
    }

    @Test
    void aLastTurnTooLongAloneKeepsItsEnd() {
        String last = longTurn(400);
        List<String> turns = List.of("Tell me a story .", last);
        int budget = 64;
        assertTrue(length(DialogueFormat.render(List.of(last))) > budget);
        DialogueFormat.Fitted f = DialogueFormat.fit(turns, tok, fmt, budget);
        assertTrue(f.cut());
        assertEquals(1, f.droppedTurns());
        int n = length(f.prompt());
        assertTrue(n <= budget && n >= budget - 3, n + " tokens for a budget of " + budget);
        // "B: <the end of the last turn>\nA:": the responder's cue still ends the prompt.
        assertTrue(f.prompt().startsWith("B: ") && f.prompt().endsWith("\nA:"), f.prompt());
        String kept = f.prompt().substring(3, f.prompt().length() - 3);
        assertTrue(last.endsWith(kept) && kept.length() < last.length(), kept);
        assertTrue(kept.endsWith("word399"), kept);
        // Cut at a token boundary: the kept text is the decoded suffix of the turn's tokens.
        int[] ids = tok.encode(last, false);
        boolean boundary = false;
        for (int from = 1; from < ids.length && !boundary; from++) {
            boundary = tok.decode(java.util.Arrays.copyOfRange(ids, from, ids.length), true).strip().equals(kept);
        }
        assertTrue(boundary, kept);
    }

    @Test
    void aCutKeepsTheTextAsWrittenAndNeverSplitsACharacter() {
        // TinyStories-656K has no byte tokens: 你好 and é are <unk>, which decoding cannot give back.
        String last = "Ni hao is 你好 , café is coffee . ".repeat(60).strip();
        DialogueFormat.Fitted f = DialogueFormat.fit(List.of("So ?", last), tok, fmt, 40);
        assertTrue(f.cut());
        assertTrue(length(f.prompt()) <= 40);
        String kept = f.prompt().substring(3, f.prompt().length() - 3);
        assertTrue(last.endsWith(kept) && kept.endsWith("coffee ."), kept);
        assertTrue(kept.contains("你好") && kept.contains("café"), kept);

        // stories260K spells these characters as byte-fallback tokens, several per character.
        Path dir = Path.of(System.getProperty("qdecode.shared")).resolve("models/stories260K");
        try (TextTokenizer bytes = TextTokenizer.load(dir)) {
            PromptFormat f260 = PromptFormat.forModel(dir, bytes);
            String han = "你好世界😀今天天气很好。".repeat(30);
            for (int budget = 30; budget < 40; budget++) {
                DialogueFormat.Fitted g = DialogueFormat.fit(List.of(han), bytes, f260, budget);
                assertTrue(g.cut());
                assertTrue(f260.encode(bytes, g.prompt()).length <= budget);
                String end = g.prompt().substring(3, g.prompt().length() - 3);
                assertFalse(end.contains("\uFFFD") || Character.isLowSurrogate(end.charAt(0)), end);
                assertTrue(han.endsWith(end) && end.endsWith("很好。"), end);
            }
        }
    }
}
