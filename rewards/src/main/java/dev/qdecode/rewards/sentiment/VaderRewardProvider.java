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
import java.util.function.ToDoubleFunction;

/**
 * Provider of the {@code vader} reward: the VADER sentiment ({@link Vader}) of the generated text.
 * Parameters: {@code lexicon} (directory with {@value Vader#LEXICON_FILE} and
 * {@value Vader#EMOJI_FILE}; default {@code <shared>/data/lexicons}), {@code field}
 * ({@code compound}, {@code pos}, {@code neg} or {@code neu}; default {@code compound}) and
 * {@code target} ({@code positive} gives the field as is, {@code negative} its negation). Prefixes
 * can be scored, so the reward supports potential-based shaping.
 */
public final class VaderRewardProvider implements RewardProvider {
    /** The reward id. */
    public static final String ID = "vader";

    private static final List<RewardParameter> PARAMETERS = List.of(
            new RewardParameter("lexicon", "<shared>/data/lexicons",
                    "directory holding vader_lexicon.txt and emoji_utf8_lexicon.txt"),
            new RewardParameter("field", "compound", "score used: compound, pos, neg or neu"),
            new RewardParameter("target", "positive",
                    "positive: reward = field; negative: reward = -field"));

    /** Creates the provider (used by {@link java.util.ServiceLoader}). */
    public VaderRewardProvider() {}

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
        return "VADER sentiment of the generated text (faithful port of vaderSentiment 3.3.2)";
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
        String fieldName = params.getChoice("field", "compound", List.of("compound", "pos", "neg", "neu"));
        ToDoubleFunction<Vader.Scores> field = switch (fieldName) {
            case "pos" -> Vader.Scores::pos;
            case "neg" -> Vader.Scores::neg;
            case "neu" -> Vader.Scores::neu;
            default -> Vader.Scores::compound;
        };
        Path dir = LexiconFile.lexiconParameter(params, context.sharedDir().resolve("data").resolve("lexicons"),
                "a directory holding " + Vader.LEXICON_FILE + " and " + Vader.EMOJI_FILE,
                Vader.LEXICON_FILE, Vader.EMOJI_FILE);
        return new VaderReward(LexiconFile.load(params, dir, Vader::load), field, target);
    }

    /** The reward: one VADER score per episode text. */
    private static final class VaderReward extends PerEpisodeReward {
        private final Vader vader;
        private final ToDoubleFunction<Vader.Scores> field;
        private final Target target;

        VaderReward(Vader vader, ToDoubleFunction<Vader.Scores> field, Target target) {
            super(ID);
            this.vader = vader;
            this.field = field;
            this.target = target;
        }

        @Override
        protected double scoreEpisode(int index, Episode e) {
            return target.apply(field.applyAsDouble(vader.polarityScores(e.text())));
        }

        @Override
        public boolean scoresPrefixes() {
            return true;
        }
    }
}
