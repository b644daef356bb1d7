package dev.qdecode.rewards.bleu;

import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.ReferenceRewardProvider;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import java.util.List;
import java.util.Objects;

/**
 * Reward {@code bleu}: sentence BLEU of the generated text against the episode's references,
 * sacreBLEU-compatible ({@code sentence_bleu} defaults), times {@code scale}.
 */
public final class BleuProvider implements ReferenceRewardProvider {
    /** The reward id. */
    public static final String ID = "bleu";

    private static final List<String> TOKENIZERS = List.of("13a", "intl", "none", "char");
    private static final List<String> SMOOTHINGS = List.of("exp", "floor", "add-k", "none");

    /** Creates the provider (ServiceLoader). */
    public BleuProvider() {}

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "sentence BLEU vs the episode's references, sacreBLEU " + Bleu.SACREBLEU_VERSION
                + "-compatible (corpus BLEU + signature for evaluation)";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("tokenize", "13a", "tokenizer: 13a, intl, none or char"),
                new RewardParameter("lowercase", "false", "lower-case before scoring"),
                new RewardParameter("smooth", "exp", "smoothing: exp, floor, add-k or none"),
                new RewardParameter("smooth-value", "",
                        "value for floor (default 0.1) or add-k (default 1)"),
                new RewardParameter("eff", "true",
                        "effective order for per-episode scores (corpus scores never use it)"),
                new RewardParameter("max-order", "4", "highest n-gram order (1-16)"),
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
        BleuTokenizer tok = BleuTokenizer.fromName(params.getChoice("tokenize", "13a", TOKENIZERS));
        BleuSmoothing smooth =
                BleuSmoothing.fromName(params.getChoice("smooth", "exp", SMOOTHINGS));
        double value = Double.NaN;
        if (!params.getString("smooth-value", "").isBlank()) {
            value = params.getDouble("smooth-value", Double.NaN);
            if (value < 0) {
                throw params.bad("smooth-value", params.getString("smooth-value", ""),
                        "a number >= 0");
            }
            if (!smooth.takesValue()) {
                throw params.bad("smooth-value", params.getString("smooth-value", ""),
                        "no value: smooth=" + smooth.signature() + " takes none");
            }
        }
        int order = params.getInt("max-order", BleuConfig.MAX_NGRAM_ORDER);
        if (order < 1 || order > 16) {
            throw params.bad("max-order", params.getString("max-order", ""), "an integer 1-16");
        }
        double scale = params.getDouble("scale", 0.01);
        BleuConfig cfg = new BleuConfig(tok, params.getBoolean("lowercase", false), smooth, value,
                params.getBoolean("eff", true), order);
        return new MetricReward(ID, scale, new MetricReward.Metric() {
            private final Bleu sentence = new Bleu(cfg);
            private final Bleu corpus = new Bleu(cfg.withEffectiveOrder(false));

            @Override
            public double sentence(String hypothesis, List<String> references) {
                return sentence.sentenceValue(hypothesis, references);
            }

            @Override
            public CorpusScore corpus(
                    List<String> hypotheses, List<List<String>> references) {
                BleuScore s = corpus.corpusScore(hypotheses, references);
                return new CorpusScore(
                        "BLEU", s.score(), s.signature(), s.format(true));
            }
        });
    }
}
