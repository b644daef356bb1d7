package dev.qdecode.rewards.classifier;

import java.util.Locale;
import java.util.Objects;

/**
 * How a classifier head is trained on frozen sentence embeddings. All validation lives in the
 * canonical constructor; the {@code with*} methods return validated copies.
 *
 * <p>Training minimises the mean softmax cross-entropy plus {@code l2/2 * sum(w^2)} over the weight
 * matrices (biases are not penalised; for the MLP this is classic weight decay) with Adam, on inputs
 * standardised with the training mean and standard deviation. The first layer's penalty is taken on
 * the weights as they act on the raw embedding ({@code w / std}), so {@code l2} means what it means
 * for a model on raw embeddings: {@code l2 = 1 / (C * n)} reproduces scikit-learn's
 * LogisticRegression(C) on n examples (1.5e-5 is C = 1 on SST-2's 67k phrases). A {@code validationFraction} of the
 * training data's full sentences is held out (see {@link TextClassifier}); training stops after
 * {@code patience} epochs without a lower validation loss and keeps the best epoch's weights. The
 * learning rate follows a cosine decay from {@code learningRate} to 0 over {@code maxEpochs}: with a
 * constant rate Adam keeps circling the optimum and dev accuracy varies by about 0.01 between
 * epochs. With {@code refit} the head is then retrained on all examples for the best epoch count:
 * on SST-2 the held-out 10% of full sentences are worth about 0.01 dev accuracy.
 *
 * @param head the head architecture
 * @param l2 the L2 penalty on weights (&gt;= 0)
 * @param learningRate Adam's step size (&gt; 0)
 * @param maxEpochs the most passes over the training data (&gt;= 1)
 * @param batchSize examples per Adam step (&gt;= 1)
 * @param hidden hidden units of the MLP (&gt;= 1; ignored by the logistic head)
 * @param dropout dropout on the MLP's hidden layer, in [0, 1) (must be 0 for the logistic head)
 * @param patience epochs without validation improvement before stopping (&gt;= 1)
 * @param validationFraction share of the full sentences held out for early stopping, in [0, 0.5];
 *     0 trains for exactly {@code maxEpochs} with no validation
 * @param refit after early stopping, train again from scratch on all examples (held-out sentences
 *     included) for the best epoch count; the recorded validation metrics stay those of the
 *     held-out run
 * @param seed seeds the split, the initialisation, the batch order and dropout
 */
public record ClassifierConfig(
        HeadType head,
        double l2,
        double learningRate,
        int maxEpochs,
        int batchSize,
        int hidden,
        double dropout,
        int patience,
        double validationFraction,
        boolean refit,
        long seed) {

    /** The head architecture. */
    public enum HeadType {
        /** Multinomial logistic regression: softmax(W x + b). */
        LOGISTIC,
        /** One hidden ReLU layer with dropout: softmax(W2 dropout(relu(W1 x + b1)) + b2). */
        MLP;

        /**
         * Parses a head name ({@code logistic} or {@code mlp}, any case).
         *
         * @param name the name
         * @return the head type
         * @throws IllegalArgumentException for any other name
         * @throws NullPointerException naming {@code name} when it is null
         */
        public static HeadType parse(String name) {
            Objects.requireNonNull(name, "name");
            String n = name.trim().toUpperCase(Locale.ROOT);
            if (n.equals("LOGREG") || n.equals("LINEAR")) {
                return LOGISTIC;
            }
            try {
                return valueOf(n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("head '" + name + "': expected logistic or mlp");
            }
        }
    }

    /**
     * Validates every field; messages name the field and the allowed range.
     *
     * @param head the head architecture; not null
     * @param l2 the L2 penalty on weights, finite and {@code >= 0}
     * @param learningRate Adam's step size, finite and {@code > 0}
     * @param maxEpochs the most passes over the training data, {@code >= 1}
     * @param batchSize examples per Adam step, {@code >= 1}
     * @param hidden hidden units of the MLP, {@code >= 1}
     * @param dropout dropout on the MLP's hidden layer, in [0, 1); 0 for the logistic head
     * @param patience epochs without validation improvement before stopping, {@code >= 1}
     * @param validationFraction share of the full sentences held out, in [0, 0.5]
     * @param refit retrain on all examples for the best epoch count after early stopping
     * @param seed seeds the split, the initialisation, the batch order and dropout
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException naming {@code head} when it is null
     */
    public ClassifierConfig {
        Objects.requireNonNull(head, "head");
        check(Double.isFinite(l2) && l2 >= 0, "l2", l2, ">= 0");
        check(Double.isFinite(learningRate) && learningRate > 0, "learningRate", learningRate, "> 0");
        check(maxEpochs >= 1, "maxEpochs", maxEpochs, ">= 1");
        check(batchSize >= 1, "batchSize", batchSize, ">= 1");
        check(hidden >= 1, "hidden", hidden, ">= 1");
        check(Double.isFinite(dropout) && dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
        check(head == HeadType.MLP || dropout == 0, "dropout", dropout, "0 for the logistic head");
        check(patience >= 1, "patience", patience, ">= 1");
        check(Double.isFinite(validationFraction) && validationFraction >= 0 && validationFraction <= 0.5,
                "validationFraction", validationFraction, "in [0, 0.5]");
    }

    private static void check(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(
                    "classifier config: " + field + "=" + value + ": expected " + expected);
        }
    }

    /**
     * The logistic head with the settings used for SST-2: l2 1.5e-5, Adam lr 1e-2 with cosine decay
     * over 30 epochs, batch 1024, patience 10, 10% validation, refit, seed 42.
     *
     * @return the config
     */
    public static ClassifierConfig logistic() {
        return new ClassifierConfig(HeadType.LOGISTIC, 1.5e-5, 1e-2, 30, 1024, 1, 0.0, 10, 0.1, true, 42L);
    }

    /**
     * An MLP head: 256 hidden units, dropout 0.5, l2 1e-4, Adam lr 1e-3 with cosine decay over 30
     * epochs, batch 256, patience 10, 10% validation, refit, seed 42.
     *
     * @return the config
     */
    public static ClassifierConfig mlp() {
        return new ClassifierConfig(HeadType.MLP, 1e-4, 1e-3, 30, 256, 256, 0.5, 10, 0.1, true, 42L);
    }

    /**
     * A copy with another L2 penalty.
     *
     * @param value the penalty
     * @return the copy
     */
    public ClassifierConfig withL2(double value) {
        return new ClassifierConfig(head, value, learningRate, maxEpochs, batchSize, hidden, dropout, patience,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another learning rate.
     *
     * @param value the learning rate
     * @return the copy
     */
    public ClassifierConfig withLearningRate(double value) {
        return new ClassifierConfig(head, l2, value, maxEpochs, batchSize, hidden, dropout, patience,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another epoch limit.
     *
     * @param value the most epochs
     * @return the copy
     */
    public ClassifierConfig withMaxEpochs(int value) {
        return new ClassifierConfig(head, l2, learningRate, value, batchSize, hidden, dropout, patience,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another batch size.
     *
     * @param value the batch size
     * @return the copy
     */
    public ClassifierConfig withBatchSize(int value) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, value, hidden, dropout, patience,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another hidden size and dropout (MLP).
     *
     * @param hiddenUnits the hidden units
     * @param dropoutRate the dropout rate
     * @return the copy
     */
    public ClassifierConfig withHidden(int hiddenUnits, double dropoutRate) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, batchSize, hiddenUnits, dropoutRate, patience,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another patience.
     *
     * @param value the patience in epochs
     * @return the copy
     */
    public ClassifierConfig withPatience(int value) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, batchSize, hidden, dropout, value,
                validationFraction, refit, seed);
    }

    /**
     * A copy with another validation fraction.
     *
     * @param value the fraction of full sentences held out
     * @return the copy
     */
    public ClassifierConfig withValidationFraction(double value) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, batchSize, hidden, dropout, patience,
                value, refit, seed);
    }

    /**
     * A copy with refitting on all data switched on or off.
     *
     * @param value whether to refit
     * @return the copy
     */
    public ClassifierConfig withRefit(boolean value) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, batchSize, hidden, dropout, patience,
                validationFraction, value, seed);
    }

    /**
     * A copy with another seed.
     *
     * @param value the seed
     * @return the copy
     */
    public ClassifierConfig withSeed(long value) {
        return new ClassifierConfig(head, l2, learningRate, maxEpochs, batchSize, hidden, dropout, patience,
                validationFraction, refit, value);
    }
}
