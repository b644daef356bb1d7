package dev.qdecode.pipeline.dqn;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The tests' tiny real DQN setup: TinyStories-656K, its prompt format, the VADER reward, the first 12
 * training and 3 development story prompts of {@code ../shared}. Open once per test class, close after.
 */
public final class TinyVaderFixture implements AutoCloseable {
    /** The shared directory (models, data). */
    public final Path shared;
    /** TinyStories-656K. */
    public final CausalLM model;
    /** Its tokenizer. */
    public final TextTokenizer tok;
    /** Its prompt format. */
    public final PromptFormat fmt;
    /** The VADER reward. */
    public final Reward reward;
    /** 12 training prompts. */
    public final List<String> train;
    /** 3 development prompts. */
    public final List<String> dev;

    private TinyVaderFixture() {
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

    /**
     * Loads the model, tokenizer, reward and prompts.
     *
     * @return the fixture (close it)
     */
    public static TinyVaderFixture open() {
        return new TinyVaderFixture();
    }

    /**
     * A trainer setup on these, positive threshold 0.
     *
     * @param runDir the run directory
     * @param provenance the provenance to record
     * @return the setup
     */
    public DqnTrainer.Setup setup(Path runDir, Map<String, String> provenance) {
        return new DqnTrainer.Setup(model, tok, fmt, reward, train, dev, 0.0, runDir, provenance);
    }

    @Override
    public void close() {
        reward.close();
        model.close();
        tok.close();
    }
}
