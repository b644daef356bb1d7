package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sentence-level validation split that keeps SST-2 phrases of held-out sentences out of training. */
class PhraseSplitTest {

    @Test
    void phrasesOfHeldOutSentencesLeaveTraining() {
        List<String> texts = List.of(
                "a gorgeous , witty film ", "gorgeous , witty", "witty film", "a gorgeous",
                "dull and slow", "and slow ", "dull", "a gorgeous");
        // Roots: "a gorgeous , witty film" and "dull and slow".
        for (long seed = 0; seed < 10; seed++) {
            PhraseSplit s = PhraseSplit.of(texts, 0.5, seed);
            assertEquals(2, s.roots());
            assertEquals(texts.size(), s.train().length + s.validation().length + s.dropped());
            Set<String> val = new HashSet<>();
            for (int i : s.validation()) {
                val.add(PhraseSplit.normalize(texts.get(i)));
            }
            assertEquals(1, val.size(), "one full sentence held out");
            String held = val.iterator().next();
            assertTrue(held.equals("a gorgeous , witty film") || held.equals("dull and slow"));
            for (int i : s.train()) {
                assertFalse(isSpan(PhraseSplit.normalize(texts.get(i)), held), texts.get(i) + " leaks " + held);
            }
        }
    }

    @Test
    void realSst2SplitHoldsOutFullSentencesWithoutLeaks() {
        List<String> texts = LabeledTsv.read(LabeledTsv.shared().resolve("data/sst2/train.tsv"), 5000).texts();
        PhraseSplit s = PhraseSplit.of(texts, 0.2, 42);
        assertTrue(s.validation().length > 0 && s.train().length > s.validation().length);
        List<String> val = new ArrayList<>();
        for (int i : s.validation()) {
            val.add(PhraseSplit.normalize(texts.get(i)));
        }
        for (int i : s.train()) {
            String t = PhraseSplit.normalize(texts.get(i));
            for (String v : val) {
                assertFalse(isSpan(t, v), "train phrase '" + t + "' is part of validation sentence '" + v + "'");
            }
        }
        // Same seed, same split; another seed, another split.
        assertArrayEquals(s.validation(), PhraseSplit.of(texts, 0.2, 42).validation());
        assertFalse(java.util.Arrays.equals(s.validation(), PhraseSplit.of(texts, 0.2, 43).validation()));
    }

    @Test
    void zeroFractionKeepsEverything() {
        PhraseSplit s = PhraseSplit.of(List.of("a b", "a", "c"), 0.0, 1);
        assertArrayEquals(new int[] {0, 1, 2}, s.train());
        assertEquals(0, s.validation().length);
    }

    private static boolean isSpan(String phrase, String sentence) {
        return (" " + sentence + " ").contains(" " + phrase + " ");
    }
}
