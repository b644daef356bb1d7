package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sft's rows: a continuation target written with its leading space (" there was") is trained as the
 * tokens that text has after a prompt, not with a second word marker that decodes as a second space.
 */
class SftDataTest {
    @Test
    void aTargetsLeadingSpaceAddsNoSecondWordMarker(@TempDir Path tmp) throws Exception {
        Path model = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"),
                "prompt\tcontinuation\nSoon,\t there was a dog.\nSoon,\tthere was a dog.\n");
        SftConfig cfg = new SftConfig("continuation", pairs, pairs, null, null, null, model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 0, 1, tmp.resolve("out"));
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            PromptFormat fmt = PromptFormat.forModel(model, tok);
            int[] spaced = tok.encode(" there was a dog.", false);
            int[] plain = tok.encode("there was a dog.", false);
            // the tokenizer prepends a word marker to every text: the space gives a second one
            assertEquals(plain.length + 1, spaced.length);
            assertEquals(plain[0], spaced[0]);
            SftData d = SftData.read(cfg, pairs, tok, fmt, 2, 512);
            int[] first = Arrays.copyOfRange(d.rows()[0], d.promptLength()[0], d.rows()[0].length - 1);
            int[] second = Arrays.copyOfRange(d.rows()[1], d.promptLength()[1], d.rows()[1].length - 1);
            assertArrayEquals(plain, first); // one marker: " there was a dog." after the prompt
            assertArrayEquals(plain, second);
            // the whole row reads as the text it stands for (it read "Soon,  there was a dog.", two spaces)
            int[] row = Arrays.copyOf(d.rows()[0], d.rows()[0].length - 1);
            assertEquals("Soon, there was a dog.", tok.decode(row, true).strip());
        }
    }

    /**
     * A translation row whose target is a JSON array has several references: each is trained on, as its own
     * example with the row's prompt (only the first was), the dev loss covers them all, and dev BLEU decodes
     * each row once and scores it against all of them, as {@code evaluate --task translation} does.
     */
    @Test
    void aJsonArrayTargetTrainsOnEveryReferenceAndDevBleuDecodesEachRowOnce(@TempDir Path tmp) throws Exception {
        Path model = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        Path dev = Files.writeString(tmp.resolve("dev.jsonl"),
                "{\"en\": \"A dog runs.\", \"de\": [\"Ein Hund rennt.\", \"Ein Hund läuft schnell.\"]}\n"
                + "{\"en\": \"A cat sleeps.\", \"de\": \"Eine Katze schläft.\"}\n"
                + "{\"en\": \"A man sits.\", \"de\": \"Ein Mann sitzt.\"}\n");
        SftConfig cfg = new SftConfig("translation", dev, dev, null, null, "{source} =", model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 2, 1, tmp.resolve("out"));
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            PromptFormat fmt = PromptFormat.forModel(model, tok);
            SftData d = SftData.read(cfg, dev, tok, fmt, 2, 512);
            // one example per reference: the first row gives two, with the same prompt
            assertEquals(4, d.size());
            assertEquals(3, d.rowCount());
            assertEquals(List.of("Ein Hund rennt.", "Ein Hund läuft schnell.", "Eine Katze schläft.", "Ein Mann sitzt."),
                    d.targets());
            assertArrayEquals(new int[] {0, 0, 1, 2}, d.rowOf());
            assertArrayEquals(new int[] {0, 2, 3}, d.firstOfRow());
            int[] prompt = fmt.encode(tok, "A dog runs.");
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(prompt, Arrays.copyOf(d.rows()[i], d.promptLength()[i]), "prompt of example " + i);
                assertEquals("A dog runs.", d.sources().get(i));
                assertEquals("0", d.ids().get(i)); // the row's id (its index: the file has no id field)
            }
            // the encoded targets: each reference's tokens, then EOS
            String[] refs = {"Ein Hund rennt.", "Ein Hund läuft schnell."};
            for (int i = 0; i < 2; i++) {
                int[] t = tok.encode(refs[i], false);
                int[] expected = Arrays.copyOf(t, t.length + 1);
                expected[t.length] = 2;
                assertArrayEquals(expected, Arrays.copyOfRange(d.rows()[i], d.promptLength()[i], d.rows()[i].length),
                        "target of example " + i);
            }
            // dev BLEU: each row decoded once (its first example's prompt), against every reference of its row
            int[][] prompts = SftTrainer.bleuPrompts(d, cfg.bleuSamples());
            assertEquals(2, prompts.length);
            assertArrayEquals(prompt, prompts[0]);
            assertArrayEquals(fmt.encode(tok, "A cat sleeps."), prompts[1]);
            assertEquals(3, SftTrainer.bleuPrompts(d, 10).length, "3 rows, not 4 examples");
            List<List<String>> bleuRefs = SftTrainer.bleuReferences(d, cfg.bleuSamples());
            assertEquals(List.of(List.of("Ein Hund rennt.", "Ein Hund läuft schnell."), List.of("Eine Katze schläft.")),
                    bleuRefs);
            // a decode equal to the second reference scores as a match
            var score = Bleu.corpusLevel().corpusScore(
                    List.of("Ein Hund läuft schnell.", "Eine Katze schläft."), bleuRefs);
            assertEquals(100.0, score.score(), 1e-9);
            assertEquals("nrefs:var", score.signature().split("\\|")[0]);
        }
    }

    /** A German reference longer than the examples' other texts (TinyStories-656K's tokenizer splits it finely). */
    private static final String LONG_REFERENCE =
            "Ein Hund rennt sehr schnell über die große grüne Wiese hinter dem alten roten Haus am See.";

    /** The tiny real model whose tokenizer the multi-reference tests encode with. */
    private static Path tinyStories() {
        return Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
    }

    /** A translation config training and evaluating on {@code data} ({@code {source} =} prompts) into tmp/out. */
    private static SftConfig translationConfig(Path data, Path model, int bleuSamples, Path tmp) {
        return new SftConfig("translation", data, data, null, null, "{source} =", model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, bleuSamples, 1, tmp.resolve("out"));
    }

    /**
     * A too-long second reference is named by its row's FILE:LINE and id, and which reference it is (before,
     * only the first reference was encoded, so the row passed and the second was never trained on).
     */
    @Test
    void aTooLongSecondReferenceIsNamedByLineAndReference(@TempDir Path tmp) throws Exception {
        Path model = tinyStories();
        String longRef = LONG_REFERENCE;
        Path data = Files.writeString(tmp.resolve("train.jsonl"),
                "{\"id\": \"a1\", \"en\": \"A cat.\", \"de\": \"Eine Katze.\"}\n"
                + "{\"id\": \"b7\", \"en\": \"A dog.\", \"de\": [\"Ein Hund.\", \"" + longRef + "\"]}\n");
        SftConfig cfg = translationConfig(data, model, 2, tmp);
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            PromptFormat fmt = PromptFormat.forModel(model, tok);
            int longest = fmt.encode(tok, "A dog.").length + tok.encode(longRef, false).length + 1;
            SftData fits = SftData.read(cfg, data, tok, fmt, 2, longest);
            assertEquals(3, fits.size());
            assertEquals(data + ":2, id b7, reference 2 of 2", fits.location(2));
            assertEquals(data + ":1, id a1", fits.location(0));
            SftException e = assertThrows(SftException.class, () -> SftData.read(cfg, data, tok, fmt, 2, longest - 1));
            assertTrue(e.getMessage().startsWith(data + ":2: example (id b7, reference 2 of 2) has " + longest
                    + " tokens (prompt + target + EOS); it exceeds the model's max_position_embeddings " + (longest - 1)),
                    e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
        }
    }

    /**
     * A JSON-array target that repeats a reference ({@code ["X", "X"]}) trains on each distinct text once, in
     * first-seen order, as train's pooled references keep it (it was two identical examples, trained and in
     * the dev loss twice); a single-reference row is unaffected, dev BLEU still scores the row's references as
     * the file gives them, and a message about a reference names its place in the file's array.
     */
    @Test
    void aRepeatedReferenceOfARowIsOneExample(@TempDir Path tmp) throws Exception {
        Path model = tinyStories();
        String longRef = LONG_REFERENCE;
        Path data = Files.writeString(tmp.resolve("train.jsonl"),
                "{\"id\": \"a1\", \"en\": \"A dog runs.\", \"de\": [\"Ein Hund rennt.\", \"Ein Hund rennt.\"]}\n"
                + "{\"id\": \"b2\", \"en\": \"A cat.\", \"de\": \"Eine Katze.\"}\n"
                + "{\"id\": \"c3\", \"en\": \"A dog.\", \"de\": [\"Ein Hund.\", \"Ein Hund.\", \"" + longRef
                + "\", \"Ein Hund.\"]}\n");
        SftConfig cfg = translationConfig(data, model, 3, tmp);
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            PromptFormat fmt = PromptFormat.forModel(model, tok);
            int longest = fmt.encode(tok, "A dog.").length + tok.encode(longRef, false).length + 1;
            SftData d = SftData.read(cfg, data, tok, fmt, 2, longest);
            assertEquals(4, d.size(), "1 + 1 + 2 distinct pairs (7 references)");
            assertEquals(3, d.rowCount());
            assertEquals(List.of("Ein Hund rennt.", "Eine Katze.", "Ein Hund.", longRef), d.targets());
            assertArrayEquals(new int[] {0, 1, 2, 2}, d.rowOf());
            assertArrayEquals(new int[] {0, 1, 2}, d.firstOfRow());
            assertEquals(1, d.endOfRow(0));
            // dev BLEU: each row's references as the file gives them (a repeat changes no BLEU score)
            assertEquals(List.of(List.of("Ein Hund rennt.", "Ein Hund rennt."), List.of("Eine Katze."),
                    List.of("Ein Hund.", "Ein Hund.", longRef, "Ein Hund.")), SftTrainer.bleuReferences(d, 3));
            // messages name the reference's place in the file's array
            assertEquals(data + ":3, id c3, reference 1 of 4", d.location(2));
            assertEquals(data + ":3, id c3, reference 3 of 4", d.location(3));
            assertEquals(data + ":2, id b2", d.location(1));
            SftException e = assertThrows(SftException.class, () -> SftData.read(cfg, data, tok, fmt, 2, longest - 1));
            assertTrue(e.getMessage().startsWith(data + ":3: example (id c3, reference 3 of 4) has " + longest
                    + " tokens"), e.getMessage());
        }
    }
}
