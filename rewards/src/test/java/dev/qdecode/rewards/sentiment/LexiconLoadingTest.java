package dev.qdecode.rewards.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.RewardException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading of the VADER and AFINN lexicons: duplicates, headers and one-line errors. */
class LexiconLoadingTest {
    @TempDir
    Path tmp;

    @Test
    void vaderDuplicateTokensKeepTheirLastValue() throws IOException {
        Path file = SharedLexicons.lexiconDir().resolve(Vader.LEXICON_FILE);
        Map<String, Double> last = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.strip().split("\t");
            last.put(f[0], Double.parseDouble(f[1]));
            count.merge(f[0], 1, Integer::sum);
        }
        long duplicated = count.values().stream().filter(c -> c > 1).count();
        assertEquals(14, duplicated);
        Vader vader = SharedLexicons.vader();
        for (Map.Entry<String, Double> e : last.entrySet()) {
            assertEquals(e.getValue(), vader.lexiconValence(e.getKey()).orElseThrow(), e.getKey());
        }
        assertEquals(1.8, vader.lexiconValence("lol").orElseThrow()); // 2.9 first, 1.8 last
    }

    private Path write(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void vaderLoadsASmallLexiconFromFiles() throws IOException {
        Path lex = write("lex.txt", "good\t2.0\t0.5\t[2, 2]\r\nawful\t-3\n\nhappy\t1\nhappy\t2.5\n");
        Path emo = write("emo.txt", "😁\tbeaming happy face\n👍🏽\tthumbs up: medium skin tone\n");
        Vader v = Vader.load(lex, emo);
        assertEquals(2.0, v.lexiconValence("good").orElseThrow());
        assertEquals(2.5, v.lexiconValence("happy").orElseThrow());
        assertEquals(v.polarityScores("beaming happy face"), v.polarityScores("😁"));
        assertTrue(v.polarityScores("awful").compound() < 0);
    }

    @Test
    void vaderBadLineNamesFileAndLine() throws IOException {
        Path emo = write("emo.txt", "😁\tbeaming face\n");
        Path lex = write("lex.txt", "good\t1.9\nbroken line without tab\n");
        RewardException e = assertThrows(RewardException.class, () -> Vader.load(lex, emo));
        assertTrue(e.getMessage().contains(lex.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        Path lex2 = write("lex2.txt", "good\t1.9\nbad\tminus two\n");
        e = assertThrows(RewardException.class, () -> Vader.load(lex2, emo));
        assertTrue(e.getMessage().matches(".*lex2\\.txt line 2: expected token<TAB>mean valence.*'bad\\\\tminus two'.*"),
                e.getMessage());

        Path emo2 = write("emo2.txt", "😁\tbeaming face\nno description\n");
        Path good = write("good.txt", "good\t1.9\n");
        e = assertThrows(RewardException.class, () -> Vader.load(good, emo2));
        assertTrue(e.getMessage().contains("emo2.txt line 2"), e.getMessage());
    }

    /**
     * A lexicon without entries is refused: it was loaded, and every text then scored 0 (an empty
     * vader_lexicon.txt, or an AFINN file holding only its header, gave 'mean vader = 0.000000').
     */
    @Test
    void aLexiconWithoutEntriesIsRefused() throws IOException {
        Path emo = write("emo.txt", "😁\tbeaming face\n");
        for (String content : List.of("", "\n\n")) {
            Path lex = write("empty.txt", content);
            RewardException e = assertThrows(RewardException.class, () -> Vader.load(lex, emo));
            assertEquals("VADER lexicon " + lex + ": no entries (expected lines token<TAB>mean valence)",
                    e.getMessage());
        }
        Path header = write("header.tsv", "word\tscore\n");
        RewardException e = assertThrows(RewardException.class, () -> Afinn.load(header));
        assertEquals("AFINN lexicon " + header + ": no entries (expected lines word<TAB>score)", e.getMessage());
        // one entry is enough
        assertEquals(3.0, Afinn.load(write("one.tsv", "word\tscore\ngood\t3\n")).score("good"));
        assertEquals(1.9, Vader.load(write("one.txt", "good\t1.9\n"), emo).lexiconValence("good").orElseThrow());
    }

    /**
     * A leading UTF-8 byte-order mark is skipped: it used to stay on the first token, so that entry
     * never matched ("good" scored 0 with a BOM before "good\t3") and a header after it was a bad line.
     */
    @Test
    void aLeadingByteOrderMarkIsSkipped() throws IOException {
        Path afinn = write("bom.tsv", "\uFEFFgood\t3\nbad\t-3\n");
        assertEquals(3.0, Afinn.load(afinn).score("good"));
        Path header = write("bomh.tsv", "\uFEFFword\tscore\ngood\t3\n");
        assertEquals(3.0, Afinn.load(header).score("good"));
        Path emo = write("emo.txt", "\uFEFF😁\tbeaming face\n");
        Vader v = Vader.load(write("lex.txt", "\uFEFFgood\t1.9\n"), emo);
        assertEquals(1.9, v.lexiconValence("good").orElseThrow());
        assertEquals(v.polarityScores("beaming face"), v.polarityScores("😁"));
    }

    @Test
    void missingFilesAreReported() {
        RewardException e = assertThrows(RewardException.class, () -> Vader.load(tmp.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere") && e.getMessage().contains("not found"), e.getMessage());
        e = assertThrows(RewardException.class, () -> Afinn.load(tmp.resolve("afinn.tsv")));
        assertTrue(e.getMessage().contains("afinn.tsv") && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void invalidUtf8IsReported() throws IOException {
        Path p = tmp.resolve("bad.tsv");
        Files.write(p, new byte[] {'g', 'o', (byte) 0xC3, '\t', '1', '\n'});
        RewardException e = assertThrows(RewardException.class, () -> Afinn.load(p));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void afinnHeaderIsOptionalAndBadLinesAreReported() throws IOException {
        Afinn withHeader = Afinn.load(write("a.tsv", "word\tscore\ngood\t3\nnot good\t-2\n"));
        Afinn without = Afinn.load(write("b.tsv", "good\t3\nnot good\t-2\n"));
        assertEquals(withHeader.score("not good, good"), without.score("not good, good"));
        assertEquals(1.0, without.score("not good, good"));

        for (String[] bad : List.of(
                new String[] {"good\t3\nbad\n", "line 2"},
                new String[] {"good\t3\nbad\t-3\t1\n", "line 2"},
                new String[] {"word\tscore\ngood\t3\nbad\tx\n", "line 3"},
                new String[] {"good\t9\n", "line 1"})) {
            Path p = write("bad.tsv", bad[0]);
            RewardException e = assertThrows(RewardException.class, () -> Afinn.load(p));
            assertTrue(e.getMessage().contains(p.toString()) && e.getMessage().contains(bad[1])
                    && e.getMessage().contains("integer score in -5..5"), e.getMessage());
        }
    }
}
