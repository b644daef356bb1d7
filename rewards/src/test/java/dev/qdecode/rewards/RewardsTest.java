package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.rewards.bleu.BleuProvider;
import dev.qdecode.rewards.bleu.ChrfProvider;
import dev.qdecode.rewards.label.LabelMatchProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: discovery, spec parsing, parameters, composites and errors. */
class RewardsTest {
    private static final RewardContext CTX =
            new RewardContext(Path.of(System.getProperty("qdecode.shared")), 1);

    /** A test reward echoing its parameters: score = length of text times {@code k}. */
    static class LengthProvider implements RewardProvider {
        private final String id;
        private final boolean prefixes;

        LengthProvider(String id, boolean prefixes) {
            this.id = id;
            this.prefixes = prefixes;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String description() {
            return "text length times k";
        }

        @Override
        public List<RewardParameter> parameters() {
            return List.of(new RewardParameter("k", "1", "factor"),
                    new RewardParameter("expr", "", "free text"));
        }

        @Override
        public Reward create(RewardParams params, RewardContext context) {
            double k = params.getDouble("k", 1);
            String expr = params.getString("expr", "");
            return new Reward() {
                @Override
                public String id() {
                    return id;
                }

                @Override
                public double[] score(List<Episode> episodes) {
                    return episodes.stream().mapToDouble(e -> {
                        if (!expr.isEmpty() && !e.text().equals(expr)) {
                            throw new IllegalStateException("text is not " + expr);
                        }
                        return k * e.text().length();
                    }).toArray();
                }

                @Override
                public boolean scoresPrefixes() {
                    return prefixes;
                }
            };
        }
    }

    private static Rewards registry() {
        return Rewards.of(List.of(new BleuProvider(), new ChrfProvider(), new LabelMatchProvider(),
                new LengthProvider("len", true), new LengthProvider("len2", false)));
    }

    private static List<Episode> eps(String... texts) {
        List<Episode> out = new ArrayList<>();
        for (String t : texts) {
            out.add(Episode.ofText(t));
        }
        return out;
    }

    /** Several specs are shown joined by " + ", each as written; one spec as it is. */
    @Test
    void sumTextJoinsTheSpecsAsWritten() {
        assertEquals("vader + 0.1*length:min=3", Rewards.sumText(List.of("vader", "0.1*length:min=3")));
        assertEquals("classifier:model=m,label=1 + bleu", Rewards.sumText(List.of("classifier:model=m,label=1", "bleu")));
        assertEquals("0.7*vader+0.3*bleu", Rewards.sumText(List.of("0.7*vader+0.3*bleu")));
        assertEquals("specs", assertThrows(NullPointerException.class, () -> Rewards.sumText(null)).getMessage());
    }

    /**
     * The files a built-in reward reads from a path given to it, as given and only those that exist: a
     * classifier's two files, vader's two lexicons, afinn's file; none for a default, a plug-in or a missing path.
     */
    @Test
    void givenFilesAreThoseABuiltInRewardReadsFromItsPathParameter(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws java.io.IOException {
        Path clf = java.nio.file.Files.createDirectories(tmp.resolve("clf"));
        java.nio.file.Files.writeString(clf.resolve("classifier.json"), "{}");
        java.nio.file.Files.writeString(clf.resolve("head.safetensors"), "x");
        java.nio.file.Files.writeString(clf.resolve("notes.txt"), "not read");
        Path lex = java.nio.file.Files.createDirectories(tmp.resolve("lex"));
        java.nio.file.Files.writeString(lex.resolve("vader_lexicon.txt"), "x");
        Path afinn = java.nio.file.Files.writeString(tmp.resolve("afinn.tsv"), "good\t3\n");
        assertEquals(List.of(clf.resolve("classifier.json"), clf.resolve("head.safetensors"),
                lex.resolve("vader_lexicon.txt"), afinn),
                Rewards.givenFiles(List.of("classifier:model=" + clf + ",label=1", "vader:lexicon=" + lex
                        + " + 0.5*afinn:lexicon=" + afinn, "0.1*length:min=3")));
        assertEquals(List.of(), Rewards.givenFiles(List.of("vader", "afinn", "mine:model=" + clf,
                "classifier:model=" + tmp.resolve("gone") + ",label=1")));
    }

    @Test
    void discoveryFindsTheBuiltIns() {
        Rewards r = Rewards.discover();
        assertTrue(r.ids().containsAll(List.of("bleu", "chrf", "label-match")), r.ids().toString());
        RewardInfo bleu = r.describe().stream().filter(i -> i.id().equals("bleu")).findFirst()
                .orElseThrow();
        assertEquals("built-in", bleu.origin());
        assertEquals(BleuProvider.class.getName(), bleu.providerClass());
        assertTrue(bleu.usage().startsWith("bleu[:tokenize=13a,lowercase=false,smooth=exp"),
                bleu.usage());
        List<String> ids = r.describe().stream().map(RewardInfo::id).toList();
        assertEquals(ids.stream().sorted().toList(), ids);
    }

    @Test
    void plainSpecGivesTheRewardItself() {
        Reward r = registry().create("len:k=2", CTX);
        assertEquals("len", r.id());
        assertArrayEquals(new double[] {6, 0}, r.score(eps("abc", "")));
        assertSame(r, Rewards.checked(r));
    }

    @Test
    void valuesMayContainEqualsAndEscapedSeparators() {
        Reward r = registry().create("len:expr=a=b\\,c\\+d", CTX);
        assertArrayEquals(new double[] {7}, r.score(eps("a=b,c+d")));
    }

    @Test
    void weightedSpecsGiveAComposite() {
        Reward r = registry().create("0.5*len + 2*len:k=3", CTX);
        assertEquals("0.5*len+2*len", r.id());
        assertArrayEquals(new double[] {6.5 * 2, 0}, r.score(eps("ab", "")), 1e-12);
        assertTrue(r.scoresPrefixes());
        Reward mixed = registry().create(List.of("0.7*len", "0.3*len2"), CTX);
        assertFalse(mixed.scoresPrefixes());
        assertArrayEquals(new double[] {3}, mixed.score(eps("abc")), 1e-12);
        Reward single = registry().create("-1*len", CTX);
        assertArrayEquals(new double[] {-3}, single.score(eps("abc")), 1e-12);
    }

    @Test
    void compositeOfBleuAndLabelMatch() {
        Reward r = registry().create("0.5*bleu:scale=1 + 10*label-match:labels=a|b", CTX);
        Episode e = new Episode("", "a", null, List.of("a"), "a", Map.of());
        double bleu = Bleu.sentenceLevel().sentenceValue("a", List.of("a"));
        assertArrayEquals(new double[] {0.5 * bleu + 10}, r.score(List.of(e)), 1e-9);
    }

    @Test
    void unknownIdListsTheKnownIds() {
        RewardException e = assertThrows(RewardException.class,
                () -> registry().create("vadr", CTX));
        assertEquals("unknown reward 'vadr' (known: bleu, chrf, label-match, len, len2)",
                e.getMessage());
    }

    @Test
    void unknownKeyListsTheAcceptedKeys() {
        // a spec error (bad usage), as an unknown id is, not a failure of the reward
        RewardException e = assertThrows(RewardSpecException.class,
                () -> registry().create("bleu:tokenizer=intl", CTX));
        assertEquals("reward 'bleu': unknown parameter 'tokenizer' (accepted: tokenize, lowercase,"
                + " smooth, smooth-value, eff, max-order, scale)", e.getMessage());
    }

    @Test
    void syntaxErrorsAreOneLine() {
        Rewards r = registry();
        assertEquals("reward spec 'bleu:tokenize': parameter 'tokenize' of reward 'bleu' has no "
                + "'=' (expected key=value)", assertThrows(RewardException.class,
                        () -> r.create("bleu:tokenize", CTX)).getMessage());
        assertEquals("reward spec 'x*bleu': weight 'x' is not a finite number (expected e.g. "
                + "0.7*vader)", assertThrows(RewardException.class,
                        () -> r.create("x*bleu", CTX)).getMessage());
        assertEquals("reward spec 'bleu+': empty part (expected [WEIGHT*]id[:key=value,...] "
                + "between '+')", assertThrows(RewardException.class,
                        () -> r.create("bleu+", CTX)).getMessage());
        assertEquals("reward spec 'len:k=1,k=2': parameter 'k' of reward 'len' is given twice",
                assertThrows(RewardException.class, () -> r.create("len:k=1,k=2", CTX))
                        .getMessage());
        assertEquals("reward spec 'Bleu': 'Bleu' is not a reward id (lower-case letters, digits,"
                + " '.', '_', '-')", assertThrows(RewardException.class,
                        () -> r.create("Bleu", CTX)).getMessage());
        assertEquals("empty reward spec: expected id[:key=value,...]",
                assertThrows(RewardException.class, () -> r.create(" ", CTX)).getMessage());
    }

    /**
     * Weights and number parameters are decimal numbers: Java's other spellings were taken, so that
     * {@code 0x1p3*len} weighed 8, and {@code 1f*len} or {@code len:k=2d} (typos) passed as numbers.
     */
    @Test
    void numbersAreDecimalNotJavaLiterals() {
        Rewards r = registry();
        for (String w : List.of("0x1p3", "1f", "2d", "0x10")) {
            assertEquals("reward spec '" + w + "*len': weight '" + w + "' is not a finite number (expected e.g. "
                    + "0.7*vader)", assertThrows(RewardSpecException.class, () -> r.create(w + "*len", CTX))
                            .getMessage());
            assertEquals("reward 'len': parameter k='" + w + "': expected a finite number",
                    assertThrows(RewardSpecException.class, () -> r.create("len:k=" + w, CTX)).getMessage());
        }
        for (String w : List.of("2", "-0.5", ".5", "5.", "2.5e-3", "1E2")) {
            assertArrayEquals(new double[] {Double.parseDouble(w) * 3}, r.create(w + "*len", CTX).score(eps("abc")),
                    1e-12, w);
        }
        assertArrayEquals(new double[] {4.5}, r.create("len:k=\\+1.5", CTX).score(eps("abc")), 1e-12);
    }

    @Test
    void badValuesNameTheParameter() {
        Rewards r = registry();
        // all spec errors (bad usage): the value the user typed is wrong, not the reward
        assertEquals("reward 'bleu': parameter tokenize='moses': expected one of 13a, intl, none,"
                + " char", assertThrows(RewardSpecException.class,
                        () -> r.create("bleu:tokenize=moses", CTX)).getMessage());
        assertEquals("reward 'bleu': parameter smooth-value='0.5': expected no value: smooth=exp "
                + "takes none", assertThrows(RewardSpecException.class,
                        () -> r.create("bleu:smooth-value=0.5", CTX)).getMessage());
        assertEquals("reward 'chrf': parameter word-order='two': expected an integer",
                assertThrows(RewardSpecException.class, () -> r.create("chrf:word-order=two", CTX))
                        .getMessage());
        assertEquals("reward 'chrf': char-order=0 and word-order=0: expected char-order + "
                + "word-order >= 1", assertThrows(RewardSpecException.class,
                        () -> r.create("chrf:char-order=0", CTX)).getMessage());
        assertEquals("reward 'chrf': char-order=40: expected an integer 0-32",
                assertThrows(RewardSpecException.class, () -> r.create("chrf:char-order=40", CTX))
                        .getMessage());
        assertEquals("reward 'len': parameter k='x': expected a finite number",
                assertThrows(RewardSpecException.class, () -> r.create("0.5*len:k=x + len2", CTX))
                        .getMessage());
    }

    @Test
    void duplicateIdsNameBothClasses() {
        RewardException e = assertThrows(RewardException.class, () -> Rewards.of(List.of(
                new LengthProvider("len", true), new LengthProvider("len", false))));
        String cls = LengthProvider.class.getName();
        assertEquals("reward id 'len' is provided by both " + cls + " and " + cls, e.getMessage());
        assertThrows(RewardException.class,
                () -> Rewards.of(List.of(new LengthProvider("Not Valid", true))));
    }

    @Test
    void failuresOfAPartNameThatPart() {
        Reward r = registry().create("0.5*len + 1*len:expr=ok", CTX);
        RewardException e = assertThrows(RewardException.class,
                () -> r.score(eps("ok", "ok", "bad")));
        assertEquals("reward 'len' failed on episode 2: IllegalStateException: text is not ok",
                e.getMessage());
        assertEquals(2, e.episodeIndex());
        assertEquals("len", e.rewardId());
    }

    @Test
    void bleuAndChrfRewardsScaleAndReportCorpusScores() {
        Rewards r = registry();
        List<Episode> episodes = List.of(
                Episode.withReferences("The dog bit the man.", List.of("The dog bit the man.")),
                Episode.withReferences("It wasn't surprising.", List.of("It was not unexpected.")));
        Reward bleu = r.create("bleu", CTX);
        double[] s = bleu.score(episodes);
        assertEquals(1.0, s[0], 1e-12);
        assertEquals(Bleu.sentenceLevel().sentenceValue("It wasn't surprising.",
                List.of("It was not unexpected.")) / 100, s[1], 1e-12);
        CorpusScore c = bleu.corpusScore(episodes).orElseThrow();
        assertEquals("BLEU", c.metric());
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0", c.signature());
        assertTrue(c.line().startsWith("BLEU|nrefs:1|"), c.line());
        CorpusScore pp = r.create("chrf:word-order=2", CTX).corpusScore(episodes).orElseThrow();
        assertEquals("chrF2++", pp.metric());
        assertTrue(pp.signature().contains("|nw:2|"));
        assertTrue(r.create("bleu", CTX).scoresPrefixes());
        assertTrue(r.create("len", CTX).corpusScore(episodes).isEmpty());
        // large batches are scored in parallel with the same values
        List<Episode> many = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            many.add(episodes.get(i % 2));
        }
        double[] m = bleu.score(many);
        for (int i = 0; i < 600; i++) {
            assertEquals(s[i % 2], m[i], 0.0);
        }
    }

    @Test
    void episodesWithoutReferencesAreNamed() {
        Reward bleu = registry().create("bleu", CTX);
        RewardException e = assertThrows(RewardException.class, () -> bleu.score(List.of(
                Episode.withReferences("a", List.of("a")), Episode.ofText("b"))));
        assertEquals("reward 'bleu' failed on episode 1: the episode has no references",
                e.getMessage());
        e = assertThrows(RewardException.class, () -> bleu.score(List.of(
                Episode.withReferences("a", List.of("")))));
        assertEquals("reward 'bleu' failed on episode 0: no non-blank reference (empty and "
                + "whitespace-only references are skipped)", e.getMessage());
    }

    @Test
    void referenceReadersAreFoundFromTheSpecs() {
        Rewards all = Rewards.discover();
        assertEquals(List.of("bleu", "chrf", "token-f1"), all.referenceReaders());
        assertEquals(List.of(), all.referenceReaders(List.of("vader", "0.5*afinn + 0.5*length")));
        assertEquals(List.of("chrf", "bleu"), all.referenceReaders(
                List.of("0.5*vader + 0.5*chrf", "bleu:tokenize=intl", "chrf")));
        // a provider that does not say reads references (the default): references are never refused
        assertEquals(List.of("bleu", "chrf", "len", "len2"), registry().referenceReaders());
        RewardException e = assertThrows(RewardException.class,
                () -> all.referenceReaders(List.of("nope")));
        assertTrue(e.getMessage().startsWith("unknown reward 'nope' (known: "), e.getMessage());
    }

    @Test
    void aBlankReferenceIsTreatedLikeAnEmptyOne() {
        for (String id : List.of("bleu", "chrf")) {
            Reward r = registry().create(id, CTX);
            RewardException e = assertThrows(RewardException.class, () -> r.score(List.of(
                    Episode.withReferences("the cat", List.of("   ")))));
            assertEquals("reward '" + id + "' failed on episode 0: no non-blank reference (empty and "
                    + "whitespace-only references are skipped)", e.getMessage());
            // beside a real reference, a blank one is skipped as an empty one is
            assertArrayEquals(r.score(List.of(Episode.withReferences("the cat", List.of("", "the cat")))),
                    r.score(List.of(Episode.withReferences("the cat", List.of(" ", "the cat")))), 0.0);
        }
    }

    @Test
    void providerFailuresDuringCreationAreWrapped() {
        RewardProvider broken = new LengthProvider("broken", false) {
            @Override
            public Reward create(RewardParams params, RewardContext context) {
                throw new IllegalStateException("model file missing");
            }
        };
        RewardException e = assertThrows(RewardException.class,
                () -> Rewards.of(List.of(broken)).create("broken", CTX));
        assertEquals("reward 'broken' could not be created: IllegalStateException: model file "
                + "missing", e.getMessage());
        // a failure of the provider itself, not of the spec: commands report it as a reward failure
        assertFalse(e instanceof RewardSpecException, e.getClass().getName());
        RewardProvider refusing = new LengthProvider("refusing", false) {
            @Override
            public Reward create(RewardParams params, RewardContext context) {
                throw new RewardException("reward 'refusing': cannot reach its server");
            }
        };
        e = assertThrows(RewardException.class,
                () -> Rewards.of(List.of(refusing)).create("refusing:k=1", CTX));
        assertFalse(e instanceof RewardSpecException, e.getClass().getName());
    }

    @Test
    void checkedKeepsShapedRewardsShaped() {
        ShapedReward shaped = new ShapedReward() {
            @Override
            public String id() {
                return "tok";
            }

            @Override
            public double[] score(List<Episode> episodes) {
                return new double[episodes.size()];
            }

            @Override
            public double[][] tokenRewards(List<Episode> episodes) {
                return episodes.stream().map(e -> new double[e.tokenIds().length + (
                        e.text().equals("short") ? -1 : 0)]).toArray(double[][]::new);
            }
        };
        Reward c = Rewards.checked(shaped);
        assertInstanceOf(ShapedReward.class, c);
        Episode ok = new Episode("", "x", new int[] {1, 2}, null, null, null);
        Episode bad = new Episode("", "short", new int[] {1, 2}, null, null, null);
        assertEquals(2, ((ShapedReward) c).tokenRewards(List.of(ok))[0].length);
        RewardException e = assertThrows(RewardException.class,
                () -> ((ShapedReward) c).tokenRewards(List.of(ok, bad)));
        assertEquals("reward 'tok' failed on episode 1: returned 1 token rewards for 2 tokens",
                e.getMessage());
        CompositeReward comp = CompositeReward.of(List.of(new CompositeReward.Part(2, shaped),
                new CompositeReward.Part(1, registry().create("len", CTX))));
        assertInstanceOf(ShapedReward.class, comp);
        assertEquals(2, comp.parts().size());
    }

    /**
     * A relative path that a built-in reward reads is made absolute for a command to record (train's run is
     * resumed and evaluated from other directories, where the relative path names another directory or none);
     * weights, the other parameters and their order are kept, and a path with a comma or plus is escaped so that
     * the spec reads back the same path.
     */
    @Test
    void withAbsolutePathsRecordsWhereABuiltInRewardsFilesAre() throws Exception {
        Path here = Path.of("").toAbsolutePath();
        Path odd = java.nio.file.Files.createDirectories(Path.of("target", "with,comma+plus"));
        String oddAbs = odd.toAbsolutePath().normalize().toString();
        List<String> specs = List.of("classifier:model=target,label=1",
                "0.7*vader:lexicon=./target/../target + 0.3*afinn",
                "classifier:label=0,model=" + "target/with\\,comma\\+plus",
                "bleu:tokenize=intl", "classifier:model=no-such-dir", "classifier:model=" + here.resolve("target"),
                "my-plugin:file=target");
        List<String> abs = Rewards.withAbsolutePaths(specs);
        assertEquals(List.of("classifier:model=" + here.resolve("target") + ",label=1",
                "0.7*vader:lexicon=" + here.resolve("target") + " + 0.3*afinn",
                "classifier:label=0,model=" + oddAbs.replace(",", "\\,").replace("+", "\\+"),
                "bleu:tokenize=intl", "classifier:model=no-such-dir", "classifier:model=" + here.resolve("target"),
                "my-plugin:file=target"), abs);
        // the escaped path reads back as the directory, with the weights as written
        List<Rewards.Term> terms = Rewards.terms(abs);
        assertEquals(oddAbs, terms.get(3).params().get("model"));
        assertEquals(0.7, terms.get(1).weight());
        // a spec that does not parse is left for the command's own check to report as given
        assertEquals(List.of("classifier:model=target", "0.x*vader"),
                Rewards.withAbsolutePaths(List.of("classifier:model=target", "0.x*vader")));
    }
}
