package dev.qdecode.pipeline.dqn;

import dev.qdecode.models.CausalLM;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Benchmark of the DQN learner alone (no language model): a replay buffer filled with synthetic
 * episodes of the target shapes, then timed gradient updates (sampling, batched target-network
 * evaluation of every n-step state, Bellman targets, Adam step, priority update and target sync).
 * The median of several timed rounds after a warm-up is reported.
 */
public final class DqnBench {

    /**
     * The measured numbers.
     *
     * @param updatesPerSecond median updates per second (wall clock)
     * @param msPerUpdate median wall-clock milliseconds per update
     * @param cpuUpdatesPerSecond median updates per second of the benchmark thread's own CPU time
     *     (what the rate would be without other processes competing for the cores)
     * @param rounds wall-clock updates per second of every timed round
     * @param replayBytes the memory the synthetic replay holds
     * @param replayTransitions the transitions it holds
     * @param parameters the Q head's parameter count
     */
    public record Result(double updatesPerSecond, double msPerUpdate, double cpuUpdatesPerSecond, double[] rounds,
            long replayBytes,
            int replayTransitions, long parameters) {

        /**
         * Checks that {@code rounds} is given.
         *
         * @param updatesPerSecond see the record description
         * @param msPerUpdate see the record description
         * @param cpuUpdatesPerSecond see the record description
         * @param rounds see the record description
         * @param replayBytes see the record description
         * @param replayTransitions see the record description
         * @param parameters see the record description
         * @throws NullPointerException naming {@code rounds} when it is null
         */
        public Result {
            Objects.requireNonNull(rounds, "rounds");
        }

        /**
         * One line for the terminal.
         *
         * @return the summary
         */
        public String summary() {
            return String.format(Locale.ROOT,
                    "%.1f updates/s wall (%.2f ms/update; rounds %s), %.1f updates/s of thread CPU time;"
                            + " replay %d transitions in %.1f MiB; head %,d parameters",
                    updatesPerSecond, msPerUpdate, Arrays.toString(Arrays.stream(rounds)
                            .map(x -> Math.round(x * 10) / 10.0).toArray()), cpuUpdatesPerSecond, replayTransitions,
                    replayBytes / (1024.0 * 1024.0), parameters);
        }
    }

    private DqnBench() {}

    /**
     * Runs the benchmark.
     *
     * @param cfg the DQN settings (batch size, n-step, backup, head size, candidates top-k, prioritized…)
     * @param embeddingSize the state embedding size H
     * @param vocab the vocabulary size V
     * @param updatesPerRound timed updates per round
     * @param rounds timed rounds (after {@link #warmupUpdates} untimed updates)
     * @return the result
     * @throws NullPointerException naming {@code cfg} when it is null
     */
    public static Result run(DqnConfig cfg, int embeddingSize, int vocab, int updatesPerRound, int rounds) {
        return run(cfg, embeddingSize, vocab, updatesPerRound, rounds, warmupUpdates(updatesPerRound));
    }

    /**
     * Runs the benchmark with this many untimed updates first.
     *
     * @param cfg the DQN settings (batch size, n-step, backup, head size, candidates top-k, prioritized…)
     * @param embeddingSize the state embedding size H
     * @param vocab the vocabulary size V
     * @param updatesPerRound timed updates per round
     * @param rounds timed rounds
     * @param warmup untimed updates before the first round (0 for none)
     * @return the result
     * @throws NullPointerException naming {@code cfg} when it is null
     * @throws IllegalArgumentException when {@code warmup} is negative
     */
    public static Result run(DqnConfig cfg, int embeddingSize, int vocab, int updatesPerRound, int rounds,
            long warmup) {
        Objects.requireNonNull(cfg, "cfg");
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup " + warmup + ": negative (expected 0 or more updates)");
        }
        int k = cfg.candidatesTopK() > 0 ? cfg.candidatesTopK() : Math.min(vocab, 20);
        Rng rng = new Rng(cfg.seed());
        int episodes = Math.max(4 * cfg.batchSize(), Math.min(2000, cfg.replaySize() / cfg.maxNewTokens()));
        ReplayBuffer replay = ReplayBuffer.of(cfg);
        for (int e = 0; e < episodes; e++) {
            replay.add(syntheticEpisode(rng, cfg.maxNewTokens(), embeddingSize, vocab, k));
        }
        double[] perRound = new double[rounds];
        double[] cpuRound = new double[rounds];
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (QHead head = new QHead(embeddingSize, cfg.headHidden(), vocab, cfg.activation(), cfg.seed())) {
            Learner learner = new Learner(head, replay, cfg, -1, 1);
            for (long i = 0; i < warmup; i++) { // warm-up (JIT)
                learner.update(rng, cfg.priorityBetaStart(), 0);
            }
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                long c0 = mx.getCurrentThreadCpuTime();
                for (int i = 0; i < updatesPerRound; i++) {
                    learner.update(rng, cfg.priorityBetaStart(), 0);
                }
                cpuRound[r] = updatesPerRound / ((mx.getCurrentThreadCpuTime() - c0) / 1e9);
                perRound[r] = updatesPerRound / ((System.nanoTime() - t0) / 1e9);
            }
            double median = median(perRound);
            return new Result(median, 1000.0 / median, median(cpuRound), perRound, replay.memoryBytes(), replay.size(),
                    head.parameterCount());
        }
    }

    /**
     * Times real training rollouts: batches of {@code cfg.rolloutEpisodes()} episodes of
     * {@code cfg.maxNewTokens()} tokens through the backbone's KV-cached forward, with candidate
     * selection, Q-head scoring, ε-greedy sampling, incremental detokenisation and transition recording
     * for replay (everything a training round does except scoring and updates).
     *
     * @param model the frozen backbone
     * @param tokenizer its tokenizer
     * @param format its prompt format
     * @param cfg the DQN settings
     * @param prompts prompt texts, cycled
     * @param warmup untimed batches
     * @param runs timed batches
     * @return generated tokens per second of every timed batch
     * @throws NullPointerException naming {@code model}, {@code tokenizer}, {@code format}, {@code cfg} or {@code
     *     prompts} when it is null
     */
    public static double[] rollouts(CausalLM model, TextTokenizer tokenizer, PromptFormat format, DqnConfig cfg,
            List<String> prompts, int warmup, int runs) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(prompts, "prompts");
        Rollouts r = new Rollouts(model, tokenizer, format, cfg);
        Rng rng = new Rng(cfg.seed());
        double[] tps = new double[runs];
        try (QHead head = new QHead(model.config().hiddenSize(), cfg.headHidden(), model.config().vocabSize(),
                cfg.activation(), cfg.seed())) {
            int at = 0;
            for (int i = -warmup; i < runs; i++) {
                List<String> batch = new ArrayList<>();
                for (int j = 0; j < cfg.rolloutEpisodes(); j++) {
                    batch.add(prompts.get(at++ % prompts.size()));
                }
                long t0 = System.nanoTime();
                long tok = 0;
                for (Rollouts.Episode e : r.run(batch, head, cfg.epsilonStart(), rng, true)) {
                    tok += e.tokens().length;
                }
                if (i >= 0) {
                    tps[i] = tok / ((System.nanoTime() - t0) / 1e9);
                }
            }
        }
        return tps;
    }

    /**
     * The untimed updates {@link #run} makes before its timed rounds.
     *
     * @param updatesPerRound timed updates per round
     * @return the warm-up updates: at least 300, at least one round's
     */
    public static int warmupUpdates(int updatesPerRound) {
        return Math.max(300, updatesPerRound);
    }

    /**
     * The median: the middle value, or the mean of the two middle values for an even count (as {@code bench
     * generate} and {@code bench rewards} report it).
     *
     * @param x the values (not modified, at least one)
     * @return the median
     * @throws NullPointerException naming {@code x} when it is null
     */
    public static double median(double[] x) {
        Objects.requireNonNull(x, "x");
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** A random episode: Gaussian embeddings, random candidate sets with valid log-probabilities. */
    static ReplayEpisode syntheticEpisode(Rng rng, int length, int dim, int vocab, int k) {
        ReplayEpisode.Builder b = new ReplayEpisode.Builder(dim);
        float[] phi = new float[dim];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < dim; i++) {
                phi[i] = (float) rng.nextGaussian();
            }
            int[] ids = new int[k];
            float[] lp = new float[k];
            double z = 0;
            for (int j = 0; j < k; j++) {
                ids[j] = (j * 97 + rng.nextInt(vocab)) % vocab;
                lp[j] = (float) (-0.3 * j);
                z += Math.exp(lp[j]);
            }
            for (int j = 0; j < k; j++) {
                lp[j] -= (float) Math.log(z);
            }
            b.step(phi, 0, new Candidates.Set(ids, lp, 0f), rng.nextInt(k));
        }
        float[] r = new float[length];
        for (int t = 0; t < length; t++) {
            r[t] = (float) (rng.nextDouble() * 0.2 - 0.1);
        }
        return b.build(r);
    }

    /**
     * Command line: {@code DqnBench [updates-per-round] [rounds] [key=value config overrides as JSON
     * keys, e.g. batchSize=64 headHidden=256]}. Defaults: H = 128, V = 2048, the default config.
     *
     * @param args the arguments
     * @throws NullPointerException naming {@code args} when it is null
     */
    public static void main(String[] args) {
        Objects.requireNonNull(args, "args");
        int updates = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int dim = 128;
        int vocab = 2048;
        StringBuilder json = new StringBuilder("{");
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv[0].equals("dim")) {
                dim = Integer.parseInt(kv[1]);
            } else if (kv[0].equals("vocab")) {
                vocab = Integer.parseInt(kv[1]);
            } else {
                json.append(json.length() > 1 ? "," : "").append('"').append(kv[0]).append("\":")
                        .append(kv[1].matches("[a-zA-Z-]+") && !kv[1].equals("true") && !kv[1].equals("false")
                                ? "\"" + kv[1] + "\"" : kv[1]);
            }
        }
        DqnConfig cfg = DqnConfig.fromJson(json.append('}').toString(), "command line");
        System.out.printf(Locale.ROOT, "DQN learner bench: batch %d, H %d, hidden %d, V %d, top-%d candidates, n-step %d,"
                + " %s backup, %s replay, torch threads %s%n", cfg.batchSize(), dim, cfg.headHidden(), vocab,
                cfg.candidatesTopK(), cfg.nStep(), cfg.backup().name().toLowerCase(Locale.ROOT),
                cfg.prioritized() ? "prioritized" : "uniform",
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        System.out.println(run(cfg, dim, vocab, updates, rounds).summary());
    }
}
