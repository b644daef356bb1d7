package dev.qdecode.rewards.text;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.ReferenceRewardProvider;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.pystr.PyStr;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reward {@code token-f1}: the SQuAD v1.1 token F1 of the generated text against the episode's
 * references, the maximum over the references ({@code metric_max_over_ground_truths(f1_score, ...)}
 * of the official evaluation script), in [0, 1].
 *
 * <p>With {@code normalize=squad} (default) both texts go through the script's
 * {@code normalize_answer} (lower-case, delete ASCII punctuation, drop the articles a/an/the,
 * collapse whitespace) before splitting on whitespace; with {@code normalize=none} the texts are
 * only split on whitespace (case-sensitive). F1 is {@code 2PR/(P+R)} over the multiset of common
 * tokens, computed with the script's floating-point operations; it is 0 when no token is common,
 * which includes an empty (after normalisation) text or reference, as in v1.1.
 *
 * <p>Prefixes are scored (the F1 of the text so far; 0 for the empty prefix), so the reward
 * supports potential-based shaping. An episode without references is an error naming it.
 */
public final class TokenF1Provider implements ReferenceRewardProvider {
    /** The reward id. */
    public static final String ID = "token-f1";

    private static final List<String> NORMALIZATIONS = List.of("squad", "none");

    /** Creates the provider (ServiceLoader). */
    public TokenF1Provider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "SQuAD v1.1 token F1 vs the episode's references (max over references), in [0,1]";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(new RewardParameter("normalize", "squad",
                "squad (lower-case, no punctuation or articles a/an/the) or none (split only)"));
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
        boolean squad = params.getChoice("normalize", "squad", NORMALIZATIONS).equals("squad");
        return new TokenF1Reward(squad);
    }

    /**
     * The SQuAD v1.1 {@code f1_score} of a prediction against one ground truth.
     *
     * @param prediction the predicted (generated) text
     * @param groundTruth the reference
     * @param squadNormalize whether to apply {@code normalize_answer} first
     * @return the F1 in [0, 1]
     */
    static double f1(String prediction, String groundTruth, boolean squadNormalize) {
        return f1(tokens(prediction, squadNormalize), tokens(groundTruth, squadNormalize));
    }

    private static List<String> tokens(String s, boolean squadNormalize) {
        return squadNormalize ? Words.squadTokens(s) : PyStr.split(s);
    }

    private static double f1(List<String> pred, List<String> truth) {
        if (pred.isEmpty() || truth.isEmpty()) {
            return 0.0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String t : truth) {
            counts.merge(t, 1, Integer::sum);
        }
        int same = 0;
        for (String t : pred) {
            Integer c = counts.get(t);
            if (c != null && c > 0) {
                same++;
                counts.put(t, c - 1);
            }
        }
        if (same == 0) {
            return 0.0;
        }
        double precision = 1.0 * same / pred.size();
        double recall = 1.0 * same / truth.size();
        return (2 * precision * recall) / (precision + recall);
    }

    /** The reward; immutable and thread-safe. */
    private static final class TokenF1Reward extends PerEpisodeReward {
        private final boolean squad;

        TokenF1Reward(boolean squad) {
            super(ID);
            this.squad = squad;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            List<String> refs = references(index, e);
            List<String> pred = tokens(e.text(), squad);
            double best = 0.0;
            for (String ref : refs) {
                best = Math.max(best, f1(pred, tokens(ref, squad)));
            }
            return best;
        }

        /** F1 of a prefix is well defined (0 for the empty prefix), so shaping telescopes to it. */
        @Override
        public boolean scoresPrefixes() {
            return true;
        }

        @Override
        public String toString() {
            return ID + "[normalize=" + (squad ? "squad" : "none") + "]";
        }
    }
}
