package dev.qdecode.rewards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A weighted sum of rewards, built by {@link Rewards#create} from specs such as
 * {@code 0.7*vader + 0.3*bleu:tokenize=intl}. Each part is {@link Rewards#checked checked}, so a
 * failure names the part that failed. {@link #scoresPrefixes()} holds only when every part scores
 * prefixes. When at least one part is a {@link ShapedReward} the composite is one too
 * (see {@link #of}); parts without per-token rewards then contribute zero per token.
 */
class CompositeReward implements Reward {

    /**
     * One weighted part.
     *
     * @param weight the weight (finite)
     * @param reward the reward
     */
    record Part(double weight, Reward reward) {
        /**
         * Validates the part.
         *
         * @param weight the weight, finite
         * @param reward the reward; not null
         * @throws NullPointerException if {@code reward} is null
         * @throws IllegalArgumentException if {@code weight} is not finite
         */
        public Part {
            Objects.requireNonNull(reward, "reward");
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("weight of reward '" + reward.id()
                        + "' must be finite, got " + weight);
            }
        }
    }

    private final String id;
    private final List<Part> parts;

    CompositeReward(String id, List<Part> parts) {
        this.id = id;
        this.parts = List.copyOf(parts);
    }

    /**
     * Builds a composite (a {@link ShapedReward} when any part is one). Parts are wrapped with
     * {@link Rewards#checked}.
     *
     * @param parts the weighted parts (at least one)
     * @return the composite
     */
    public static CompositeReward of(List<Part> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a composite reward needs at least one part");
        }
        List<Part> checked = new ArrayList<>(parts.size());
        StringBuilder id = new StringBuilder();
        boolean shaped = false;
        for (Part p : parts) {
            checked.add(new Part(p.weight(), Rewards.checked(p.reward())));
            shaped |= p.reward() instanceof ShapedReward;
            if (id.length() > 0) {
                id.append('+');
            }
            id.append(formatWeight(p.weight())).append('*').append(p.reward().id());
        }
        return shaped ? new Shaped(id.toString(), checked)
                : new CompositeReward(id.toString(), checked);
    }

    private static String formatWeight(double w) {
        return w == Math.rint(w) && Math.abs(w) < 1e15 ? Long.toString((long) w) : Double.toString(w);
    }

    /**
     * The id: the parts as {@code WEIGHT*id} joined by {@code +}.
     *
     * @return the id
     */
    @Override
    public String id() {
        return id;
    }

    /**
     * The weighted parts, in spec order.
     *
     * @return an unmodifiable list
     */
    public List<Part> parts() {
        return parts;
    }

    @Override
    public double[] score(List<Episode> episodes) {
        double[] sum = new double[episodes.size()];
        for (Part p : parts) {
            double[] s = p.reward().score(episodes);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += p.weight() * s[i];
            }
        }
        return sum;
    }

    /** Each part's corpus scores (unweighted), in spec order. */
    @Override
    public List<CorpusScore> corpusScores(List<Episode> episodes) {
        List<CorpusScore> all = new ArrayList<>();
        for (Part p : parts) {
            all.addAll(p.reward().corpusScores(episodes));
        }
        return all;
    }

    /** The parts' distinct counts, in spec order, joined by {@code " and "}; null when no part has one. */
    @Override
    public String encoderThreads() {
        LinkedHashSet<String> counts = new LinkedHashSet<>();
        for (Part p : parts) {
            String t = p.reward().encoderThreads();
            if (t != null) {
                counts.add(t);
            }
        }
        return counts.isEmpty() ? null : String.join(" and ", counts);
    }

    @Override
    public boolean scoresPrefixes() {
        for (Part p : parts) {
            if (!p.reward().scoresPrefixes()) {
                return false;
            }
        }
        return true;
    }

    /** Closes every part (all of them, even when one fails; the first failure is rethrown). */
    @Override
    public void close() {
        RuntimeException first = null;
        for (Part p : parts) {
            try {
                p.reward().close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "CompositeReward[" + id + "]";
    }

    /** A composite with at least one shaped part. */
    static final class Shaped extends CompositeReward implements ShapedReward {
        Shaped(String id, List<Part> parts) {
            super(id, parts);
        }

        @Override
        public double[][] tokenRewards(List<Episode> episodes) {
            double[][] sum = new double[episodes.size()][];
            for (int i = 0; i < sum.length; i++) {
                sum[i] = new double[episodes.get(i).tokenIds().length];
            }
            for (Part p : parts()) {
                if (p.reward() instanceof ShapedReward) {
                    double[][] t = ((ShapedReward) p.reward()).tokenRewards(episodes);
                    for (int i = 0; i < sum.length; i++) {
                        for (int k = 0; k < sum[i].length; k++) {
                            sum[i][k] += p.weight() * t[i][k];
                        }
                    }
                }
            }
            return sum;
        }
    }
}
