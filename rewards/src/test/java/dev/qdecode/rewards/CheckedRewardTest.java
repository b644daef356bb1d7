package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** {@link Rewards#checked}: exceptions, non-finite values and wrong lengths. */
class CheckedRewardTest {

    private static Reward reward(String id, Function<List<Episode>, double[]> f) {
        return new Reward() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public double[] score(List<Episode> episodes) {
                return f.apply(episodes);
            }
        };
    }

    private static List<Episode> eps(String... texts) {
        List<Episode> out = new ArrayList<>();
        for (String t : texts) {
            out.add(Episode.ofText(t));
        }
        return out;
    }

    @Test
    void goodScoresPassThrough() {
        Reward r = Rewards.checked(reward("ok", e -> new double[] {1, -2}));
        assertArrayEquals(new double[] {1, -2}, r.score(eps("a", "b")));
    }

    @Test
    void nanAndInfinityNameTheEpisode() {
        RewardException e = assertThrows(RewardException.class, () -> Rewards.checked(
                reward("sent", x -> new double[] {0.5, Double.NaN, 1})).score(eps("a", "b\nc", "d")));
        assertEquals("reward 'sent' failed on episode 1: returned NaN " + CheckedReward.RANGE + " for"
                + " text \"b c\"", e.getMessage());
        assertEquals(1, e.episodeIndex());
        e = assertThrows(RewardException.class, () -> Rewards.checked(
                reward("inf", x -> new double[] {Double.NEGATIVE_INFINITY})).score(eps("a")));
        assertEquals("reward 'inf' failed on episode 0: returned -Infinity " + CheckedReward.RANGE
                + " for text \"a\"", e.getMessage());
    }

    @Test
    void aFiniteScoreTooLargeForTrainingNamesTheEpisode() {
        // 1e39 is finite as a double but infinite as the float replay stores; 1e30 still fits
        assertArrayEquals(new double[] {1e30, -1e30}, Rewards.checked(reward("big", x -> new double[] {1e30, -1e30}))
                .score(eps("a", "b")));
        RewardException e = assertThrows(RewardException.class, () -> Rewards.checked(
                reward("big", x -> new double[] {0, -1e39})).score(eps("a", "b")));
        assertEquals("reward 'big' failed on episode 1: returned -1.0E39 (scores must be finite and within ±1e30: "
                + "training stores them as 32-bit floats) for text \"b\"", e.getMessage());
    }

    @Test
    void wrongLengthIsReported() {
        RewardException e = assertThrows(RewardException.class, () -> Rewards.checked(
                reward("short", x -> new double[] {1})).score(eps("a", "b")));
        assertEquals("reward 'short' returned 1 scores for 2 episodes (expected exactly one per "
                + "episode)", e.getMessage());
        e = assertThrows(RewardException.class, () -> Rewards.checked(
                reward("null", x -> null)).score(eps("a")));
        assertEquals("reward 'null' returned no scores (null) for 1 episodes", e.getMessage());
    }

    @Test
    void anExceptionIsTracedToTheFirstEpisodeThatFailsAlone() {
        Reward r = Rewards.checked(reward("picky", x -> {
            for (Episode ep : x) {
                if (ep.text().contains("!")) {
                    throw new IllegalArgumentException("cannot score '" + ep.text() + "'\nat all");
                }
            }
            return new double[x.size()];
        }));
        RewardException e = assertThrows(RewardException.class, () -> r.score(eps("a", "b!", "c!")));
        assertEquals("reward 'picky' failed on episode 1: IllegalArgumentException: cannot score"
                + " 'b!' | at all", e.getMessage());
        assertEquals(1, e.episodeIndex());
    }

    @Test
    void aBatchOnlyFailureSaysSo() {
        Reward r = Rewards.checked(reward("batchy", x -> {
            if (x.size() > 1) {
                throw new IllegalStateException("batch too large");
            }
            return new double[x.size()];
        }));
        RewardException e = assertThrows(RewardException.class, () -> r.score(eps("a", "b")));
        assertEquals("reward 'batchy' failed on a batch of 2 episodes (each alone succeeds): "
                + "IllegalStateException: batch too large", e.getMessage());
        assertEquals(-1, e.episodeIndex());
    }

    @Test
    void runningOutOfMemoryIsOneLineWithoutScoringAgain() {
        int[] calls = {0};
        Reward r = Rewards.checked(reward("hungry", x -> {
            calls[0]++;
            throw new OutOfMemoryError("Java heap space");
        }));
        long heap = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        RewardException e = assertThrows(RewardException.class, () -> r.score(eps("a", "b")));
        assertEquals("reward 'hungry' ran out of memory (OutOfMemoryError: Java heap space; maximum heap "
                + heap + " MiB) scoring a batch of 2 episodes", e.getMessage());
        assertEquals(1, calls[0]);
        assertEquals(-1, e.episodeIndex());
        e = assertThrows(RewardException.class, () -> r.score(eps("a")));
        assertEquals("reward 'hungry' failed on episode 0: ran out of memory (OutOfMemoryError: Java heap "
                + "space; maximum heap " + heap + " MiB)", e.getMessage());
        assertEquals(0, e.episodeIndex());
    }

    @Test
    void errorsOfTheJvmInCorpusScoresAndCloseAreOneLine() {
        Reward r = Rewards.checked(new Reward() {
            @Override
            public String id() {
                return "deep";
            }

            @Override
            public double[] score(List<Episode> episodes) {
                return new double[episodes.size()];
            }

            @Override
            public java.util.Optional<CorpusScore> corpusScore(List<Episode> episodes) {
                throw new StackOverflowError();
            }

            @Override
            public void close() {
                throw new OutOfMemoryError();
            }
        });
        assertEquals("reward 'deep' failed computing its corpus score: StackOverflowError",
                assertThrows(RewardException.class, () -> r.corpusScore(eps("a"))).getMessage());
        String msg = assertThrows(RewardException.class, r::close).getMessage();
        assertTrue(msg.startsWith("reward 'deep' failed to close: ran out of memory (OutOfMemoryError; "),
                msg);
    }
}
