package dev.qdecode.pipeline.report;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Run directories for report tests: a copy of a real {@code qdecode train} run and synthetic ones. */
final class ReportFixtures {
    private ReportFixtures() {}

    /** Copies the real run (metrics.jsonl and summary.json of a 6000-episode TinyStories-656K run) into {@code dir}. */
    static Path realRun(Path dir) throws IOException {
        Path src;
        try {
            src = Path.of(ReportFixtures.class.getResource("/report/readme-check/metrics.jsonl").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Files.createDirectories(dir);
        for (String f : List.of("metrics.jsonl", "summary.json")) {
            Files.copy(src.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /**
     * A synthetic DQN run: 5 evaluations with every known field plus the lead's new fields and one
     * unknown field, a summary whose examples hold markup.
     */
    static Path syntheticRun(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            lines.add(String.format(Locale.ROOT, "{\"episode\":%d,\"policy\":\"trained\",\"samples\":40,\"mean_reward\":%.3f,"
                    + "\"reward_std\":0.2,\"positive_rate\":%.3f,\"kl\":%.2f,\"kl_beta\":%.3f,\"perplexity\":%.2f,"
                    + "\"distinct_1\":0.1,\"distinct_2\":%.3f,\"mean_length\":30,\"repeat_fraction\":0.0,"
                    + "\"loss\":%.4f,\"q_abs_mean\":%.3f,\"q_abs_max\":%.3f,\"updates_per_s\":%d,\"rollout_tokens_per_s\":%d,"
                    + "\"custom_metric\":%.2f,\"examples\":[\"x ▸ y\"]}",
                    i * 100, 0.1 * i, 0.5 + 0.05 * i, 1.5 * i, 0.1 / i, 10.0 + i, 0.6 - 0.01 * i, 0.5 / i, 0.2 * i, 0.4 * i,
                    200 + i, 5000 + 10 * i, 3.0 / i));
        }
        Files.write(dir.resolve("metrics.jsonl"), lines, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("summary.json"), """
                {"episodes": 500, "updates": 240,
                 "base": {"episode": 0, "policy": "base", "samples": 40, "mean_reward": 0.05, "reward_std": 0.3,
                          "positive_rate": 0.5, "kl": 0.0, "perplexity": 10.0, "distinct_1": 0.1, "distinct_2": 0.6,
                          "mean_length": 30, "repeat_fraction": 0.0, "updates_per_s": 0.0, "rollout_tokens_per_s": 0.0,
                          "examples": ["Tom went <b>home</b>. ▸ He said \\"<script>alert(1)</script>\\" & left.", "Lily ▸ smiled."]},
                 "trained": {"episode": 500, "policy": "trained", "samples": 40, "mean_reward": 0.5, "reward_std": 0.2,
                          "positive_rate": 0.75, "kl": 7.5, "perplexity": 11.0, "distinct_1": 0.1, "distinct_2": 0.57,
                          "mean_length": 30, "repeat_fraction": 0.0, "updates_per_s": 205, "rollout_tokens_per_s": 5050,
                          "examples": ["Tom went <b>home</b>. ▸ He was happy.", "Lily ▸ laughed."]},
                 "config": {"episodes": 500, "lr": 0.001, "backup": "soft"},
                 "provenance": {"model_dir": "/models/TinyStories-656K", "reward": "[\\"vader\\"]", "seed": "7"}}
                """, StandardCharsets.UTF_8);
        return dir;
    }

    /**
     * A synthetic SFT run in progress: step-indexed lines with the fields {@code qdecode sft} writes to its
     * metrics.jsonl (a translation run's, with dev BLEU), no summary.json.
     */
    static Path sftRun(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            lines.add(String.format(Locale.ROOT, "{\"step\":%d,\"epoch\":1,\"lr\":%.6f,\"train_loss\":%.3f,"
                    + "\"dev_loss\":%.3f,\"dev_ppl\":%.3f,\"bleu\":%.2f,\"bleu_samples\":500,"
                    + "\"bleu_signature\":\"nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0\",\"best\":true,"
                    + "\"target_tokens_per_s\":%.1f,\"elapsed_s\":%.2f}", i * 50, 1e-4 / i, 3.0 / i, 3.2 / i,
                    Math.exp(3.2 / i), 2.0 * i, 1000.0 + i, 10.0 * i));
        }
        Files.write(dir.resolve("metrics.jsonl"), lines, StandardCharsets.UTF_8);
        return dir;
    }
}
