package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.ShapedReward;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on the real TinyStories-656K model: a tiny run, resume equality, shaping. */
class DqnTrainerTest {
    private static TinyVaderFixture fixture;
    private static Path shared;
    private static CausalLM model;
    private static TextTokenizer tok;
    private static PromptFormat fmt;
    private static Reward reward;
    private static List<String> train;
    private static List<String> dev;

    @BeforeAll
    static void load() {
        fixture = TinyVaderFixture.open();
        shared = fixture.shared;
        model = fixture.model;
        tok = fixture.tok;
        fmt = fixture.fmt;
        reward = fixture.reward;
        train = fixture.train;
        dev = fixture.dev;
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    private static DqnConfig tiny() {
        return DqnConfig.builder().episodes(8).rolloutEpisodes(4).maxNewTokens(8).minNewTokens(2).batchSize(8)
                .updatesPerRollout(3).replaySize(1000).headHidden(32).evalEvery(4).evalSamples(1).saveReplay(true)
                .seed(7).build();
    }

    private static DqnTrainer.Setup setup(Path dir) {
        return new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir, Map.of("test", "yes"));
    }

    /** A generating task's returns carry the KL penalty and shaping: the cross-entropy loss is refused. */
    @Test
    void crossEntropyValueLossIsRefusedForGeneratingTasks(@TempDir Path tmp) {
        DqnConfig ce = tiny().toBuilder().valueLoss(DqnConfig.ValueLoss.CROSS_ENTROPY).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.create(setup(tmp.resolve("ce")), ce, null).close());
        assertTrue(e.getMessage().startsWith("--value-loss cross-entropy: only for --task classification"),
                e.getMessage());
        assertTrue(!Files.exists(tmp.resolve("ce").resolve(Checkpoint.FILE_NAME)));
    }

    @Test
    void interruptedThenResumedRunEndsLikeAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        DqnTrainer.Summary full;
        try (DqnTrainer t = DqnTrainer.create(setup(a), tiny(), null)) {
            full = t.run(Long.MAX_VALUE);
        }
        assertNotNull(full);
        assertEquals(8, full.episodes());
        assertEquals(6, full.updates()); // the first rollout (32 transitions) already fills a batch of 8
        try (DqnTrainer t = DqnTrainer.create(setup(b), tiny(), null)) {
            assertNull(t.run(4));
            assertEquals(4, t.episodesDone());
        }
        DqnTrainer.Summary resumed;
        try (DqnTrainer t = DqnTrainer.resume(setup(b), null)) {
            assertEquals(4, t.episodesDone());
            resumed = t.run(Long.MAX_VALUE);
        }
        assertArrayEquals(full.base().quality(), resumed.base().quality());
        assertArrayEquals(full.trained().quality(), resumed.trained().quality());
        assertEquals(full.updates(), resumed.updates());
        Checkpoint.Data ca = Checkpoint.read(a.resolve(Checkpoint.FILE_NAME), null);
        Checkpoint.Data cb = Checkpoint.read(b.resolve(Checkpoint.FILE_NAME), null);
        assertArrayEquals(ca.head().online(), cb.head().online());
        assertArrayEquals(ca.head().target(), cb.head().target());
        assertEquals("yes", cb.provenance().get("test"));
        // the divergence monitor's mean |Q| history (one check per rollout with updates) resumes with the run
        assertEquals(2L, ca.counters().get("divergence_checks"));
        assertEquals(ca.counters(), cb.counters());
        assertEquals(ca.values(), cb.values());
        // One metrics line per evaluation (episodes 4 and 8), identical quality in both runs.
        assertSameMetrics(a, b);
        JsonObject summary = JsonParser.parseString(Files.readString(a.resolve(DqnTrainer.SUMMARY_FILE)))
                .getAsJsonObject();
        assertEquals(8, summary.get("episodes").getAsInt());
        // shaped VADER returns stay within the default [-2, 2], which the summary records
        assertEquals("[-2.0,2.0]", summary.get("return_range").toString());
        // Sanity of the measurements themselves.
        EvalMetrics m = full.trained();
        assertEquals(3, m.samples());
        assertTrue(m.meanLength() >= 2 && m.meanLength() <= 8, "length " + m.meanLength());
        assertTrue(m.perplexity() > 1 && m.perplexity() < 1000, "perplexity " + m.perplexity());
        // the base model is its own reference on C: exactly 0
        assertEquals(0.0, full.base().kl());
    }

    /** One metrics line per evaluation (episodes 4 and 8), with the same quality in both runs. */
    private static void assertSameMetrics(Path a, Path b) throws Exception {
        List<String> la = Files.readAllLines(a.resolve(DqnTrainer.METRICS_FILE));
        List<String> lb = Files.readAllLines(b.resolve(DqnTrainer.METRICS_FILE));
        assertEquals(2, la.size());
        assertEquals(la.size(), lb.size());
        for (int i = 0; i < la.size(); i++) {
            JsonObject x = JsonParser.parseString(la.get(i)).getAsJsonObject();
            JsonObject y = JsonParser.parseString(lb.get(i)).getAsJsonObject();
            for (String k : List.of("episode", "mean_reward", "positive_rate", "kl", "perplexity", "distinct_2",
                    "loss", "train_reward", "grad_norm")) {
                assertEquals(x.get(k), y.get(k), k + " of line " + i);
            }
        }
    }

    /**
     * Asks to stop (as Ctrl-C does) once the rollouts reach {@code episode}: in the evaluation that follows
     * (episode 0: in the base model's evaluation, before any rollout).
     */
    private static TrainListener stopInEvaluationAfter(long episode) {
        return new TrainListener() {
            private boolean stop = episode == 0;

            @Override
            public void onRollout(long done, long total, double meanReward, double epsilon) {
                stop |= done >= episode;
            }

            @Override
            public boolean stopRequested() {
                return stop;
            }
        };
    }

    @Test
    void evaluationStoppedByCtrlCIsRedoneOnResume(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a");
        DqnTrainer.Summary full;
        try (DqnTrainer t = DqnTrainer.create(setup(a), tiny(), null)) {
            full = t.run(Long.MAX_VALUE);
        }
        // episode 0: the base model's; 4: the evaluation inside the run; 8: the final one, after the last episode
        for (long at : new long[] {0, 4, 8}) {
            Path b = tmp.resolve("b" + at);
            try (DqnTrainer t = DqnTrainer.create(setup(b), tiny(), stopInEvaluationAfter(at))) {
                assertNull(t.run(Long.MAX_VALUE), "stopped in the evaluation after episode " + at);
                assertEquals(at, t.episodesDone());
            }
            Path metrics = b.resolve(DqnTrainer.METRICS_FILE);
            assertEquals(at == 8 ? 1 : 0, Files.exists(metrics) ? Files.readAllLines(metrics).size() : 0,
                    "no line for the stopped evaluation");
            assertTrue(Files.notExists(b.resolve(DqnTrainer.SUMMARY_FILE)));
            DqnTrainer.Summary resumed;
            try (DqnTrainer t = DqnTrainer.resume(setup(b), null)) {
                resumed = t.run(Long.MAX_VALUE);
            }
            assertNotNull(resumed);
            assertArrayEquals(full.trained().quality(), resumed.trained().quality());
            assertEquals(full.updates(), resumed.updates());
            assertSameMetrics(a, b);
        }
        // Killed after the final evaluation's line but before summary.json: resumed, it logs the same line.
        Path c = tmp.resolve("c");
        Files.createDirectories(c);
        for (String f : List.of(Checkpoint.FILE_NAME, DqnTrainer.METRICS_FILE)) {
            Files.copy(a.resolve(f), c.resolve(f));
        }
        try (DqnTrainer t = DqnTrainer.resume(setup(c), null)) {
            assertEquals(full.trained().toJson().get("loss"), t.run(Long.MAX_VALUE).trained().toJson().get("loss"));
        }
        assertSameMetrics(a, c);
    }

    @Test
    void shapedRewardsTelescopeToTheTerminalReward(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(3).build();
        try (DqnTrainer t = DqnTrainer.create(setup(tmp), cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 4), null, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            double[] term = terminalScores(eps);
            for (int i = 0; i < eps.size(); i++) {
                double sum = 0;
                for (float x : rw[i]) {
                    sum += x;
                }
                assertEquals(term[i], sum, 1e-5, "episode " + i + ": " + eps.get(i).text());
                assertEquals(eps.get(i).tokens().length, rw[i].length);
            }
        }
    }

    /**
     * A {@link dev.qdecode.rewards.ShapedReward}'s per-token part is added to the step of its token, as the
     * interface promises ("added to the episode-level score during training"); it used to be ignored, so
     * every step but the last got 0. Its failure on an episode names that episode and its prompt.
     */
    @Test
    void aShapedRewardsPerTokenPartIsAddedToItsSteps(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(0).build();
        boolean[] fail = {false};
        ShapedReward shaped = new ShapedReward() {
            @Override
            public String id() {
                return "shaped";
            }

            @Override
            public double[] score(List<dev.qdecode.rewards.Episode> episodes) {
                return reward.score(episodes);
            }

            @Override
            public double[][] tokenRewards(List<dev.qdecode.rewards.Episode> episodes) {
                double[][] out = new double[episodes.size()][];
                for (int i = 0; i < out.length; i++) {
                    if (fail[0] && i == 1) {
                        throw RewardException.onEpisode("shaped", i, "no token rewards", null);
                    }
                    int[] ids = episodes.get(i).tokenIds();
                    out[i] = new double[ids.length];
                    for (int t = 0; t < ids.length; t++) {
                        out[i][t] = 0.01 * (t + 1) + 0.001 * i;
                    }
                }
                return out;
            }
        };
        try (DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, shaped, train, dev, 0.0, tmp,
                Map.of()), cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 4), null, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            double[] term = terminalScores(eps);
            for (int i = 0; i < eps.size(); i++) {
                int len = eps.get(i).tokens().length;
                assertEquals(len, rw[i].length);
                for (int s = 0; s < len; s++) {
                    double part = 0.01 * (s + 1) + 0.001 * i;
                    assertEquals(part + (s == len - 1 ? term[i] : 0), rw[i][s], 1e-6, "episode " + i + ", step " + s);
                }
            }
            fail[0] = true;
            String m = org.junit.jupiter.api.Assertions.assertThrows(RewardException.class,
                    () -> t.shapedRewardsForTest(eps)).getMessage();
            assertTrue(m.contains("episode 2, prompt \"") && m.contains("no token rewards") && !m.contains("\n"), m);
        }
    }

    /**
     * Potential-based shaping with γ &lt; 1 (Ng, Harada and Russell 1999: F = γ·Φ(s') − Φ(s), Φ(terminal) = 0):
     * the discounted shaped return from every step t is the discounted terminal reward less the potential
     * there, γ^(T−1−t)·R − Φ(prefix_t), so the optimal policy is that of the terminal reward. Here Φ is
     * scored at every prefix (--shaping-every 1), so Φ(prefix_t) is the reward of the first t tokens.
     */
    @Test
    void discountedShapedReturnsAreTheTerminalReturnLessThePotential(@TempDir Path tmp) {
        double gamma = 0.5;
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(1).gamma(gamma).build();
        try (DqnTrainer t = DqnTrainer.create(setup(tmp), cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 4), null, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            for (int i = 0; i < eps.size(); i++) {
                Rollouts.Episode e = eps.get(i);
                int len = e.tokens().length;
                List<dev.qdecode.rewards.Episode> prefixes = new java.util.ArrayList<>();
                for (int p = 0; p <= len; p++) {
                    prefixes.add(new dev.qdecode.rewards.Episode(e.prompt(), p == len ? e.text() : e.prefix(p),
                            java.util.Arrays.copyOf(e.tokens(), p), null, null, null));
                }
                double[] phi = reward.score(prefixes); // phi[p] = Φ(prefix_p); phi[len] = R
                double g = 0;
                for (int s = len - 1; s >= 0; s--) {
                    g = rw[i][s] + gamma * g;
                    assertEquals(Math.pow(gamma, len - 1 - s) * phi[len] - phi[s], g, 1e-5,
                            "episode " + i + ", return from step " + s + ": " + e.text());
                }
            }
        }
    }

    /**
     * "KL to pi_ref" is the exact KL(π ‖ π_ref) per visited state summed over the episode, never negative: here a
     * head with small random Q-values (τ_Q 20) keeps π close to π_ref on C, where the sampled-token estimate
     * log π(a_t) − log π_ref(a_t) that was reported before averages below 0 on these episodes. The base model
     * is its own reference on C: 0.
     */
    @Test
    void theReportedKlIsTheExactKlAndNeverNegative(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().tauQ(20).evalSamples(2).build();
        QHead head = randomHead(2);
        try (DqnPolicy policy = new DqnPolicy(head, cfg, DqnPolicy.Mode.GUIDED)) {
            EvalMetrics base = DqnTrainer.evaluate(setup(tmp.resolve("e")), cfg, null, null);
            EvalMetrics trained = DqnTrainer.evaluate(setup(tmp.resolve("e")), cfg, policy, null);
            List<String> prompts = new java.util.ArrayList<>(dev);
            prompts.addAll(dev);
            List<Rollouts.Episode> eps = new Rollouts(model, tok, fmt, cfg).sample(prompts, head,
                    Rng.derive(cfg.seed(), 2));
            double sampled = 0;
            double exact = 0;
            for (Rollouts.Episode e : eps) {
                assertTrue(e.exactKl() >= 0, "exact KL " + e.exactKl());
                sampled += e.kl();
                exact += e.exactKl();
            }
            assertTrue(sampled < 0, "the sampled-token estimate of these episodes is negative: " + sampled);
            assertTrue(exact > 0, "exact KL " + exact);
            assertTrue(trained.kl() >= 0, "trained KL " + trained.kl());
            assertEquals(0.0, base.kl());
            assertTrue(trained.kl() > 0 && trained.kl() < 100, "trained KL " + trained.kl());
        }
    }

    /** A head whose output weights are random in [-0.5, 0.5) (Q ≠ 0). */
    private static QHead randomHead(long seed) {
        QHead head = new QHead(model.config().hiddenSize(), 16, model.config().vocabSize(),
                DqnConfig.Activation.RELU, 5);
        HeadState st = head.export();
        float[] online = st.online().clone();
        Rng w = new Rng(seed);
        int size1 = 16 * (model.config().hiddenSize() + 1);
        for (int i = size1; i < online.length; i++) {
            online[i] = (float) (w.nextDouble() - 0.5);
        }
        head.load(new HeadState(st.in(), st.hidden(), st.vocab(), st.activation(), online, st.target(),
                st.adamM(), st.adamV(), st.adamStep()));
        return head;
    }

    /**
     * The KL penalty is per token (KlController, --kl-beta): r_t gets −β·(log π(a_t|s_t) − log π_ref(a_t|s_t)) of
     * the token taken at step t, so the return from step t carries the KL of the tokens from t on. Here the
     * rollouts follow a head with random output weights (Q ≠ 0), and the per-token log-ratios are recomputed
     * from the recorded states and candidates.
     */
    @Test
    void theKlPenaltyIsChargedToTheTokenThatIncursIt(@TempDir Path tmp) {
        double beta = 0.5;
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(0).klBeta(beta).build();
        try (DqnTrainer t = DqnTrainer.create(setup(tmp), cfg, null);
                QHead head = new QHead(model.config().hiddenSize(), 16, model.config().vocabSize(),
                        DqnConfig.Activation.RELU, 5)) {
            HeadState st = head.export();
            float[] online = st.online().clone();
            Rng w = new Rng(11);
            int size1 = 16 * (model.config().hiddenSize() + 1);
            for (int i = size1; i < online.length; i++) {
                online[i] = (float) (w.nextDouble() - 0.5);
            }
            head.load(new HeadState(st.in(), st.hidden(), st.vocab(), st.activation(), online, st.target(),
                    st.adamM(), st.adamV(), st.adamStep()));
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 4), head, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            double[] term = terminalScores(eps);
            boolean unequal = false;
            for (int i = 0; i < eps.size(); i++) {
                ReplayEpisode e = eps.get(i).steps().build(new float[eps.get(i).tokens().length]);
                double klSum = 0;
                double first = Double.NaN;
                for (int s = 0; s < e.length; s++) {
                    int k = e.candidates(s);
                    int cs = e.candStart[s];
                    float[] lp = java.util.Arrays.copyOfRange(e.candLogp, cs, cs + k);
                    float[] q = head.q(java.util.Arrays.copyOfRange(e.phi, s * e.dim, (s + 1) * e.dim), 1,
                            java.util.Arrays.copyOfRange(e.candIds, cs, cs + k), k);
                    double klS = PolicyMath.guidedLogProbs(lp, q, 0, k, cfg.tauQ())[e.actionIndex[s]]
                            - lp[e.actionIndex[s]];
                    klSum += klS;
                    first = s == 0 ? klS : first;
                    unequal |= Math.abs(klS - first) > 1e-3;
                    double expected = -beta * klS + (s == e.length - 1 ? term[i] : 0);
                    assertEquals(expected, rw[i][s], 1e-4, "episode " + i + ", step " + s);
                }
                assertEquals(eps.get(i).kl(), klSum, 1e-4);
            }
            assertTrue(unequal, "the tokens' log-ratios differ");
        }
    }

    /**
     * A reward beyond [-1, 1] (here 4 × VADER) widens the return range that targets are clipped to, to the
     * discounted returns its episodes reach; a range given in the config is kept.
     */
    @Test
    void returnsBeyondTheDefaultRangeWidenItUnlessARangeIsGiven(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(0).gamma(0.9).build();
        try (Reward four = Rewards.discover().create(List.of("4*vader"), new RewardContext(shared, 1));
                DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, four, train, dev, 0.0,
                        tmp.resolve("auto"), Map.of()), cfg, null);
                DqnTrainer fixed = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, four, train, dev, 0.0,
                        tmp.resolve("fixed"), Map.of()), cfg.toBuilder().returnMin(-1.0).returnMax(1.0).build(), null)) {
            assertArrayEquals(new double[] {-1, 1}, t.returnRange());
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 8), null, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            double lo = -1;
            double hi = 1;
            for (float[] ep : rw) {
                double g = 0;
                for (int i = ep.length - 1; i >= 0; i--) {
                    g = ep[i] + 0.9 * g;
                    lo = Math.min(lo, g);
                    hi = Math.max(hi, g);
                }
            }
            assertTrue(hi > 1 || lo < -1, "some episode's return leaves [-1, 1]: " + lo + ", " + hi);
            assertArrayEquals(new double[] {lo, hi}, t.returnRange(), 1e-6);
            fixed.shapedRewardsForTest(eps);
            assertArrayEquals(new double[] {-1, 1}, fixed.returnRange());
        }
    }

    /**
     * --rollout-temperature is the training rollouts' temperature: evaluations sample the policy itself. They
     * used to sample at it too, so the base model's evaluation depended on a training option (at 0, every
     * sample of a prompt was its greedy continuation).
     */
    @Test
    void evaluationsSampleThePolicyWhateverTheRolloutTemperature(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).evalSamples(2).build();
        DqnTrainer.Summary one;
        DqnTrainer.Summary greedyRollouts;
        try (DqnTrainer t = DqnTrainer.create(setup(tmp.resolve("t1")), cfg, null)) {
            one = t.run(Long.MAX_VALUE);
        }
        try (DqnTrainer t = DqnTrainer.create(setup(tmp.resolve("t0")), cfg.toBuilder().rolloutTemperature(0).build(),
                null)) {
            greedyRollouts = t.run(Long.MAX_VALUE);
        }
        assertEquals(one.base().toJson(), greedyRollouts.base().toJson());
    }

    /**
     * With --target-sync N the target network (generate --head target) is the online head's copy at the last sync,
     * not a Polyak average, as --head's help now says: before any sync it is still the initial head (Q ≡ 0).
     */
    @Test
    void aHardSyncedTargetIsTheCopyAtTheLastSync(@TempDir Path tmp) {
        Path dir = tmp.resolve("hard");
        try (DqnTrainer t = DqnTrainer.create(setup(dir), tiny().toBuilder().targetSync(1_000_000).build(), null)) {
            t.run(Long.MAX_VALUE);
        }
        HeadState h = Checkpoint.read(dir.resolve(Checkpoint.FILE_NAME), null).head();
        int w1 = h.hidden() * (h.in() + 1);
        boolean onlineMoved = false;
        for (int i = w1; i < h.online().length; i++) {
            assertEquals(0f, h.target()[i]);
            onlineMoved |= h.online()[i] != 0f;
        }
        assertTrue(onlineMoved);
    }

    /**
     * A standalone evaluation (evaluate --policy) stores nothing in replay, so the run's --replay-size is neither
     * allocated nor checked: a buffer too large for this JVM's heap was refused (or one shorter than an episode).
     */
    @Test
    void aStandaloneEvaluationNeedsNoReplayBuffer(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(100_000).replaySize(2_000_000_000).evalSamples(1).build();
        assertThrows(dev.qdecode.pipeline.generate.GenerationException.class,
                () -> DqnTrainer.create(setup(tmp.resolve("train")), cfg, null));
        EvalMetrics m = DqnTrainer.evaluate(setup(tmp.resolve("eval")), cfg, null, null);
        assertEquals(dev.size(), m.samples());
        // and evaluates alike: the replay buffer plays no part in an evaluation
        assertArrayEquals(DqnTrainer.evaluate(setup(tmp.resolve("eval1")), tiny().toBuilder().evalSamples(1).build(),
                null, null).quality(), m.quality());
        EvalMetrics shortReplay = DqnTrainer.evaluate(setup(tmp.resolve("eval2")),
                tiny().toBuilder().replaySize(8).maxNewTokens(9).evalSamples(1).build(), null, null);
        assertEquals(dev.size(), shortReplay.samples());
    }

    /** Engine arrays alive in the process (every base manager hangs off the engine's system manager). */
    private static int liveArrays() {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            return m.getParentManager().getManagedArrays().size();
        }
    }

    /**
     * A trainer that cannot be built (settings refused after its Q head was made) or resumed (a checkpoint whose
     * replay does not fit the run) frees the head's engine arrays: they stayed allocated until the process ended.
     */
    @Test
    void aTrainerThatCannotBeBuiltOrResumedFreesItsHead(@TempDir Path tmp) throws Exception {
        int before = liveArrays();
        DqnConfig tooShort = tiny().toBuilder().replaySize(8).build(); // episodes of up to 8 tokens fit: 9 do not
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(dev.qdecode.pipeline.generate.GenerationException.class,
                () -> DqnTrainer.create(setup(tmp.resolve("short")), tooShort.toBuilder().maxNewTokens(9).build(),
                        null)).getMessage().startsWith("--replay-size 8: "));
        assertEquals(before, liveArrays());

        Path dir = Files.createDirectories(tmp.resolve("odd"));
        DqnConfig cfg = tiny();
        try (QHead h = new QHead(model.config().hiddenSize(), cfg.headHidden(), model.config().vocabSize(),
                cfg.activation(), cfg.seed())) {
            Checkpoint.write(dir.resolve(Checkpoint.FILE_NAME), new Checkpoint.Data(cfg, Map.of("episodes", 4L),
                    Map.of(), Map.of("train", 1L), Map.of(), h.export(), true), new ReplayBuffer(500, false, 0.6, 1e-3));
        }
        before = liveArrays();
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.resume(setup(dir), null));
        assertTrue(e.getMessage().contains("replay was saved with --replay-size 500"), e.getMessage());
        assertEquals(before, liveArrays());
    }

    /**
     * Through the library: a fresh run refuses a directory holding an earlier run (it appended to its
     * metrics log), and a reward given unchecked is checked, so a NaN names the reward and its episode.
     */
    @Test
    void aFreshRunRefusesAnEarlierRunAndAnUncheckedRewardIsChecked(@TempDir Path tmp) throws Exception {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).build();
        Path dir = tmp.resolve("run");
        try (DqnTrainer t = DqnTrainer.create(setup(dir), cfg, null)) {
            t.run(Long.MAX_VALUE);
        }
        IllegalArgumentException again = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.create(setup(dir), cfg, null));
        assertTrue(again.getMessage().startsWith(dir + ": holds an earlier run's checkpoint.qdq"), again.getMessage());
        Reward nan = reward("nan-sometimes",
                episodes -> episodes.stream().mapToDouble(e -> e.text().contains("e") ? Double.NaN : 0.5).toArray());
        DqnTrainer.Setup s = new DqnTrainer.Setup(model, tok, fmt, nan, train, dev, 0.0, tmp.resolve("nan"), Map.of());
        try (DqnTrainer t = DqnTrainer.create(s, cfg.toBuilder().shapingEvery(0).build(), null)) {
            dev.qdecode.rewards.RewardException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.qdecode.rewards.RewardException.class, () -> t.run(Long.MAX_VALUE));
            assertTrue(e.getMessage().startsWith("reward 'nan-sometimes' "), e.getMessage());
        }
    }

    @Test
    void demonstrationsTakeTheReferenceTokensThenEosAndAreScoredLikeRollouts(@TempDir Path tmp) throws Exception {
        List<String> prompts = train.subList(0, 3);
        List<String> refs = List.of("Once upon a time there was a cat.", "The dog ran to the park.",
                "She smiled at the little bird.");
        Map<String, List<String>> byPrompt = new java.util.HashMap<>();
        for (int i = 0; i < 3; i++) {
            byPrompt.put(prompts.get(i), List.of(refs.get(i)));
        }
        dev.forEach(d -> byPrompt.put(d, List.of("They played all day.")));
        DqnConfig cfg = tiny().toBuilder().episodes(4).maxNewTokens(24).minNewTokens(1).evalEvery(0)
                .demonstrations(0.5).build();
        try (Reward bleu = Rewards.discover().create(List.of("bleu"), new RewardContext(shared, 1));
                DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, bleu, prompts, dev, 0.0, tmp,
                        Map.of("test", "yes"), byPrompt), cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<int[]> targets = refs.stream().map(x -> tok.encode(x, false)).toList();
            List<Rollouts.Episode> eps = r.demonstrate(prompts, targets);
            int eos = model.config().eosTokenIds()[0];
            float[][] rw = t.shapedRewardsForTest(eps);
            for (int i = 0; i < 3; i++) {
                // the prompt is token-healed as for rollouts: the token it backs up comes first
                int[] all = fmt.encode(tok, prompts.get(i));
                int backedUp = all.length - eps.get(i).promptIds().length;
                int[] want = new int[backedUp + targets.get(i).length + 1];
                System.arraycopy(all, all.length - backedUp, want, 0, backedUp);
                System.arraycopy(targets.get(i), 0, want, backedUp, targets.get(i).length);
                want[want.length - 1] = eos;
                assertArrayEquals(want, eps.get(i).tokens(), refs.get(i));
                assertEquals(refs.get(i), eps.get(i).text().strip());
                ReplayEpisode e = eps.get(i).steps().build(rw[i]);
                assertArrayEquals(want, e.action);
                double sum = 0;
                for (float x : rw[i]) {
                    sum += x;
                }
                assertEquals(1.0, sum, 1e-5, "the reference scores full sentence BLEU against itself");
            }
            // One rollout batch of 4 episodes: 0.5 × 4 = 2 of its prompts (all with references) are demonstrated.
            DqnTrainer.Summary sum = t.run(Long.MAX_VALUE);
            assertEquals(4, sum.episodes());
            assertEquals(2, t.demonstrationsDone());
            JsonObject js = JsonParser.parseString(Files.readString(tmp.resolve(DqnTrainer.SUMMARY_FILE)))
                    .getAsJsonObject();
            assertEquals(2, js.get("demonstrations").getAsLong());
        }
        DqnConfig noRefs = tiny().toBuilder().demonstrations(0.5).build();
        IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.create(setup(tmp.resolve("c")), noRefs, null));
        assertTrue(ex.getMessage().startsWith("--demonstrations: expected a task with reference targets"),
                ex.getMessage());
    }

    /**
     * A prompt that is both a training and an evaluation prompt is scored against the training references in
     * training episodes and demonstrations, and against the evaluation references in evaluations (one map had
     * both, so each side was scored against the other's targets too); the ten-argument setup gives one map to
     * both sides.
     */
    @Test
    void trainingAndEvaluationEpisodesAreScoredAgainstTheirOwnReferences(@TempDir Path tmp) throws Exception {
        String p = train.get(0);
        List<List<String>> seen = new java.util.ArrayList<>();
        Reward recording = reward("recording", episodes -> {
            episodes.forEach(e -> seen.add(e.references()));
            return new double[episodes.size()];
        });
        Map<String, List<String>> trainRefs = Map.of(p, List.of("The cat sat."));
        Map<String, List<String>> evalRefs = Map.of(p, List.of("The dog ran."));
        DqnTrainer.Setup s = new DqnTrainer.Setup(model, tok, fmt, recording, List.of(p), List.of(p), 0.0,
                tmp.resolve("run"), Map.of(), trainRefs, evalRefs);
        assertEquals(trainRefs, s.trainReferences());
        assertEquals(evalRefs, s.evalReferences());
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).demonstrations(1.0).build();
        try (DqnTrainer t = DqnTrainer.create(s, cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            t.shapedRewardsForTest(r.run(List.of(p, p), null, 0.0, new Rng(3), true));
            assertFalse(seen.isEmpty());
            assertTrue(seen.stream().allMatch(List.of("The cat sat.")::equals), seen::toString);
            seen.clear();
            DqnTrainer.Summary sum = t.run(Long.MAX_VALUE); // base and final evaluations, rollouts, demonstrations
            long demos = t.demonstrationsDone();
            assertTrue(demos > 0);
            // the rollouts and demonstrations, then the base and the final evaluation of one sample
            assertEquals(4 + demos + 2, seen.size(), seen::toString);
            assertEquals(4 + demos, seen.stream().filter(List.of("The cat sat.")::equals).count(), seen::toString);
            assertEquals(2, seen.stream().filter(List.of("The dog ran.")::equals).count(), seen::toString);
            assertNotNull(sum);
        }
        seen.clear();
        DqnTrainer.evaluate(s, cfg, null, null);
        assertEquals(List.of(List.of("The dog ran.")), seen);

        DqnTrainer.Setup one = new DqnTrainer.Setup(model, tok, fmt, recording, List.of(p), List.of(p), 0.0,
                tmp.resolve("one"), Map.of(), trainRefs);
        assertEquals(trainRefs, one.trainReferences());
        assertEquals(trainRefs, one.evalReferences());
    }

    @Test
    void samplesPerPromptRollsEachDrawnPromptOutSideBySide(@TempDir Path tmp) {
        for (boolean passes : new boolean[] {false, true}) {
            DqnConfig cfg = tiny().toBuilder().rolloutEpisodes(6).samplesPerPrompt(3).shuffledPasses(passes).build();
            try (DqnTrainer t = DqnTrainer.create(setup(tmp), cfg, null)) {
                List<String> p = t.drawPrompts(24);
                for (int g = 0; g < 8; g++) {
                    assertEquals(p.get(3 * g), p.get(3 * g + 1));
                    assertEquals(p.get(3 * g), p.get(3 * g + 2));
                }
                if (passes) {
                    // 8 groups cover 8 of the 12 training prompts of the first pass, each once
                    assertEquals(8, new java.util.HashSet<>(p).size(), p.toString());
                }
            }
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> tiny().toBuilder().samplesPerPrompt(3).build());
        assertEquals("--samples-per-prompt: expected a divisor of --rollout-episodes (4) but got 3", e.getMessage());
    }

    /**
     * A run whose replay buffer cannot fit the heap is refused before the head is made: the refusal leaves
     * no native memory behind (it left a Q head's NDManager open per attempt, never freed, so a program
     * that retried with other settings grew by the head's size each time).
     */
    @Test
    void aRunRefusedForItsReplayBufferLeavesNoHeadBehind(@TempDir Path tmp) throws Exception {
        DqnConfig huge = tiny().toBuilder().episodes(1_000_000_000).replaySize(Integer.MAX_VALUE).build();
        int before = openManagers();
        for (int i = 0; i < 3; i++) {
            dev.qdecode.pipeline.generate.GenerationException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.qdecode.pipeline.generate.GenerationException.class,
                    () -> DqnTrainer.create(setup(tmp.resolve("run")), huge, null));
            assertTrue(e.getMessage().startsWith("--replay-size " + Integer.MAX_VALUE + ": "), e.getMessage());
        }
        assertEquals(before, openManagers(), "NDManagers left open by refused runs");
        try (DqnTrainer t = DqnTrainer.create(setup(tmp.resolve("run")), tiny(), null)) {
            assertEquals(before + 1, openManagers(), "the count sees a trainer's head");
        }
        assertEquals(before, openManagers());
    }

    /** The NDManagers open under the engine's root (DJL keeps each base manager there until it is closed). */
    private static int openManagers() throws ReflectiveOperationException {
        ai.djl.ndarray.NDManager probe = ai.djl.ndarray.NDManager.newBaseManager();
        ai.djl.ndarray.NDManager root = probe.getParentManager();
        probe.close();
        java.lang.reflect.Field resources = ai.djl.ndarray.BaseNDManager.class.getDeclaredField("resources");
        resources.setAccessible(true);
        return ((Map<?, ?>) resources.get(root)).size();
    }

    /**
     * Resuming checks the model as its Javadoc says: a setup whose weights or tokenizer hash differs from the
     * run's is refused in one line (a same-sized model with other weights resumed without complaint, and the
     * next checkpoint recorded the other model); where either side records no hash nothing is compared.
     */
    @Test
    void resumeRefusesAModelWithOtherWeightsOrTokenizer(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        Map<String, String> run = Map.of("model_dir", "/m/a", "model_sha256", "aaa", "tokenizer_sha256", "ta");
        try (DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir, run),
                tiny(), null)) {
            assertNull(t.run(4));
        }
        IllegalArgumentException weights = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.resume(new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir,
                        Map.of("model_dir", "/m/b", "model_sha256", "bbb", "tokenizer_sha256", "ta")), null));
        assertEquals(dir.resolve(Checkpoint.FILE_NAME) + ": the run was trained on /m/a (weights sha256 aaa) but the "
                + "setup's model /m/b has weights sha256 bbb (expected the run's model)", weights.getMessage());
        IllegalArgumentException tokenizer = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> DqnTrainer.resume(new DqnTrainer.Setup(model, tok, fmt, reward,
                        train, dev, 0.0, dir, Map.of("model_dir", "/m/a", "model_sha256", "aaa",
                        "tokenizer_sha256", "tb")), null));
        assertTrue(tokenizer.getMessage().contains("tokenizer.json sha256 ta) but the setup's model /m/a has "
                + "tokenizer.json sha256 tb"), tokenizer.getMessage());
        for (Map<String, String> ok : List.of(run, Map.of("model_dir", "/m/moved", "model_sha256", "aaa"),
                Map.<String, String>of())) {
            try (DqnTrainer t = DqnTrainer.resume(new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir,
                    ok), null)) {
                assertEquals(4, t.episodesDone());
            }
        }
    }

    /**
     * Calling run again on a trainer that finished returns its summary and leaves the run as it was (it
     * evaluated the final head again, appended a second line for the last episode to metrics.jsonl and
     * rewrote the checkpoint and summary.json).
     */
    @Test
    void runningAFinishedTrainerAgainReturnsItsSummaryAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        DqnConfig cfg = tiny().toBuilder().episodes(4).build();
        try (DqnTrainer t = DqnTrainer.create(setup(dir), cfg, null)) {
            DqnTrainer.Summary first = t.run(Long.MAX_VALUE);
            List<String> metrics = Files.readAllLines(dir.resolve(DqnTrainer.METRICS_FILE));
            assertEquals(1, metrics.size());
            long checkpointTime = Files.getLastModifiedTime(dir.resolve(Checkpoint.FILE_NAME)).toMillis();
            Thread.sleep(20);
            assertEquals(first, t.run(Long.MAX_VALUE));
            assertEquals(metrics, Files.readAllLines(dir.resolve(DqnTrainer.METRICS_FILE)));
            assertEquals(checkpointTime, Files.getLastModifiedTime(dir.resolve(Checkpoint.FILE_NAME)).toMillis());
        }
    }

    /**
     * The setup checks its components where it is made: a NaN positive threshold (which counted no reward
     * as positive, every positive rate 0) and a null component (a null format failed as an NPE inside the
     * base evaluation, a null config inside create) are refused by name.
     */
    @Test
    void theSetupRefusesANonFiniteThresholdAndNamesANullComponent(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        IllegalArgumentException nan = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, Double.NaN, dir, Map.of()));
        assertEquals("positiveThreshold: expected a finite number but got NaN", nan.getMessage());
        NullPointerException format = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> new DqnTrainer.Setup(model, tok, null, reward, train, dev, 0.0, dir, Map.of()));
        assertEquals("format", format.getMessage());
        NullPointerException runDir = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, null, Map.of()));
        assertEquals("runDir", runDir.getMessage());
        NullPointerException cfg = org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
                () -> DqnTrainer.create(setup(dir), null, null));
        assertEquals("cfg", cfg.getMessage());
    }

    /** A policy whose head does not fit the model is refused before any decoding, naming both sizes. */
    @Test
    void evaluateRefusesAPolicyOfAnotherModelsSizes(@TempDir Path tmp) {
        int h = model.config().hiddenSize();
        int v = model.config().vocabSize();
        try (DqnPolicy other = new DqnPolicy(new QHead(h / 2, 8, v, DqnConfig.Activation.RELU, 1), tiny(),
                DqnPolicy.Mode.GUIDED)) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> DqnTrainer.evaluate(setup(tmp.resolve("eval")), tiny(), other, null));
            assertEquals("policy: its head was trained for embeddings of size " + h / 2 + " and a vocabulary of " + v
                    + " but the model has " + h + " and " + v + " (expected the run's model)", e.getMessage());
        }
    }

    /**
     * A finished run is not resumed (as train --resume refuses it): resuming it evaluated the final head again
     * and replaced the last metrics line with the new setup's evaluation. One killed after its last checkpoint
     * but before summary.json still resumes.
     */
    @Test
    void resumeRefusesAFinishedRun(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        DqnConfig cfg = tiny().toBuilder().episodes(4).build();
        try (DqnTrainer t = DqnTrainer.create(setup(dir), cfg, null)) {
            assertNotNull(t.run(Long.MAX_VALUE));
        }
        List<String> metrics = Files.readAllLines(dir.resolve(DqnTrainer.METRICS_FILE));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> DqnTrainer.resume(setup(dir), null));
        assertEquals(dir + ": the run already finished its 4 episodes (see summary.json; expected an unfinished run)",
                e.getMessage());
        assertEquals(metrics, Files.readAllLines(dir.resolve(DqnTrainer.METRICS_FILE)));
        Files.delete(dir.resolve(DqnTrainer.SUMMARY_FILE)); // killed before the summary: the final evaluation is redone
        try (DqnTrainer t = DqnTrainer.resume(setup(dir), null)) {
            assertNotNull(t.run(Long.MAX_VALUE));
        }
        assertEquals(metrics.size(), Files.readAllLines(dir.resolve(DqnTrainer.METRICS_FILE)).size());
    }

    /**
     * A resumed run keeps the provenance its checkpoint recorded, updated with the setup's entries: resumed
     * with a setup without provenance, its next checkpoint recorded none, so the run no longer named its
     * model ('generate --policy RUN: the run does not record its model').
     */
    @Test
    void resumeKeepsTheRunsProvenanceThatTheSetupDoesNotGive(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        try (DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir,
                Map.of("model_dir", "/m/a", "seed", "7")), tiny(), null)) {
            assertNull(t.run(4));
        }
        try (DqnTrainer t = DqnTrainer.resume(new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir,
                Map.of("seed", "8")), null)) {
            assertNotNull(t.run(Long.MAX_VALUE));
        }
        Map<String, String> info = DqnTrainer.checkpointInfo(dir);
        assertEquals("/m/a", info.get("model_dir"));
        assertEquals("8", info.get("seed"));
        JsonObject summary = JsonParser.parseString(Files.readString(dir.resolve(DqnTrainer.SUMMARY_FILE)))
                .getAsJsonObject();
        assertEquals("/m/a", summary.getAsJsonObject("provenance").get("model_dir").getAsString());
    }

    /** A test reward with the given id that scores a batch of episodes with {@code score}. */
    private static Reward reward(String id,
            java.util.function.Function<List<dev.qdecode.rewards.Episode>, double[]> score) {
        return new Reward() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public double[] score(List<dev.qdecode.rewards.Episode> episodes) {
                return score.apply(episodes);
            }
        };
    }

    /** The test reward's score of each finished rollout episode (its terminal reward). */
    private static double[] terminalScores(List<Rollouts.Episode> eps) {
        return reward.score(eps.stream().map(e -> new dev.qdecode.rewards.Episode(e.prompt(), e.text(), e.tokens(),
                null, null, null)).toList());
    }
}
