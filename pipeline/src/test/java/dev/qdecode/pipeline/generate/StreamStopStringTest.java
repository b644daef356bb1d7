package dev.qdecode.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.models.CausalLM;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streaming with stop strings on stories260K: the pieces handed to the sink must add up to the
 * generation's text. Greedy decoding of "Once upon a time" gives ", there was a little girl named Lily.
 * She …"; a stop string that spans several tokens ("Lily.", "y. She") used to be streamed in part
 * ("Lily" or "Lily.") before it was complete, although the returned text is cut before it.
 */
class StreamStopStringTest {
    private static CausalLM model;
    private static TextTokenizer tok;
    private static PromptFormat format;

    @BeforeAll
    static void load() {
        Path dir = Path.of(System.getProperty("qdecode.shared")).resolve("models/stories260K");
        tok = TextTokenizer.load(dir);
        model = CausalLM.load(dir, tok);
        format = PromptFormat.forModel(dir, tok);
    }

    @AfterAll
    static void close() {
        model.close();
        tok.close();
    }

    private static String streamed(List<String> stops, Generation[] g) {
        GenerationConfig cfg = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 40, 0, stops, 1, 1, true,
                false);
        StringBuilder sb = new StringBuilder();
        g[0] = new Generator(model, tok, format, cfg).stream("Once upon a time", sb::append);
        return sb.toString();
    }

    @Test
    void streamedPiecesEqualTheTextCutBeforeAStopString() {
        Generation[] g = new Generation[1];
        String none = streamed(List.of(), g);
        assertEquals(g[0].text(), none);
        for (String stop : List.of("Lily.", "y. She", "zz", "named Lx")) {
            String s = streamed(List.of(stop, "qq"), g);
            assertEquals(g[0].text(), s, "stop " + stop);
            int at = none.indexOf(stop);
            assertEquals(at >= 0 ? none.substring(0, at) : none, g[0].text(), "stop " + stop);
            assertEquals(at >= 0 ? StopReason.STOP_STRING : StopReason.MAX_TOKENS, g[0].stopReason(), "stop " + stop);
        }
    }

    /** A missing format is refused when the generator is made (it failed as an NPE inside the first prompt's encoding). */
    @Test
    void aGeneratorWithATokenizerNeedsAFormat() {
        GenerationConfig cfg = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 4, 0, List.of(), 1, 1, true,
                false);
        NullPointerException e = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> new Generator(model, tok, null, cfg));
        assertEquals("format", e.getMessage());
        assertEquals("cfg", org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> new Generator(model, tok, format, null)).getMessage());
        // without a tokenizer only ids are decoded, and no format is needed; text prompts are refused in one line
        Generator ids = new Generator(model, null, null, cfg, null);
        assertEquals(4, ids.generateIds(new int[][] {{1}}).get(0).tokenIds().length);
        IllegalStateException text = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> ids.generate(List.of("Once"), null));
        assertEquals("this generator has no tokenizer: it decodes prompts given as ids (generateIds); expected a "
                + "tokenizer and a prompt format to generate from text", text.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> ids.stream("Once", p -> { }));
    }

    /**
     * Prompts given as ids fail as the Javadoc says, with a GenerationException for bad input, before any
     * batch is decoded (an empty, out-of-vocabulary or too long one was the model's IllegalArgumentException,
     * 'prompts[0] is empty', raised only when its batch came up).
     */
    @Test
    void idPromptsThatCannotBeDecodedAreBadInputBeforeAnyBatch() {
        GenerationConfig cfg = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 8, 0, List.of(), 1, 1, false,
                false);
        Generator g = new Generator(model, null, null, cfg, null);
        int positions = model.config().maxPositions();
        int vocab = model.config().vocabSize();
        Object[][] cases = {
            {new int[][] {{1}, {}}, "prompt 2 is empty: expected at least one token id"},
            {new int[][] {{1}, {1, vocab}}, "prompt 2: token id " + vocab + " at position 2 is outside the model's "
                    + "vocabulary (expected 0.." + (vocab - 1) + ")"},
            {new int[][] {{1}, new int[positions - 7]}, "prompt 2 has " + (positions - 7) + " tokens; with 8 new "
                    + "tokens it exceeds the model's max_position_embeddings " + positions + " (expected at most "
                    + (positions - 8) + " tokens: shorten it or lower --max-new-tokens)"},
        };
        for (Object[] c : cases) {
            GenerationException e = org.junit.jupiter.api.Assertions.assertThrows(GenerationException.class,
                    () -> g.generateIds((int[][]) c[0]));
            assertEquals(c[1], e.getMessage());
            org.junit.jupiter.api.Assertions.assertTrue(e.badInput());
        }
        assertEquals(8, g.generateIds(new int[][] {new int[positions - 8]}).get(0).tokenIds().length);
    }

    /** A start index outside the prompts is refused by name; the end of the list generates nothing. */
    @Test
    void generateFromAnIndexOutsideThePromptsIsRefused() {
        GenerationConfig cfg = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 4, 0, List.of(), 1, 1, true,
                false);
        Generator g = new Generator(model, tok, format, cfg);
        List<String> prompts = List.of("Once", "The");
        for (int from : new int[] {-1, 3}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> g.generate(prompts, from, null, b -> true));
            assertEquals("from: expected a prompt index in 0..2 but got " + from, e.getMessage());
        }
        assertEquals(0, g.generate(prompts, 2, null, b -> true));
    }
}
