package dev.qdecode.models;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Throughput benchmark of batched greedy decoding (not a test): prefill of ragged prompts, then
 * {@code steps} KV-cached steps, each returning logits and hidden states and followed by a
 * Java-side argmax. Reports generated tokens per second ({@code batch * steps / wall time}, prefill
 * included), the median and best of several runs after warm-up, and the median of the same rate
 * over the benchmark thread's CPU time ({@code cpu-tok/s}: what an otherwise idle core would give
 * when PyTorch runs single-threaded; meaningless with more intra-op threads). The greedy argmax runs
 * on a Java copy of the logits ({@code -Dbench.torchArgmax=true}: in PyTorch instead).
 *
 * <p>Usage: {@code DecodeBench [model=batch,batch[@threads] ...] [--steps N] [--runs R]} where model
 * is {@code stories260K}, {@code TinyStories-656K} or {@code gpt2-small} (random weights, GPT-2
 * small shape) and {@code @threads} sets PyTorch's intra-op threads for that model (default: the
 * library's, 1 unless {@code -Dai.djl.pytorch.num_threads} is given). Run with {@code
 * -Dqdecode.shared=/path/to/shared} and {@code DJL_OFFLINE=true}.
 */
public final class DecodeBench {
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private DecodeBench() {}

    /**
     * Entry point.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) throws IOException {
        int steps = 64;
        int runs = 5;
        List<String> specs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> specs.add(args[i]);
            }
        }
        if (specs.isEmpty()) {
            specs = List.of("stories260K=1,64", "TinyStories-656K=1,64", "gpt2-small=16@1", "gpt2-small=16@2");
        }
        TransformerLM.configureThreads();
        int defaultThreads = JniUtils.getNumThreads();
        System.out.printf(Locale.ROOT, "load before: %s%n", load());
        System.out.printf(Locale.ROOT, "%-18s %7s %5s %6s %11s %8s %11s %12s %s%n", "model", "threads", "batch", "steps",
                "tok/s(med)", "ms/step", "tok/s(best)", "cpu-tok/s", "all runs tok/s");
        for (String spec : specs) {
            String[] kv = spec.split("=");
            String name = kv[0];
            int threads = defaultThreads;
            if (kv[1].contains("@")) {
                threads = Integer.parseInt(kv[1].substring(kv[1].indexOf('@') + 1));
                kv[1] = kv[1].substring(0, kv[1].indexOf('@'));
            }
            JniUtils.setNumThreads(threads);
            int[] batches = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
            try (CausalLM model = open(name)) {
                int[][] base = prompts(name);
                for (int b : batches) {
                    int[][] prompts = new int[b][];
                    for (int i = 0; i < b; i++) {
                        prompts[i] = base[i % base.length];
                    }
                    int n = Math.min(steps, model.config().maxPositions() - maxLen(prompts));
                    run(model, prompts, n); // warm-up
                    run(model, prompts, n);
                    double[] tps = new double[runs];
                    double[] cpu = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        long c0 = THREADS.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        run(model, prompts, n);
                        double sec = (System.nanoTime() - t0) / 1e9;
                        tps[r] = (double) b * n / sec;
                        cpu[r] = (double) b * n / ((THREADS.getCurrentThreadCpuTime() - c0) / 1e9);
                    }
                    Arrays.sort(cpu);
                    double[] sorted = tps.clone();
                    Arrays.sort(sorted);
                    double med = sorted[runs / 2];
                    if (Prof.ON) {
                        Prof.reset();
                        long t0 = System.nanoTime();
                        run(model, prompts, n);
                        System.out.printf(Locale.ROOT, "profile %s b=%d: %.1f us/step wall%n", name, b, (System.nanoTime() - t0) / 1e3 / n);
                        Prof.dump(n);
                    }
                    System.out.printf(Locale.ROOT, "%-18s %7d %5d %6d %11.0f %8.3f %11.0f %12.0f %s%n", name, threads, b, n, med,
                            1000.0 * b / med, sorted[runs - 1], cpu[runs / 2],
                            Arrays.toString(Arrays.stream(tps).mapToLong(Math::round).toArray()));
                }
            }
        }
        System.out.printf(Locale.ROOT, "load after: %s%n", load());
    }

    static CausalLM open(String name) {
        if (name.equals("gpt2-small")) {
            String json = "{\"model_type\":\"gpt2\",\"vocab_size\":50257,\"n_embd\":768,\"n_layer\":12,\"n_head\":12,"
                    + "\"n_positions\":1024,\"bos_token_id\":50256,\"eos_token_id\":50256}";
            return CausalLM.random(ModelConfig.fromJson(json, "gpt2-small"), 42);
        }
        return CausalLM.load(Fixtures.model(name));
    }

    /** The fixture prompts of the model (ragged, 1 to 13 tokens); GPT-2 reuses stories260K's. */
    private static int[][] prompts(String name) {
        String fixture = name.equals("gpt2-small") ? "stories260K" : name;
        List<int[]> out = new ArrayList<>();
        for (JsonElement e : Fixtures.json(Fixtures.shared().resolve("fixtures").resolve(fixture).resolve("golden.json"))
                .getAsJsonArray("greedy")) {
            out.add(Fixtures.ints(e.getAsJsonObject().get("prompt_ids")));
        }
        return out.toArray(new int[0][]);
    }

    private static int maxLen(int[][] p) {
        return Arrays.stream(p).mapToInt(a -> a.length).max().orElse(0);
    }

    /** Whether greedy argmax runs in PyTorch (else on a Java copy of the logits). */
    private static final boolean TORCH_ARGMAX = Boolean.getBoolean("bench.torchArgmax");

    /** Prefill + n greedy steps; returns a checksum so the work cannot be skipped. */
    static long run(CausalLM model, int[][] prompts, int n) {
        int vocab = model.config().vocabSize();
        long sum = 0;
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager m = root.newSubManager();
            try (KvCache cache = model.prefill(m, prompts, n)) {
                int b = prompts.length;
                int[] next = new int[b];
                StepOutput out = cache.last();
                for (int s = 0; s < n; s++) {
                    if (TORCH_ARGMAX) {
                        long[] ids = out.logits().argMax(1).toLongArray();
                        for (int r = 0; r < b; r++) {
                            next[r] = (int) ids[r];
                        }
                    } else {
                        float[] logits = out.logits().toFloatArray();
                        for (int r = 0; r < b; r++) {
                            next[r] = Fixtures.argmax(logits, r * vocab, vocab);
                        }
                    }
                    for (int r = 0; r < b; r++) {
                        sum += next[r];
                    }
                    m.close();
                    m = root.newSubManager();
                    out = cache.step(m, next);
                }
            } finally {
                m.close();
            }
        }
        return sum;
    }

    private static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
