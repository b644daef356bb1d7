package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A run whose reward embeds texts ({@code classifier:model=DIR}) records the thread count its encoder embeds with
 * ({@code reward_encoder_threads}: ONNX Runtime's for MiniLM, PyTorch's for {@code hf:DIR}), asked of the built
 * reward ({@link Reward#encoderThreads()}); other rewards record nothing; a resume records every session's count.
 * (The real classifiers are in {@link HfEncoderThreadsTest} and {@link ScoredRewardEncoderThreadsTest}.)
 */
class RewardEncoderThreadsTest {
    /** A stand-in reward whose encoder computes with {@code threads} (null: it embeds nothing). */
    private static Reward reward(String threads) {
        return new Reward() {
            @Override
            public String id() {
                return "stand-in";
            }

            @Override
            public double[] score(List<Episode> episodes) {
                return new double[episodes.size()];
            }

            @Override
            public String encoderThreads() {
                return threads;
            }
        };
    }

    private static Map<String, String> recorded(Reward reward) {
        Map<String, String> p = new LinkedHashMap<>();
        DqnCli.putRewardEncoderThreads(p, reward);
        return p;
    }

    @Test
    void theBuiltRewardsEncoderCountIsRecorded() {
        assertEquals(Map.of(DqnCli.REWARD_ENCODER_THREADS, "3"), recorded(reward("3")));
        assertEquals(Map.of(), recorded(reward(null)));
        // through the checks every reward is wrapped in, as the commands build it
        assertEquals("3", DqnCli.rewardEncoderThreads(Rewards.checked(reward("3"))));
        assertNull(DqnCli.rewardEncoderThreads(Rewards.checked(reward(null))));
    }

    @Test
    void aResumeRecordsEverySessionsCount() {
        String now = SentenceEncoders.onnxThreads();
        Map<String, String> session = Map.of(DqnCli.REWARD_ENCODER_THREADS, now);
        assertEquals(now, DqnCli.resumedRewardEncoderThreads(now, session));
        assertEquals("7 then " + now, DqnCli.resumedRewardEncoderThreads("7", session));
        assertEquals("unrecorded then " + now, DqnCli.resumedRewardEncoderThreads(null, session));
        assertNull(DqnCli.resumedRewardEncoderThreads(null, Map.of()));
    }
}
