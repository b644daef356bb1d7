package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@code generate --prompt TEXT} printed the prompt to standard output before the prompt was encoded and checked, so a
 * prompt too long for the model's context, or a {@code --max-new-tokens} that leaves it no room, failed with the
 * prompt already on standard output ({@code qdecode generate --prompt X > out.txt} left X in out.txt although the
 * command failed). The prompt is now printed with the first new piece: a refusal leaves standard output empty, and a
 * generation still streams the prompt, then its continuation.
 */
class GenerateStreamRefusalTest {

    private static CliRunner.Result generate(String prompt, String maxNewTokens) {
        return CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", prompt,
                "--max-new-tokens", maxNewTokens, "--strategy", "greedy");
    }

    @Test
    void aRefusedPromptPrintsNothing() {
        CliRunner.Result r = generate("Once upon a time,", "100000");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("qdecode: error: --max-new-tokens 100000: the model's context is 512 positions"),
                r.err());

        r = generate("Once upon a time there was a dog. ".repeat(200), "4");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("exceeds the model's max_position_embeddings 512"), r.err());
    }

    @Test
    void aGenerationStillStreamsThePromptThenItsContinuation() {
        CliRunner.Result r = generate("Once upon a time,", "4");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().startsWith("Once upon a time,"), r.out());
        assertTrue(r.out().length() > "Once upon a time,\n".length(), r.out());
        assertTrue(r.out().endsWith("\n"), r.out());
        assertTrue(r.err().contains("[4 new tokens, stop: max_tokens"), r.err());
    }
}
