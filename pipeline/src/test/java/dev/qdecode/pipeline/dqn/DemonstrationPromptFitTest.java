package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.pipeline.generate.PromptEncoder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code train --demonstrations}: a demonstration encodes its prompt as the rollouts and {@link Rollouts#checkFit}
 * do, with token healing, its first forced token re-creating the backed-up one. It encoded the plain prompt, one
 * token longer, so a training prompt that fits the context exactly (by checkFit's count) overflowed as a
 * demonstration.
 */
class DemonstrationPromptFitTest {
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
    void aPromptThatFitsExactlyIsDemonstratedFromTheHealedPrompt() {
        String prompt = "Tom went to the park and saw a big dog. ".repeat(60) + "Then,";
        int[] raw = f.fmt.encode(f.tok, prompt);
        int[] healed = new PromptEncoder(f.tok, f.fmt, true, false, Integer.MAX_VALUE).encode(prompt, 0, 0).ids();
        assertEquals(raw.length - 1, healed.length, "token healing backs up the last token");
        // the healed prompt plus the new tokens fill the context exactly
        DqnConfig cfg = DqnConfig.builder().maxNewTokens(f.model.config().maxPositions() - healed.length)
                .minNewTokens(1).build();
        Rollouts r = new Rollouts(f.model, f.tok, f.fmt, cfg);
        r.checkFit(List.of(prompt), "training prompt", "p.tsv");
        String reference = " the dog ran away.";
        int[] target = f.tok.encode(reference, false);
        List<Rollouts.Episode> eps = assertDoesNotThrow(() -> r.demonstrate(List.of(prompt), List.of(target)));
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
}
