package dev.qdecode.rewards.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** AFINN-165 scoring with the {@code afinn} package's matching rules. */
class AfinnTest {
    private final Afinn afinn = SharedLexicons.afinn();

    private int v(String token) {
        return afinn.valence(token).orElseThrow();
    }

    @Test
    void sumsWordScoresCaseInsensitively() {
        assertEquals(List.of("good", "bad"), afinn.findAll("Good and BAD"));
        assertEquals(v("good") + v("bad"), afinn.score("Good and BAD"));
        assertEquals(0.0, afinn.score("the table and the chair"));
        assertEquals(0.0, afinn.score(""));
    }

    @Test
    void multiWordPhrasesMatchGreedilyBeforeTheirWords() {
        assertEquals(List.of("not good"), afinn.findAll("it is not good"));
        assertEquals(v("not good"), afinn.score("it is not good"));
        assertEquals(List.of("can't stand"), afinn.findAll("I can't stand it"));
        assertEquals(List.of("no fun"), afinn.findAll("No fun at all"));
        // runs of whitespace count as one space before phrases are matched
        assertEquals(List.of("not good"), afinn.findAll("not \n\t good"));
        // a phrase with a zero score still consumes its words ("some kind" then "idiot")
        assertEquals(List.of("some kind", "idiot"), afinn.findAll("some kind of idiot"));
        assertEquals(v("some kind") + v("idiot"), afinn.score("some kind of idiot"));
    }

    @Test
    void entriesMatchOnWordBoundariesOnly() {
        assertEquals(List.of(), afinn.findAll("goods goodish")); // "good" inside a word is not matched
        assertEquals(List.of("good"), afinn.findAll("(good)"));
        assertEquals(List.of("good", "good"), afinn.findAll("good_ good-good")); // "_" is a word character
        assertEquals(List.of("self-confident"), afinn.findAll("a self-confident kid"));
        assertEquals(List.of("naïve"), afinn.findAll("so NAÏVE"));
    }

    @Test
    void meanScoreDividesByTheNumberOfWords() {
        assertEquals((v("good") + v("bad")) / 4.0, afinn.meanScore("good and bad movie"));
        assertEquals(v("not good") / 3.0, afinn.meanScore("not good, indeed!"));
        assertEquals(0.0, afinn.meanScore("!!! ..."));
        assertEquals(5, Afinn.wordCount("it's a co-op!")); // it, s, a, co, op
    }
}
