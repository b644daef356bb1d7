package dev.qdecode.rewards.sentiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.RewardSpecException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The {@code vader} and {@code afinn} rewards through the provider SPI. */
class SentimentRewardProvidersTest {
    private static final List<String> TEXTS = List.of(
            "What a wonderful, happy day!", "This is a terrible, awful mess.", "The box is on the table.", "");
    private final RewardContext context = new RewardContext(SharedLexicons.shared(), 7L);

    private static List<Episode> episodes() {
        return TEXTS.stream().map(Episode::ofText).toList();
    }

    private static Reward create(RewardProvider provider, Map<String, String> params, RewardContext ctx) {
        return provider.create(new RewardParams(provider.id(), params), ctx);
    }

    @Test
    void providersAreDiscoveredThroughServiceLoader() {
        Map<String, RewardProvider> found = new HashMap<>();
        Iterator<RewardProvider> it = ServiceLoader.load(RewardProvider.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                RewardProvider p = it.next();
                found.put(p.id(), p);
            } catch (ServiceConfigurationError e) {
                // another engineer's provider may not be built yet: ours must still be found
            }
        }
        assertTrue(found.get("vader") instanceof VaderRewardProvider, found.keySet().toString());
        assertTrue(found.get("afinn") instanceof AfinnRewardProvider, found.keySet().toString());
        assertEquals(List.of("lexicon", "field", "target"),
                found.get("vader").parameters().stream().map(p -> p.name()).toList());
        assertEquals(List.of("lexicon", "normalise", "target"),
                found.get("afinn").parameters().stream().map(p -> p.name()).toList());
    }

    @Test
    void vaderRewardIsTheCompoundOrTheChosenFieldAndCanBeNegated() {
        Vader vader = SharedLexicons.vader();
        double[] compound = TEXTS.stream().mapToDouble(t -> vader.polarityScores(t).compound()).toArray();
        try (Reward r = create(new VaderRewardProvider(), Map.of(), context)) {
            assertEquals("vader", r.id());
            assertTrue(r.scoresPrefixes());
            assertArrayEquals(compound, r.score(episodes()));
            assertTrue(compound[0] > 0.5 && compound[1] < -0.5 && compound[2] == 0 && compound[3] == 0);
        }
        try (Reward r = create(new VaderRewardProvider(), Map.of("target", "negative"), context)) {
            double[] got = r.score(episodes());
            for (int i = 0; i < got.length; i++) {
                assertEquals(-compound[i] + 0.0, got[i]); // a zero score stays +0.0
            }
        }
        try (Reward r = create(new VaderRewardProvider(),
                Map.of("field", "neg", "lexicon", SharedLexicons.lexiconDir().toString()), context)) {
            double[] want = TEXTS.stream().mapToDouble(t -> vader.polarityScores(t).neg()).toArray();
            assertArrayEquals(want, r.score(episodes()));
        }
    }

    @Test
    void vaderScoresPrefixesForShaping() {
        try (Reward r = create(new VaderRewardProvider(), Map.of(), context)) {
            Episode full = Episode.ofText("The day was sunny and I was happy");
            List<Episode> prefixes = List.of(full.withText("", null), full.withText("The day was sunny", null),
                    full.withText("The day was sunny and I was happy", null));
            double[] phi = r.score(prefixes);
            assertEquals(0.0, phi[0]);
            assertTrue(phi[1] > 0 && phi[2] > phi[1], java.util.Arrays.toString(phi));
        }
    }

    @Test
    void afinnRewardIsTheSumOrPerWordMean() {
        Afinn afinn = SharedLexicons.afinn();
        try (Reward r = create(new AfinnRewardProvider(), Map.of(), context)) {
            assertEquals("afinn", r.id());
            assertTrue(r.scoresPrefixes());
            assertArrayEquals(TEXTS.stream().mapToDouble(afinn::score).toArray(), r.score(episodes()));
        }
        try (Reward r = create(new AfinnRewardProvider(), Map.of("normalise", "true", "target", "negative"), context)) {
            double[] want = TEXTS.stream().mapToDouble(t -> -afinn.meanScore(t) + 0.0).toArray();
            assertArrayEquals(want, r.score(episodes()));
            assertTrue(want[0] < 0 && want[1] > 0);
        }
    }

    @Test
    void badParametersGiveOneLineErrors() {
        RewardProvider vader = new VaderRewardProvider();
        RewardProvider afinn = new AfinnRewardProvider();
        String m = assertThrows(RewardException.class, () -> create(vader, Map.of("target", "up"), context)).getMessage();
        assertEquals("reward 'vader': parameter target='up': expected one of positive, negative", m);
        m = assertThrows(RewardException.class, () -> create(vader, Map.of("field", "mood"), context)).getMessage();
        assertEquals("reward 'vader': parameter field='mood': expected one of compound, pos, neg, neu", m);
        m = assertThrows(RewardException.class, () -> create(afinn, Map.of("normalise", "maybe"), context)).getMessage();
        assertEquals("reward 'afinn': parameter normalise='maybe': expected true or false", m);
        RewardContext nowhere = new RewardContext(Path.of("/nonexistent/shared"), 0L);
        // a missing default lexicon names the reward and the parameter's default as well as the file
        m = assertThrows(RewardInputException.class, () -> create(vader, Map.of(), nowhere)).getMessage();
        assertEquals("reward 'vader': parameter lexicon (default /nonexistent/shared/data/lexicons): VADER lexicon "
                + "/nonexistent/shared/data/lexicons/vader_lexicon.txt: file not found", m);
        m = assertThrows(RewardInputException.class, () -> create(afinn, Map.of(), nowhere)).getMessage();
        assertEquals("reward 'afinn': parameter lexicon (default /nonexistent/shared/data/lexicons/afinn-165.tsv): "
                + "AFINN lexicon /nonexistent/shared/data/lexicons/afinn-165.tsv: file not found", m);
    }

    /**
     * A {@code lexicon} value that names nothing, or a file for a directory or the reverse, is a wrong value (a
     * {@link RewardSpecException}, bad usage), named with its reward and parameter; it used to be a
     * reward failure that named neither ("VADER lexicon vader_lexicon.txt: file not found" for
     * {@code vader:lexicon=}, "AFINN lexicon DIR: cannot read (Is a directory)").
     */
    @Test
    void aLexiconValueThatNamesNothingUsableIsBadUsageNamingTheParameter() throws Exception {
        RewardProvider vader = new VaderRewardProvider();
        RewardProvider afinn = new AfinnRewardProvider();
        Path dir = SharedLexicons.lexiconDir();
        String m = assertThrows(RewardSpecException.class, () -> create(vader, Map.of("lexicon", ""), context))
                .getMessage();
        assertEquals("reward 'vader': parameter lexicon='': expected a directory holding vader_lexicon.txt and"
                + " emoji_utf8_lexicon.txt", m);
        m = assertThrows(RewardSpecException.class,
                () -> create(vader, Map.of("lexicon", "/nonexistent/lexicons"), context)).getMessage();
        assertEquals("reward 'vader': parameter lexicon='/nonexistent/lexicons': expected a directory holding"
                + " vader_lexicon.txt and emoji_utf8_lexicon.txt (/nonexistent/lexicons does not exist)", m);
        Path afinnFile = dir.resolve(Afinn.DEFAULT_FILE);
        m = assertThrows(RewardSpecException.class,
                () -> create(vader, Map.of("lexicon", afinnFile.toString()), context)).getMessage();
        assertTrue(m.startsWith("reward 'vader': parameter lexicon='" + afinnFile + "': expected a directory")
                && m.endsWith(" is not a directory)"), m);
        Path half = java.nio.file.Files.createTempDirectory("vader-lexicon");
        try {
            java.nio.file.Files.copy(dir.resolve(Vader.LEXICON_FILE), half.resolve(Vader.LEXICON_FILE));
            // a directory that exists but lacks a file is bad input, as a classifier directory without its files
            m = assertThrows(RewardInputException.class,
                    () -> create(vader, Map.of("lexicon", half.toString()), context)).getMessage();
            assertEquals("reward 'vader': parameter lexicon='" + half + "': " + half.toAbsolutePath().normalize()
                    + " has no file emoji_utf8_lexicon.txt (expected a directory holding vader_lexicon.txt and"
                    + " emoji_utf8_lexicon.txt)", m);
        } finally {
            java.nio.file.Files.deleteIfExists(half.resolve(Vader.LEXICON_FILE));
            java.nio.file.Files.deleteIfExists(half);
        }
        m = assertThrows(RewardSpecException.class, () -> create(afinn, Map.of("lexicon", " "), context))
                .getMessage();
        assertEquals("reward 'afinn': parameter lexicon=' ': expected an AFINN word list file (word<TAB>score)", m);
        m = assertThrows(RewardSpecException.class, () -> create(afinn, Map.of("lexicon", dir.toString()), context))
                .getMessage();
        assertEquals("reward 'afinn': parameter lexicon='" + dir + "': expected an AFINN word list file"
                + " (word<TAB>score) (" + dir.toAbsolutePath().normalize() + " is not a file)", m);
        // a usable value is still loaded
        try (Reward r = create(afinn, Map.of("lexicon", afinnFile.toString()), context)) {
            assertEquals(SharedLexicons.afinn().score("good"), r.score(List.of(Episode.ofText("good")))[0]);
        }
    }

    /**
     * A lexicon file that exists but whose contents are bad (a bad line, no entries, not UTF-8) is bad input
     * ({@link RewardInputException}, exit 3), not a failing reward (exit 4), as a classifier directory
     * that is not a classifier is; the message names the reward, the parameter that pointed at the file, the
     * file and the line (it used to name only the file and line).
     */
    @Test
    void aLexiconWithBadContentsIsBadInput() throws Exception {
        RewardProvider vader = new VaderRewardProvider();
        RewardProvider afinn = new AfinnRewardProvider();
        Path tmp = java.nio.file.Files.createTempDirectory("bad-lexicon");
        try {
            Path badLine = java.nio.file.Files.writeString(tmp.resolve("bad.txt"), "good\t3\nbad\tnotanumber\n");
            String m = assertThrows(RewardInputException.class,
                    () -> create(afinn, Map.of("lexicon", badLine.toString()), context)).getMessage();
            assertEquals("reward 'afinn': parameter lexicon='" + badLine + "': AFINN lexicon " + badLine + " line 2: expected word<TAB>integer score in -5..5, got "
                    + "'bad\\tnotanumber'", m);
            Path header = java.nio.file.Files.writeString(tmp.resolve("header.txt"), "word\tscore\n");
            m = assertThrows(RewardInputException.class,
                    () -> create(afinn, Map.of("lexicon", header.toString()), context)).getMessage();
            assertEquals("reward 'afinn': parameter lexicon='" + header + "': AFINN lexicon " + header + ": no entries (expected lines word<TAB>score)", m);
            Path latin1 = java.nio.file.Files.write(tmp.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xe9,
                '\t', '2', '\n'});
            m = assertThrows(RewardInputException.class,
                    () -> create(afinn, Map.of("lexicon", latin1.toString()), context)).getMessage();
            assertEquals("reward 'afinn': parameter lexicon='" + latin1 + "': AFINN lexicon " + latin1 + ": not valid UTF-8 text", m);

            Path dir = java.nio.file.Files.createDirectories(tmp.resolve("vader"));
            java.nio.file.Files.copy(SharedLexicons.lexiconDir().resolve(Vader.EMOJI_FILE), dir.resolve(Vader.EMOJI_FILE));
            java.nio.file.Files.writeString(dir.resolve(Vader.LEXICON_FILE), "happy\tx\t0.5\t[1]\n");
            m = assertThrows(RewardInputException.class,
                    () -> create(vader, Map.of("lexicon", dir.toString()), context)).getMessage();
            assertEquals("reward 'vader': parameter lexicon='" + dir + "': VADER lexicon "
                    + dir.resolve(Vader.LEXICON_FILE) + " line 1: expected token<TAB>mean valence (a number), got "
                    + "'happy\\tx\\t0.5\\t[1]'", m);
            // a bad line of the emoji lexicon, the directory's other file, is named the same way
            java.nio.file.Files.writeString(dir.resolve(Vader.LEXICON_FILE), "happy\t1.9\n");
            java.nio.file.Files.writeString(dir.resolve(Vader.EMOJI_FILE), "\u263A\tsmiling face\nno tab here\n");
            m = assertThrows(RewardInputException.class,
                    () -> create(vader, Map.of("lexicon", dir.toString()), context)).getMessage();
            assertEquals("reward 'vader': parameter lexicon='" + dir + "': VADER emoji lexicon "
                    + dir.resolve(Vader.EMOJI_FILE) + " line 2: expected emoji<TAB>description, got 'no tab here'", m);
        } finally {
            try (var files = java.nio.file.Files.walk(tmp)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
        }
    }
}
