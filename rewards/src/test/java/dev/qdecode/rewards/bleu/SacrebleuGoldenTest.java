package dev.qdecode.rewards.bleu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Golden values computed by the real sacreBLEU 2.6.0 (see
 * {@code src/test/resources/sacrebleu/make_golden.py}): sentence- and corpus-level BLEU/chrF
 * over hypothesis/reference pairs built from Multi30k val rows (texts read from the shared data
 * directory, never copied), and synthetic Unicode strings with their tokenizations.
 */
class SacrebleuGoldenTest {
    private static final double TOL = 1e-9;
    private static List<String> de;
    private static List<String> en;
    private static List<String> fr;

    static List<String> column(Path tsv, String name) throws IOException {
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        List<String> header = Arrays.asList(lines.get(0).split("\t", -1));
        int col = header.indexOf(name);
        List<String> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isEmpty()) {
                out.add(lines.get(i).split("\t", -1)[col]);
            }
        }
        return out;
    }

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of(System.getProperty("qdecode.shared"), "data", "multi30k");
        de = column(dir.resolve("en-de.val.tsv"), "de");
        en = column(dir.resolve("en-de.val.tsv"), "en");
        fr = column(dir.resolve("en-fr.val.tsv"), "fr");
        assertEquals(1014, de.size());
    }

    private static String drop3(String s) {
        String[] w = s.split(" ", -1);
        List<String> keep = new ArrayList<>();
        for (int k = 0; k < w.length; k++) {
            if (k % 3 != 2) {
                keep.add(w[k]);
            }
        }
        return String.join(" ", keep);
    }

    private static String dropMid(String s) {
        List<String> w = new ArrayList<>(Arrays.asList(s.split(" ", -1)));
        w.remove(w.size() / 2);
        return String.join(" ", w);
    }

    /** The hypothesis and references of a pairing, as make_golden.py builds them. */
    private static Map.Entry<String, List<String>> pair(String pairing, int i) {
        int n = de.size();
        switch (pairing) {
            case "de-drop3": return Map.entry(drop3(de.get(i)), List.of(de.get(i)));
            case "de-next": return Map.entry(de.get(i), List.of(de.get((i + 1) % n)));
            case "de-multi": return Map.entry(drop3(de.get(i)), List.of(de.get((i + 1) % n), de.get(i)));
            case "en-dropmid": return Map.entry(dropMid(en.get(i)), List.of(en.get(i)));
            case "fr-lower": return Map.entry(drop3(fr.get(i)).toLowerCase(Locale.ROOT), List.of(fr.get(i)));
            default: throw new IllegalArgumentException(pairing);
        }
    }

    private static final Map<String, Object> SENTENCE = new LinkedHashMap<>();

    static {
        BleuConfig s = BleuConfig.sentenceDefaults();
        SENTENCE.put("bleu", new Bleu(s));
        SENTENCE.put("bleu_intl", new Bleu(s.withTokenizer(BleuTokenizer.INTL)));
        SENTENCE.put("bleu_none", new Bleu(s.withTokenizer(BleuTokenizer.NONE)));
        SENTENCE.put("bleu_char", new Bleu(s.withTokenizer(BleuTokenizer.CHAR)));
        SENTENCE.put("bleu_lc", new Bleu(s.withLowercase(true)));
        SENTENCE.put("bleu_floor", new Bleu(s.withSmoothing(BleuSmoothing.FLOOR)));
        SENTENCE.put("bleu_addk", new Bleu(s.withSmoothing(BleuSmoothing.ADD_K)));
        SENTENCE.put("bleu_nosmooth", new Bleu(s.withSmoothing(BleuSmoothing.NONE)));
        ChrfConfig c = ChrfConfig.defaults();
        SENTENCE.put("chrf", new Chrf(c));
        SENTENCE.put("chrfpp", new Chrf(c.withWordOrder(2)));
        SENTENCE.put("chrf_eps", new Chrf(c.withEpsSmoothing(true)));
        SENTENCE.put("chrf_ws", new Chrf(c.withWhitespace(true)));
        SENTENCE.put("chrf_lc", new Chrf(c.withLowercase(true)));
    }

    private static double sentence(Object metric, String hyp, List<String> refs) {
        if (metric instanceof Bleu) {
            Bleu b = (Bleu) metric;
            double v = b.sentenceValue(hyp, refs);
            assertEquals(b.sentenceScore(hyp, refs).score(), v, 0.0);
            return v;
        }
        Chrf c = (Chrf) metric;
        double v = c.sentenceValue(hyp, refs);
        assertEquals(c.sentenceScore(hyp, refs).score(), v, 0.0);
        return v;
    }

    @Test
    void multi30kSentenceAndCorpusScores() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/sacrebleu/multi30k-golden.tsv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> columns = null;
        int sentences = 0;
        int corpora = 0;
        for (String line : lines) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f[0].equals("kind")) {
                columns = Arrays.asList(f);
                continue;
            }
            if (f[0].equals("sentence")) {
                int row = Integer.parseInt(f[2]);
                Map.Entry<String, List<String>> p = pair(f[1], row);
                for (int c = 3; c < f.length; c++) {
                    double expected = Double.parseDouble(f[c]);
                    double actual = sentence(SENTENCE.get(columns.get(c)), p.getKey(), p.getValue());
                    assertEquals(expected, actual, 1e-9 * Math.max(1, expected),
                            f[1] + " row " + row + " " + columns.get(c));
                }
                sentences++;
            } else {
                corpora++;
                checkCorpus(f[1], f[2], Double.parseDouble(f[3]), f[4], f[5]);
            }
        }
        assertEquals(510, sentences);
        assertEquals(25, corpora);
    }

    private static void checkCorpus(String pairing, String config, double expected, String sig,
            String formatted) {
        List<String> hyps = new ArrayList<>();
        List<List<String>> refs = new ArrayList<>();
        for (int i = 0; i < de.size(); i++) {
            Map.Entry<String, List<String>> p = pair(pairing, i);
            hyps.add(p.getKey());
            refs.add(p.getValue());
        }
        String what = pairing + " corpus " + config;
        if (config.startsWith("bleu")) {
            BleuConfig c = BleuConfig.corpusDefaults();
            if (config.equals("bleu_intl")) {
                c = c.withTokenizer(BleuTokenizer.INTL);
            } else if (config.equals("bleu_lc")) {
                c = c.withLowercase(true);
            }
            BleuScore s = new Bleu(c).corpusScore(hyps, refs);
            assertEquals(expected, s.score(), TOL, what);
            assertEquals(sig, s.signature(), what);
            assertEquals(formatted, s.format(true), what);
        } else {
            ChrfConfig c = config.equals("chrfpp") ? ChrfConfig.chrfPlusPlus() : ChrfConfig.defaults();
            ChrfScore s = new Chrf(c).corpusScore(hyps, refs);
            assertEquals(expected, s.score(), TOL, what);
            assertEquals(sig, s.signature(), what);
            assertEquals(formatted, s.format(true), what);
        }
    }

    @Test
    void unicodeTokenizationAndScores() throws IOException {
        JsonObject root;
        try (InputStream in = getClass().getResourceAsStream("/sacrebleu/unicode-golden.json")) {
            root = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
        assertEquals("2.6.0", root.get("sacrebleu").getAsString());
        BleuConfig s = BleuConfig.sentenceDefaults();
        Bleu bleu = new Bleu(s);
        Bleu intl = new Bleu(s.withTokenizer(BleuTokenizer.INTL));
        Bleu charLc = new Bleu(s.withTokenizer(BleuTokenizer.CHAR).withLowercase(true));
        Chrf chrf = Chrf.defaults();
        Chrf chrfppLc = new Chrf(ChrfConfig.chrfPlusPlus().withLowercase(true));
        Chrf chrfWs = new Chrf(ChrfConfig.defaults().withWhitespace(true));
        int n = 0;
        for (JsonElement e : root.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            String hyp = c.get("hyp").getAsString();
            List<String> refs = List.of(c.get("ref").getAsString());
            String where = "case " + n + " hyp=" + hyp;
            assertEquals(c.get("tok_13a").getAsString(), BleuTokenizer.T13A.tokenize(hyp), where);
            assertEquals(c.get("tok_intl").getAsString(), BleuTokenizer.INTL.tokenize(hyp), where);
            assertEquals(c.get("tok_char").getAsString(), BleuTokenizer.CHAR.tokenize(hyp), where);
            assertEquals(c.get("bleu").getAsDouble(), bleu.sentenceValue(hyp, refs), TOL, where);
            assertEquals(c.get("bleu_intl").getAsDouble(), intl.sentenceValue(hyp, refs), TOL, where);
            assertEquals(c.get("bleu_char_lc").getAsDouble(), charLc.sentenceValue(hyp, refs), TOL,
                    where);
            assertEquals(c.get("chrf").getAsDouble(), chrf.sentenceValue(hyp, refs), TOL, where);
            assertEquals(c.get("chrfpp_lc").getAsDouble(), chrfppLc.sentenceValue(hyp, refs), TOL,
                    where);
            assertEquals(c.get("chrf_ws").getAsDouble(), chrfWs.sentenceValue(hyp, refs), TOL, where);
            n++;
        }
        assertTrue(n >= 200);
    }
}
