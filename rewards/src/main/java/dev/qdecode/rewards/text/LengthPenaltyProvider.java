package dev.qdecode.rewards.text;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.RewardSpecException;
import java.util.List;
import java.util.Objects;

/**
 * Reward {@code length}: a penalty for responses outside a target length range. With the length
 * {@code n} (words of the text: whitespace-separated pieces holding at least one letter, number or
 * {@code _} (a Python {@code \w} character), so that the {@code ?} and {@code ’} of tokenised
 * dialogue text are not words; or
 * {@link Episode#tokenIds() token ids} with {@code unit=tokens}: the episode's actions, so an end-of-sequence
 * token that ended the text counts as one) the reward is 0 for {@code min <= n <= max} and otherwise
 * {@code max(cap, -per * d)}, where {@code d} is the distance to the range ({@code min - n} or
 * {@code n - max}). So with the defaults it lies in [-1, 0].
 *
 * <p><b>Prefixes are not scored</b> ({@link Reward#scoresPrefixes()} is false). The penalty judges
 * a <em>finished</em> response, and an {@link Episode} does not say whether its text is finished:
 * scored as a potential, every prefix shorter than {@code min} would count as a too-short answer
 * (the empty prefix included, so Φ(empty) = max(cap, -per * min) ≠ 0 and the shaped return
 * Φ(final) − Φ(empty) would no longer be the terminal reward), and the per-token signal would pay
 * for lengthening a text that was never going to end there. The penalty is therefore given once,
 * on the finished episode. Note that a {@code CompositeReward} scores prefixes only when every part
 * does, so adding {@code length} to a composite makes the whole composite terminal-only.
 */
public final class LengthPenaltyProvider implements RewardProvider {
    /** The reward id. */
    public static final String ID = "length";

    private static final List<String> UNITS = List.of("words", "tokens");

    /** Creates the provider (ServiceLoader). */
    public LengthPenaltyProvider() {}

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

    /** With {@code unit=tokens}: a bare text (as {@code rewards score} has) has no token ids to count.
     *
     * @throws NullPointerException naming {@code params} when it is null
     */
    @Override
    public boolean requiresTokenIds(RewardParams params) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(params, "params");
        return "tokens".equalsIgnoreCase(params.getString("unit", "words").trim());
    }

    @Override
    public String description() {
        return "penalty per word/token outside [min,max] (0 inside), down to cap;"
                + " terminal only (no prefix scores)";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("min", "0", "shortest length without penalty (>= 0)"),
                new RewardParameter("max", "", "longest length without penalty (empty: no limit)"),
                new RewardParameter("unit", "words",
                        "words (whitespace-separated, with a letter, number or _) or tokens (token ids, a final EOS included)"),
                new RewardParameter("per", "0.1", "penalty per unit outside the range (> 0)"),
                new RewardParameter("cap", "-1", "the most negative reward (< 0)"));
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
        int min = params.getInt("min", 0);
        if (min < 0) {
            throw params.bad("min", params.getString("min", ""), "an integer >= 0");
        }
        int max = Integer.MAX_VALUE;
        String maxText = params.getString("max", "");
        if (!maxText.isBlank()) {
            max = params.getInt("max", Integer.MAX_VALUE);
            if (max < min) {
                throw params.bad("max", maxText, "an integer >= min (" + min + ")");
            }
        }
        if (min == 0 && max == Integer.MAX_VALUE) {
            throw new RewardSpecException("reward '" + ID + "': give min and/or max"
                    + " (e.g. length:min=3,max=20); without them the penalty is always 0");
        }
        boolean tokens = params.getChoice("unit", "words", UNITS).equals("tokens");
        double per = params.getDouble("per", 0.1);
        // per = 0 or cap = 0 would make the penalty always 0, as a range without bounds would
        if (!(per > 0)) {
            throw params.bad("per", params.getString("per", ""), "a number > 0 (0 would make the penalty always 0)");
        }
        double cap = params.getDouble("cap", -1.0);
        if (!(cap < 0)) {
            throw params.bad("cap", params.getString("cap", ""), "a number < 0 (0 would make the penalty always 0)");
        }
        return new LengthReward(min, max, tokens, per, cap);
    }

    /** The reward; immutable and thread-safe. */
    private static final class LengthReward extends PerEpisodeReward {
        private final int min;
        private final int max;
        private final boolean tokens;
        private final double per;
        private final double cap;

        LengthReward(int min, int max, boolean tokens, double per, double cap) {
            super(ID);
            this.min = min;
            this.max = max;
            this.tokens = tokens;
            this.per = per;
            this.cap = cap;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            int n;
            if (tokens) {
                n = e.tokenIds().length;
                if (n == 0 && !e.text().isEmpty()) {
                    throw RewardException.onEpisode(ID, index, "unit=tokens but the episode has"
                            + " text and no token ids", null);
                }
            } else {
                n = Words.countWords(e.text());
            }
            long distance = n < min ? (long) min - n : n > max ? (long) n - max : 0L;
            return distance == 0 ? 0.0 : Math.max(cap, -per * distance);
        }

        /** False: the penalty judges finished responses only (see the provider's comment). */
        @Override
        public boolean scoresPrefixes() {
            return false;
        }

        @Override
        public String toString() {
            return ID + "[min=" + min + ",max=" + (max == Integer.MAX_VALUE ? "" : max)
                    + ",unit=" + (tokens ? "tokens" : "words") + ",per=" + per + ",cap=" + cap
                    + "]";
        }
    }
}
