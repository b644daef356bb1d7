package dev.qdecode.rewards;

import java.util.List;
import java.util.Optional;

/**
 * Wraps a reward so that every failure becomes a one-line {@link RewardException} naming the
 * reward and, where it can be found, the episode: an exception from the reward (also a
 * {@link LinkageError} or a {@link VirtualMachineError} such as running out of memory or stack),
 * a null or wrongly sized result, a NaN or infinite score, or one beyond ±{@value #MAX_ABS}. See {@link Rewards#checked(Reward)}.
 */
class CheckedReward implements Reward {
    /**
     * The largest score magnitude accepted: training stores rewards as 32-bit floats (at most about
     * 3.4e38) and sums them into returns, so a larger finite score would become infinite there.
     */
    static final double MAX_ABS = 1e30;

    final Reward delegate;
    /** How messages name the reward: {@code reward 'ID'}, for a plug-in with its class and jar. */
    final String name;

    /** Run once, after the delegate, the first time this reward is closed (a plug-in's jar lets go). */
    private final Runnable closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    CheckedReward(Reward delegate, String name, Runnable closed) {
        this.delegate = delegate;
        this.name = name;
        this.closed = closed;
    }

    /** The standard failure of one episode, as {@link RewardException#onEpisode} words it, under {@link #name}. */
    RewardException onEpisode(int episodeIndex, String problem, Throwable cause) {
        return new RewardException(name + " failed on episode " + episodeIndex + ": "
                + RewardException.oneLine(problem), id(), episodeIndex, cause);
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public double[] score(List<Episode> episodes) {
        double[] scores;
        try {
            scores = delegate.score(episodes);
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw locate(episodes, e);
        }
        if (scores == null) {
            throw new RewardException(name + " returned no scores (null) for "
                    + episodes.size() + " episodes", id(), -1, null);
        }
        if (scores.length != episodes.size()) {
            throw new RewardException(name + " returned " + scores.length
                    + " scores for " + episodes.size()
                    + " episodes (expected exactly one per episode)", id(), -1, null);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!inRange(scores[i])) {
                throw onEpisode(i, "returned " + scores[i] + " " + RANGE
                        + " for text " + excerpt(episodes.get(i)), null);
            }
        }
        return scores;
    }

    /** What {@link #inRange} expects, for messages. */
    static final String RANGE = "(scores must be finite and within ±1e30: training stores them as 32-bit floats)";

    /** Whether a score is finite and at most {@link #MAX_ABS} in magnitude. */
    static boolean inRange(double score) {
        return Double.isFinite(score) && Math.abs(score) <= MAX_ABS;
    }

    /**
     * Turns a failure of a batch into a RewardException: one that already names an episode
     * passes through; otherwise the episodes are scored one at a time to find the first that
     * fails alone (not after running out of memory: scoring again would only fail again).
     */
    RewardException locate(List<Episode> episodes, Throwable failure) {
        if (failure instanceof RewardException) {
            RewardException re = (RewardException) failure;
            if (re.episodeIndex() >= 0) {
                return re;
            }
        }
        String problem = describe(failure);
        if (episodes.size() > 1 && failure instanceof OutOfMemoryError) {
            return new RewardException(name + " " + problem + " scoring a batch of "
                    + episodes.size() + " episodes", id(), -1, failure);
        }
        if (episodes.size() > 1) {
            for (int i = 0; i < episodes.size(); i++) {
                try {
                    delegate.score(List.of(episodes.get(i)));
                } catch (RuntimeException | LinkageError | VirtualMachineError e) {
                    return onEpisode(i, describe(e), e);
                }
            }
            return new RewardException(name + " failed on a batch of "
                    + episodes.size() + " episodes (each alone succeeds): " + problem, id(), -1,
                    failure);
        }
        if (episodes.size() == 1) {
            return onEpisode(0, problem, failure);
        }
        return new RewardException(name + " failed on an empty batch: " + problem,
                id(), -1, failure);
    }

    /**
     * One line for a failure: the class name and message, or for an {@link OutOfMemoryError}
     * {@code ran out of memory (OutOfMemoryError: ...; maximum heap N MiB)}.
     */
    static String describe(Throwable t) {
        String msg = t.getMessage();
        if (t instanceof RewardException && msg != null) {
            return RewardException.oneLine(msg);
        }
        String name = t.getClass().getSimpleName();
        String what = msg == null || msg.isBlank() ? name : name + ": " + RewardException.oneLine(msg);
        if (t instanceof OutOfMemoryError) {
            return "ran out of memory (" + what + "; maximum heap "
                    + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB)";
        }
        return what;
    }

    static String excerpt(Episode e) {
        String t = e.text().replaceAll("\\s+", " ");
        return '"' + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + '"';
    }

    @Override
    public boolean scoresPrefixes() {
        return delegate.scoresPrefixes();
    }

    /** The delegate's count; null when a plug-in's own {@code encoderThreads} throws (provenance, not a score). */
    @Override
    public String encoderThreads() {
        try {
            return delegate.encoderThreads();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public Optional<CorpusScore> corpusScore(List<Episode> episodes) {
        return corpus(() -> {
            Optional<CorpusScore> s = delegate.corpusScore(episodes);
            return s == null ? Optional.empty() : s;
        });
    }

    @Override
    public List<CorpusScore> corpusScores(List<Episode> episodes) {
        return corpus(() -> {
            List<CorpusScore> s = delegate.corpusScores(episodes);
            return s == null ? List.of() : s;
        });
    }

    private <T> T corpus(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (RewardException e) {
            throw e;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException(name + " failed computing its corpus score: "
                    + describe(e), id(), -1, e);
        }
    }

    @Override
    public void close() {
        boolean first = closing.compareAndSet(false, true);
        try {
            delegate.close();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException(name + " failed to close: " + describe(e),
                    id(), -1, e);
        } finally {
            if (first) {
                closed.run();
            }
        }
    }

    @Override
    public String toString() {
        return "checked(" + delegate + ")";
    }

    /** The same checks for rewards with per-token parts. */
    static final class Shaped extends CheckedReward implements ShapedReward {
        Shaped(ShapedReward delegate, String name, Runnable closed) {
            super(delegate, name, closed);
        }

        @Override
        public double[][] tokenRewards(List<Episode> episodes) {
            double[][] rows;
            try {
                rows = ((ShapedReward) delegate).tokenRewards(episodes);
            } catch (RuntimeException | LinkageError | VirtualMachineError e) {
                RewardException located = locateTokens(episodes, e);
                throw located;
            }
            if (rows == null || rows.length != episodes.size()) {
                throw new RewardException(name + " returned "
                        + (rows == null ? "null" : rows.length + "") + " token-reward rows for "
                        + episodes.size() + " episodes (expected exactly one per episode)",
                        id(), -1, null);
            }
            for (int i = 0; i < rows.length; i++) {
                int expected = episodes.get(i).tokenIds().length;
                if (rows[i] == null || rows[i].length != expected) {
                    throw onEpisode(i, "returned "
                            + (rows[i] == null ? "no" : rows[i].length + "")
                            + " token rewards for " + expected + " tokens", null);
                }
                for (int t = 0; t < expected; t++) {
                    if (!inRange(rows[i][t])) {
                        throw onEpisode(i, "returned token reward "
                                + rows[i][t] + " at token " + t + " " + RANGE, null);
                    }
                }
            }
            return rows;
        }

        private RewardException locateTokens(List<Episode> episodes, Throwable failure) {
            if (failure instanceof RewardException
                    && ((RewardException) failure).episodeIndex() >= 0) {
                return (RewardException) failure;
            }
            for (int i = 0; i < episodes.size() && episodes.size() > 1
                    && !(failure instanceof OutOfMemoryError); i++) {
                try {
                    ((ShapedReward) delegate).tokenRewards(List.of(episodes.get(i)));
                } catch (RuntimeException | LinkageError | VirtualMachineError e) {
                    return onEpisode(i, "token rewards: " + describe(e), e);
                }
            }
            if (episodes.size() == 1) {
                return onEpisode(0, "token rewards: " + describe(failure),
                        failure);
            }
            return new RewardException(name + " failed computing token rewards: "
                    + describe(failure), id(), -1, failure);
        }
    }
}
