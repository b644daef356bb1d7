package dev.qdecode.pipeline.dqn;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;

/**
 * One stored episode in plain Java arrays (no NDArrays): for each step t, the state embedding
 * φ(s_t), the candidate ids C(s_t) with log π_ref renormalised over C, the action (token id and its
 * index in C) and the per-step reward (terminal reward plus shaped and KL parts). The last step is
 * terminal: there is no bootstrap beyond it. Immutable after construction.
 */
final class ReplayEpisode {

    /** The headers of an episode's seven arrays. */
    private static final long ARRAY_HEADERS = 16L * 7;

    final int length;
    final int dim;
    final float[] phi;
    final int[] candStart;
    final int[] candIds;
    final float[] candLogp;
    final int[] action;
    final int[] actionIndex;
    final float[] reward;

    private ReplayEpisode(int dim, float[] phi, int[] candStart, int[] candIds, float[] candLogp, int[] action,
            int[] actionIndex, float[] reward) {
        this.length = action.length;
        this.dim = dim;
        this.phi = phi;
        this.candStart = candStart;
        this.candIds = candIds;
        this.candLogp = candLogp;
        this.action = action;
        this.actionIndex = actionIndex;
        this.reward = reward;
        validate();
    }

    private void validate() {
        if (length == 0) {
            throw new IllegalArgumentException("replay episode: expected at least one step");
        }
        if (phi.length != (long) length * dim || candStart.length != length + 1 || actionIndex.length != length
                || reward.length != length || candStart[0] != 0 || candStart[length] != candIds.length
                || candLogp.length != candIds.length) {
            throw new IllegalArgumentException("replay episode: inconsistent array sizes");
        }
        for (int t = 0; t < length; t++) {
            int k = candStart[t + 1] - candStart[t];
            if (k <= 0) {
                throw new IllegalArgumentException("replay episode: step " + t + " has no candidates");
            }
            if (actionIndex[t] < 0 || actionIndex[t] >= k || candIds[candStart[t] + actionIndex[t]] != action[t]) {
                throw new IllegalArgumentException("replay episode: step " + t + " action " + action[t]
                        + " is not its candidate " + actionIndex[t]);
            }
            if (!Float.isFinite(reward[t])) {
                throw new IllegalArgumentException("replay episode: step " + t + " reward is not finite");
            }
        }
    }

    /**
     * The number of candidates at a step.
     *
     * @param t the step
     * @return |C(s_t)|
     */
    int candidates(int t) {
        return candStart[t + 1] - candStart[t];
    }

    /**
     * Bytes held by this episode's arrays (array headers included).
     *
     * @return the size
     */
    long bytes() {
        return ARRAY_HEADERS + 4L * (phi.length + candStart.length + candIds.length + candLogp.length + action.length
                + actionIndex.length + reward.length);
    }

    /**
     * {@link #bytes()} of an episode not yet built: {@code steps} steps with {@code dim}-sized embeddings
     * and {@code candidates} candidates each.
     *
     * @param steps the episode's length
     * @param dim the embedding size
     * @param candidates candidates per step
     * @return the size
     */
    static long bytes(long steps, int dim, int candidates) {
        // per step: φ, candidate offset, ids and log-priors, action, action index, reward; one more offset
        return ARRAY_HEADERS + 4L * (steps * (dim + 1 + 2L * candidates + 3) + 1);
    }

    /**
     * This episode with other rewards (e.g. after the KL penalty was added).
     *
     * @param rewards one reward per step
     * @return the new episode
     */
    ReplayEpisode withRewards(float[] rewards) {
        return new ReplayEpisode(dim, phi, candStart, candIds, candLogp, action, actionIndex, rewards.clone());
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(length);
        out.writeInt(dim);
        out.writeInt(candIds.length);
        writeFloats(out, phi);
        writeInts(out, candStart);
        writeInts(out, candIds);
        writeFloats(out, candLogp);
        writeInts(out, action);
        writeInts(out, actionIndex);
        writeFloats(out, reward);
    }

    static ReplayEpisode read(DataInputStream in) throws IOException {
        int length = in.readInt();
        int dim = in.readInt();
        int nc = in.readInt();
        if (length <= 0 || dim <= 0 || nc <= 0 || (long) length * dim > Integer.MAX_VALUE) {
            throw new IOException("corrupt replay episode header");
        }
        float[] phi = readFloats(in, length * dim);
        int[] cs = readInts(in, length + 1);
        int[] ids = readInts(in, nc);
        float[] lp = readFloats(in, nc);
        int[] act = readInts(in, length);
        int[] ai = readInts(in, length);
        float[] r = readFloats(in, length);
        try {
            return new ReplayEpisode(dim, phi, cs, ids, lp, act, ai, r);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt " + e.getMessage());
        }
    }

    private static final int CHUNK = 1 << 14;

    static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * Math.min(CHUNK, Math.max(1, a.length)));
        for (int i = 0; i < a.length; i += CHUNK) {
            int n = Math.min(CHUNK, a.length - i);
            bb.clear();
            bb.asFloatBuffer().put(a, i, n);
            out.write(bb.array(), 0, 4 * n);
        }
    }

    static void writeInts(DataOutputStream out, int[] a) throws IOException {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(4 * Math.min(CHUNK, Math.max(1, a.length)));
        for (int i = 0; i < a.length; i += CHUNK) {
            int n = Math.min(CHUNK, a.length - i);
            bb.clear();
            bb.asIntBuffer().put(a, i, n);
            out.write(bb.array(), 0, 4 * n);
        }
    }

    static float[] readFloats(DataInputStream in, int n) throws IOException {
        float[] a = new float[n];
        byte[] buf = new byte[4 * Math.min(CHUNK, Math.max(1, n))];
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            in.readFully(buf, 0, 4 * m);
            java.nio.ByteBuffer.wrap(buf, 0, 4 * m).asFloatBuffer().get(a, i, m);
        }
        return a;
    }

    static int[] readInts(DataInputStream in, int n) throws IOException {
        int[] a = new int[n];
        byte[] buf = new byte[4 * Math.min(CHUNK, Math.max(1, n))];
        for (int i = 0; i < n; i += CHUNK) {
            int m = Math.min(CHUNK, n - i);
            in.readFully(buf, 0, 4 * m);
            java.nio.ByteBuffer.wrap(buf, 0, 4 * m).asIntBuffer().get(a, i, m);
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReplayEpisode e && dim == e.dim && Arrays.equals(phi, e.phi)
                && Arrays.equals(candStart, e.candStart) && Arrays.equals(candIds, e.candIds)
                && Arrays.equals(candLogp, e.candLogp) && Arrays.equals(action, e.action)
                && Arrays.equals(actionIndex, e.actionIndex) && Arrays.equals(reward, e.reward);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(action) + Arrays.hashCode(reward);
    }

    /** Appends steps of an episode as it is rolled out. */
    static final class Builder {
        private final int dim;
        private float[] phi = new float[0];
        private int[] candStart = {0};
        private int[] candIds = new int[0];
        private float[] candLogp = new float[0];
        private int[] action = new int[0];
        private int[] actionIndex = new int[0];
        private float[] reward = new float[0];
        private int n;

        /**
         * Starts an empty episode.
         *
         * @param dim the embedding size H
         */
        Builder(int dim) {
            this.dim = dim;
        }

        /**
         * Appends a step.
         *
         * @param phiRow the state embedding (at least {@code dim} values from {@code phiOff})
         * @param phiOff where the embedding starts
         * @param cands the candidate set of the state
         * @param chosen the index of the action in the candidate set
         * @return this builder
         */
        Builder step(float[] phiRow, int phiOff, Candidates.Set cands, int chosen) {
            int k = cands.size();
            if (n == action.length) {
                int cap = Math.max(8, n * 2);
                phi = Arrays.copyOf(phi, cap * dim);
                candStart = Arrays.copyOf(candStart, cap + 1);
                action = Arrays.copyOf(action, cap);
                actionIndex = Arrays.copyOf(actionIndex, cap);
                reward = Arrays.copyOf(reward, cap);
            }
            int base = candStart[n];
            if (base + k > candIds.length) {
                int cap = Math.max(base + k, candIds.length * 2);
                candIds = Arrays.copyOf(candIds, cap);
                candLogp = Arrays.copyOf(candLogp, cap);
            }
            System.arraycopy(phiRow, phiOff, phi, n * dim, dim);
            System.arraycopy(cands.ids(), 0, candIds, base, k);
            System.arraycopy(cands.logp(), 0, candLogp, base, k);
            candStart[n + 1] = base + k;
            action[n] = cands.ids()[chosen];
            actionIndex[n] = chosen;
            n++;
            return this;
        }

        /**
         * The number of steps so far.
         *
         * @return the count
         */
        int length() {
            return n;
        }

        /**
         * The actions so far.
         *
         * @return a copy of the token ids
         */
        int[] actions() {
            return Arrays.copyOf(action, n);
        }

        /**
         * Finishes the episode.
         *
         * @param rewards one reward per step
         * @return the episode
         */
        ReplayEpisode build(float[] rewards) {
            if (rewards.length != n) {
                throw new IllegalArgumentException("replay episode: expected " + n + " rewards but got "
                        + rewards.length);
            }
            int nc = candStart[n];
            return new ReplayEpisode(dim, Arrays.copyOf(phi, n * dim), Arrays.copyOf(candStart, n + 1),
                    Arrays.copyOf(candIds, nc), Arrays.copyOf(candLogp, nc), Arrays.copyOf(action, n),
                    Arrays.copyOf(actionIndex, n), rewards.clone());
        }
    }
}
