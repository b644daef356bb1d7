package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
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
    private static Path shared;
    private static CausalLM model;
    private static TextTokenizer tok;
    private static PromptFormat fmt;
    private static Reward reward;
    private static List<String> train;
    private static List<String> dev;

    @BeforeAll
    static void load() {
        shared = Path.of(System.getProperty("qdecode.shared"));
        Path dir = shared.resolve("models/TinyStories-656K");
        model = CausalLM.load(dir);
        tok = TextTokenizer.load(dir);
        fmt = PromptFormat.forModel(dir, tok);
        reward = Rewards.discover().create(List.of("vader"), new RewardContext(shared, 1));
        train = Datasets.prompts(shared.resolve("data/prompts/story_prompts.train.tsv"), ReadOptions.defaults())
                .examples().stream().map(PromptExample::prompt).limit(12).toList();
        dev = Datasets.prompts(shared.resolve("data/prompts/story_prompts.dev.tsv"), ReadOptions.defaults())
                .examples().stream().map(PromptExample::prompt).limit(3).toList();
    }

    @AfterAll
    static void close() {
        reward.close();
        model.close();
        tok.close();
    }

    private static DqnConfig tiny() {
        return DqnConfig.builder().episodes(8).rolloutEpisodes(4).maxNewTokens(8).minNewTokens(2).batchSize(8)
                .updatesPerRollout(3).replaySize(1000).headHidden(32).evalEvery(4).evalSamples(1).saveReplay(true)
                .seed(7).build();
    }

    private static DqnTrainer.Setup setup(Path dir) {
        return new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, dir, Map.of("test", "yes"));
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
        // One metrics line per evaluation (episodes 4 and 8), identical quality in both runs.
        List<String> la = Files.readAllLines(a.resolve(DqnTrainer.METRICS_FILE));
        List<String> lb = Files.readAllLines(b.resolve(DqnTrainer.METRICS_FILE));
        assertEquals(2, la.size());
        assertEquals(la.size(), lb.size());
        for (int i = 0; i < la.size(); i++) {
            JsonObject x = JsonParser.parseString(la.get(i)).getAsJsonObject();
            JsonObject y = JsonParser.parseString(lb.get(i)).getAsJsonObject();
            for (String k : List.of("episode", "mean_reward", "positive_rate", "kl", "perplexity", "distinct_2")) {
                assertEquals(x.get(k), y.get(k), k + " of line " + i);
            }
        }
        JsonObject summary = JsonParser.parseString(Files.readString(a.resolve(DqnTrainer.SUMMARY_FILE)))
                .getAsJsonObject();
        assertEquals(8, summary.get("episodes").getAsInt());
        // Sanity of the measurements themselves.
        EvalMetrics m = full.trained();
        assertEquals(3, m.samples());
        assertTrue(m.meanLength() >= 2 && m.meanLength() <= 8, "length " + m.meanLength());
        assertTrue(m.perplexity() > 1 && m.perplexity() < 1000, "perplexity " + m.perplexity());
        assertEquals(0.0, full.base().kl());
    }

    @Test
    void shapedRewardsTelescopeToTheTerminalReward(@TempDir Path tmp) {
        DqnConfig cfg = tiny().toBuilder().episodes(4).evalEvery(0).shapingEvery(3).build();
        try (DqnTrainer t = DqnTrainer.create(setup(tmp), cfg, null)) {
            Rollouts r = new Rollouts(model, tok, fmt, cfg);
            List<Rollouts.Episode> eps = r.run(train.subList(0, 4), null, 0.0, new Rng(3), true);
            float[][] rw = t.shapedRewardsForTest(eps);
            double[] term = reward.score(eps.stream().map(e -> new dev.qdecode.rewards.Episode(e.prompt(), e.text(),
                    e.tokens(), null, null, null)).toList());
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
}
