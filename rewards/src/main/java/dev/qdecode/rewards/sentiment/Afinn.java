package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.pystr.PyStr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * AFINN word-list sentiment, scored as the {@code afinn} Python package (Nielsen) scores it: the
 * text has runs of whitespace collapsed and is lower-cased, then lexicon entries are found left to
 * right, each match being the longest entry (multi-word phrases included) that starts and ends on
 * a word boundary; the score is the sum of the matched entries' values. {@link #meanScore} divides
 * that sum by the number of words in the text.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Afinn {
    /** The AFINN-165 file name inside the shared lexicon directory. */
    public static final String DEFAULT_FILE = "afinn-165.tsv";

    private final Node root;
    private final Map<String, Integer> entries;

    /** A trie node over code points; built once, never modified afterwards. */
    private static final class Node {
        final Map<Integer, Node> children = new HashMap<>();
        String token;
        int score;
    }

    private Afinn(Map<String, Integer> entries) {
        this.entries = Map.copyOf(entries);
        this.root = new Node();
        for (Map.Entry<String, Integer> e : entries.entrySet()) {
            Node node = root;
            String token = e.getKey();
            for (int i = 0; i < token.length(); ) {
                int cp = token.codePointAt(i);
                node = node.children.computeIfAbsent(cp, k -> new Node());
                i += Character.charCount(cp);
            }
            node.token = token;
            node.score = e.getValue();
        }
    }

    /**
     * Loads an AFINN word list: {@code word<TAB>score} per line, scores are integers in −5..5, an
     * optional first line {@code word<TAB>score} is a header. A word listed twice keeps its last
     * score.
     *
     * @param file the word list (e.g. {@code <shared>/data/lexicons/afinn-165.tsv})
     * @return the scorer
     * @throws dev.qdecode.rewards.RewardInputException (bad input) when the file is missing, unreadable, not
     *     UTF-8, has a bad line or has no entries
     */
    public static Afinn load(Path file) {
        Objects.requireNonNull(file, "file");
        String what = "AFINN lexicon";
        List<String> lines = LexiconFile.lines(file, what);
        Map<String, Integer> entries = new LinkedHashMap<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            String[] f = PyStr.strip(line).split("\t", -1);
            if (n == 0 && f.length == 2 && f[0].equalsIgnoreCase("word") && f[1].equalsIgnoreCase("score")) {
                continue;
            }
            Integer score = null;
            if (f.length == 2 && !f[0].isEmpty()) {
                try {
                    int s = Integer.parseInt(PyStr.strip(f[1]));
                    if (s >= -5 && s <= 5) {
                        score = s;
                    }
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            if (score == null) {
                throw LexiconFile.bad(what, file, n + 1, line, "word<TAB>integer score in -5..5");
            }
            entries.put(f[0], score);
        }
        if (entries.isEmpty()) { // every text would score 0
            throw new RewardInputException(what + " " + file + ": no entries (expected lines word<TAB>score)");
        }
        return new Afinn(entries);
    }

    /**
     * The AFINN score of a text: the sum of the values of all matched words and phrases.
     *
     * @param text the text
     * @return the sum (0 when nothing matches)
     */
    public double score(String text) {
        double sum = 0;
        for (Match m : match(text)) {
            sum += m.score;
        }
        return sum;
    }

    /**
     * The AFINN score divided by the number of words ({@code \w+} runs) in the text.
     *
     * @param text the text
     * @return the mean score per word (0 for a text without words)
     * @throws NullPointerException naming {@code text} when it is null
     */
    public double meanScore(String text) {
        Objects.requireNonNull(text, "text");
        int words = wordCount(text);
        return words == 0 ? 0.0 : score(text) / words;
    }

    /**
     * The lexicon entries found in a text, in order (as {@code Afinn.find_all}).
     *
     * @param text the text
     * @return the matched words and phrases, lower-cased as in the lexicon
     */
    public List<String> findAll(String text) {
        List<String> out = new ArrayList<>();
        for (Match m : match(text)) {
            out.add(m.token);
        }
        return out;
    }

    /**
     * The score of one lexicon entry.
     *
     * @param token the word or phrase, exactly as in the file
     * @return its score, or empty when absent
     */
    OptionalInt valence(String token) {
        Integer v = entries.get(token);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** Number of {@code \w+} runs, as {@code Afinn.split}. */
    static int wordCount(String text) {
        int count = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            boolean w = PyStr.isWordChar(cp);
            if (w && !inWord) {
                count++;
            }
            inWord = w;
            i += Character.charCount(cp);
        }
        return count;
    }

    private record Match(String token, int score) {}

    private List<Match> match(String text) {
        Objects.requireNonNull(text, "text");
        int[] cps = PyStr.lower(collapseWhitespace(text)).codePoints().toArray();
        List<Match> out = new ArrayList<>();
        int p = 0;
        while (p < cps.length) {
            Node best = null;
            int bestEnd = -1;
            if (boundary(cps, p)) {
                Node node = root;
                for (int q = p; q < cps.length; q++) {
                    node = node.children.get(cps[q]);
                    if (node == null) {
                        break;
                    }
                    if (node.token != null && boundary(cps, q + 1)) {
                        best = node;
                        bestEnd = q + 1;
                    }
                }
            }
            if (best != null) {
                out.add(new Match(best.token, best.score));
                p = bestEnd;
            } else {
                p++;
            }
        }
        return out;
    }

    /** Python's {@code \b}: a word character on exactly one side of position {@code p}. */
    private static boolean boundary(int[] cps, int p) {
        boolean before = p > 0 && PyStr.isWordChar(cps[p - 1]);
        boolean after = p < cps.length && PyStr.isWordChar(cps[p]);
        return before != after;
    }

    /** {@code re.sub(r"\s+", " ", text)}. */
    private static String collapseWhitespace(String text) {
        StringBuilder sb = null;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int len = Character.charCount(cp);
            if (PyStr.isSpace(cp)) {
                int j = i + len;
                while (j < text.length() && PyStr.isSpace(text.codePointAt(j))) {
                    j += Character.charCount(text.codePointAt(j));
                }
                if (sb == null && (cp != ' ' || j - i > 1)) {
                    sb = new StringBuilder(text.length()).append(text, 0, i);
                }
                if (sb != null) {
                    sb.append(' ');
                }
                i = j;
            } else {
                if (sb != null) {
                    sb.appendCodePoint(cp);
                }
                i += len;
            }
        }
        return sb == null ? text : sb.toString();
    }
}
