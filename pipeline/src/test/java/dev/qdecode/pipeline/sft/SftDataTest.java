package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
     * A translation row whose target is a JSON array has several references: the first is trained on (and
     * scored by the dev loss), and dev BLEU scores against all of them, as {@code evaluate --task translation}
     * does (it scored against the first only, so a decode matching the second got no credit).
     */
    @Test
    void devBleuScoresAgainstEveryReferenceOfARow(@TempDir Path tmp) throws Exception {
        Path model = Path.of(System.getProperty("qdecode.shared")).resolve("models/TinyStories-656K");
        Path dev = Files.writeString(tmp.resolve("dev.jsonl"),
                "{\"en\": \"A dog runs.\", \"de\": [\"Ein Hund rennt.\", \"Ein Hund läuft schnell.\"]}\n"
                + "{\"en\": \"A cat sleeps.\", \"de\": \"Eine Katze schläft.\"}\n"
                + "{\"en\": \"A man sits.\", \"de\": \"Ein Mann sitzt.\"}\n");
        SftConfig cfg = new SftConfig("translation", dev, dev, null, null, "{source} =", model, null, null, 1, 0, 1, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 2, 1, tmp.resolve("out"));
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            SftData d = SftData.read(cfg, dev, tok, PromptFormat.forModel(model, tok), 2, 512);
            assertEquals(List.of("Ein Hund rennt.", "Eine Katze schläft.", "Ein Mann sitzt."), d.targets());
            List<List<String>> refs = SftTrainer.bleuReferences(d, cfg.bleuSamples());
            assertEquals(List.of(List.of("Ein Hund rennt.", "Ein Hund läuft schnell."), List.of("Eine Katze schläft.")),
                    refs);
            // a decode equal to the second reference scores as a match
            var score = Bleu.corpusLevel().corpusScore(
                    List.of("Ein Hund läuft schnell.", "Eine Katze schläft."), refs);
            assertEquals(100.0, score.score(), 1e-9);
            assertEquals("nrefs:var", score.signature().split("\\|")[0]);
        }
    }
}
