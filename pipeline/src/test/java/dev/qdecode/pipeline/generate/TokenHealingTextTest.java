package dev.qdecode.pipeline.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.CausalLM;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Token healing on stories260K, whose small vocabulary spells non-ASCII characters with byte-fallback
 * pieces: healing backs up the last byte of the prompt's last character, and the generated text must not
 * repeat that character (it used to: "中文" gave "文s. ", "x😀" gave "😀 are m").
 */
class TokenHealingTextTest {
    private static final List<String> PROMPTS = List.of("中文", "x😀", "Ünï", "Once upon a time,");
    private static CausalLM model;
    private static TextTokenizer tok;

    @BeforeAll
    static void load() {
        Path dir = Path.of(System.getProperty("qdecode.shared")).resolve("models/stories260K");
        model = CausalLM.load(dir);
        tok = TextTokenizer.load(dir);
    }

    @AfterAll
    static void close() {
        model.close();
        tok.close();
    }

    private static GenerationConfig cfg(boolean healing) {
        return GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 6, 0, List.of(), 1, 4, healing, false);
    }

    /** The prompt's ids as the generator prefills them (healed or not) followed by the generated ids, decoded. */
    private static String whole(boolean healing, String prompt, Generation g) {
        int[] ids = new PromptEncoder(tok, PromptFormat.plain(), healing, false, model.config().maxPositions())
                .encode(prompt, 0, 6).ids();
        int[] all = IntStream.concat(IntStream.of(ids), IntStream.of(g.tokenIds())).toArray();
        return tok.decode(all, true);
    }

    @Test
    void healedByteFallbackPromptsAreNotRepeated() {
        for (boolean healing : new boolean[] {true, false}) {
            List<Generation> gens = new Generator(model, tok, PromptFormat.plain(), cfg(healing)).generate(PROMPTS, null);
            for (int i = 0; i < PROMPTS.size(); i++) {
                String prompt = PROMPTS.get(i);
                Generation g = gens.get(i);
                String what = prompt + " (healing " + healing + ") -> \"" + g.text() + "\"";
                assertEquals(6, g.tokenIds().length, what);
                // Prompt text + generated text is exactly what the model's tokens spell, nothing twice.
                assertEquals(whole(healing, prompt, g), prompt + g.text(), what);
                String lastChar = prompt.substring(prompt.offsetByCodePoints(prompt.length(), -1));
                if (!lastChar.equals(",")) {
                    assertFalse(g.text().startsWith(lastChar), what);
                }
            }
        }
    }

    @Test
    void streamingAndBeamSearchAgreeWithTheBatchText() {
        List<Generation> gens = new Generator(model, tok, PromptFormat.plain(), cfg(true)).generate(PROMPTS, null);
        for (int i = 0; i < PROMPTS.size(); i++) {
            StringBuilder streamed = new StringBuilder();
            Generation one = new Generator(model, tok, PromptFormat.plain(), cfg(true)).stream(PROMPTS.get(i),
                    streamed::append);
            assertEquals(gens.get(i).text(), streamed.toString(), PROMPTS.get(i));
            assertEquals(gens.get(i).text(), one.text(), PROMPTS.get(i));
        }
        List<Generation> beams = new Generator(model, tok, PromptFormat.plain(), cfg(true).withBeams(2, 1.0))
                .generate(PROMPTS, null);
        for (int i = 0; i < PROMPTS.size(); i++) {
            Generation g = beams.get(i);
            assertEquals(whole(true, PROMPTS.get(i), g), PROMPTS.get(i) + g.text(), PROMPTS.get(i) + " beams");
            assertTrue(g.tokenIds().length > 0);
        }
    }

    /**
     * The library's generation failures are {@link GenerationException}s: an empty or too long prompt is
     * bad input, more new tokens than the context holds is bad usage (no CLI exception type leaks out).
     */
    @Test
    void generationFailuresAreGenerationExceptionsTellingInputFromSettings() {
        Generator g = new Generator(model, tok, PromptFormat.plain(), cfg(true));
        GenerationException tooLong = org.junit.jupiter.api.Assertions.assertThrows(GenerationException.class,
                () -> g.generate(List.of("Hi", "Tom ran. ".repeat(400)), null));
        assertTrue(tooLong.badInput());
        assertTrue(tooLong.getMessage().startsWith("prompt 2 has "), tooLong.getMessage());
        GenerationException settings = org.junit.jupiter.api.Assertions.assertThrows(GenerationException.class,
                () -> new Generator(model, tok, PromptFormat.plain(), GenerationConfig.stepwise(
                        SamplingConfig.greedyDecoding(), 100_000, 0, List.of(), 1, 2, true, false))
                        .generate(List.of("Hi"), null));
        assertFalse(settings.badInput());
        assertTrue(settings.getMessage().startsWith("--max-new-tokens 100000: "), settings.getMessage());
    }

    /** {@link PromptEncoder#encodeFormatted} of the formatted ids is {@link PromptEncoder#encode} of the text. */
    @Test
    void encodingFormattedIdsIsEncodingTheText() {
        for (boolean healing : new boolean[] {true, false}) {
            PromptEncoder enc = new PromptEncoder(tok, PromptFormat.plain(), healing, false, model.config().maxPositions());
            for (int i = 0; i < PROMPTS.size(); i++) {
                PromptEncoder.Encoded text = enc.encode(PROMPTS.get(i), i, 8);
                PromptEncoder.Encoded ids = enc.encodeFormatted(PromptFormat.plain().encode(tok, PROMPTS.get(i)), i, 8);
                org.junit.jupiter.api.Assertions.assertArrayEquals(text.ids(), ids.ids(), PROMPTS.get(i));
                assertEquals(text.removedText(), ids.removedText(), PROMPTS.get(i));
                org.junit.jupiter.api.Assertions.assertArrayEquals(text.allowedFirst(), ids.allowedFirst(),
                        PROMPTS.get(i));
            }
        }
    }
}
