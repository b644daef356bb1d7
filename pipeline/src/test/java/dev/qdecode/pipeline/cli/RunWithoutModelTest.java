package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.models.CausalLM;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run trained through the library without provenance does not say which model it belongs to:
 * {@code generate --policy} asks for --model instead of decoding with the default model (it did).
 */
class RunWithoutModelTest {

    @Test
    void aRunThatDoesNotRecordItsModelNeedsModel(@TempDir Path tmp) throws Exception {
        Path modelDir = Path.of(CliRunner.model("TinyStories-656K"));
        Path run = tmp.resolve("run");
        DqnConfig cfg = DqnConfig.builder().episodes(8).rolloutEpisodes(4).maxNewTokens(6).minNewTokens(2)
                .batchSize(8).evalEvery(0).evalSamples(1).seed(2).build();
        List<String> prompts = List.of("Once upon a time,", "Tom had a red ball. One day,");
        try (CausalLM model = CausalLM.load(modelDir); TextTokenizer tok = TextTokenizer.load(modelDir);
                Reward vader = Rewards.discover().create("vader", new RewardContext(CliRunner.shared(), 2));
                DqnTrainer t = DqnTrainer.create(new DqnTrainer.Setup(model, tok, PromptFormat.forModel(modelDir, tok),
                        vader, prompts, prompts, 0.0, run, Map.of()), cfg, null)) {
            t.run(Long.MAX_VALUE);
        }
        CliRunner.Result r = CliRunner.run("generate", "--policy", run.toString(), "--prompt", "One day,",
                "--max-new-tokens", "4");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --policy " + run + ": the run does not record its model "
                + "(expected --model DIR"), r.err());
        r = CliRunner.run("generate", "--policy", run.toString(), "--model", modelDir.toString(), "--prompt",
                "One day,", "--max-new-tokens", "4");
        assertEquals(ExitCodes.OK, r.code(), r.err());
    }
}
