package dev.qdecode.rewards.classifier;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Classification metrics of a labelled set.
 *
 * @param labels the label names, in the classifier's order (rows/columns of {@code confusion})
 * @param count the number of examples
 * @param accuracy the share of correct predictions
 * @param macroF1 the unweighted mean of the per-label F1 scores, over the labels that occur as gold or
 *     predicted labels (as scikit-learn averages): a label absent from both does not count as F1 0
 * @param perLabel precision, recall, F1 and support of each label, in {@code labels} order
 * @param confusion counts: row = gold label, column = predicted label
 */
public record Evaluation(
        List<String> labels, int count, double accuracy, double macroF1, List<LabelMetrics> perLabel, int[][] confusion) {

    /**
     * Metrics of one label (0 where undefined, e.g. precision of a label never predicted).
     *
     * @param label the label
     * @param precision correct predictions of the label / predictions of the label
     * @param recall correct predictions of the label / gold examples of the label
     * @param f1 the harmonic mean of precision and recall
     * @param support gold examples of the label
     */
    public record LabelMetrics(String label, double precision, double recall, double f1, int support) {

        /**
         * Checks that {@code label} is given.
         *
         * @param label see the record description
         * @param precision see the record description
         * @param recall see the record description
         * @param f1 see the record description
         * @param support see the record description
         * @throws NullPointerException naming {@code label} when it is null
         */
        public LabelMetrics {
            Objects.requireNonNull(label, "label");
        }
    }

    /**
     * Copies the collections.
     *
     * @param labels the label names, copied; not null
     * @param count the number of examples
     * @param accuracy the share of correct predictions, in [0, 1]
     * @param macroF1 the macro-averaged F1, in [0, 1]
     * @param perLabel the metrics of each label, copied; not null
     * @param confusion the confusion counts (row = gold, column = predicted), deep-copied; not null
     * @throws NullPointerException naming {@code labels}, {@code perLabel} or {@code confusion} when it
     *     is null (or without a name when one of their elements or a confusion row is null)
     */
    public Evaluation {
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(perLabel, "perLabel");
        Objects.requireNonNull(confusion, "confusion");
        labels = List.copyOf(labels);
        perLabel = List.copyOf(perLabel);
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        confusion = copy;
    }

    /**
     * Computes the metrics.
     *
     * @param labels the label names
     * @param gold gold label indices
     * @param predicted predicted label indices
     * @return the metrics
     */
    static Evaluation of(List<String> labels, int[] gold, int[] predicted) {
        int k = labels.size();
        int[][] confusion = new int[k][k];
        int correct = 0;
        for (int i = 0; i < gold.length; i++) {
            confusion[gold[i]][predicted[i]]++;
            if (gold[i] == predicted[i]) {
                correct++;
            }
        }
        List<LabelMetrics> per = new ArrayList<>();
        double f1Sum = 0;
        int present = 0; // labels that are gold or predicted at least once (scikit-learn's macro average)
        for (int c = 0; c < k; c++) {
            int tp = confusion[c][c];
            int goldC = 0;
            int predC = 0;
            for (int j = 0; j < k; j++) {
                goldC += confusion[c][j];
                predC += confusion[j][c];
            }
            double p = predC == 0 ? 0 : (double) tp / predC;
            double r = goldC == 0 ? 0 : (double) tp / goldC;
            double f1 = p + r == 0 ? 0 : 2 * p * r / (p + r);
            if (goldC + predC > 0) {
                f1Sum += f1;
                present++;
            }
            per.add(new LabelMetrics(labels.get(c), p, r, f1, goldC));
        }
        double acc = gold.length == 0 ? 0 : (double) correct / gold.length;
        return new Evaluation(labels, gold.length, acc, present == 0 ? 0 : f1Sum / present, per, confusion);
    }

    /**
     * The confusion matrix (a copy).
     *
     * @return counts, row = gold, column = predicted
     */
    @Override
    public int[][] confusion() {
        int[][] copy = new int[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    /**
     * A one-line summary, e.g. {@code n=872 acc=0.8165 macroF1=0.8160}.
     *
     * @return the summary
     */
    public String summary() {
        return String.format(Locale.ROOT, "n=%d acc=%.4f macroF1=%.4f", count, accuracy, macroF1);
    }
}
