package dev.qdecode.rewards.bleu;

import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.ReferenceRewardProvider;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardSpecException;
import java.util.List;
import java.util.Objects;

/**
 * Reward {@code chrf}: sentence chrF (or chrF++ with {@code word-order=2}) of the generated text
 * against the episode's references, sacreBLEU-compatible, times {@code scale}.
 */
public final class ChrfProvider implements ReferenceRewardProvider {
    /** The reward id. */
    public static final String ID = "chrf";

    /** Creates the provider (ServiceLoader). */
    public ChrfProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "sentence chrF/chrF++ vs the episode's references, sacreBLEU "
                + Bleu.SACREBLEU_VERSION + "-compatible (corpus chrF + signature for evaluation)";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("char-order", "6", "character n-gram order"),
                new RewardParameter("word-order", "0", "word n-gram order (2 = chrF++)"),
                new RewardParameter("beta", "2", "recall weight (integer)"),
                new RewardParameter("lowercase", "false", "lower-case before scoring"),
                new RewardParameter("whitespace", "false", "keep whitespace in character n-grams"),
                new RewardParameter("eps-smoothing", "false",
                        "chrF++.py/NLTK epsilon smoothing instead of effective order"),
                new RewardParameter("scale", "0.01",
                        "multiplier of the 0-100 score (0.01 gives rewards in [0,1])"));
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
        ChrfConfig cfg;
        int charOrder = params.getInt("char-order", 6);
        int wordOrder = params.getInt("word-order", 0);
        int beta = params.getInt("beta", 2);
        try {
            cfg = new ChrfConfig(charOrder, wordOrder, beta, params.getBoolean("lowercase", false),
                    params.getBoolean("whitespace", false),
                    params.getBoolean("eps-smoothing", false));
        } catch (IllegalArgumentException e) {
            throw new RewardSpecException("reward '" + ID + "': " + e.getMessage());
        }
        Chrf chrf = new Chrf(cfg);
        return new MetricReward(ID, params.getDouble("scale", 0.01), new MetricReward.Metric() {
            @Override
            public double sentence(String hypothesis, List<String> references) {
                return chrf.sentenceValue(hypothesis, references);
            }

            @Override
            public CorpusScore corpus(List<String> hypotheses, List<List<String>> references) {
                ChrfScore s = chrf.corpusScore(hypotheses, references);
                return new CorpusScore(s.name(), s.score(), s.signature(), s.format(true));
            }
        });
    }
}
