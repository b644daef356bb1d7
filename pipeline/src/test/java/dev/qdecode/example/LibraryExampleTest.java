package dev.qdecode.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.models.CausalLM;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.EvalMetrics;
import dev.qdecode.pipeline.dqn.TrainListener;
import dev.qdecode.pipeline.generate.Generation;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example, kept compiling and working: it uses only the public API (this package is
 * outside qdecode's own), as a program would. Load a model, train a DQN head for a reward, load the run's
 * policy and generate with and without it.
 */
class LibraryExampleTest {

    @Test
    void trainAHeadThenGenerateWithIt(@TempDir Path tmp) throws Exception {
        Path shared = Path.of(System.getProperty("qdecode.shared"));
        Path modelDir = shared.resolve("models/TinyStories-656K");
        List<String> train = Datasets.prompts(shared.resolve("data/prompts/story_prompts.train.tsv"),
                ReadOptions.defaults().withLimit(16)).examples().stream().map(PromptExample::prompt).toList();
        List<String> dev = Datasets.prompts(shared.resolve("data/prompts/story_prompts.dev.tsv"),
                ReadOptions.defaults().withLimit(4)).examples().stream().map(PromptExample::prompt).toList();
        Path run = tmp.resolve("run");
        DqnConfig cfg = DqnConfig.builder().episodes(32).rolloutEpisodes(8).maxNewTokens(16).minNewTokens(4)
                .batchSize(16).evalEvery(16).evalSamples(1).seed(3).build();
        List<EvalMetrics> evaluations = new ArrayList<>();
        try (TextTokenizer tokenizer = TextTokenizer.load(modelDir);
                CausalLM model = CausalLM.load(modelDir, tokenizer);
                Reward vader = Rewards.discover().create("vader", new RewardContext(shared, 3))) {
            PromptFormat format = PromptFormat.forModel(modelDir, tokenizer);
            DqnTrainer.Setup setup = new DqnTrainer.Setup(model, tokenizer, format, vader, train, dev, 0.0, run,
                    DqnTrainer.modelProvenance(modelDir));
            DqnTrainer.Summary summary;
            try (DqnTrainer trainer = DqnTrainer.create(setup, cfg, new TrainListener() {
                @Override
                public void onEvaluation(EvalMetrics m) {
                    evaluations.add(m);
                }
            })) {
                summary = trainer.run(Long.MAX_VALUE);
            }
            assertEquals(32, summary.episodes());
            assertFalse(evaluations.isEmpty());
            assertTrue(Files.exists(run.resolve(DqnTrainer.SUMMARY_FILE)));

            GenerationConfig greedy = GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 16, 4, List.of(), 0, 4,
                    true, false);
            try (DqnPolicy policy = DqnPolicy.load(run, DqnPolicy.Mode.GUIDED)) {
                // the run knows its model: `qdecode generate --policy RUN` finds it and refuses another
                assertEquals(modelDir.toAbsolutePath().normalize().toString(), policy.provenance().get("model_dir"));
                assertEquals(64, policy.provenance().get("model_sha256").length());
                List<Generation> base = new Generator(model, tokenizer, format, greedy).generate(dev, null);
                List<Generation> guided = new Generator(model, tokenizer, format, greedy, policy).generate(dev, null);
                List<Generation> again = new Generator(model, tokenizer, format, greedy, policy).generate(dev, null);
                assertEquals(dev.size(), guided.size());
                for (int i = 0; i < dev.size(); i++) {
                    assertFalse(base.get(i).text().isBlank());
                    assertEquals(guided.get(i).text(), again.get(i).text(), "same settings, same text");
                    assertTrue(guided.get(i).tokenIds().length >= 4);
                }
            }
        }
    }
}
