package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.pystr.PyStr;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A faithful Java port of VADER sentiment analysis (Hutto &amp; Gilbert, ICWSM-14), following
 * {@code vaderSentiment/vaderSentiment.py} of vaderSentiment 3.3.2 rule for rule: lexicon lookup;
 * negation (including "no" before a lexicon word, "never so/this" and "without doubt");
 * booster/dampener words with their distance scaling; ALL-CAPS emphasis when the text mixes case;
 * contrastive "but"; "least"; the "kind of" idiom; the special-case idioms; exclamation and
 * question-mark emphasis; emoji replaced by their descriptions; the original tokenizer's
 * punctuation stripping; the alpha = 15 normalisation to {@code compound}; and the pos/neu/neg
 * proportions. Scores are rounded exactly as the original rounds them (3 decimals for the
 * proportions, 4 for compound), so they equal the Python output.
 *
 * <p>Instances are immutable and thread-safe; load one with {@link #load(Path)} and share it.
 */
public final class Vader {
    /** Lexicon file name inside a lexicon directory. */
    public static final String LEXICON_FILE = "vader_lexicon.txt";
    /** Emoji lexicon file name inside a lexicon directory. */
    public static final String EMOJI_FILE = "emoji_utf8_lexicon.txt";

    private static final double B_INCR = 0.293;
    private static final double B_DECR = -0.293;
    private static final double C_INCR = 0.733;
    private static final double N_SCALAR = -0.74;

    private static final Set<String> NEGATE = Set.of(
            "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt",
            "ain't", "aren't", "can't", "couldn't", "daren't", "didn't", "doesn't",
            "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
            "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't",
            "neednt", "needn't", "never", "none", "nope", "nor", "not", "nothing", "nowhere",
            "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
            "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't",
            "without", "wont", "wouldnt", "won't", "wouldn't", "rarely", "seldom", "despite");

    private static final Map<String, Double> BOOSTER_DICT = boosters();

    private static final Map<String, Double> SPECIAL_CASES = Map.of(
            "the shit", 3.0, "the bomb", 3.0, "bad ass", 1.5, "badass", 1.5, "bus stop", 0.0,
            "yeah right", -2.0, "kiss of death", -1.5, "to die for", 3.0,
            "beating heart", 3.1, "broken heart", -2.9);

    private final Map<String, Double> lexicon;
    /** Emoji lexicon entries that are one code point (only those can match, as in the original). */
    private final Map<Integer, String> emojis;
    private final int minEmoji;

    /**
     * VADER sentiment scores of one text, as the original returns them.
     *
     * @param neg proportion of negative sentiment, rounded to 3 decimals
     * @param neu proportion of neutral words, rounded to 3 decimals
     * @param pos proportion of positive sentiment, rounded to 3 decimals
     * @param compound normalised sum of valences in [-1, 1], rounded to 4 decimals
     */
    public record Scores(double neg, double neu, double pos, double compound) {}

    private Vader(Map<String, Double> lexicon, Map<Integer, String> emojis) {
        this.lexicon = Map.copyOf(lexicon);
        this.emojis = Map.copyOf(emojis);
        this.minEmoji = emojis.keySet().stream().mapToInt(Integer::intValue).min().orElse(Integer.MAX_VALUE);
    }

    /**
     * Loads {@value #LEXICON_FILE} and {@value #EMOJI_FILE} from a directory.
     *
     * @param lexiconDir the directory holding both files
     * @return the analyzer
     * @throws dev.qdecode.rewards.RewardInputException (bad input) when a file is missing, unreadable, not
     *     UTF-8 or has a bad line, or the lexicon has no entries
     */
    public static Vader load(Path lexiconDir) {
        Objects.requireNonNull(lexiconDir, "lexiconDir");
        return load(lexiconDir.resolve(LEXICON_FILE), lexiconDir.resolve(EMOJI_FILE));
    }

    /**
     * Loads the lexicon and the emoji lexicon from two files (no header;
     * {@code token<TAB>mean<TAB>...} and {@code emoji<TAB>description}). A token listed twice
     * keeps its last value, as in the original.
     *
     * @param lexiconFile the VADER lexicon
     * @param emojiFile the emoji lexicon
     * @return the analyzer
     * @throws dev.qdecode.rewards.RewardInputException (bad input) when a file is missing, unreadable, not
     *     UTF-8 or has a bad line, or the lexicon has no entries
     */
    public static Vader load(Path lexiconFile, Path emojiFile) {
        Objects.requireNonNull(lexiconFile, "lexiconFile");
        Objects.requireNonNull(emojiFile, "emojiFile");
        String what = "VADER lexicon";
        Map<String, Double> lex = new HashMap<>();
        List<String> lines = LexiconFile.lines(lexiconFile, what);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            if (line.isEmpty()) {
                continue; // the original skips empty lines of the main lexicon only
            }
            String[] f = PyStr.strip(line).split("\t", -1);
            double v = f.length >= 2 ? LexiconFile.parseNumber(f[1]) : Double.NaN;
            if (Double.isNaN(v)) {
                throw LexiconFile.bad(what, lexiconFile, n + 1, line, "token<TAB>mean valence (a number)");
            }
            lex.put(f[0], v);
        }
        if (lex.isEmpty()) { // the original accepts it, and every text would then score 0
            throw new RewardInputException(what + " " + lexiconFile + ": no entries (expected lines token<TAB>mean valence)");
        }
        String emojiWhat = "VADER emoji lexicon";
        Map<Integer, String> emo = new HashMap<>();
        List<String> emojiLines = LexiconFile.lines(emojiFile, emojiWhat);
        for (int n = 0; n < emojiLines.size(); n++) {
            String line = emojiLines.get(n);
            String[] f = PyStr.strip(line).split("\t", -1);
            if (f.length < 2) {
                throw LexiconFile.bad(emojiWhat, emojiFile, n + 1, line, "emoji<TAB>description");
            }
            String key = f[0];
            // the original looks up one code point at a time: longer keys can never match
            if (!key.isEmpty() && key.codePointCount(0, key.length()) == 1) {
                emo.put(key.codePointAt(0), f[1]);
            }
        }
        return new Vader(lex, emo);
    }

    /**
     * The lexicon valence of a token (as stored, after duplicate resolution).
     *
     * @param token the token, matched exactly (the analyzer looks tokens up lower-cased)
     * @return the valence, or empty when the token is not in the lexicon
     */
    OptionalDouble lexiconValence(String token) {
        Double v = lexicon.get(token);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * Scores a text exactly as {@code SentimentIntensityAnalyzer.polarity_scores} does.
     *
     * @param text the text (any length; empty or blank text scores all zeros)
     * @return the scores
     */
    public Scores polarityScores(String text) {
        Objects.requireNonNull(text, "text");
        String t = PyStr.strip(replaceEmojis(text));
        List<String> tokens = PyStr.split(t);
        int n = tokens.size();
        String[] words = new String[n];
        String[] lower = new String[n];
        int allCaps = 0;
        for (int i = 0; i < n; i++) {
            String tok = tokens.get(i);
            String stripped = PyStr.stripPunctuation(tok);
            words[i] = PyStr.len(stripped) <= 2 ? tok : stripped;
            lower[i] = PyStr.lower(words[i]);
            if (PyStr.isUpper(words[i])) {
                allCaps++;
            }
        }
        int capDifferential = n - allCaps;
        boolean isCapDiff = capDifferential > 0 && capDifferential < n;

        double[] sentiments = new double[n];
        for (int i = 0; i < n; i++) {
            if (BOOSTER_DICT.containsKey(lower[i])) {
                sentiments[i] = 0.0;
                continue;
            }
            if (i < n - 1 && lower[i].equals("kind") && lower[i + 1].equals("of")) {
                sentiments[i] = 0.0;
                continue;
            }
            sentiments[i] = sentimentValence(words, lower, i, isCapDiff);
        }
        butCheck(lower, sentiments);
        return scoreValence(sentiments, t);
    }

    /** Replaces every single-code-point emoji by its description, spaced as the original does. */
    private String replaceEmojis(String text) {
        boolean any = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            if (cp >= minEmoji && emojis.containsKey(cp)) {
                any = true;
                break;
            }
            i += Character.charCount(cp);
        }
        if (!any) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + 32);
        boolean prevSpace = true;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            String description = cp >= minEmoji ? emojis.get(cp) : null;
            if (description != null) {
                if (!prevSpace) {
                    sb.append(' ');
                }
                sb.append(description);
                prevSpace = false;
            } else {
                sb.appendCodePoint(cp);
                prevSpace = cp == ' ';
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    private double sentimentValence(String[] words, String[] lower, int i, boolean isCapDiff) {
        int n = words.length;
        Double lexValue = lexicon.get(lower[i]);
        if (lexValue == null) {
            return 0.0;
        }
        double valence = lexValue;
        // "no" as a negation of an adjacent lexicon item rather than a lexicon item itself
        if (lower[i].equals("no") && i != n - 1 && lexicon.containsKey(lower[i + 1])) {
            valence = 0.0;
        }
        if ((i > 0 && lower[i - 1].equals("no"))
                || (i > 1 && lower[i - 2].equals("no"))
                || (i > 2 && lower[i - 3].equals("no")
                        && (lower[i - 1].equals("or") || lower[i - 1].equals("nor")))) {
            valence = lexValue * N_SCALAR;
        }
        // ALL-CAPS emphasis while other words are not
        if (PyStr.isUpper(words[i]) && isCapDiff) {
            if (valence > 0) {
                valence += C_INCR;
            } else {
                valence -= C_INCR;
            }
        }
        for (int startI = 0; startI < 3; startI++) {
            int j = i - (startI + 1);
            if (i > startI && !lexicon.containsKey(lower[j])) {
                double s = scalarIncDec(words[j], lower[j], valence, isCapDiff);
                if (startI == 1 && s != 0) {
                    s = s * 0.95;
                }
                if (startI == 2 && s != 0) {
                    s = s * 0.9;
                }
                valence = valence + s;
                valence = negationCheck(valence, lower, startI, i);
                if (startI == 2) {
                    valence = specialIdiomsCheck(valence, lower, i);
                }
            }
        }
        return leastCheck(valence, lower, i);
    }

    private static double scalarIncDec(String word, String wordLower, double valence, boolean isCapDiff) {
        double scalar = 0.0;
        Double b = BOOSTER_DICT.get(wordLower);
        if (b != null) {
            scalar = b;
            if (valence < 0) {
                scalar *= -1;
            }
            if (PyStr.isUpper(word) && isCapDiff) {
                if (valence > 0) {
                    scalar += C_INCR;
                } else {
                    scalar -= C_INCR;
                }
            }
        }
        return scalar;
    }

    private static boolean negated(String wordLower) {
        return NEGATE.contains(wordLower) || wordLower.contains("n't");
    }

    private static double negationCheck(double valence, String[] lower, int startI, int i) {
        if (startI == 0) {
            if (negated(lower[i - 1])) {
                valence = valence * N_SCALAR;
            }
        }
        if (startI == 1) {
            if (lower[i - 2].equals("never") && (lower[i - 1].equals("so") || lower[i - 1].equals("this"))) {
                valence = valence * 1.25;
            } else if (lower[i - 2].equals("without") && lower[i - 1].equals("doubt")) {
                // valence unchanged
            } else if (negated(lower[i - 2])) {
                valence = valence * N_SCALAR;
            }
        }
        if (startI == 2) {
            // precedence as in the original: (never and (so or this)) or (so or this)
            if ((lower[i - 3].equals("never") && (lower[i - 2].equals("so") || lower[i - 2].equals("this")))
                    || (lower[i - 1].equals("so") || lower[i - 1].equals("this"))) {
                valence = valence * 1.25;
            } else if (lower[i - 3].equals("without")
                    && (lower[i - 2].equals("doubt") || lower[i - 1].equals("doubt"))) {
                // valence unchanged
            } else if (negated(lower[i - 3])) {
                valence = valence * N_SCALAR;
            }
        }
        return valence;
    }

    private static double specialIdiomsCheck(double valence, String[] lower, int i) {
        int n = lower.length;
        String onezero = lower[i - 1] + " " + lower[i];
        String twoonezero = lower[i - 2] + " " + lower[i - 1] + " " + lower[i];
        String twoone = lower[i - 2] + " " + lower[i - 1];
        String threetwoone = lower[i - 3] + " " + lower[i - 2] + " " + lower[i - 1];
        String threetwo = lower[i - 3] + " " + lower[i - 2];
        for (String seq : new String[] {onezero, twoonezero, twoone, threetwoone, threetwo}) {
            Double v = SPECIAL_CASES.get(seq);
            if (v != null) {
                valence = v;
                break;
            }
        }
        if (n - 1 > i) {
            Double v = SPECIAL_CASES.get(lower[i] + " " + lower[i + 1]);
            if (v != null) {
                valence = v;
            }
        }
        if (n - 1 > i + 1) {
            Double v = SPECIAL_CASES.get(lower[i] + " " + lower[i + 1] + " " + lower[i + 2]);
            if (v != null) {
                valence = v;
            }
        }
        // booster/dampener n-grams such as "sort of" or "kind of"
        for (String ngram : new String[] {threetwoone, threetwo, twoone}) {
            Double b = BOOSTER_DICT.get(ngram);
            if (b != null) {
                valence = valence + b;
            }
        }
        return valence;
    }

    private double leastCheck(double valence, String[] lower, int i) {
        if (i > 1 && !lexicon.containsKey(lower[i - 1]) && lower[i - 1].equals("least")) {
            if (!lower[i - 2].equals("at") && !lower[i - 2].equals("very")) {
                valence = valence * N_SCALAR;
            }
        } else if (i > 0 && !lexicon.containsKey(lower[i - 1]) && lower[i - 1].equals("least")) {
            valence = valence * N_SCALAR;
        }
        return valence;
    }

    /**
     * The contrastive "but" rule, replaying the original's list manipulation exactly: for each
     * position the first index holding an equal value is rescaled (0.5 before the first "but",
     * 1.5 after it), which matters when equal valences repeat.
     */
    private static void butCheck(String[] lower, double[] sentiments) {
        int bi = -1;
        for (int k = 0; k < lower.length; k++) {
            if (lower[k].equals("but")) {
                bi = k;
                break;
            }
        }
        if (bi < 0) {
            return;
        }
        for (int j = 0; j < sentiments.length; j++) {
            double sentiment = sentiments[j];
            int si = 0;
            while (sentiments[si] != sentiment) {
                si++;
            }
            if (si < bi) {
                sentiments[si] = sentiment * 0.5;
            } else if (si > bi) {
                sentiments[si] = sentiment * 1.5;
            }
        }
    }

    private static Scores scoreValence(double[] sentiments, String text) {
        if (sentiments.length == 0) {
            return new Scores(0.0, 0.0, 0.0, 0.0);
        }
        double sumS = 0.0;
        for (double s : sentiments) {
            sumS += s;
        }
        double punct = amplifyEp(text) + amplifyQm(text);
        if (sumS > 0) {
            sumS += punct;
        } else if (sumS < 0) {
            sumS -= punct;
        }
        double compound = normalize(sumS);

        double posSum = 0.0;
        double negSum = 0.0;
        int neuCount = 0;
        for (double s : sentiments) {
            if (s > 0) {
                posSum += s + 1;
            }
            if (s < 0) {
                negSum += s - 1;
            }
            if (s == 0) {
                neuCount += 1;
            }
        }
        if (posSum > Math.abs(negSum)) {
            posSum += punct;
        } else if (posSum < Math.abs(negSum)) {
            negSum -= punct;
        }
        double total = posSum + Math.abs(negSum) + neuCount;
        double pos = Math.abs(posSum / total);
        double neg = Math.abs(negSum / total);
        double neu = Math.abs(neuCount / total);
        return new Scores(PyStr.round(neg, 3), PyStr.round(neu, 3), PyStr.round(pos, 3),
                PyStr.round(compound, 4));
    }

    private static double amplifyEp(String text) {
        int count = count(text, '!');
        if (count > 4) {
            count = 4;
        }
        return count * 0.292;
    }

    private static double amplifyQm(String text) {
        int count = count(text, '?');
        if (count > 1) {
            return count <= 3 ? count * 0.18 : 0.96;
        }
        return 0;
    }

    private static int count(String text, char c) {
        int k = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                k++;
            }
        }
        return k;
    }

    /** Normalises a valence sum to [-1, 1] with alpha = 15. */
    static double normalize(double score) {
        double norm = score / Math.sqrt((score * score) + 15);
        if (norm < -1.0) {
            return -1.0;
        }
        return Math.min(norm, 1.0);
    }

    private static Map<String, Double> boosters() {
        Map<String, Double> m = new HashMap<>();
        for (String w : new String[] {
            "absolutely", "amazingly", "awfully", "completely", "considerable", "considerably",
            "decidedly", "deeply", "effing", "enormous", "enormously", "entirely", "especially",
            "exceptional", "exceptionally", "extreme", "extremely", "fabulously", "flipping",
            "flippin", "frackin", "fracking", "fricking", "frickin", "frigging", "friggin", "fully",
            "fuckin", "fucking", "fuggin", "fugging", "greatly", "hella", "highly", "hugely",
            "incredible", "incredibly", "intensely", "major", "majorly", "more", "most",
            "particularly", "purely", "quite", "really", "remarkably", "so", "substantially",
            "thoroughly", "total", "totally", "tremendous", "tremendously", "uber", "unbelievably",
            "unusually", "utter", "utterly", "very"}) {
            m.put(w, B_INCR);
        }
        for (String w : new String[] {
            "almost", "barely", "hardly", "just enough", "kind of", "kinda", "kindof", "kind-of",
            "less", "little", "marginal", "marginally", "occasional", "occasionally", "partly",
            "scarce", "scarcely", "slight", "slightly", "somewhat", "sort of", "sorta", "sortof",
            "sort-of"}) {
            m.put(w, B_DECR);
        }
        return Map.copyOf(m);
    }
}
