package dev.qdecode.rewards;

import java.util.List;
import java.util.Optional;

/**
 * Wraps a reward so that every failure becomes a one-line {@link RewardException} naming the
 * reward and, where it can be found, the episode: an exception from the reward (also a
 * {@link LinkageError} or a {@link VirtualMachineError} such as running out of memory or stack),
 * a null or wrongly sized result, a NaN or infinite score. See {@link Rewards#checked(Reward)}.
 */
class CheckedReward implements Reward {
    final Reward delegate;

    CheckedReward(Reward delegate) {
        this.delegate = delegate;
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
            throw new RewardException("reward '" + id() + "' returned no scores (null) for "
                    + episodes.size() + " episodes", id(), -1, null);
        }
        if (scores.length != episodes.size()) {
            throw new RewardException("reward '" + id() + "' returned " + scores.length
                    + " scores for " + episodes.size()
                    + " episodes (expected exactly one per episode)", id(), -1, null);
        }
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw RewardException.onEpisode(id(), i, "returned " + scores[i]
                        + " (scores must be finite) for text " + excerpt(episodes.get(i)), null);
            }
        }
        return scores;
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
            return new RewardException("reward '" + id() + "' " + problem + " scoring a batch of "
                    + episodes.size() + " episodes", id(), -1, failure);
        }
        if (episodes.size() > 1) {
            for (int i = 0; i < episodes.size(); i++) {
                try {
                    delegate.score(List.of(episodes.get(i)));
                } catch (RuntimeException | LinkageError | VirtualMachineError e) {
                    return RewardException.onEpisode(id(), i, describe(e), e);
                }
            }
            return new RewardException("reward '" + id() + "' failed on a batch of "
                    + episodes.size() + " episodes (each alone succeeds): " + problem, id(), -1,
                    failure);
        }
        if (episodes.size() == 1) {
            return RewardException.onEpisode(id(), 0, problem, failure);
        }
        return new RewardException("reward '" + id() + "' failed on an empty batch: " + problem,
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

    @Override
    public Optional<CorpusScore> corpusScore(List<Episode> episodes) {
        try {
            Optional<CorpusScore> s = delegate.corpusScore(episodes);
            return s == null ? Optional.empty() : s;
        } catch (RewardException e) {
            throw e;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException("reward '" + id() + "' failed computing its corpus score: "
                    + describe(e), id(), -1, e);
        }
    }

    @Override
    public void close() {
        try {
            delegate.close();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException("reward '" + id() + "' failed to close: " + describe(e),
                    id(), -1, e);
        }
    }

    @Override
    public String toString() {
        return "checked(" + delegate + ")";
    }

    /** The same checks for rewards with per-token parts. */
    static final class Shaped extends CheckedReward implements ShapedReward {
        Shaped(ShapedReward delegate) {
            super(delegate);
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
                throw new RewardException("reward '" + id() + "' returned "
                        + (rows == null ? "null" : rows.length + "") + " token-reward rows for "
                        + episodes.size() + " episodes (expected exactly one per episode)",
                        id(), -1, null);
            }
            for (int i = 0; i < rows.length; i++) {
                int expected = episodes.get(i).tokenIds().length;
                if (rows[i] == null || rows[i].length != expected) {
                    throw RewardException.onEpisode(id(), i, "returned "
                            + (rows[i] == null ? "no" : rows[i].length + "")
                            + " token rewards for " + expected + " tokens", null);
                }
                for (int t = 0; t < expected; t++) {
                    if (!Double.isFinite(rows[i][t])) {
                        throw RewardException.onEpisode(id(), i, "returned token reward "
                                + rows[i][t] + " at token " + t + " (must be finite)", null);
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
                    return RewardException.onEpisode(id(), i, "token rewards: " + describe(e), e);
                }
            }
            if (episodes.size() == 1) {
                return RewardException.onEpisode(id(), 0, "token rewards: " + describe(failure),
                        failure);
            }
            return new RewardException("reward '" + id() + "' failed computing token rewards: "
                    + describe(failure), id(), -1, failure);
        }
    }
}
