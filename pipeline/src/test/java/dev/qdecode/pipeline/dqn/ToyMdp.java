package dev.qdecode.pipeline.dqn;

/**
 * A 3-state toy MDP for hand-computed Bellman targets. States s0, s1, s2 are one-hot embeddings;
 * an episode visits s0 → s1 → s2 → terminal with actions 1, 0, 2 and rewards 0.5, −0.25, 1.0.
 * Candidate sets with π_ref: s0 {0: 0.5, 1: 0.3, 2: 0.2}, s1 {0: 0.6, 1: 0.4}, s2 {2: 0.7, 0: 0.3}.
 * The head is built so that Q(s, a) is exactly a given table: W1 = [I | 0] (ReLU of a one-hot is
 * the one-hot), and row a of W2 = [Q(s0,a), Q(s1,a), Q(s2,a), 0].
 */
final class ToyMdp {
    static final double TAU = 0.5;
    static final double GAMMA = 0.9;
    /** Target-network Q table [state][action]. */
    static final float[][] Q_TARGET = {{0.2f, -0.1f, 0.4f}, {0.3f, 0.6f, -0.5f}, {0.1f, 0.9f, -0.2f}};
    /** Online Q table [state][action] (for double DQN). */
    static final float[][] Q_ONLINE = {{0f, 0f, 0f}, {0.5f, 0.2f, 0f}, {0f, 0f, 0.3f}};

    private ToyMdp() {}

    static float[] oneHot(int s) {
        float[] x = new float[3];
        x[s] = 1f;
        return x;
    }

    static Candidates.Set set(int[] ids, double[] p) {
        float[] lp = new float[ids.length];
        for (int j = 0; j < ids.length; j++) {
            lp[j] = (float) Math.log(p[j]);
        }
        return new Candidates.Set(ids, lp, 0f);
    }

    static ReplayEpisode episode() {
        ReplayEpisode.Builder b = new ReplayEpisode.Builder(3);
        b.step(oneHot(0), 0, set(new int[] {0, 1, 2}, new double[] {0.5, 0.3, 0.2}), 1);
        b.step(oneHot(1), 0, set(new int[] {0, 1}, new double[] {0.6, 0.4}), 0);
        b.step(oneHot(2), 0, set(new int[] {2, 0}, new double[] {0.7, 0.3}), 0);
        return b.build(new float[] {0.5f, -0.25f, 1.0f});
    }

    /** Parameters (W1 then W2, biases in the last columns) whose Q(s, a) is {@code table[s][a]}. */
    static float[] params(float[][] table) {
        float[] p = new float[3 * 4 + 3 * 4];
        for (int i = 0; i < 3; i++) {
            p[i * 4 + i] = 1f;
        }
        for (int a = 0; a < 3; a++) {
            for (int s = 0; s < 3; s++) {
                p[12 + a * 4 + s] = table[s][a];
            }
        }
        return p;
    }

    static QHead head() {
        int n = 24;
        return QHead.of(new HeadState(3, 3, 3, DqnConfig.Activation.RELU, params(Q_ONLINE), params(Q_TARGET),
                new float[n], new float[n], 0));
    }

    static DqnConfig config(DqnConfig.Backup backup, int nStep) {
        return DqnConfig.builder().backup(backup).nStep(nStep).gamma(GAMMA).tauQ(TAU).clipTargets(false)
                .batchSize(1).replaySize(16).build();
    }
}
