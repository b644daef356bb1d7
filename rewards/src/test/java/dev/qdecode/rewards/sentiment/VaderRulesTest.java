package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.pystr.PyStr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One test per documented VADER rule. Each expectation is the per-word valence list that the rule
 * produces, written out from the lexicon values and the original constants (booster 0.293, caps
 * 0.733, negation −0.74, "!" 0.292, "?" 0.18 / 0.96); {@link #expected} then applies the
 * original's summing, normalisation (alpha 15) and proportions.
 */
class VaderRulesTest {
    private static final double N = -0.74;
    private static final double B = 0.293;
    private static final double C = 0.733;
    private static final double GOOD = 1.9;
    private static final double BAD = -2.5;

    private static Vader vader;

    @BeforeAll
    static void load() {
        vader = SharedLexicons.vader();
        // the rules below rely on these lexicon facts
        assertEquals(GOOD, vader.lexiconValence("good").orElseThrow());
        assertEquals(BAD, vader.lexiconValence("bad").orElseThrow());
        for (String w : List.of("not", "never", "without", "but", "least", "the", "at", "much", "big", "old",
                "day", "it", "was", "of", "is", "analysis", "or")) {
            assertTrue(vader.lexiconValence(w).isEmpty(), w + " must not be a lexicon word");
        }
    }

    /** The original's score_valence applied to a list of word valences. */
    static Vader.Scores expected(double punct, double... sentiments) {
        double sum = 0;
        for (double s : sentiments) {
            sum += s;
        }
        if (sum > 0) {
            sum += punct;
        } else if (sum < 0) {
            sum -= punct;
        }
        double compound = sum / Math.sqrt(sum * sum + 15);
        double pos = 0;
        double neg = 0;
        int neu = 0;
        for (double s : sentiments) {
            if (s > 0) {
                pos += s + 1;
            } else if (s < 0) {
                neg += s - 1;
            } else {
                neu++;
            }
        }
        if (pos > Math.abs(neg)) {
            pos += punct;
        } else if (pos < Math.abs(neg)) {
            neg -= punct;
        }
        double total = pos + Math.abs(neg) + neu;
        return new Vader.Scores(PyStr.round(Math.abs(neg / total), 3), PyStr.round(neu / total, 3),
                PyStr.round(Math.abs(pos / total), 3), PyStr.round(compound, 4));
    }

    private static void check(String text, Vader.Scores want) {
        assertEquals(want, vader.polarityScores(text), text);
    }

    @Test
    void lexiconLookupIsCaseInsensitive() {
        check("good", expected(0, GOOD));
        check("Good day", expected(0, GOOD, 0));
        check("The book was good.", new Vader.Scores(0.0, 0.508, 0.492, 0.4404));
    }

    @Test
    void negationOneTwoAndThreeWordsBack() {
        check("not good", expected(0, 0, GOOD * N));
        check("isn't good", expected(0, 0, GOOD * N)); // any word containing n't
        check("never good", expected(0, 0, GOOD * N));
        // "very" boosts first, then "not" two back negates
        check("not very good", expected(0, 0, 0, (GOOD + B) * N));
        check("not it was good", expected(0, 0, 0, 0, GOOD * N));
        check("not it was the good", expected(0, 0, 0, 0, 0, GOOD));
    }

    @Test
    void neverSoAndNeverThisIntensifyInsteadOfNegating() {
        check("never so good", expected(0, 0, 0, (GOOD + B) * 1.25));
        check("never this good", expected(0, 0, 0, GOOD * 1.25));
    }

    @Test
    void withoutDoubtIsNotANegation() {
        double doubt = vader.lexiconValence("doubt").orElseThrow();
        check("without good", expected(0, 0, GOOD * N));
        // "doubt" itself is negated by "without"; "good" keeps its valence
        check("without doubt good", expected(0, 0, doubt * N, GOOD));
    }

    @Test
    void noBeforeASentimentWordNegatesItAndLosesItsOwnValence() {
        double no = vader.lexiconValence("no").orElseThrow();
        double joy = vader.lexiconValence("joy").orElseThrow();
        double love = vader.lexiconValence("love").orElseThrow();
        check("no", expected(0, no));
        check("no good", expected(0, 0.0, GOOD * N));
        check("no it good", expected(0, no, 0, GOOD * N)); // "no" keeps its valence: "it" is no lexicon word
        check("no joy or love", expected(0, 0.0, joy * N, 0, love * N));
    }

    @Test
    void boostersAndDampenersWithDistanceScaling() {
        check("very good", expected(0, 0, GOOD + B));
        check("slightly good", expected(0, 0, GOOD - B));
        check("very bad", expected(0, 0, BAD - B)); // sign follows the valence
        check("very much good", expected(0, 0, 0, GOOD + 0.0 + B * 0.95));
        check("very big old good", expected(0, 0, 0, 0, GOOD + 0.0 + 0.0 + B * 0.9));
    }

    @Test
    void allCapsEmphasisOnlyWhenTheTextMixesCase() {
        check("GOOD day", expected(0, GOOD + C, 0));
        check("GOOD DAY", expected(0, GOOD, 0));
        check("BAD day", expected(0, BAD - C, 0));
        check("VERY good day", expected(0, 0, GOOD + (B + C), 0));
    }

    @Test
    void butHalvesBeforeAndBoostsAfter() {
        check("good but bad", expected(0, GOOD * 0.5, 0, BAD * 1.5));
        check("good BUT bad", expected(0, GOOD * 0.5, 0, BAD * 1.5));
    }

    @Test
    void butReplaysTheOriginalsFirstEqualValueIndexing() {
        // the original rescales sentiments.index(value): after "brave" (2.4) is halved to 1.2,
        // the later "ok" (1.2) finds index 0 and halves it again, leaving "ok" itself unscaled
        double brave = vader.lexiconValence("brave").orElseThrow();
        double ok = vader.lexiconValence("ok").orElseThrow();
        assertEquals(brave * 0.5, ok);
        check("brave but ok", expected(0, brave * 0.5 * 0.5, 0, ok));
    }

    @Test
    void leastNegatesUnlessAtLeastOrVeryLeast() {
        check("least good", expected(0, 0, GOOD * N));
        check("the least good", expected(0, 0, 0, GOOD * N));
        check("at least good", expected(0, 0, 0, GOOD));
        check("very least good", expected(0, 0, 0, GOOD + 0.293 * 0.95));
    }

    @Test
    void kindOfIsADampenerNotTheLexiconWordKind() {
        double kind = vader.lexiconValence("kind").orElseThrow();
        check("so kind", expected(0, 0, kind + B));
        check("kind of good", expected(0, 0, 0, GOOD));
        check("it was kind of good", expected(0, 0, 0, 0, 0, GOOD - B));
        check("The book was only kind of good.", new Vader.Scores(0.0, 0.697, 0.303, 0.3832));
    }

    @Test
    void specialCaseIdioms() {
        double shit = vader.lexiconValence("shit").orElseThrow();
        check("the shit", expected(0, 0, shit)); // idioms are looked at from the 4th word on
        check("the analysis is the shit", expected(0, 0, 0, 0, 0, 3.0));
        // "bad" sees "bad ass" ahead and "ass" sees it behind: both take the idiom value
        check("the analysis is bad ass", expected(0, 0, 0, 0, 1.5, 1.5));
    }

    @Test
    void exclamationMarksAddUpToFour() {
        check("good day!", expected(0.292, GOOD, 0));
        check("good day!!!", expected(3 * 0.292, GOOD, 0));
        check("good day!!!!!!", expected(4 * 0.292, GOOD, 0));
        check("bad day!", expected(0.292, BAD, 0));
    }

    @Test
    void questionMarksCountFromTwo() {
        check("good day?", expected(0, GOOD, 0));
        check("good day??", expected(2 * 0.18, GOOD, 0));
        check("good day???", expected(3 * 0.18, GOOD, 0));
        check("good day????", expected(0.96, GOOD, 0));
        check("good day?!", expected(0.292, GOOD, 0));
    }

    @Test
    void emojisAreReplacedByTheirDescriptions() throws IOException {
        String description = Files.readAllLines(SharedLexicons.lexiconDir().resolve(Vader.EMOJI_FILE),
                        StandardCharsets.UTF_8).stream()
                .filter(l -> l.startsWith("😁\t")).findFirst().orElseThrow().split("\t")[1];
        assertEquals(vader.polarityScores(description), vader.polarityScores("😁"));
        assertEquals(vader.polarityScores("good " + description), vader.polarityScores("good😁"));
        // no space is inserted after a description: the next word sticks to it, as in the original
        assertEquals(vader.polarityScores(description + "good"), vader.polarityScores("😁good"));
        assertEquals(vader.polarityScores("copyright"), vader.polarityScores("©"));
        assertTrue(vader.polarityScores("😁").compound() > 0);
    }

    @Test
    void punctuationIsStrippedOnlyWhenMoreThanTwoCharactersRemain() {
        double okay = vader.lexiconValence("okay").orElseThrow();
        check("okay!", expected(0.292, okay));
        check("(good),", expected(0, GOOD));
        check("ok!", expected(0.292, 0)); // "ok" has two characters: the token stays "ok!", unknown
        double smile = vader.lexiconValence(":)").orElseThrow();
        check(":)", expected(0, smile));
    }

    @Test
    void compoundIsTheAlpha15NormalisationAndProportionsSumToOne() {
        String text = "good great happy love wonderful amazing excellent good great happy!!!";
        Vader.Scores s = vader.polarityScores(text);
        assertTrue(s.compound() > 0.99 && s.compound() <= 1.0, s.toString());
        for (String t : List.of("good but bad", "The plot was good, but the characters are uncompelling.",
                "not bad at all", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!")) {
            Vader.Scores p = vader.polarityScores(t);
            assertEquals(1.0, p.neg() + p.neu() + p.pos(), 0.0015, t);
        }
        assertEquals(PyStr.round(GOOD / Math.sqrt(GOOD * GOOD + 15), 4), vader.polarityScores("good").compound());
    }

    @Test
    void emptyAndBlankTextsScoreZero() {
        Vader.Scores zero = new Vader.Scores(0.0, 0.0, 0.0, 0.0);
        assertEquals(zero, vader.polarityScores(""));
        assertEquals(zero, vader.polarityScores(" \t\n\u00a0\u3000"));
        Vader.Scores neutral = vader.polarityScores("the table");
        assertEquals(new Vader.Scores(0.0, 1.0, 0.0, 0.0), neutral);
        assertFalse(Double.isNaN(vader.polarityScores("!!!???").compound()));
    }
}
