package dev.qdecode.pipeline.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.qdecode.data.PromptExample;
import dev.qdecode.pipeline.dqn.DqnBench;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.generate.DecodeMemory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode bench train}: DQN training throughput (rollout tokens/s, gradient updates/s). */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Measure the two halves of a DQN training round on a real model: rollout tokens/s (batched, KV-cached "
                    + "episodes with candidate selection, Q scoring, sampling, detokenisation and transition "
                    + "recording) and gradient updates/s of the learner (replay sampling, target-network "
                    + "evaluation of the n-step states, Bellman targets, Adam step, target sync) for each "
                    + "--variants backup, side by side with the first variant as the ratio base.",
            "Medians of --runs timed runs after warm-up; thread CPU rates show what the rate is without other "
                    + "processes competing for the cores."
        })
final class BenchTrainCommand implements Callable<Integer> {
    /** Untimed rollout batches before the timed ones when --warmup is not given. */
    private static final int ROLLOUT_WARMUP = 2;

    @Spec CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompts for the rollouts. Default: <shared>/data/prompts/story_prompts.train.tsv.")
    Path prompts;

    @Option(names = "--variants", split = ",", preprocessor = CommaList.class, defaultValue = "soft,hard,double,soft+prioritized",
            description = "Learner variants: a backup (soft, hard, double), optionally '+prioritized' "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> variants;

    @Option(names = "--batch-size", defaultValue = "64", description = "Transitions per update (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--updates", defaultValue = "300", description = "Updates per timed run (default: ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--rollout-episodes", defaultValue = "32",
            description = "Episodes per rollout batch (default: ${DEFAULT-VALUE}).")
    int rolloutEpisodes;

    @Option(names = "--max-new-tokens", defaultValue = "48", description = "Tokens per episode (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--runs", defaultValue = "5", description = "Timed runs per measurement (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed runs before the timed ones: N rollout batches, and N learner runs of --updates "
                    + "updates per variant (default: 2 rollout batches, and max(300, --updates) learner updates).")
    Integer warmup;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin BenchOutput output;

    @Override
    public Integer call() {
        int replay = DqnConfig.defaults().replaySize(); // the learner samples its batches from this replay
        BenchOptions.between(spec, "--batch-size", batchSize, 1, replay,
                "the benchmark's replay holds " + replay + " transitions");
        BenchOptions.atLeast(spec, "--updates", updates, 1);
        BenchOptions.atLeast(spec, "--rollout-episodes", rolloutEpisodes, 1);
        BenchOptions.atLeast(spec, "--max-new-tokens", maxNewTokens, 1);
        BenchOptions.runs(spec, runs);
        if (warmup != null) {
            BenchOptions.atLeast(spec, "--warmup", warmup, 0);
        }
        int rolloutWarmup = warmup != null ? warmup : ROLLOUT_WARMUP;
        long learnerWarmup = warmup != null ? (long) warmup * updates : DqnBench.warmupUpdates(updates);
        DqnConfig base = DqnConfig.builder().batchSize(batchSize).rolloutEpisodes(rolloutEpisodes)
                .maxNewTokens(maxNewTokens).minNewTokens(maxNewTokens).seed(seed).build();
        BenchOptions.once(spec, "--variants", variants);
        List<DqnConfig> learners = new ArrayList<>();
        for (String variant : variants) {
            learners.add(variant(base, variant));
        }
        output.check(spec);
        PrintWriter out = spec.commandLine().getOut();
        Path file = prompts != null ? prompts : DqnCli.defaultTrainPrompts();
        TaskOptions.Prompts prompted = TaskOptions.continuation(file, 0, "--prompts");
        List<PromptExample> examples = prompted.examples();
        List<String> p = prompted.prompts();
        try (ModelOptions.Loaded m = modelOptions.load()) {
            // Before the batch of prompts is even listed (the rollouts check again with the prompts' lengths).
            DecodeMemory.check(m.model().config(), rolloutEpisodes, 1, 0, maxNewTokens, "rolling out "
                    + rolloutEpisodes + (rolloutEpisodes == 1 ? " episode" : " episodes") + " together",
                    "--rollout-episodes or --max-new-tokens");
            // The prompts the rollouts use (cyclically: warm-up and timed runs), checked before any output.
            int used = (int) Math.min(examples.size(), (long) rolloutEpisodes * ((long) rolloutWarmup + runs));
            PromptFit.check(examples.subList(0, used), file, DqnCli.promptReadOptions(0), m, true, maxNewTokens,
                    PromptFit.REMEDY);
            JsonObject record = BenchOutput.record(spec);
            output.started(spec.commandLine().getErr());
            out.println(BenchEnvironment.describe());
            int h = m.model().config().hiddenSize();
            int v = m.model().config().vocabSize();
            out.printf(Locale.ROOT, "model %s (weights sha256 %s): embedding %d, vocabulary %d; head hidden %d, "
                    + "top-%d candidates, n-step %d; seed %d%n", m.dir().getFileName(),
                    m.weightsId().substring(0, 12), h, v, base.headHidden(), base.candidatesTopK(),
                    base.nStep(), seed);
            JsonObject about = new JsonObject();
            about.addProperty("dir", m.dir().toString());
            about.addProperty("weights_sha256", m.weightsId());
            about.addProperty("embedding", h);
            about.addProperty("vocabulary", v);
            record.add("model", about);
            record.addProperty("prompts", file.toString());
            double[] tps = DqnBench.rollouts(m.model(), m.tokenizer(), m.format(), base, p, rolloutWarmup, runs);
            double[] sorted = tps.clone();
            Arrays.sort(sorted);
            JsonObject rollouts = new JsonObject();
            rollouts.addProperty("episodes", rolloutEpisodes);
            rollouts.addProperty("tokens", maxNewTokens);
            rollouts.addProperty("warmup_batches", rolloutWarmup);
            rollouts.addProperty("tokens_per_s", DqnBench.median(tps));
            rollouts.addProperty("tokens_per_s_min", sorted[0]);
            rollouts.addProperty("tokens_per_s_max", sorted[runs - 1]);
            rollouts.add("tokens_per_s_runs", BenchOutput.json(tps));
            record.add("rollouts", rollouts);
            out.printf(Locale.ROOT, "rollouts: %d episodes x %d tokens: %,.0f tokens/s median of %s after %s "
                    + "(min %,.0f, max %,.0f), %.1f ms per token step%n", rolloutEpisodes, maxNewTokens,
                    DqnBench.median(tps), runs == 1 ? "1 timed run" : runs + " timed runs",
                    rolloutWarmup == 1 ? "1 warm-up batch" : rolloutWarmup + " warm-up batches", sorted[0],
                    sorted[runs - 1], 1000.0 * rolloutEpisodes / DqnBench.median(tps));
            out.printf(Locale.ROOT, "learner: updates/s and ms/update are medians of %s of %d updates after %d warm-up "
                    + "updates; CPU upd/s per second of the thread's CPU time; ratio to %s%n",
                    runs == 1 ? "1 timed run" : runs + " timed runs", updates, learnerWarmup,
                    variants.get(0));
            out.flush();
            out.printf(Locale.ROOT, "%-22s %12s %10s %12s %8s %12s%n", "learner (batch " + batchSize + ")",
                    "updates/s", "ms/update", "CPU upd/s", "ratio", "replay MiB");
            double first = 0;
            JsonArray learnerRows = new JsonArray();
            for (int i = 0; i < variants.size(); i++) {
                String variant = variants.get(i);
                DqnBench.Result r = DqnBench.run(learners.get(i), h, v, updates, runs, learnerWarmup);
                if (first == 0) {
                    first = r.updatesPerSecond();
                }
                out.printf(Locale.ROOT, "%-22s %12.1f %10.2f %12.1f %7.2fx %12.1f%n", variant, r.updatesPerSecond(),
                        r.msPerUpdate(), r.cpuUpdatesPerSecond(), r.updatesPerSecond() / first,
                        r.replayBytes() / (1024.0 * 1024.0));
                out.flush();
                JsonObject row = new JsonObject();
                row.addProperty("variant", variant);
                row.addProperty("updates_per_s", r.updatesPerSecond());
                row.addProperty("ms_per_update", r.msPerUpdate());
                row.addProperty("cpu_updates_per_s", r.cpuUpdatesPerSecond());
                row.addProperty("ratio", r.updatesPerSecond() / first);
                row.addProperty("replay_mib", r.replayBytes() / (1024.0 * 1024.0));
                row.add("updates_per_s_runs", BenchOutput.json(r.rounds()));
                learnerRows.add(row);
            }
            JsonObject learner = new JsonObject();
            learner.addProperty("batch_size", batchSize);
            learner.addProperty("updates", updates);
            learner.addProperty("warmup_updates", learnerWarmup);
            learner.addProperty("ratio_to", variants.get(0));
            learner.add("variants", learnerRows);
            record.add("learner", learner);
            out.printf(Locale.ROOT, "peak RSS %d MiB%n", BenchEnvironment.peakRssMiB());
            output.write(record, out);
        }
        return ExitCodes.OK;
    }

    private DqnConfig variant(DqnConfig base, String variant) {
        String[] parts = variant.trim().toLowerCase(Locale.ROOT).split("\\+");
        DqnConfig.Builder b = base.toBuilder();
        try {
            b.backup(DqnConfig.Backup.valueOf(parts[0].toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--variants " + variant
                    + ": unknown backup '" + parts[0] + "' (expected soft, hard or double, optionally +prioritized)");
        }
        for (int i = 1; i < parts.length; i++) {
            if (!parts[i].equals("prioritized")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--variants " + variant
                        + ": unknown modifier '" + parts[i] + "' (expected +prioritized)");
            }
            b.prioritized(true);
        }
        return b.build();
    }
}
