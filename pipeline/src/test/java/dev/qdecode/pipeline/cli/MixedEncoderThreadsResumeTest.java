package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A reward mixing classifiers on two encoders records their distinct counts joined by {@code " and "} (a MiniLM one's
 * ONNX Runtime count, an {@code hf:DIR} one's PyTorch count), and a resume joins sessions by {@code " then "}: a run
 * of {@code 0.5*classifier:model=MINILM + 0.5*classifier:model=HF} trained with 2 PyTorch threads, then resumed with
 * 1, recorded {@code "default (2 processors) and 2 then default (2 processors) and 1"}. The only comparison of counts
 * on resume, whether this session goes on with the last session's count, takes the whole session after the last
 * {@code " then "}, {@code " and "} included: a session with the same mix of counts adds nothing, any other is added.
 */
class MixedEncoderThreadsResumeTest {
    private static final String MIXED_2 = "default (2 processors) and 2";
    private static final String MIXED_1 = "default (2 processors) and 1";

    private static String resumed(String recorded, String now) {
        return DqnCli.resumedRewardEncoderThreads(recorded, Map.of(DqnCli.REWARD_ENCODER_THREADS, now));
    }

    @Test
    void sessionsOfAMixedRewardJoinWholeAndSplitBackIntoSessions() {
        assertEquals(MIXED_2, resumed(MIXED_2, MIXED_2), "the same counts again: nothing added");
        String two = resumed(MIXED_2, MIXED_1);
        assertEquals(MIXED_2 + " then " + MIXED_1, two);
        assertEquals(two, resumed(two, MIXED_1), "its last session, 'and' included, is this one");
        assertEquals(two + " then " + MIXED_2, resumed(two, MIXED_2), "an earlier session's counts are not the last");
        // one of the two encoders changed, the other not: a session of its own, not a change of one part
        assertEquals("2 and 1 then 1", resumed("2 and 1", "1"));
        assertEquals("2 and 1 then 2", resumed("2 and 1", "2"));
        // read back: sessions split on ' then ', each session's encoders on ' and '
        String[] sessions = two.split(" then ");
        assertArrayEquals(new String[] {MIXED_2, MIXED_1}, sessions);
        assertArrayEquals(new String[] {"default (2 processors)", "1"}, sessions[1].split(" and "));
    }
}
