package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TokenHealingTest {
    static TextTokenizer tiny;
    static TextTokenizer s260;

    @BeforeAll
    static void load() {
        tiny = TextTokenizer.load(Fixtures.model("TinyStories-656K"));
        s260 = TextTokenizer.load(Fixtures.model("stories260K"));
    }

    @AfterAll
    static void close() {
        tiny.close();
        s260.close();
    }

    @Test
    void devPromptsAreBackedUpByOneTokenAndTheNaturalContinuationIsAllowed() {
        PromptFormat f = PromptFormat.forModel(Fixtures.model("TinyStories-656K"), tiny);
        List<String> prompts = Fixtures.devPrompts();
        assertEquals(100, prompts.size());
        int samePrefix = 0;
        for (String p : prompts) {
            int[] ids = f.encode(tiny, p);
            int last = ids[ids.length - 1];
            TokenHealing.Healed h = TokenHealing.heal(tiny, ids);
            assertTrue(h.healed(), p);
            assertArrayEquals(Arrays.copyOf(ids, ids.length - 1), h.promptIds(), "exactly one token backed up: " + p);
            assertEquals(tiny.surfaceText(last), h.removedText());
            assertTrue(p.endsWith(h.removedText()), p + " / " + h.removedText());
            assertTrue(h.allows(last), "the removed token itself stays allowed");
            for (int id : h.allowedFirstTokens()) {
                assertTrue(tiny.surfaceText(id).startsWith(h.removedText()), tiny.piece(id));
                assertFalse(tiny.isSpecial(id));
            }
            // The piece the tokenizer produces for the removed text followed by a space and a word
            // (e.g. ",▁" for "...Soon," + " she") is allowed; unrelated pieces are not.
            int[] frag = tiny.encode(tiny.piece(tiny.bosId()) + h.removedText() + " she", false);
            assertTrue(h.allows(frag[1]), p + ": " + tiny.piece(frag[1]));
            assertTrue(tiny.piece(frag[1]).endsWith("▁"), "a word-final piece: " + tiny.piece(frag[1]));
            assertFalse(h.allows(tiny.pieceId("she▁")));
            assertFalse(h.allows(tiny.pieceId("the▁")));
            assertFalse(h.allows(tiny.eosIds()[0]));
            assertTrue(h.allowedFirstTokens().length < tiny.vocabSize() / 20);
            // Where the tokenizer keeps the healed prefix for prompt + " she", its next token is allowed.
            int[] full = f.encode(tiny, p + " she");
            int k = h.promptIds().length;
            if (full.length > k && Arrays.equals(Arrays.copyOf(full, k), h.promptIds())) {
                samePrefix++;
                assertTrue(h.allows(full[k]), p + ": " + tiny.piece(full[k]));
                assertTrue(tiny.piece(full[k]).endsWith("▁"), tiny.piece(full[k]));
            }
        }
        assertTrue(samePrefix >= 10, "the prefix check ran on " + samePrefix + " prompts");
    }

    @Test
    void soonCommaIsCompletedByCommaSpacePieces() {
        int[] ids = PromptFormat.detect(tiny).encode(tiny, "Tom played at the beach. Soon,");
        TokenHealing.Healed h = TokenHealing.heal(tiny, ids);
        assertEquals(",", h.removedText());
        assertTrue(h.allows(tiny.pieceId(",▁")));
        assertTrue(h.allows(tiny.pieceId(",")));
        assertFalse(h.allows(tiny.pieceId("on,▁")), "starts with 'o', not ','");
    }

    @Test
    void byteFallbackTokensAreMatchedOnBytes() {
        int[] ids = s260.encode("The big Fuß", true); // ß = <0xC3><0x9F>
        assertEquals("<0x9F>", s260.piece(ids[ids.length - 1]));
        TokenHealing.Healed h = TokenHealing.heal(s260, ids);
        assertArrayEquals(new int[] {ids[ids.length - 1]}, h.allowedFirstTokens(), "only that byte continues the character");
        int[] word = s260.encode("Once upon a ti", true); // ... ▁t | i
        TokenHealing.Healed w = TokenHealing.heal(s260, word);
        assertEquals("i", w.removedText());
        assertTrue(w.allows(s260.pieceId("ime")), "completes 'time'");
        assertFalse(w.allows(s260.pieceId("▁time")), "a leading space does not continue 'ti'");
    }

    @Test
    void promptsEndingInASpecialTokenAreLeftAlone() {
        for (int[] ids : new int[][] {{1}, {}, {1, 2}}) {
            TokenHealing.Healed h = TokenHealing.heal(tiny, ids);
            assertFalse(h.healed());
            assertArrayEquals(ids, h.promptIds());
            assertEquals(tiny.vocabSize(), h.allowedFirstTokens().length, "no constraint");
        }
    }
}
