package dev.qdecode.rewards.classifier;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.RewardSpecException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reward {@code classifier}: scores the generated text with a saved {@link TextClassifier}, either
 * the probability of a target label ({@code mode=prob}, in [0, 1]) or its logit margin over the best
 * other label ({@code mode=margin}, unbounded). Prefixes can be scored, so it supports potential-based
 * shaping. Example: {@code classifier:model=runs/sst2-clf,label=1,mode=prob}.
 */
public final class ClassifierRewardProvider implements RewardProvider {

    /** Creates the provider (called by {@link java.util.ServiceLoader}). */
    public ClassifierRewardProvider() {}

    @Override
    public String id() {
        return "classifier";
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
        return "P(target label) or its logit margin under a saved sentence-embedding text classifier";
    }

    @Override
    public List<RewardParameter> parameters() {
        return List.of(
                new RewardParameter("model", "", "directory of a saved classifier (classifier.json + head.safetensors)"),
                new RewardParameter("label", "", "target label; default: the second label (\"1\" for 0/1 labels)"),
                new RewardParameter("mode", "prob", "prob = P(label); margin = logit(label) - max other logit"),
                new RewardParameter("batch", "32", "texts per encoder forward pass (sorted by length)"));
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
        String modelValue = params.getString("model", null);
        if (modelValue == null || modelValue.isBlank()) {
            throw new RewardSpecException("reward 'classifier': parameter model is missing: expected the directory of a "
                    + "saved classifier, e.g. classifier:model=runs/sst2-clf");
        }
        Path dir = Path.of(modelValue);
        if (!java.nio.file.Files.isDirectory(dir)) { // a wrong value, not a failing reward: bad usage
            throw params.bad("model", modelValue, "the directory of a saved classifier (from qdecode classifier train; "
                    + dir.toAbsolutePath() + (java.nio.file.Files.exists(dir) ? " is a file" : " does not exist") + ")");
        }
        String mode = params.getString("mode", "prob").trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("prob") && !mode.equals("margin")) {
            throw params.bad("mode", params.getString("mode", ""), "prob or margin"); // the value as given
        }
        int batch = params.getInt("batch", SentenceEncoders.DEFAULT_BATCH_SIZE);
        if (batch < 1) {
            throw params.bad("batch", String.valueOf(batch), "a positive integer");
        }
        TextClassifier classifier;
        try {
            classifier = TextClassifier.load(dir, id -> SentenceEncoders.open(id, batch), true);
        } catch (IllegalArgumentException | dev.qdecode.models.ModelException | java.io.UncheckedIOException e) {
            // the directory is not a usable classifier (its files, or its encoder's): a bad input, as in classifier eval
            throw new RewardInputException("reward 'classifier': parameter model='" + modelValue + "': "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new RewardException("reward 'classifier': parameter model='" + modelValue + "': "
                    + e.getMessage(), e);
        }
        List<String> labels = classifier.labels();
        String label = params.getString("label", null);
        int target;
        if (label == null) {
            target = 1;
        } else {
            target = labels.indexOf(label.trim());
            if (target < 0) {
                classifier.close();
                throw params.bad("label", label, "one of the classifier's labels " + labels);
            }
        }
        return new ClassifierReward(id(), classifier, target, mode.equals("margin"));
    }

    /** The reward: one classifier score per episode text. */
    static final class ClassifierReward implements Reward {
        private final String id;
        private final TextClassifier classifier;
        private final int target;
        private final boolean margin;

        ClassifierReward(String id, TextClassifier classifier, int target, boolean margin) {
            this.id = id;
            this.classifier = classifier;
            this.target = target;
            this.margin = margin;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public double[] score(List<Episode> episodes) {
            List<String> texts = new ArrayList<>(episodes.size());
            for (Episode e : episodes) {
                texts.add(e.text());
            }
            double[][] logits = classifier.logits(texts);
            double[] out = new double[logits.length];
            for (int i = 0; i < logits.length; i++) {
                double[] l = logits[i];
                if (margin) {
                    double other = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < l.length; c++) {
                        if (c != target) {
                            other = Math.max(other, l[c]);
                        }
                    }
                    out[i] = l[target] - other;
                } else {
                    out[i] = Head.softmax(new double[][] {l})[0][target];
                }
            }
            return out;
        }

        @Override
        public boolean scoresPrefixes() {
            return true;
        }

        /**
         * The target label's index in the classifier's labels.
         *
         * @return the index
         */
        int target() {
            return target;
        }

        /** The classifier's encoder's count ({@link TextClassifier#encoderThreads()}). */
        @Override
        public String encoderThreads() {
            return classifier.encoderThreads();
        }

        @Override
        public void close() {
            classifier.close();
        }
    }
}
