package dev.qdecode.rewards.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardInfo;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.bleu.Bleu;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dialogue rewards through the discovered registry: listed with their parameters, and combined
 * with {@code bleu} as the dialogue task writes them.
 */
class DialogueCompositeTest {
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    @Test
    void discoveredAndListedWithParameters() {
        Map<String, RewardInfo> rows = Rewards.discover().describe().stream()
                .collect(Collectors.toMap(RewardInfo::id, i -> i));
        assertEquals("token-f1[:normalize=squad]", rows.get("token-f1").usage());
        assertEquals("length[:min=0,max=,unit=words,per=0.1,cap=-1]", rows.get("length").usage());
        assertEquals("repetition[:n=3,weight=1]", rows.get("repetition").usage());
        assertEquals(TokenF1Provider.class.getName(), rows.get("token-f1").providerClass());
        assertEquals("built-in", rows.get("repetition").origin());
    }

    @Test
    void weightedSumOnHandMadeEpisodes() {
        Reward r = Rewards.discover().create(List.of(
                "bleu", "0.5*token-f1", "0.2*length:min=3,max=20", "0.2*repetition"), CTX);
        assertEquals("1*bleu+0.5*token-f1+0.2*length+0.2*repetition", r.id());
        List<Episode> eps = List.of(
                Episode.withReferences("the cat sat on the mat", List.of("the cat sat on the mat")),
                Episode.withReferences("yes yes yes yes yes", List.of("Yes, I think so.")),
                Episode.withReferences("ok", List.of("okay then")),
                Episode.withReferences("one two three four five six seven eight nine ten eleven"
                        + " twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
                        + " twenty twenty-one twenty-two", List.of("one two three")));
        Bleu bleu = Bleu.sentenceLevel();
        assertEquals(100.0, bleu.sentenceValue(eps.get(0).text(), eps.get(0).references()), 1e-9);
        double[] b = new double[eps.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = 0.01 * bleu.sentenceValue(eps.get(i).text(), eps.get(i).references());
        }
        double[] expected = {
            // token-f1 1; 6 words in range; 4 distinct trigrams
            b[0] + 0.5 * 1 + 0.2 * 0 + 0.2 * 0,
            // token-f1 P=1/5,R=1/4 -> 0.1/0.45; 5 words; 2 of 3 trigrams repeat
            b[1] + 0.5 * (0.1 / 0.45) + 0.2 * 0 + 0.2 * (-2.0 / 3),
            // token-f1 0; 1 word: 2 short -> -0.2; under 3 words -> no repetition
            b[2] + 0.5 * 0 + 0.2 * -0.2 + 0.2 * 0,
            // token-f1 P=3/22,R=1 -> 2*(3/22)/(25/22)=6/25; 22 words: 2 long -> -0.2; no repeats
            b[3] + 0.5 * (6.0 / 25) + 0.2 * -0.2 + 0.2 * 0,
        };
        assertArrayEquals(expected, r.score(eps), 1e-12);
        assertEquals(1.5, r.score(eps.subList(0, 1))[0], 1e-12);
        // length is terminal-only, so the composite is; without it, shaping stays possible
        assertFalse(r.scoresPrefixes());
        assertTrue(Rewards.discover().create("bleu + 0.5*token-f1 + 0.2*repetition", CTX)
                .scoresPrefixes());
    }
}
