package dev.qdecode.rewards.text;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.pystr.PyStr;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Reward {@code repetition}: {@code -weight} times the fraction of the text's word n-grams that
 * repeat an earlier n-gram of the same text. With {@code m} n-grams of which {@code u} are
 * distinct, the fraction is {@code (m - u) / m}; it is 0 for a text of fewer than {@code n} words,
 * so the reward lies in [-weight, 0] (for weight >= 0).
 *
 * <p>Words: the text is lower-cased and split on whitespace, and ASCII punctuation is stripped
 * from both ends of each word (so {@code "it,"} and {@code "It."} are the same word); a word of
 * punctuation alone is kept as it is, so that {@code "! ! ! !"} counts as repetition.
 *
 * <p>Prefixes are scored (the fraction within the text so far; 0 for the empty prefix), so the
 * reward supports potential-based shaping.
 */
public final class RepetitionPenaltyProvider implements RewardProvider {
    /** The reward id. */
    public static final String ID = "repetition";

    /** Creates the provider (ServiceLoader). */
    public RepetitionPenaltyProvider() {}

    @Override
    public String id() {
        return ID;
    }

    /** Reads only the generated text, never references. */
    @Override
    public boolean readsReferences() {
        return false;
    }

    /** Never reads gold labels. */
    @Override
    public boolean readsLabels() {
        return false;
    }

    @Override
    public String description() {
        return "-weight x fraction of repeated word n-grams within the text (0 below n words)";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("n", "3", "n-gram order in words (1-16)"),
                new RewardParameter("weight", "1", "multiplier of the repeated fraction"));
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code params} or {@code context} when it is null
     */
    @Override
    public Reward create(RewardParams params, RewardContext context) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(params, "params");
        int n = params.getInt("n", 3);
        if (n < 1 || n > 16) {
            throw params.bad("n", params.getString("n", ""), "an integer 1-16");
        }
        return new RepetitionReward(n, params.getDouble("weight", 1.0));
    }

    /**
     * The words the penalty counts (lower-cased, punctuation stripped from both ends unless the
     * word is punctuation alone).
     *
     * @param text the text
     * @return the words, in order
     */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String w : PyStr.split(PyStr.lower(text))) {
            String s = PyStr.stripPunctuation(w);
            out.add(s.isEmpty() ? w : s);
        }
        return out;
    }

    /**
     * The fraction of repeated word n-grams.
     *
     * @param text the text
     * @param n the order
     * @return {@code (m - distinct) / m}, or 0 when the text has fewer than {@code n} words
     */
    static double repeatedFraction(String text, int n) {
        List<String> w = words(text);
        int m = w.size() - n + 1;
        if (m <= 0) {
            return 0.0;
        }
        Set<List<String>> seen = new HashSet<>();
        int repeated = 0;
        for (int i = 0; i < m; i++) {
            if (!seen.add(w.subList(i, i + n))) {
                repeated++;
            }
        }
        return (double) repeated / m;
    }

    /** The reward; immutable and thread-safe. */
    private static final class RepetitionReward extends PerEpisodeReward {
        private final int n;
        private final double weight;

        RepetitionReward(int n, double weight) {
            super(ID);
            this.n = n;
            this.weight = weight;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            double f = repeatedFraction(e.text(), n);
            return f == 0.0 ? 0.0 : -weight * f;
        }

        /** The fraction of a prefix is well defined (0 when empty), so shaping telescopes to it. */
        @Override
        public boolean scoresPrefixes() {
            return true;
        }

        @Override
        public String toString() {
            return ID + "[n=" + n + ",weight=" + weight + "]";
        }
    }
}
