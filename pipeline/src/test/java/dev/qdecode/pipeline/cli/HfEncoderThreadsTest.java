package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.classifier.TextClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A classifier on a model directory ({@code --encoder hf:DIR}) embeds with PyTorch, and records that count where a
 * MiniLM classifier records its ONNX Runtime count: {@code metrics.dev.encoderThreads} of {@code classifier train
 * --dev}, {@code encoder_threads} of {@code classifier eval --output}, {@code reward_encoder_threads} of a
 * {@code classifier:model=DIR} reward's {@code rewards score --output}. It recorded none of them. The reward's
 * count is asked of the built reward: its {@code classifier.json} is not read again (it was, once per call).
 */
class HfEncoderThreadsTest {
    @TempDir
    Path tmp;

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void aModelDirectoryClassifierRecordsItsPyTorchCountWhereMiniLmRecordsItsOwn() throws Exception {
        Path sst2 = CliRunner.shared().resolve("data/sst2");
        Path dev = Files.write(tmp.resolve("dev.tsv"), Files.readAllLines(sst2.resolve("dev.tsv")).subList(0, 21));
        Path clf = tmp.resolve("clf");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--encoder", "hf:" + CliRunner.model("stories260K"),
                "--data", sst2.resolve("train.tsv").toString(), "--limit", "40", "--dev", dev.toString(), "--out",
                clf.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String threads = DqnCli.threads();
        assertEquals(threads, json(clf.resolve(TextClassifier.METADATA_FILE)).getAsJsonObject("metrics")
                .getAsJsonObject("dev").get("encoderThreads").getAsString());

        Path predictions = tmp.resolve("predictions.tsv");
        r = CliRunner.run("classifier", "eval", "--classifier", clf.toString(), "--data", dev.toString(), "--output",
                predictions.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(threads, json(ResumableOutput.runFile(predictions)).get(DqnCli.ENCODER_THREADS).getAsString());

        Path hyps = Files.writeString(tmp.resolve("hyp.txt"), "a good film\na dull film\n");
        Path scores = tmp.resolve("scores.tsv");
        r = CliRunner.run("rewards", "score", "--reward", "classifier:model=" + clf, "--hyp", hyps.toString(),
                "--output", scores.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(threads, json(ResumableOutput.runFile(scores)).get(DqnCli.REWARD_ENCODER_THREADS).getAsString());

        // the count is the built reward's: with classifier.json gone after the reward was built, it is still known
        // (it was read again from the file, and then silently not recorded)
        RewardContext context = new RewardContext(CliRunner.shared(), 1);
        try (Reward reward = Rewards.discover().create(List.of("0.5*classifier:model=" + clf, "0.1*length:min=2"),
                context)) {
            Files.move(clf.resolve(TextClassifier.METADATA_FILE), tmp.resolve("moved.json"));
            Map<String, String> provenance = new LinkedHashMap<>();
            DqnCli.putRewardEncoderThreads(provenance, reward);
            assertEquals(Map.of(DqnCli.REWARD_ENCODER_THREADS, threads), provenance);
            assertEquals(1, reward.score(List.of(new Episode("", "fine", null, List.of(), null, null))).length);
        }
        // a reward that embeds nothing records nothing
        try (Reward afinn = Rewards.discover().create(List.of("afinn"), context)) {
            assertNull(DqnCli.rewardEncoderThreads(afinn));
        }
    }
}
