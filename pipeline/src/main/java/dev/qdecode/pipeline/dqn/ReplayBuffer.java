package dev.qdecode.pipeline.dqn;

import dev.qdecode.pipeline.generate.DecodeMemory;
import dev.qdecode.pipeline.generate.GenerationException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Episode-structured experience replay: whole episodes are stored ({@link ReplayEpisode}, plain
 * arrays), transitions (episode, step) are sampled. Capacity is counted in transitions; the oldest
 * episodes are evicted first (FIFO). Sampling is uniform, or proportional prioritized (Schaul et
 * al. 2016): P(i) = p_i^α / Σ_j p_j^α with p_i = |δ_i| + ε, stratified over the batch, importance
 * weights w_i = (N·P(i))^−β normalised by the largest possible weight (that of the smallest
 * priority in the buffer). New transitions get the largest priority seen so far.
 *
 * <p>Transitions occupy consecutive slots of a ring of {@code capacity} slots; a slot maps back to
 * its episode and step. Not thread-safe.
 */
final class ReplayBuffer {

    /**
     * The most {@link #memoryBytes()} a buffer can reach: its slot maps and tree, and as many transitions as it
     * keeps, each counted as an episode of its own (one-step episodes cost the most per transition).
     *
     * @param capacity the buffer's capacity in transitions
     * @param prioritized whether it keeps a priority tree
     * @param stateDim the size of a state embedding
     * @param candidates candidates per step
     * @param transitions the most transitions the run can produce
     * @return the bound in bytes
     */
    static long estimateBytes(long capacity, boolean prioritized, int stateDim, int candidates, long transitions) {
        long perTransition = ReplayEpisode.bytes(1, stateDim, candidates) + EPISODE_OVERHEAD;
        return slotBytes(capacity, prioritized) + Math.min(capacity, transitions) * perTransition;
    }

    /** Bytes per stored episode besides its arrays: the object and its place in the episode queue. */
    private static final long EPISODE_OVERHEAD = 48;

    /**
     * A sampled batch.
     *
     * @param episodes the episode of each sample
     * @param steps the step of each sample within its episode
     * @param slots the ring slot of each sample (to update priorities)
     * @param weights importance weights (all 1 for uniform sampling)
     */
    record Batch(ReplayEpisode[] episodes, int[] steps, int[] slots, float[] weights) {}

    private final int capacity;
    private final boolean prioritized;
    private final double alpha;
    private final double eps;
    private final ReplayEpisode[] slotEpisode;
    private final int[] slotStep;
    private final SumTree tree;
    private final Deque<ReplayEpisode> episodes = new ArrayDeque<>();
    private int start;
    private int count;
    private double maxPriority = 1.0;
    private long added;

    /**
     * Creates an empty buffer.
     *
     * @param capacity the most transitions kept
     * @param prioritized proportional prioritized sampling instead of uniform
     * @param alpha the priority exponent α
     * @param eps added to |δ| so every transition keeps a chance
     */
    ReplayBuffer(int capacity, boolean prioritized, double alpha, double eps) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("--replay-size: expected a positive count but got " + capacity);
        }
        this.capacity = capacity;
        this.prioritized = prioritized;
        this.alpha = alpha;
        this.eps = eps;
        this.slotEpisode = new ReplayEpisode[capacity];
        this.slotStep = new int[capacity];
        this.tree = prioritized ? new SumTree(capacity) : null;
    }

    /**
     * A buffer with the config's replay settings.
     *
     * @param cfg the config
     * @return the buffer
     */
    static ReplayBuffer of(DqnConfig cfg) {
        return new ReplayBuffer(cfg.replaySize(), cfg.prioritized(), cfg.priorityAlpha(), cfg.priorityEps());
    }

    /**
     * {@link #of(DqnConfig)}, refusing first a buffer too small for the run's longest episode (it keeps whole
     * episodes, so such an episode could not be stored) or one that could not fit in the JVM's heap: its slot
     * arrays (and priority tree) for {@code --replay-size} transitions, and the transitions the run can store,
     * each with its state embedding and candidates.
     *
     * @param cfg the config
     * @param stateDim the size of a state embedding
     * @param transitions the most transitions the run can produce
     * @param longestEpisode the most steps one of the run's episodes can have
     * @param why what bounds that length, for the message (e.g. {@code --max-new-tokens 48})
     * @param candidates the most candidates a step can keep (with {@code --candidates-top-k 0}, the vocabulary)
     * @return the buffer
     * @throws GenerationException (bad usage) naming --replay-size and the longest episode, or the estimate and
     *     the heap
     */
    static ReplayBuffer of(DqnConfig cfg, int stateDim, long transitions, int longestEpisode, String why,
            int candidates) {
        long slots = cfg.replaySize();
        if (slots < longestEpisode) {
            throw new GenerationException("--replay-size " + slots + ": an episode of this run can have "
                    + longestEpisode + " steps (" + why + ") and replay keeps whole episodes (expected at least "
                    + longestEpisode + ")");
        }
        long need = estimateBytes(cfg.replaySize(), cfg.prioritized(), stateDim, Math.max(1, candidates), transitions);
        long limit = Runtime.getRuntime().maxMemory();
        if (need > limit) {
            throw new GenerationException("--replay-size " + slots + ": a replay buffer of " + slots + " slots, holding "
                    + "up to " + Math.min(slots, transitions) + " transitions of this run, needs up to "
                    + DecodeMemory.format(need) + (cfg.candidatesTopK() == 0 ? " (up to " + candidates + " candidates a "
                    + "step with --candidates-top-k 0)" : "") + ", more than the maximum heap of "
                    + DecodeMemory.format(limit) + " (expected a smaller --replay-size"
                    + (cfg.candidatesTopK() == 0 ? ", a --candidates-top-k limit" : "")
                    + ", or a larger heap, e.g. QDECODE_JAVA_OPTS=-Xmx16g)");
        }
        return of(cfg);
    }

    /**
     * Stores an episode, evicting the oldest ones while the capacity would be exceeded.
     *
     * @param e the episode
     * @throws IllegalArgumentException when the episode alone exceeds the capacity
     */
    void add(ReplayEpisode e) {
        if (e.length > capacity) {
            throw new IllegalArgumentException("replay: an episode of " + e.length + " steps exceeds --replay-size "
                    + capacity);
        }
        while (capacity - count < e.length) {
            evictOldest();
        }
        double p = prioritized ? Math.pow(maxPriority, alpha) : 0;
        for (int t = 0; t < e.length; t++) {
            int slot = (start + count) % capacity;
            slotEpisode[slot] = e;
            slotStep[slot] = t;
            if (prioritized) {
                tree.set(slot, p);
            }
            count++;
        }
        episodes.addLast(e);
        added++;
    }

    private void evictOldest() {
        ReplayEpisode old = episodes.removeFirst();
        for (int t = 0; t < old.length; t++) {
            slotEpisode[start] = null;
            if (prioritized) {
                tree.set(start, 0);
            }
            start = (start + 1) % capacity;
            count--;
        }
    }

    /**
     * The number of stored transitions.
     *
     * @return the count
     */
    int size() {
        return count;
    }

    /**
     * The number of stored episodes.
     *
     * @return the count
     */
    int episodeCount() {
        return episodes.size();
    }

    /**
     * Episodes added since creation (evicted ones included).
     *
     * @return the count
     */
    long episodesAdded() {
        return added;
    }

    boolean prioritized() {
        return prioritized;
    }

    /**
     * Samples a batch of transitions (with replacement).
     *
     * @param batch the batch size
     * @param beta the importance-weight exponent β (ignored for uniform sampling)
     * @param rng the random source
     * @return the batch
     * @throws IllegalStateException when the buffer is empty
     */
    Batch sample(int batch, double beta, Rng rng) {
        if (count == 0) {
            throw new IllegalStateException("replay buffer is empty");
        }
        ReplayEpisode[] eps = new ReplayEpisode[batch];
        int[] steps = new int[batch];
        int[] slots = new int[batch];
        float[] w = new float[batch];
        if (!prioritized) {
            for (int i = 0; i < batch; i++) {
                int slot = (start + rng.nextInt(count)) % capacity;
                slots[i] = slot;
                eps[i] = slotEpisode[slot];
                steps[i] = slotStep[slot];
                w[i] = 1f;
            }
            return new Batch(eps, steps, slots, w);
        }
        double total = tree.total();
        double seg = total / batch;
        // Largest possible weight: that of the smallest priority in the buffer.
        double maxW = Math.pow(count * tree.minPositive() / total, -beta);
        for (int i = 0; i < batch; i++) {
            double u = Math.min((i + rng.nextDouble()) * seg, Math.nextDown(total));
            int slot = tree.find(u);
            slots[i] = slot;
            eps[i] = slotEpisode[slot];
            steps[i] = slotStep[slot];
            double prob = tree.get(slot) / total;
            w[i] = (float) (Math.pow(count * prob, -beta) / maxW);
        }
        return new Batch(eps, steps, slots, w);
    }

    /**
     * The probability that one draw picks a slot (P(i) for prioritized, 1/N for uniform).
     *
     * @param slot the slot
     * @return the probability
     */
    double probability(int slot) {
        if (slotEpisode[slot] == null) {
            return 0;
        }
        return prioritized ? tree.get(slot) / tree.total() : 1.0 / count;
    }

    /**
     * Sets the priorities of sampled transitions from their TD errors: p = (|δ| + ε)^α.
     *
     * @param slots the slots (from {@link Batch#slots()})
     * @param tdErrors the TD errors, same order
     */
    void updatePriorities(int[] slots, float[] tdErrors) {
        if (!prioritized) {
            return;
        }
        for (int i = 0; i < slots.length; i++) {
            if (slotEpisode[slots[i]] == null) {
                continue; // evicted since it was sampled
            }
            double p = Math.abs(tdErrors[i]) + eps;
            if (!Double.isFinite(p)) {
                throw new IllegalArgumentException("replay: non-finite TD error " + tdErrors[i]);
            }
            maxPriority = Math.max(maxPriority, p);
            tree.set(slots[i], Math.pow(p, alpha));
        }
    }

    /**
     * Bytes held by the buffer: the episodes' arrays, the slot maps and the priority tree.
     *
     * @return the size
     */
    long memoryBytes() {
        long b = slotBytes(capacity, prioritized);
        for (ReplayEpisode e : episodes) {
            b += e.bytes() + EPISODE_OVERHEAD;
        }
        return b;
    }

    /** Bytes of an empty buffer: the object, the two slot maps and, when prioritized, the sum tree. */
    private static long slotBytes(long capacity, boolean prioritized) {
        return 64 + 16 + 4L * capacity + 16 + 4L * capacity + (prioritized ? SumTree.bytes(capacity) : 0);
    }

    /**
     * Writes the whole buffer (episodes in order, priorities, counters).
     *
     * @param out the stream
     * @throws IOException on failure
     */
    void write(DataOutputStream out) throws IOException {
        out.writeInt(capacity);
        out.writeBoolean(prioritized);
        out.writeInt(episodes.size());
        out.writeInt(start);
        out.writeLong(added);
        out.writeDouble(maxPriority);
        int slot = start;
        for (ReplayEpisode e : episodes) {
            e.write(out);
            for (int t = 0; t < e.length; t++) {
                out.writeDouble(prioritized ? tree.get(slot) : 0);
                slot = (slot + 1) % capacity;
            }
        }
    }

    /**
     * Restores a buffer written by {@link #write(DataOutputStream)} into this (empty, same-shaped) one.
     *
     * @param in the stream
     * @throws IOException when the data is corrupt or was written with another capacity or mode
     */
    void read(DataInputStream in) throws IOException {
        int cap = in.readInt();
        boolean prio = in.readBoolean();
        if (cap != capacity || prio != prioritized) {
            throw new IOException("replay was saved with --replay-size " + cap + (prio ? " --prioritized" : "")
                    + " but this run has --replay-size " + capacity + (prioritized ? " --prioritized" : ""));
        }
        if (count != 0) {
            throw new IllegalStateException("replay: read into a non-empty buffer");
        }
        int n = in.readInt();
        int st = in.readInt();
        long addedSaved = in.readLong();
        double maxP = in.readDouble();
        if (st < 0 || st >= capacity || n < 0) {
            throw new IOException("corrupt replay header");
        }
        start = st;
        for (int i = 0; i < n; i++) {
            ReplayEpisode e = ReplayEpisode.read(in);
            if (count + e.length > capacity) {
                throw new IOException("corrupt replay: more transitions than the capacity");
            }
            for (int t = 0; t < e.length; t++) {
                int slot = (start + count) % capacity;
                slotEpisode[slot] = e;
                slotStep[slot] = t;
                double p = in.readDouble();
                if (prioritized) {
                    tree.set(slot, p);
                }
                count++;
            }
            episodes.addLast(e);
        }
        added = addedSaved;
        maxPriority = maxP;
    }

    /**
     * The stored episodes, oldest first (for tests and checkpoints).
     *
     * @return a copy of the list
     */
    java.util.List<ReplayEpisode> episodes() {
        return java.util.List.copyOf(episodes);
    }
}
