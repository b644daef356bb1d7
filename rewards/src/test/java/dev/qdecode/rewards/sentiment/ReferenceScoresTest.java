package dev.qdecode.rewards.sentiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Exact agreement with the original algorithms on many texts. The reference values (test
 * resources) were produced by the original vaderSentiment 3.3.2 {@code polarity_scores} code and
 * the {@code afinn} package's {@code score} code, run by CPython 3.11 over the shared lexicons:
 * every SST-2 dev sentence, and 400 synthetic texts that stress the rules SST-2 rarely exercises
 * (mixed case, emoji, emoticons, "!"/"?", "but", "no", "least", idioms, Unicode whitespace).
 */
class ReferenceScoresTest {

    private static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(ReferenceScoresTest.class.getResourceAsStream(name), name);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> out = new ArrayList<>();
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line);
            }
            return out;
        }
    }

    /** SST-2 dev sentences (header skipped, split on tab, no quoting). */
    static List<String> sst2DevSentences() throws IOException {
        List<String> lines = Files.readAllLines(SharedLexicons.sst2Dev(), StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            out.add(line.substring(0, line.lastIndexOf('\t')));
        }
        return out;
    }

    @Test
    void sst2DevMatchesTheOriginalsExactly() throws IOException {
        List<String> sentences = sst2DevSentences();
        List<String> ref = resourceLines("sst2_dev_reference_scores.tsv").stream()
                .filter(l -> !l.startsWith("#") && !l.startsWith("row\t")).toList();
        assertEquals(872, sentences.size());
        assertEquals(sentences.size(), ref.size());
        Vader vader = SharedLexicons.vader();
        Afinn afinn = SharedLexicons.afinn();
        for (String row : ref) {
            String[] f = row.split("\t");
            String sentence = sentences.get(Integer.parseInt(f[0]) - 1);
            Vader.Scores want = new Vader.Scores(Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]));
            assertEquals(want, vader.polarityScores(sentence), sentence);
            assertEquals(Double.parseDouble(f[5]), afinn.score(sentence), sentence);
        }
    }

    @Test
    void syntheticRuleStressTextsMatchTheOriginalsExactly() throws IOException {
        Vader vader = SharedLexicons.vader();
        Afinn afinn = SharedLexicons.afinn();
        List<String> rows = resourceLines("synthetic_reference_scores.jsonl");
        assertEquals(400, rows.size());
        int nonZero = 0;
        for (String row : rows) {
            JsonObject o = JsonParser.parseString(row).getAsJsonObject();
            String text = o.get("text").getAsString();
            Vader.Scores want = new Vader.Scores(o.get("neg").getAsDouble(), o.get("neu").getAsDouble(),
                    o.get("pos").getAsDouble(), o.get("compound").getAsDouble());
            Vader.Scores got = vader.polarityScores(text);
            assertEquals(want.compound(), got.compound(), 0.0, text);
            assertEquals(want, got, text);
            assertEquals(o.get("afinn").getAsDouble(), afinn.score(text), text);
            if (got.compound() != 0) {
                nonZero++;
            }
        }
        assertTrue(nonZero > 300, "the synthetic texts should mostly carry sentiment: " + nonZero);
    }

    @Test
    void concurrentScoringEqualsSequentialScoring() throws IOException {
        Vader vader = SharedLexicons.vader();
        Afinn afinn = SharedLexicons.afinn();
        List<String> sentences = sst2DevSentences();
        Vader.Scores[] sequential = sentences.stream().map(vader::polarityScores).toArray(Vader.Scores[]::new);
        double[] afinnSequential = sentences.stream().mapToDouble(afinn::score).toArray();
        for (int round = 0; round < 3; round++) {
            Vader.Scores[] parallel = new Vader.Scores[sentences.size()];
            double[] afinnParallel = new double[sentences.size()];
            IntStream.range(0, sentences.size()).parallel().forEach(i -> {
                parallel[i] = vader.polarityScores(sentences.get(i));
                afinnParallel[i] = afinn.score(sentences.get(i));
            });
            for (int i = 0; i < parallel.length; i++) {
                assertEquals(sequential[i], parallel[i]);
                assertEquals(afinnSequential[i], afinnParallel[i]);
            }
        }
    }
}
