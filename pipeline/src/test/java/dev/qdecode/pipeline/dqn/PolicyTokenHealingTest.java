package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.models.CausalLM;
import dev.qdecode.pipeline.generate.Generation;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A policy's candidate set at the token-healed first step is the top-k of the tokens that step allows, as in
 * the training rollouts ({@link Candidates}: drawn only from the eligible tokens). It used to be the top-k of
 * the whole vocabulary, intersected with the allowed tokens afterwards: on the 100 development prompts
 * (TinyStories-656K) the first step kept 6.75 candidates on average instead of 18.40 (stories260K: 0.87 instead of 2.32, and none, Q ignored, on 13 prompts).
 * With a zero-initialised head the guided policy is π_ref over its candidates, so sampling it must give what
 * sampling the model with top-k = the candidate count gives, token for token.
 * <p>The same holds while {@code --min-new-tokens} bans end-of-sequence: the candidates are the top-k of the
 * other tokens, as in training. They used to be the top-k with end-of-sequence, which the generator then
 * dropped, leaving k − 1 wherever it ranked among the top k.
 */
class PolicyTokenHealingTest {

    @Test
    void aZeroHeadSamplesLikeTopKOfTheModelIncludingTheHealedFirstToken() {
        assertZeroHeadSamplesLikeTopK(3, 0);
    }

    @Test
    void aZeroHeadSamplesLikeTopKOfTheModelWhileEndOfSequenceIsBanned() {
        assertZeroHeadSamplesLikeTopK(200, 200);
    }

    private static void assertZeroHeadSamplesLikeTopK(int maxNewTokens, int minNewTokens) {
        Path shared = Path.of(System.getProperty("qdecode.shared"));
        Path dir = shared.resolve("models/TinyStories-656K");
        List<String> prompts = Datasets.prompts(shared.resolve("data/prompts/story_prompts.dev.tsv"),
                ReadOptions.defaults()).examples().stream().map(PromptExample::prompt).limit(100).toList();
        DqnConfig cfg = DqnConfig.defaults();
        try (TextTokenizer tok = TextTokenizer.load(dir);
                CausalLM model = CausalLM.load(dir, tok);
                DqnPolicy policy = new DqnPolicy(new QHead(model.config().hiddenSize(), 16, model.config().vocabSize(),
                        DqnConfig.Activation.RELU, 3), cfg, DqnPolicy.Mode.GUIDED)) {
            PromptFormat fmt = PromptFormat.forModel(dir, tok);
            GenerationConfig gc = GenerationConfig.stepwise(new SamplingConfig(false, 1.0, cfg.candidatesTopK(), 1.0),
                    maxNewTokens, minNewTokens, List.of(), 5, 8, true, false);
            List<Generation> withPolicy = new Generator(model, tok, fmt, gc, policy).generate(prompts, null);
            List<Generation> plain = new Generator(model, tok, fmt, gc).generate(prompts, null);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(plain.get(i).tokenIds(), withPolicy.get(i).tokenIds(), "prompt " + i + ": "
                        + prompts.get(i));
            }
        }
    }
}
