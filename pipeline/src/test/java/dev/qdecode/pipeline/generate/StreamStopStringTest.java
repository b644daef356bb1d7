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
        // without a tokenizer only ids are decoded, and no format is needed
        assertEquals(4, new Generator(model, null, null, cfg, null).generateIds(new int[][] {{1}}).get(0)
                .tokenIds().length);
    }
}
