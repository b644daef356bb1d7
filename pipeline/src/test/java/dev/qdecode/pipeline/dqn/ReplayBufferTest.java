package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Episode replay: FIFO capacity, uniform and prioritized sampling, importance weights, serialisation. */
class ReplayBufferTest {

    /** An episode of {@code len} steps whose rewards are {@code tag}, embedding dimension 2. */
    static ReplayEpisode episode(int len, float tag) {
        ReplayEpisode.Builder b = new ReplayEpisode.Builder(2);
        for (int t = 0; t < len; t++) {
            b.step(new float[] {tag, t}, 0, new Candidates.Set(new int[] {t % 5, 7}, new float[] {-0.1f, -2.4f}, -0.3f),
                    t % 2);
        }
        float[] r = new float[len];
        java.util.Arrays.fill(r, tag);
        return b.build(r);
    }

    @Test
    void fifoEvictionKeepsTheCapacityInTransitions() {
        ReplayBuffer rb = new ReplayBuffer(10, false, 0.6, 1e-3);
        rb.add(episode(4, 1));
        rb.add(episode(4, 2));
        assertEquals(8, rb.size());
        rb.add(episode(3, 3)); // 11 > 10: the oldest episode goes
        assertEquals(7, rb.size());
        assertEquals(List.of(2f, 3f), rb.episodes().stream().map(e -> e.reward[0]).toList());
        rb.add(episode(3, 4));
        assertEquals(10, rb.size());
        assertEquals(3, rb.episodeCount());
        assertEquals(4, rb.episodesAdded());
        assertThrows(IllegalArgumentException.class, () -> rb.add(episode(11, 5)));
    }

    @Test
    void uniformSamplingCoversEveryTransitionEqually() {
        ReplayBuffer rb = new ReplayBuffer(12, false, 0.6, 1e-3);
        rb.add(episode(5, 1));
        rb.add(episode(5, 2));
        rb.add(episode(5, 3)); // evicts the first: 10 transitions left, ring wraps around
        int[] counts = new int[10];
        Rng rng = new Rng(1);
        int draws = 0;
        for (int i = 0; i < 2000; i++) {
            ReplayBuffer.Batch b = rb.sample(10, 0.4, rng);
            for (int j = 0; j < 10; j++) {
                assertEquals(1f, b.weights()[j]);
                int ep = (int) b.episodes()[j].reward[0] - 2;
                assertTrue(ep == 0 || ep == 1, "evicted episode sampled");
                counts[ep * 5 + b.steps()[j]]++;
                draws++;
            }
        }
        for (int c : counts) {
            assertEquals(draws / 10.0, c, 5 * Math.sqrt(draws / 10.0)); // within 5 standard deviations
        }
    }

    @Test
    void prioritizedSamplingFollowsPriorityToTheAlpha() {
        double alpha = 0.6;
        double eps = 1e-3;
        ReplayBuffer rb = new ReplayBuffer(8, true, alpha, eps);
        rb.add(episode(4, 1));
        rb.add(episode(4, 2));
        Rng rng = new Rng(5);
        ReplayBuffer.Batch first = rb.sample(8, 0.4, rng);
        // Set distinct priorities: |δ| = 0.1·(slot + 1).
        int[] slots = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] td = new float[8];
        double[] p = new double[8];
        double sum = 0;
        for (int i = 0; i < 8; i++) {
            td[i] = (i % 2 == 0 ? 1 : -1) * 0.1f * (i + 1);
            p[i] = Math.pow(Math.abs(td[i]) + eps, alpha);
            sum += p[i];
        }
        assertEquals(8, first.slots().length);
        rb.updatePriorities(slots, td);
        for (int i = 0; i < 8; i++) {
            assertEquals(p[i] / sum, rb.probability(i), 1e-12);
        }
        int[] counts = new int[8];
        int n = 0;
        double beta = 0.5;
        double maxW = Math.pow(8 * (p[0] / sum), -beta); // the smallest priority has the largest weight
        for (int it = 0; it < 4000; it++) {
            ReplayBuffer.Batch b = rb.sample(8, beta, rng);
            for (int j = 0; j < 8; j++) {
                int slot = b.slots()[j];
                counts[slot]++;
                n++;
                double w = Math.pow(8 * (p[slot] / sum), -beta) / maxW;
                assertEquals(w, b.weights()[j], 1e-6);
                assertTrue(b.weights()[j] <= 1f + 1e-6);
                assertEquals(slot % 4, b.steps()[j]);
            }
        }
        for (int i = 0; i < 8; i++) {
            double expected = n * p[i] / sum;
            assertEquals(expected, counts[i], 5 * Math.sqrt(expected), "slot " + i);
        }
    }

    @Test
    void newTransitionsGetTheLargestPrioritySeen() {
        ReplayBuffer rb = new ReplayBuffer(8, true, 1.0, 0.0 + 1e-6);
        rb.add(episode(2, 1));
        rb.updatePriorities(new int[] {0, 1}, new float[] {3f, 0.5f});
        rb.add(episode(2, 2));
        assertEquals(rb.probability(0), rb.probability(2), 1e-12);
        assertEquals(rb.probability(0), rb.probability(3), 1e-12);
        assertTrue(rb.probability(1) < rb.probability(0));
    }

    @Test
    void sumTreeFindsPrefixSums() {
        SumTree t = new SumTree(5);
        double[] v = {1, 0, 2, 3, 0.5};
        for (int i = 0; i < 5; i++) {
            t.set(i, v[i]);
        }
        assertEquals(6.5, t.total(), 1e-12);
        assertEquals(0.5, t.minPositive(), 0);
        assertEquals(0, t.find(0.0));
        assertEquals(0, t.find(0.999));
        assertEquals(2, t.find(1.0)); // leaf 1 is empty
        assertEquals(3, t.find(3.0));
        assertEquals(4, t.find(6.49));
        t.set(4, 0);
        assertEquals(1.0, t.minPositive(), 0);
    }

    @Test
    void memoryIsReportedAndGrows() {
        ReplayBuffer rb = new ReplayBuffer(100, true, 0.6, 1e-3);
        long empty = rb.memoryBytes();
        rb.add(episode(10, 1));
        long one = rb.memoryBytes();
        // 10 steps × (2 floats φ + 2 ids + 2 logp + action + index + reward) + 11 offsets, 4 bytes each
        assertTrue(one - empty >= 4L * (10 * 9 + 11), "episode arrays counted");
        assertTrue(empty >= 8L * 100, "slot maps counted");
    }

    @Test
    void memoryEstimateIsWhatAFullBufferHolds() {
        for (int len : new int[] {1, 3, 10}) {
            assertEquals(episode(len, 1).bytes(), ReplayEpisode.bytes(len, 2, 2), "episode of " + len);
        }
        for (boolean prioritized : new boolean[] {false, true}) {
            long bound = ReplayBuffer.estimateBytes(100, prioritized, 2, 2, 1_000);
            ReplayBuffer ones = new ReplayBuffer(100, prioritized, 0.6, 1e-3);
            ReplayBuffer fours = new ReplayBuffer(100, prioritized, 0.6, 1e-3);
            for (int i = 0; i < 300; i++) {
                ones.add(episode(1, i));
                fours.add(episode(4, i));
            }
            assertEquals(bound, ones.memoryBytes(), "one-step episodes reach the bound");
            assertTrue(fours.memoryBytes() < bound, "longer episodes stay under it");
            // a run producing fewer transitions than the capacity is bounded by what it produces
            ReplayBuffer few = new ReplayBuffer(100, prioritized, 0.6, 1e-3);
            for (int i = 0; i < 30; i++) {
                few.add(episode(1, i));
            }
            assertEquals(ReplayBuffer.estimateBytes(100, prioritized, 2, 2, 30), few.memoryBytes());
        }
    }

    @Test
    void theEstimateOfAHugePrioritizedBufferIsQuick() {
        // leaves are rounded up to a power of two: past 2^30 an int doubling overflowed and never ended
        long huge = ReplayBuffer.estimateBytes(2_000_000_000L, true, 64, 8, Long.MAX_VALUE);
        assertTrue(huge > 2_000_000_000L * 64, "tree of 2^31 leaves counted: " + huge);
        assertTrue(ReplayBuffer.estimateBytes(Integer.MAX_VALUE, true, 64, 8, 1) > 0);
    }

    @Test
    void writeReadRoundTrip() throws IOException {
        ReplayBuffer rb = new ReplayBuffer(9, true, 0.6, 1e-3);
        rb.add(episode(4, 1));
        rb.add(episode(4, 2));
        rb.add(episode(3, 3)); // evicts, the ring wraps
        rb.updatePriorities(new int[] {4, 5, 8}, new float[] {0.5f, 2f, 0.01f});
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        rb.write(new DataOutputStream(bos));
        ReplayBuffer copy = new ReplayBuffer(9, true, 0.6, 1e-3);
        copy.read(new DataInputStream(new ByteArrayInputStream(bos.toByteArray())));
        assertEquals(rb.episodes(), copy.episodes());
        assertEquals(rb.size(), copy.size());
        for (int s = 0; s < 9; s++) {
            assertEquals(rb.probability(s), copy.probability(s), 0);
        }
        ReplayBuffer.Batch a = rb.sample(16, 0.7, new Rng(3));
        ReplayBuffer.Batch b = copy.sample(16, 0.7, new Rng(3));
        assertEquals(java.util.Arrays.toString(a.slots()), java.util.Arrays.toString(b.slots()));
        ReplayBuffer other = new ReplayBuffer(10, true, 0.6, 1e-3);
        IOException e = assertThrows(IOException.class,
                () -> other.read(new DataInputStream(new ByteArrayInputStream(bos.toByteArray()))));
        assertTrue(e.getMessage().contains("--replay-size 9"), e.getMessage());
    }
}
