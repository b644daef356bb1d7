package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.RewardProvider;
import dev.qdecode.rewards.RewardSpecException;
import dev.qdecode.rewards.Rewards;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code classifier} reward, created through {@link Rewards} (ServiceLoader discovery). */
class ClassifierRewardProviderTest {

    static RewardProvider provider() {
        return ServiceLoader.load(RewardProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("classifier")).findFirst()
                .orElseThrow(() -> new AssertionError("classifier provider not registered"));
    }

    static Reward create(String... kv) {
        StringBuilder spec = new StringBuilder("classifier");
        for (int i = 0; i < kv.length; i += 2) {
            spec.append(i == 0 ? ':' : ',').append(kv[i]).append('=').append(kv[i + 1]);
        }
        return Rewards.discover().create(spec.toString(), RewardContext.defaults());
    }

    @Test
    void probabilityAndMarginAgreeAndFollowSentiment() {
        String model = Sst2Fixture.savedDir().toString();
        List<Episode> eps = List.of(
                Episode.ofText("a wonderful , moving and beautifully acted film"),
                Episode.ofText("a dull , tedious mess"),
                Episode.ofText(""),
                Episode.ofText("a wonderful"));
        // Same batch size everywhere: the int8 encoder's vectors depend slightly on the batch.
        try (Reward prob = create("model", model, "batch", "2");
                Reward margin = create("model", model, "mode", "margin", "batch", "2");
                Reward neg = create("model", model, "label", "0", "batch", "2")) {
            assertEquals("classifier", prob.id());
            assertTrue(prob.scoresPrefixes());
            double[] p = prob.score(eps);
            double[] m = margin.score(eps);
            double[] q = neg.score(eps);
            assertEquals(4, p.length);
            for (int i = 0; i < p.length; i++) {
                assertTrue(p[i] > 0 && p[i] < 1, "probability " + p[i]);
                assertEquals(1.0, p[i] + q[i], 1e-9);
                // Binary softmax: the margin is the log-odds of the probability.
                assertEquals(Math.log(p[i] / (1 - p[i])), m[i], 1e-4, "episode " + i);
            }
            assertTrue(p[0] > 0.8 && p[1] < 0.2, "positive " + p[0] + " negative " + p[1]);
            assertEquals(0, prob.score(List.of()).length);
        }
        assertTrue(provider().parameters().stream().anyMatch(x -> x.name().equals("model")));
    }

    @Test
    void badSpecsFailWithOneLine(@TempDir Path tmp) throws Exception {
        String model = Sst2Fixture.savedDir().toString();
        assertOneLine(assertThrows(RewardException.class, () -> create()), "model is missing");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", model, "labels", "1")),
                "unknown parameter");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", tmp.resolve("nope").toString())),
                "does not exist");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", model, "label", "positive")),
                "label='positive'");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", model, "mode", "logit")),
                "prob or margin");
        // the value is quoted as given (it was quoted lower-cased: mode='probability' for Probability)
        assertOneLine(assertThrows(RewardException.class, () -> create("model", model, "mode", "Probability")),
                "parameter mode='Probability': expected prob or margin");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", model, "batch", "0")), "batch");

        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(Path.of(model, "head.safetensors"), broken.resolve("head.safetensors"));
        TextClassifierTest.rewrite(broken,
                Files.readString(Path.of(model, "classifier.json")).replace("\"encoder\"", "\"encoderX\""));
        assertOneLine(assertThrows(RewardException.class, () -> create("model", broken.toString())), "'encoder'");
        TextClassifierTest.rewrite(broken, "[]");
        assertOneLine(assertThrows(RewardException.class, () -> create("model", broken.toString())), "JSON");
    }

    /**
     * A model= directory that exists but holds no usable classifier (no classifier.json, a broken one, no
     * head weights) is bad input ({@link RewardInputException}), as the same directory is for classifier
     * eval; it was a plain reward failure. A missing directory stays a bad parameter value.
     */
    @Test
    void aDirectoryThatIsNotAClassifierIsBadInput(@TempDir Path tmp) throws Exception {
        String model = Sst2Fixture.savedDir().toString();
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertOneLine(assertThrows(RewardInputException.class, () -> create("model", empty.toString())),
                "has no classifier.json");
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("classifier.json"), "[]");
        assertOneLine(assertThrows(RewardInputException.class, () -> create("model", broken.toString())), "JSON");
        Path noHead = Files.createDirectories(tmp.resolve("no-head"));
        Files.copy(Path.of(model, "classifier.json"), noHead.resolve("classifier.json"));
        Files.copy(Path.of(model, "checksums.json"), noHead.resolve("checksums.json"));
        assertOneLine(assertThrows(RewardInputException.class, () -> create("model", noHead.toString())),
                "head.safetensors: missing");
        assertThrows(RewardSpecException.class, () -> create("model", tmp.resolve("nope").toString()));
        // a recorded metric that is not a count: bad input, as in classifier eval (it was a reward failure, exit 4)
        Path badMetric = Files.createDirectories(tmp.resolve("bad-metric"));
        Files.copy(Path.of(model, "head.safetensors"), badMetric.resolve("head.safetensors"));
        TextClassifierTest.rewrite(badMetric, Files.readString(Path.of(model, "classifier.json"))
                .replaceFirst("\"confusion\": \\[(\\s*)\\[(\\s*)\\d+", "\"confusion\": [$1[$2{}"));
        assertOneLine(assertThrows(RewardInputException.class, () -> create("model", badMetric.toString())),
                "confusion': expected a 2x2 array of counts (integers >= 0) but got {} at [0][0]");
    }

    static void assertOneLine(Exception e, String fragment) {
        TextClassifierTest.assertOneLine(e, fragment);
        assertTrue(e.getMessage().startsWith("reward 'classifier'"), e.getMessage());
    }
}
