package dev.qdecode.rewards.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@code token-f1} reward: SQuAD v1.1 {@code normalize_answer} and {@code f1_score} on
 * hand-computed cases, properties on seeded random texts, and errors.
 */
class TokenF1Test {
    private static final Rewards REGISTRY = Rewards.of(List.of(new TokenF1Provider()));
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    private static double score(Reward r, String text, String... refs) {
        return r.score(List.of(Episode.withReferences(text, List.of(refs))))[0];
    }

    @Test
    void normalizeAnswerAsTheSquadScript() {
        // lower -> delete ASCII punctuation (no space) -> articles to ' ' -> collapse whitespace
        assertEquals("broncos defence ateam",
                Words.squadNormalize("The  Broncos' defence, an  A-team!"));
        assertEquals("dont stop theory", Words.squadNormalize("Don't stop THE theory."));
        // a.b and a_b lose their punctuation and are no longer the article 'a'
        assertEquals("ab ab", Words.squadNormalize("a.b a_b"));
        // articles only as whole words: \b is Unicode-aware, so 'aé' is one word
        assertEquals("über café aé", Words.squadNormalize("Über a café aé"));
        // an em dash is neither ASCII punctuation nor a word character: it stays, 'the' goes
        assertEquals("—end", Words.squadNormalize("the—end"));
        // Python whitespace: NBSP and U+3000 separate; a zero-width space does not
        assertEquals("x y z\u200bw", Words.squadNormalize("x\u00a0y\u3000z\u200bw"));
        assertEquals("", Words.squadNormalize(" The, a... AN! "));
    }

    @Test
    void handComputedF1() {
        Reward r = REGISTRY.create("token-f1", CTX);
        assertEquals(1.0, score(r, "The Cat sat.", "a cat sat"));
        // P = 1, R = 2/3: F1 = 2PR/(P+R) = 0.8
        assertEquals(0.8, score(r, "Denver Broncos", "Denver Broncos won"), 1e-15);
        // multisets: common = {yes:1, no:1}; P = R = 2/3
        assertEquals(2.0 / 3, score(r, "yes yes no", "yes no no"), 1e-15);
        // P = 1/5, R = 1/4: F1 = 0.1 / 0.45
        assertEquals(0.1 / 0.45, score(r, "yes yes yes yes yes", "Yes, I think so."), 1e-15);
        assertEquals(0.0, score(r, "no overlap here", "completely different words"));
        // max over references: 0 and 2 * 1 * 0.5 / 1.5
        assertEquals(2.0 / 3, score(r, "Paris", "London", "Paris, France"), 1e-15);
        // empty after normalisation (text, reference or both) gives 0, as in SQuAD v1.1
        assertEquals(0.0, score(r, "the a an", "the"));
        assertEquals(0.0, score(r, "", ""));
        assertEquals(0.0, score(r, "cat", "!!!"));
    }

    @Test
    void normalizeNoneOnlySplits() {
        Reward none = REGISTRY.create("token-f1:normalize=none", CTX);
        Reward squad = REGISTRY.create("token-f1:normalize=SQUAD", CTX);
        assertEquals(0.5, score(none, "The cat", "the cat"), 1e-15);
        assertEquals(1.0, score(squad, "The cat", "the cat"));
        // 'cat.' and 'cat' differ without normalisation: common {the}; P = R = 1/2
        assertEquals(0.5, score(none, "the cat.", "the cat"), 1e-15);
        assertEquals(1.0, score(none, " the\tcat ", "the cat"));
    }

    @Test
    void properties() {
        Reward r = REGISTRY.create("token-f1", CTX);
        Random rnd = new Random(42);
        String[] vocab = {"the", "a", "cat", "Cat", "dog,", "sat", "on", "mat", "yes!", "no", "é"};
        for (int trial = 0; trial < 300; trial++) {
            String text = randomText(rnd, vocab);
            List<String> refs = new ArrayList<>();
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                refs.add(randomText(rnd, vocab));
            }
            double s = score(r, text, refs.toArray(String[]::new));
            assertTrue(s >= 0 && s <= 1, text + " vs " + refs + ": " + s);
            // reference order is irrelevant
            List<String> shuffled = new ArrayList<>(refs);
            Collections.shuffle(shuffled, rnd);
            assertEquals(s, score(r, text, shuffled.toArray(String[]::new)), 0.0);
            // a bag of words: word order of the text is irrelevant
            List<String> words = new ArrayList<>(List.of(text.split(" ")));
            Collections.shuffle(words, rnd);
            assertEquals(s, score(r, String.join(" ", words), refs.toArray(String[]::new)),
                    1e-15);
            // symmetric in text and reference
            assertEquals(TokenF1Provider.f1(text, refs.get(0), true),
                    TokenF1Provider.f1(refs.get(0), text, true), 1e-15);
            // the identical text scores 1 (unless it normalises to nothing: then 0)
            double self = score(r, text, text);
            assertEquals(Words.squadTokens(text).isEmpty() ? 0.0 : 1.0, self, 0.0, text);
            // adding the text itself as a reference gives the maximum
            refs.add(text);
            assertEquals(self, score(r, text, refs.toArray(String[]::new)), 0.0);
        }
    }

    private static String randomText(Random rnd, String[] vocab) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + rnd.nextInt(6); i > 0; i--) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(vocab[rnd.nextInt(vocab.length)]);
        }
        return sb.toString();
    }

    @Test
    void scoresPrefixesFromZero() {
        Reward r = REGISTRY.create("token-f1", CTX);
        assertTrue(r.scoresPrefixes());
        Episode full = Episode.withReferences("the cat sat on the mat", List.of("a cat sat"));
        double[] s = r.score(List.of(full.withText("", null), full.withText("the cat", null),
                full.withText("the cat sat", null), full));
        // the reference normalises to {cat, sat}. Prefixes: empty 0; {cat}: P=1,R=1/2 -> 2/3;
        // {cat,sat}: 1; {cat,sat,on,mat}: P=1/2,R=1 -> 2/3
        assertArrayEquals(new double[] {0, 2.0 / 3, 1, 2.0 / 3}, s, 1e-15);
    }

    @Test
    void errorsNameTheEpisodeOrParameter() {
        Reward r = REGISTRY.create("token-f1", CTX);
        RewardException e = assertThrows(RewardException.class, () -> r.score(List.of(
                Episode.withReferences("a", List.of("a")), Episode.ofText("b"))));
        assertEquals("reward 'token-f1' failed on episode 1: the episode has no references",
                e.getMessage());
        assertEquals(1, e.episodeIndex());
        e = assertThrows(RewardException.class,
                () -> REGISTRY.create("token-f1:normalize=lower", CTX));
        assertEquals("reward 'token-f1': parameter normalize='lower': expected one of squad, none",
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
