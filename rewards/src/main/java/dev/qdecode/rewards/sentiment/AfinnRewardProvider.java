package dev.qdecode.rewards.sentiment;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.PerEpisodeReward;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Provider of the {@code afinn} reward: the AFINN-165 score ({@link Afinn}) of the generated text.
 * Parameters: {@code lexicon} (word list; default {@code <shared>/data/lexicons/afinn-165.tsv}),
 * {@code normalise} ({@code false}: sum of word scores; {@code true}: that sum per word) and
 * {@code target} ({@code positive} gives the score as is, {@code negative} its negation). Prefixes
 * can be scored, so the reward supports potential-based shaping.
 */
public final class AfinnRewardProvider implements RewardProvider {
    /** The reward id. */
    public static final String ID = "afinn";

    private static final List<RewardParameter> PARAMETERS = List.of(
            new RewardParameter("lexicon", "<shared>/data/lexicons/" + Afinn.DEFAULT_FILE,
                    "AFINN word list (word<TAB>score, scores -5..5)"),
            new RewardParameter("normalise", "false",
                    "false: sum of word scores; true: the sum divided by the number of words"),
            new RewardParameter("target", "positive",
                    "positive: reward = score; negative: reward = -score"));

    /** Creates the provider (used by {@link java.util.ServiceLoader}). */
    public AfinnRewardProvider() {}

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
        return "AFINN-165 word-list sentiment of the generated text (sum or per-word mean)";
    }

    @Override
    public List<RewardParameter> parameters() {
        return PARAMETERS;
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code params} or {@code context} when it is null
     */
    @Override
    public Reward create(RewardParams params, RewardContext context) {
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(context, "context");
        Target target = Target.from(params);
        boolean normalise = params.getBoolean("normalise", false);
        Path file = LexiconFile.lexiconParameter(params,
                context.sharedDir().resolve("data").resolve("lexicons").resolve(Afinn.DEFAULT_FILE),
                "an AFINN word list file (word<TAB>score)");
        return new AfinnReward(LexiconFile.load(params, file, Afinn::load), normalise, target);
    }

    /** The reward: one AFINN score per episode text. */
    private static final class AfinnReward extends PerEpisodeReward {
        private final Afinn afinn;
        private final boolean normalise;
        private final Target target;

        AfinnReward(Afinn afinn, boolean normalise, Target target) {
            super(ID);
            this.afinn = afinn;
            this.normalise = normalise;
            this.target = target;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            String text = e.text();
            return target.apply(normalise ? afinn.meanScore(text) : afinn.score(text));
        }

        @Override
        public boolean scoresPrefixes() {
            return true;
        }
    }
}
