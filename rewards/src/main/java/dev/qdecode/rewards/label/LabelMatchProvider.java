package dev.qdecode.rewards.label;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.pystr.PyStr;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Reward {@code label-match}: the generated text (trimmed) is compared with the episode's gold
 * label. Equal gives {@code right} (1); another allowed label gives {@code wrong} (0); a text that
 * is not one of the allowed {@code labels=a|b|c} gives {@code invalid} (-1). Without
 * {@code labels}, every text counts as a valid label (so only right/wrong occur).
 */
public final class LabelMatchProvider implements RewardProvider {
    /** The reward id. */
    public static final String ID = "label-match";

    /** Creates the provider (ServiceLoader). */
    public LabelMatchProvider() {}

    @Override
    public String id() {
        return ID;
    }

    /** Reads only the generated text and the gold label, never references. */
    @Override
    public boolean readsReferences() {
        return false;
    }

    /** Scores against the gold label: an episode without one cannot be scored. */
    @Override
    public boolean requiresLabels() {
        return true;
    }

    @Override
    public String description() {
        return "generated label (trimmed) vs the episode's gold label: right / wrong / invalid";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("labels", "", "allowed labels separated by | (empty: any)"),
                new RewardParameter("ignore-case", "false", "compare labels case-insensitively"),
                new RewardParameter("right", "1", "reward when the label equals the gold label"),
                new RewardParameter("wrong", "0", "reward for another allowed label"),
                new RewardParameter("invalid", "-1", "reward for a text not in labels"));
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
        boolean ignoreCase = params.getBoolean("ignore-case", false);
        String spec = params.getString("labels", "");
        Set<String> allowed = new LinkedHashSet<>();
        if (!spec.isBlank()) {
            for (String label : spec.split("\\|", -1)) {
                String l = PyStr.strip(label);
                if (l.isEmpty()) {
                    throw params.bad("labels", spec, "non-empty labels separated by |");
                }
                if (!allowed.add(ignoreCase ? l.toLowerCase(Locale.ROOT) : l)) {
                    throw params.bad("labels", spec, "distinct labels (" + l + " repeats)");
                }
            }
        }
        return new LabelMatchReward(allowed, ignoreCase, params.getDouble("right", 1.0),
                params.getDouble("wrong", 0.0), params.getDouble("invalid", -1.0));
    }

    /** The reward; immutable. */
    private static final class LabelMatchReward extends PerEpisodeReward {
        private final Set<String> allowed;
        private final boolean ignoreCase;
        private final double right;
        private final double wrong;
        private final double invalid;

        LabelMatchReward(Set<String> allowed, boolean ignoreCase, double right, double wrong,
                double invalid) {
            super(ID);
            this.allowed = Collections.unmodifiableSet(new LinkedHashSet<>(allowed));
            this.ignoreCase = ignoreCase;
            this.right = right;
            this.wrong = wrong;
            this.invalid = invalid;
        }

        private String norm(String s) {
            String t = PyStr.strip(s); // Python's whitespace, as the data files' blank check: a no-break space too
            return ignoreCase ? t.toLowerCase(Locale.ROOT) : t;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            if (e.label() == null) {
                throw RewardException.onEpisode(ID, index, "the episode has no gold label", null);
            }
            String gold = norm(e.label());
            if (!allowed.isEmpty() && !allowed.contains(gold)) {
                throw RewardException.onEpisode(ID, index, "gold label '" + e.label()
                        + "' is not one of the allowed labels " + String.join("|", allowed),
                        null);
            }
            String generated = norm(e.text());
            if (generated.equals(gold)) {
                return right;
            } else if (allowed.isEmpty() || allowed.contains(generated)) {
                return wrong;
            }
            return invalid;
        }
    }
}
