package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.generate.PromptEncoder;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * train's fit check counts a prompt's tokens as the rollouts feed them (after token healing), as generate does:
 * it counted one more (the backed-up token) before, so one prompt had two token counts.
 */
class PromptFitCountTest {
    private static TinyVaderFixture f;

    @BeforeAll
    static void load() {
        f = TinyVaderFixture.open();
    }

    @AfterAll
    static void close() {
        f.close();
    }

    @Test
    void trainCountsTheHealedPromptAsGenerateDoes() {
        String prompt = "Tom went to the park and saw a big dog. ".repeat(60) + "Then,";
        int raw = f.fmt.encode(f.tok, prompt).length;
        int healed = new PromptEncoder(f.tok, f.fmt, true, false, Integer.MAX_VALUE).encode(prompt, 0, 0).ids().length;
        assertEquals(raw - 1, healed, "token healing backs up the last token");
        int positions = f.model.config().maxPositions();
        // room = healed: the healed prompt plus the new tokens fill the context exactly
        DqnConfig fits = DqnConfig.builder().maxNewTokens(positions - healed).build();
        assertDoesNotThrow(() -> new Rollouts(f.model, f.tok, f.fmt, fits).checkFit(List.of(prompt), "training prompt",
                "p.tsv"));
        DqnConfig tight = DqnConfig.builder().maxNewTokens(positions - healed + 1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Rollouts(f.model, f.tok, f.fmt, tight).checkFit(List.of(prompt), "training prompt", "p.tsv"));
        assertTrue(e.getMessage().startsWith("p.tsv: training prompt 1 has " + healed + " tokens;"), e.getMessage());
    }
}
