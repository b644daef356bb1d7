package dev.qdecode.rewards.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The label-match reward. */
class LabelMatchTest {
    private static final Rewards REGISTRY = Rewards.of(List.of(new LabelMatchProvider()));
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    private static Episode ep(String text, String gold) {
        return new Episode("Is it good?", text, null, null, gold, Map.of());
    }

    private static List<Episode> eps(String... textGoldPairs) {
        List<Episode> out = new ArrayList<>();
        for (int i = 0; i < textGoldPairs.length; i += 2) {
            out.add(ep(textGoldPairs[i], textGoldPairs[i + 1]));
        }
        return out;
    }

    @Test
    void rightWrongInvalid() {
        Reward r = REGISTRY.create("label-match:labels=positive|negative", CTX);
        assertArrayEquals(new double[] {1, 0, -1, 1, -1},
                r.score(eps(" positive\n", "positive", "negative", "positive", "neutral",
                        "negative", "negative", "negative", "Positive", "positive")));
    }

    /** Trimmed as Python's str.strip: a no-break space around a label is whitespace (it scored invalid). */
    @Test
    void aNoBreakSpaceAroundALabelIsTrimmed() {
        Reward r = REGISTRY.create("label-match:labels=positive|negative", CTX);
        assertArrayEquals(new double[] {1, 0},
                r.score(eps("positive\u00a0", "positive", "\u202fnegative", "\u2007positive\u2007")));
    }

    @Test
    void ignoreCaseAndCustomValues() {
        Reward r = REGISTRY.create(
                "label-match:labels=Positive|Negative,ignore-case=true,right=2,wrong=-0.5,invalid=-3",
                CTX);
        assertArrayEquals(new double[] {2, -0.5, -3},
                r.score(eps("POSITIVE", "positive", "negative", "Positive", "meh", "Negative")));
    }

    @Test
    void withoutLabelsEveryTextIsValid() {
        Reward r = REGISTRY.create("label-match", CTX);
        assertArrayEquals(new double[] {1, 0}, r.score(eps("4", "4", "question", "4")));
    }

    @Test
    void badEpisodesAndParametersAreReported() {
        Reward r = REGISTRY.create("label-match:labels=a|b", CTX);
        RewardException e = assertThrows(RewardException.class,
                () -> r.score(List.of(ep("a", "a"), Episode.ofText("a"))));
        assertEquals("reward 'label-match' failed on episode 1: the episode has no gold label",
                e.getMessage());
        e = assertThrows(RewardException.class, () -> r.score(eps("a", "c")));
        assertEquals("reward 'label-match' failed on episode 0: gold label 'c' is not one of the "
                + "allowed labels a|b", e.getMessage());
        e = assertThrows(RewardException.class,
                () -> REGISTRY.create("label-match:labels=a||b", CTX));
        assertEquals("reward 'label-match': parameter labels='a||b': expected non-empty labels "
                + "separated by |", e.getMessage());
        e = assertThrows(RewardException.class,
                () -> REGISTRY.create("label-match:labels=a|A,ignore-case=yes", CTX));
        assertEquals("reward 'label-match': parameter labels='a|A': expected distinct labels "
                + "(A repeats)", e.getMessage());
    }
}
