package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.generate.PromptEncoder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * train's fit check counts a prompt's tokens as the rollouts feed them (after token healing), as generate does:
 * it counted one more (the backed-up token) before, so one prompt had two token counts. A {@code train
 * --demonstrations} episode encodes its prompt the same way, its first forced token re-creating the backed-up
 * one: it encoded the plain prompt, one token longer, so a prompt that fits exactly by that count overflowed as
 * a demonstration.
 */
class PromptFitCountTest {
    /** A prompt whose last token ({@code ,}) token healing backs up. */
    private static final String PROMPT = "Tom went to the park and saw a big dog. ".repeat(60) + "Then,";

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
        String prompt = PROMPT;
        int raw = f.fmt.encode(f.tok, prompt).length;
        int healed = healed().length;
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

    @Test
    void aPromptThatFitsExactlyIsDemonstratedFromTheHealedPrompt() {
        int[] raw = f.fmt.encode(f.tok, PROMPT);
        int[] healed = healed();
        // the healed prompt plus the new tokens fill the context exactly
        DqnConfig cfg = DqnConfig.builder().maxNewTokens(f.model.config().maxPositions() - healed.length)
                .minNewTokens(1).build();
        Rollouts r = new Rollouts(f.model, f.tok, f.fmt, cfg);
        r.checkFit(List.of(PROMPT), "training prompt", "p.tsv");
        String reference = " the dog ran away.";
        int[] target = f.tok.encode(reference, false);
        List<Rollouts.Episode> eps = assertDoesNotThrow(() -> r.demonstrate(List.of(PROMPT), List.of(target)));
        Rollouts.Episode e = eps.get(0);
        assertArrayEquals(healed, e.promptIds(), "the demonstration starts where the rollouts do");
        int eos = f.model.config().eosTokenIds()[0];
        int[] want = new int[target.length + 2]; // the backed-up token, the reference, EOS
        want[0] = raw[raw.length - 1];
        System.arraycopy(target, 0, want, 1, target.length);
        want[want.length - 1] = eos;
        assertArrayEquals(want, e.tokens(), Arrays.toString(e.tokens()));
        assertEquals(reference.strip(), e.text().strip(), "the re-created prompt text is not part of the episode's");
    }

    /** {@link #PROMPT} as the rollouts feed it: with token healing, one token shorter than as formatted. */
    private static int[] healed() {
        int[] ids = new PromptEncoder(f.tok, f.fmt, true, false, Integer.MAX_VALUE).encode(PROMPT, 0, 0).ids();
        assertEquals(f.fmt.encode(f.tok, PROMPT).length - 1, ids.length, "token healing backs up the last token");
        return ids;
    }
}
