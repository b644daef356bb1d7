package dev.qdecode.pipeline.dqn;

import java.util.List;
import java.util.Map;

/**
 * Watches a run for the two known failure modes of vocabulary Q-learning and says so clearly:
 * value divergence (|Q| far outside the achievable return range, or growing fast) and collapse
 * into repeated tokens (the fraction of rollout episodes with one token repeated ≥ 4 times in a
 * row). Each check returns a one-line warning, or null when all is well. Its history of mean |Q| is
 * saved in the train checkpoint ({@link #save}, {@link #load}), so a resumed run warns as an
 * uninterrupted one would.
 */
final class DivergenceMonitor {
    /** A run of this many identical consecutive tokens counts as a repeat. */
    static final int REPEAT_RUN = 4;
    /** Warn when more than this fraction of episodes repeat. */
    static final double REPEAT_LIMIT = 0.2;
    /** Warn when mean |Q| exceeds this multiple of the largest achievable |return|. */
    static final double Q_BOUND_FACTOR = 2.0;
    /** Warn when mean |Q| grows by more than this factor between two checks {@link #WINDOW} apart. */
    static final double Q_GROWTH_FACTOR = 4.0;
    static final int WINDOW = 8;
    /** Checkpoint counter: the number of {@link #checkQ} calls that recorded a mean |Q|. */
    static final String CHECKS_KEY = "divergence_checks";
    /** Checkpoint values prefix: slot {@code i} of the mean |Q| history is {@code PREFIX + i}. */
    static final String HISTORY_PREFIX = "divergence_q_abs_";

    private double returnBound;
    private final double[] history = new double[WINDOW];
    private int checks;

    /**
     * Creates a monitor.
     *
     * @param returnBound the largest achievable |return| (≤ 0 or NaN = unknown)
     */
    DivergenceMonitor(double returnBound) {
        this.returnBound = returnBound > 0 ? returnBound : Double.NaN;
    }

    /**
     * Raises the largest achievable |return| to a widened return range's.
     *
     * @param range {min, max}; a smaller bound is ignored
     */
    void widen(double[] range) {
        double bound = Math.max(Math.abs(range[0]), Math.abs(range[1]));
        if (bound > 0 && !(bound <= returnBound)) {
            returnBound = bound;
        }
    }

    /**
     * Whether a token sequence repeats one token at least {@code run} times in a row.
     *
     * @param tokens the token ids
     * @param run the run length
     * @return true when such a run exists
     */
    static boolean hasRepeat(int[] tokens, int run) {
        int len = 1;
        for (int i = 1; i < tokens.length; i++) {
            len = tokens[i] == tokens[i - 1] ? len + 1 : 1;
            if (len >= run) {
                return true;
            }
        }
        return run <= 1 && tokens.length > 0;
    }

    /**
     * The fraction of sequences with a token repeated ≥ {@link #REPEAT_RUN} times in a row.
     *
     * @param sequences the generated token ids
     * @return the fraction (0 for no sequences)
     */
    static double repeatFraction(List<int[]> sequences) {
        if (sequences.isEmpty()) {
            return 0;
        }
        int n = 0;
        for (int[] s : sequences) {
            if (hasRepeat(s, REPEAT_RUN)) {
                n++;
            }
        }
        return n / (double) sequences.size();
    }

    /**
     * Checks the mean |Q| of the latest updates.
     *
     * @param meanAbsQ mean |Q(s, a)| over recent updates
     * @return a warning, or null
     */
    String checkQ(double meanAbsQ) {
        if (!Double.isFinite(meanAbsQ)) {
            return "DQN diverged: mean |Q| is " + meanAbsQ + " (lower --lr, keep --clip-targets on, use --polyak 0.01)";
        }
        double old = checks >= WINDOW ? history[checks % WINDOW] : Double.NaN;
        history[checks % WINDOW] = meanAbsQ;
        checks++;
        if (!Double.isNaN(returnBound) && meanAbsQ > Q_BOUND_FACTOR * returnBound) {
            return String.format(java.util.Locale.ROOT,
                    "DQN looks divergent: mean |Q| %.3g exceeds %.0f× the achievable |return| %.3g"
                            + " (keep --clip-targets on, use --polyak 0.01 instead of hard --target-sync)",
                    meanAbsQ, Q_BOUND_FACTOR, returnBound);
        }
        double floor = Double.isNaN(returnBound) ? 1.0 : 0.5 * returnBound;
        if (!Double.isNaN(old) && meanAbsQ > floor && meanAbsQ > Q_GROWTH_FACTOR * old) {
            return String.format(java.util.Locale.ROOT,
                    "DQN looks divergent: mean |Q| grew from %.3g to %.3g within %d checks"
                            + " (lower --lr, keep --clip-targets on, use --polyak 0.01)", old, meanAbsQ, WINDOW);
        }
        return null;
    }

    /**
     * Checks the repeat fraction of a rollout.
     *
     * @param fraction the fraction of episodes with a 4× repeat
     * @return a warning, or null
     */
    String checkRepeats(double fraction) {
        if (fraction > REPEAT_LIMIT) {
            return String.format(java.util.Locale.ROOT,
                    "DQN policy is collapsing: %.0f%% of episodes repeat a token %d+ times in a row"
                            + " (use --polyak 0.01, --clip-targets, a larger --tau-q or --kl-beta)",
                    100 * fraction, REPEAT_RUN);
        }
        return null;
    }

    int checks() {
        return checks;
    }

    /**
     * Writes the mean |Q| history into checkpoint counters and values (the return bound is not: it is the
     * run's return range, saved with it).
     *
     * @param counters the checkpoint's counters, to which {@link #CHECKS_KEY} is added
     * @param values the checkpoint's values, to which each recorded history slot is added
     */
    void save(Map<String, Long> counters, Map<String, Double> values) {
        counters.put(CHECKS_KEY, (long) checks);
        for (int i = 0; i < Math.min(checks, WINDOW); i++) {
            values.put(HISTORY_PREFIX + i, history[i]);
        }
    }

    /**
     * Restores the mean |Q| history from checkpoint counters and values. A checkpoint without it (written
     * before it was saved), or with a slot missing, leaves the history empty, as a new run's.
     *
     * @param counters the checkpoint's counters
     * @param values the checkpoint's values
     */
    void load(Map<String, Long> counters, Map<String, Double> values) {
        long n = counters.getOrDefault(CHECKS_KEY, 0L);
        if (n < 0 || n > Integer.MAX_VALUE) {
            return;
        }
        double[] h = new double[WINDOW];
        for (int i = 0; i < Math.min(n, WINDOW); i++) {
            Double v = values.get(HISTORY_PREFIX + i);
            if (v == null) {
                return;
            }
            h[i] = v;
        }
        System.arraycopy(h, 0, history, 0, WINDOW);
        checks = (int) n;
    }
}
