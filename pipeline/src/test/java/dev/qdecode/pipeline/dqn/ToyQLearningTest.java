package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A tiny Q-learning run on a 3-state MDP with one-hot state embeddings: s0 --a0--> s1,
 * s0 --a1--> s2, s0 --a2--> end (reward 0.3); s1 --a--> end with rewards (0, 1, 0.2); s2 --a--> end
 * with rewards (0.5, 0, 0.1). Optimal greedy actions: s0 → 0 (worth 1 through s1, which needs
 * bootstrapping), s1 → 1, s2 → 0. Behaviour is uniform; π_ref is uniform over the 3 actions.
 */
class ToyQLearningTest {
    private static final float[][] R = {{0f, 0f, 0.3f}, {0f, 1f, 0.2f}, {0.5f, 0f, 0.1f}};
    private static final Candidates.Set ALL = new Candidates.Set(new int[] {0, 1, 2},
            new float[] {(float) Math.log(1 / 3.0), (float) Math.log(1 / 3.0), (float) Math.log(1 / 3.0)}, 0f);

    private static ReplayEpisode rollout(Rng rng) {
        ReplayEpisode.Builder b = new ReplayEpisode.Builder(3);
        int s = 0;
        float[] rewards = new float[2];
        int t = 0;
        while (true) {
            int a = rng.nextInt(3);
            b.step(ToyMdp.oneHot(s), 0, ALL, a);
            rewards[t++] = R[s][a];
            if (s == 0 && a < 2) {
                s = a + 1;
            } else {
                break;
            }
        }
        return b.build(java.util.Arrays.copyOf(rewards, t));
    }

    private static float[][] train(DqnConfig cfg) {
        return train(cfg, 0);
    }

    /** 400 updates with the learning rate of {@code cfg.lrAt(episode)}. */
    private static float[][] train(DqnConfig cfg, long episode) {
        Rng rng = new Rng(cfg.seed());
        ReplayBuffer replay = ReplayBuffer.of(cfg);
        for (int e = 0; e < 200; e++) {
            replay.add(rollout(rng));
        }
        try (QHead head = new QHead(3, cfg.headHidden(), 3, cfg.activation(), cfg.seed())) {
            Learner learner = new Learner(head, replay, cfg, 0, 1);
            for (int u = 0; u < 400; u++) {
                learner.update(rng, 1.0, episode);
            }
            float[][] q = new float[3][];
            for (int s = 0; s < 3; s++) {
                q[s] = head.q(ToyMdp.oneHot(s), 1, new int[] {0, 1, 2}, 3);
            }
            return q;
        }
    }

    private static DqnConfig.Builder base() {
        return DqnConfig.builder().gamma(1.0).lr(0.01).batchSize(32).headHidden(32).replaySize(1000).polyak(0.05)
                .seed(7);
    }

    @Test
    void hardBackupConvergesToTheOptimalQ() {
        float[][] q = train(base().backup(DqnConfig.Backup.HARD).nStep(1).build());
        float[][] expected = {{1f, 0.5f, 0.3f}, {0f, 1f, 0.2f}, {0.5f, 0f, 0.1f}};
        for (int s = 0; s < 3; s++) {
            for (int a = 0; a < 3; a++) {
                assertEquals(expected[s][a], q[s][a], 0.02, "Q(s" + s + ", a" + a + ")");
            }
        }
        assertEquals(0, Targets.argmax(q[0], 0, 3));
        assertEquals(1, Targets.argmax(q[1], 0, 3));
        assertEquals(0, Targets.argmax(q[2], 0, 3));
    }

    @Test
    void softNStepBackupWithPrioritizedReplayFindsTheSameGreedyActions() {
        float[][] q = train(base().backup(DqnConfig.Backup.SOFT).tauQ(0.1).nStep(2).prioritized(true).build());
        assertEquals(0, Targets.argmax(q[0], 0, 3));
        assertEquals(1, Targets.argmax(q[1], 0, 3));
        assertEquals(0, Targets.argmax(q[2], 0, 3));
        // soft value of s1 under uniform π_ref: 0.1·log((e^0 + e^10 + e^2)/3) ≈ 0.890
        double v1 = 0.1 * Math.log((Math.exp(0) + Math.exp(10) + Math.exp(2)) / 3);
        assertEquals(v1, q[0][0], 0.02);
    }

    @Test
    void theLearnerFollowsTheLearningRateSchedule() {
        DqnConfig linear = base().backup(DqnConfig.Backup.HARD).nStep(1).episodes(1000)
                .lrSchedule(DqnConfig.LrSchedule.LINEAR).build();
        // At the last episode the scheduled rate is 0: the zero-initialised output layer stays zero.
        float[][] frozen = train(linear, 1000);
        for (float[] row : frozen) {
            for (float v : row) {
                assertEquals(0f, v, 0f);
            }
        }
        // At a quarter of the run the rate is 0.75·lr: it still learns the optimal greedy actions.
        float[][] q = train(linear, 250);
        assertEquals(0, Targets.argmax(q[0], 0, 3));
        assertEquals(1, Targets.argmax(q[1], 0, 3));
        assertEquals(0, Targets.argmax(q[2], 0, 3));
    }
}
