package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rows of one file whose prompts are the same text pool their references, each distinct text once. */
class ReferencePoolingTest {
    private record Row(String id, String prompt, List<String> refs) {}

    @Test
    void poolingKeepsEachReferenceOnceInFirstSeenOrder() {
        List<Row> rows = List.of(
                new Row("1", "A man sleeps.", List.of("Ein Mann schläft.")),
                new Row("2", "A dog runs.", List.of("Ein Hund rennt.", "Ein Hund rennt.")),
                new Row("3", "A man sleeps.", List.of("Ein Mann schläft.")),
                new Row("4", "A man sleeps.", List.of("Ein Mensch schläft.", "Ein Mann schläft.")));
        TaskOptions.Prompts p = TaskOptions.Prompts.of(rows, Row::id, Row::prompt, Row::refs);
        assertEquals(Map.of("A man sleeps.", List.of("Ein Mann schläft.", "Ein Mensch schläft."),
                "A dog runs.", List.of("Ein Hund rennt.")), p.references());
        assertEquals(List.of("Ein Mann schläft.", "Ein Mensch schläft."), p.references().get("A man sleeps."));
        // each row's own references (what a test set scores against, as sacreBLEU does) are unchanged
        assertEquals(List.of(List.of("Ein Mann schläft."), List.of("Ein Hund rennt.", "Ein Hund rennt."),
                List.of("Ein Mann schläft."), List.of("Ein Mensch schläft.", "Ein Mann schläft.")), p.rowReferences());
        assertEquals(List.of("A man sleeps.", "A dog runs.", "A man sleeps.", "A man sleeps."), p.prompts());
        assertEquals(List.of("1", "2", "3", "4"), p.ids());
    }

    /** Why the built-in reference rewards score the same: they take the best reference or clip by the max count. */
    @Test
    void builtInReferenceRewardsIgnoreDuplicateReferences() {
        List<String> once = List.of("Ein Mann schläft im Bett.", "Ein Mensch liegt.");
        List<String> twice = List.of("Ein Mann schläft im Bett.", "Ein Mann schläft im Bett.", "Ein Mensch liegt.");
        try (Rewards registry = Rewards.discover()) {
            for (String spec : List.of("bleu", "chrf", "chrf:word-order=2", "token-f1")) {
                try (Reward r = registry.create(spec, new RewardContext(Path.of(System.getProperty("qdecode.shared")), 1))) {
                    for (String hyp : List.of("Ein Mann schläft.", "Ein Mensch liegt im Bett.", "Hund")) {
                        assertArrayEquals(r.score(List.of(Episode.withReferences(hyp, once))),
                                r.score(List.of(Episode.withReferences(hyp, twice))), spec + ": " + hyp);
                    }
                }
            }
        }
    }
}
