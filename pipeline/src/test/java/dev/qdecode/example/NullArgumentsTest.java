package dev.qdecode.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.sft.SftConfig;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.tokenizer.PromptFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The library's public entry points refuse a null argument with a NullPointerException naming the
 * parameter, as their Javadoc says: they threw one without a message ({@code DqnConfig.read(null)},
 * {@code Rewards.create((String) null, ctx)}) or naming a variable of their insides ({@code "s" is null}).
 */
class NullArgumentsTest {

    private static void names(String parameter, Executable call) {
        NullPointerException e = assertThrows(NullPointerException.class, call);
        assertEquals(parameter, e.getMessage());
    }

    @Test
    void configsNameTheNullParameter() {
        names("json", () -> DqnConfig.fromJson(null, "cfg.json"));
        names("source", () -> DqnConfig.fromJson("{}", null));
        names("json", () -> DqnConfig.defaults().withJson(null, "cfg.json"));
        names("source", () -> DqnConfig.keys("{}", null));
        names("file", () -> DqnConfig.readKeys(null));
        names("file", () -> DqnConfig.read(null));
        names("file", () -> DqnConfig.defaults().write(null));
        names("json", () -> SftConfig.fromJson(null, "sft.json"));
        names("task", () -> SftConfig.defaultTemplate(null));
        names("json", () -> ModelConfig.fromJson(null, "config.json"));
        names("sourceName", () -> ModelConfig.fromJson("{}", null));
        names("modelDir", () -> ModelConfig.load(null));
    }

    @Test
    void runsAndPoliciesNameTheNullParameter() {
        Path run = Path.of("no-such-run");
        names("runDirOrFile", () -> DqnPolicy.load((Path) null, DqnPolicy.Mode.GUIDED));
        names("mode", () -> DqnPolicy.load(run, null));
        names("runDirOrFile", () -> DqnPolicy.load((Path) null, DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED));
        names("decoding", () -> DqnPolicy.load(List.of(run), DqnPolicy.Mode.GUIDED, null));
        names("runs", () -> DqnPolicy.load((List<Path>) null, DqnPolicy.Mode.GUIDED, DqnPolicy.Decoding.TRAINED));
        names("runs[1]", () -> DqnPolicy.load(Arrays.asList(run, null), DqnPolicy.Mode.GUIDED,
                DqnPolicy.Decoding.TRAINED));
        names("runDir", () -> DqnTrainer.checkpointInfo(null));
        names("runDir", () -> DqnTrainer.checkpointHeader(null));
        names("modelDir", () -> DqnTrainer.modelProvenance(null));
        names("setup", () -> DqnTrainer.create(null, DqnConfig.defaults(), null));
        names("setup", () -> DqnTrainer.resume(null, null));
        names("setup", () -> DqnTrainer.evaluate(null, DqnConfig.defaults(), null, null));
        names("modelDir", () -> CausalLM.load(null));
        names("modelDir", () -> PromptFormat.forModel(null, null));
        names("tok", () -> PromptFormat.detect(null));
    }

    @Test
    void rewardsNameTheNullParameter() {
        Rewards rewards = Rewards.discover();
        RewardContext ctx = RewardContext.defaults();
        names("spec", () -> rewards.create((String) null, ctx));
        names("context", () -> rewards.create("vader", null));
        names("specs", () -> rewards.create((List<String>) null, ctx));
        names("specs[1]", () -> rewards.create(Arrays.asList("vader", null), ctx));
        names("context", () -> rewards.create(List.of("vader"), null));
        names("specs", () -> Rewards.terms(null));
        names("specs[0]", () -> Rewards.terms(Arrays.asList((String) null)));
        names("specs", () -> rewards.referenceReaders(null));
        names("specs", () -> rewards.referencesRequired(null));
        names("specs", () -> rewards.labelReaders(null));
        names("specs", () -> rewards.labelsRequired(null));
        names("specs", () -> rewards.tokenIdsRequired(null));
        names("providers", () -> Rewards.of(null));
        names("providers[0]", () -> Rewards.of(Arrays.asList((dev.qdecode.rewards.RewardProvider) null)));
        names("id", () -> rewards.provider(null));
        names("jar", () -> rewards.loadPlugin(null));
        names("reward", () -> Rewards.checked(null));
    }

    @Test
    void dataSetsNameTheNullParameter() {
        Path file = Path.of("prompts.tsv");
        names("file", () -> Datasets.prompts(null, ReadOptions.defaults()));
        names("opts", () -> Datasets.prompts(file, null));
        names("opts", () -> Datasets.classification(file, null));
        names("opts", () -> Datasets.translation(file, null));
        names("opts", () -> Datasets.dialogue(file, null));
        names("file", () -> Datasets.sha256(null));
        names("b", () -> Datasets.sameFile(file, null));
    }
}
