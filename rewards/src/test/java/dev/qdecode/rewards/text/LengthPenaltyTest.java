package dev.qdecode.rewards.text;

import static dev.qdecode.rewards.text.TextEpisodes.score;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code length} reward: hand-computed penalties, units, cap and parameter errors. */
class LengthPenaltyTest {
    private static final Rewards REGISTRY = Rewards.of(List.of(new LengthPenaltyProvider()));
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    private static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append("w").append(i);
        }
        return sb.toString();
    }

    @Test
    void penaltyOutsideTheRangeInWords() {
        Reward r = REGISTRY.create("length:min=3,max=20", CTX);
        // 0 words: 3 short -> -0.3; 2: -0.1; 3 and 20: inside; 25: 5 long -> -0.5; 40: capped at -1
        assertArrayEquals(new double[] {-0.3, -0.1, 0, 0, -0.5, -1},
                score(r, "", "Hello there", "Hello there you", words(20), words(25), words(40)),
                1e-12);
        // Python whitespace: NBSP separates words, a zero-width space does not; pieces of
        // punctuation alone are no words (tokenised dialogue text); numbers and '_' are
        assertArrayEquals(new double[] {-0.1, -0.2, -0.1, 0, -0.3, 0},
                score(r, "a\u00a0b", "a\u200bb", "Ok , fine .", "Coffee ? I don \u2019 t",
                        "! ! ? \u2019 ...", "1 _ 2nd"), 1e-12);
        // as 'rewards list' says (it said "with a letter or digit"): any number counts, and '_' alone
        assertArrayEquals(new double[] {-0.1, -0.1}, score(r, "\u00bd __", "(_) \u2167"), 1e-12);
        assertEquals("words (whitespace-separated, with a letter, number or _) or tokens (token ids, a final EOS included)",
                new LengthPenaltyProvider().parameters().stream().filter(p -> p.name().equals("unit"))
                        .findFirst().orElseThrow().help());
        assertFalse(r.scoresPrefixes());
    }

    @Test
    void onlyMinOrOnlyMaxAndCustomPenalty() {
        Reward r = REGISTRY.create("length:max=2,per=0.5,cap=-0.75", CTX);
        assertArrayEquals(new double[] {0, 0, -0.5, -0.75}, score(r, "", "a b", "a b c",
                words(9)), 1e-12);
        Reward min = REGISTRY.create("length:min=4", CTX);
        assertArrayEquals(new double[] {-0.4, 0}, score(min, "", words(1000)), 1e-12);
    }

    @Test
    void tokensCountTheEpisodesTokenIds() {
        Reward r = REGISTRY.create("length:min=2,max=3,unit=tokens,per=0.25", CTX);
        Episode one = new Episode("p", "Hello there you all", new int[] {7}, null, null, null);
        Episode five = new Episode("p", "x", new int[] {1, 2, 3, 4, 5}, null, null, null);
        Episode none = new Episode("p", "", null, null, null, null);
        assertArrayEquals(new double[] {-0.25, -0.5, -0.5}, r.score(List.of(one, five, none)),
                1e-12);
        RewardException e = assertThrows(RewardException.class,
                () -> r.score(List.of(one, Episode.ofText("no ids"))));
        assertEquals("reward 'length' failed on episode 1: unit=tokens but the episode has text "
                + "and no token ids", e.getMessage());
    }

    @Test
    void badParametersAreOneLine() {
        assertEquals("reward 'length': give min and/or max (e.g. length:min=3,max=20); without "
                + "them the penalty is always 0", message("length"));
        assertEquals("reward 'length': parameter max='2': expected an integer >= min (3)",
                message("length:min=3,max=2"));
        assertEquals("reward 'length': parameter min='-1': expected an integer >= 0",
                message("length:min=-1"));
        assertEquals("reward 'length': parameter max='ten': expected an integer",
                message("length:max=ten"));
        assertEquals("reward 'length': parameter per='-0.1': expected a number > 0 (0 would make the penalty always 0)",
                message("length:max=5,per=-0.1"));
        assertEquals("reward 'length': parameter cap='1': expected a number < 0 (0 would make the penalty always 0)",
                message("length:max=5,cap=1"));
        // a penalty that is always 0 is refused, as a range without bounds is (both used to score 0 everywhere)
        assertEquals("reward 'length': parameter per='0': expected a number > 0 (0 would make the penalty always 0)",
                message("length:max=5,per=0"));
        assertEquals("reward 'length': parameter cap='0': expected a number < 0 (0 would make the penalty always 0)",
                message("length:max=5,cap=0"));
        assertEquals("reward 'length': parameter unit='chars': expected one of words, tokens",
                message("length:max=5,unit=chars"));
    }

    private static String message(String spec) {
        return assertThrows(RewardException.class, () -> REGISTRY.create(spec, CTX)).getMessage();
    }
}
