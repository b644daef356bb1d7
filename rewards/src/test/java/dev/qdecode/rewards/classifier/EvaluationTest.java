package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Macro-F1 as scikit-learn averages it: over the labels that occur as gold or predicted labels. */
class EvaluationTest {

    @Test
    void aLabelAbsentFromGoldAndPredictionsDoesNotCountAsZero() {
        Evaluation e = Evaluation.of(List.of("0", "1"), new int[] {1, 1}, new int[] {1, 1});
        assertEquals(1.0, e.accuracy(), 0);
        assertEquals(1.0, e.macroF1(), 0); // scikit-learn: f1_score([1, 1], [1, 1], average="macro") == 1.0
        assertEquals(0, e.perLabel().get(0).support());
        // predicted but never gold: it counts (F1 0), as in scikit-learn
        Evaluation wrong = Evaluation.of(List.of("0", "1"), new int[] {1, 1}, new int[] {0, 1});
        assertEquals((0.0 + 2 * 1.0 * 0.5 / 1.5) / 2, wrong.macroF1(), 1e-12);
    }
}
