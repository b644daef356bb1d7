package dev.qdecode.rewards.text;

import static dev.qdecode.rewards.text.TextEpisodes.score;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The {@code repetition} reward: hand-computed fractions, bounds, prefixes and errors. */
class RepetitionPenaltyTest {
    private static final Rewards REGISTRY = Rewards.of(List.of(new RepetitionPenaltyProvider()));
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    @Test
    void handComputedFractions() {
        Reward r = REGISTRY.create("repetition", CTX);
        // 3 trigrams, 1 distinct: 2/3 repeated
        // (i like it)(like it i)(it i like)(i like it): 1 of 4 repeated; case and punctuation ignored
        // 4 distinct trigrams; fewer than 3 words; empty
        assertArrayEquals(new double[] {-2.0 / 3, -0.25, 0, 0, 0},
                score(r, "yes yes yes yes yes", "I like it. i LIKE it!", "the cat sat on the mat",
                        "yes yes", ""), 1e-15);
        Reward unigrams = REGISTRY.create("repetition:n=1,weight=2", CTX);
        // 4 unigrams, 2 distinct: 1/2 repeated, times 2
        assertArrayEquals(new double[] {-1}, score(unigrams, "a b A b."), 1e-15);
        // a word of punctuation alone stays a word: (a b --)(b -- a)(-- a b): none repeats;
        // "! ! ! ! !": 2 of 3 trigrams repeat
        assertArrayEquals(new double[] {0, -2.0 / 3}, score(r, "a b -- A b.", "! ! ! ! !"), 1e-15);
        assertTrue(r.scoresPrefixes());
    }

    @Test
    void boundsOnRandomTexts() {
        Reward r = REGISTRY.create("repetition:n=2,weight=0.5", CTX);
        Random rnd = new Random(7);
        String[] vocab = {"yes", "no", "maybe", "so", "I", "think"};
        for (int trial = 0; trial < 200; trial++) {
            int n = rnd.nextInt(12);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(vocab[rnd.nextInt(vocab.length)]).append(' ');
            }
            double s = score(r, sb.toString())[0];
            // (m - 1) / m of the bigrams can repeat at most
            double worst = n < 2 ? 0 : -0.5 * (n - 2) / (n - 1);
            assertTrue(s <= 0 && s >= worst - 1e-15, sb + ": " + s);
        }
    }

    @Test
    void badOrderIsOneLine() {
        RewardException e = assertThrows(RewardException.class,
                () -> REGISTRY.create("repetition:n=0", CTX));
        assertEquals("reward 'repetition': parameter n='0': expected an integer 1-16",
                e.getMessage());
        e = assertThrows(RewardException.class,
                () -> REGISTRY.create("repetition:weight=lots", CTX));
        assertEquals("reward 'repetition': parameter weight='lots': expected a finite number",
                e.getMessage());
    }
}
