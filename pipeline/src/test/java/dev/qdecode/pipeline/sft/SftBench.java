package dev.qdecode.pipeline.sft;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.models.train.TrainableLlama;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Training-throughput benchmark (not a test: it only prints; run with {@code -Dqdecode.bench=true
 * -Dtest=SftBench}). A ~6.4M-parameter Llama (dim 256, 6 layers, 8/4 heads, SwiGLU 688, vocab 8000,
 * tied) on batches of 32 Multi30k-shaped pairs: row lengths from the real en-de training sentences
 * (English words x 1.15, German x 1.3, as the 8k joint BPE of the tokenizer trainer splits them: 16.3 prompt and 15.8
 * target tokens per pair; plus BOS, separator and EOS), random ids, batched by {@link BatchPlan}
 * as the trainer does.
 * Reports target tokens/s for 1 and 2 PyTorch threads and both AdamW implementations, and the
 * calling thread's CPU time per step (with 1 thread PyTorch runs every op on the calling thread, so
 * this is the throughput an idle core would give, independent of other load on the machine). Properties:
 * {@code bench.dim}, {@code bench.inter}, {@code bench.layers} (the config), {@code bench.steps},
 * {@code bench.batch}, {@code bench.threads=1} (only one thread), {@code bench.fusedOnly=true}.
 */
class SftBench {
    @Test
    @EnabledIfSystemProperty(named = "qdecode.bench", matches = "true")
    void throughput() throws Exception {
        ModelConfig c = ModelConfig.fromJson("{\"model_type\":\"llama\",\"vocab_size\":8000,\"hidden_size\":"
                + Integer.getInteger("bench.dim", 256) + ",\"intermediate_size\":" + Integer.getInteger("bench.inter", 688)
                + ",\"num_hidden_layers\":" + Integer.getInteger("bench.layers", 6) + ",\"num_attention_heads\":8,"
                + "\"num_key_value_heads\":4,\"max_position_embeddings\":256,\"tie_word_embeddings\":true,"
                + "\"bos_token_id\":1,\"eos_token_id\":2}", "bench.json");
        List<String> lines = Files.readAllLines(Path.of(System.getProperty("qdecode.shared"))
                .resolve("data/multi30k/en-de.train.tsv"), StandardCharsets.UTF_8);
        int steps = Integer.getInteger("bench.steps", 8);
        int batch = Integer.getInteger("bench.batch", 32);
        // row lengths as an 8k joint BPE gives them (measured: 16.3 prompt, 15.8 target tokens per pair)
        int n = lines.size() - 1;
        int[] promptLen = new int[n];
        int[] targetLen = new int[n];
        int[] rowLen = new int[n];
        for (int i = 0; i < n; i++) {
            String[] f = lines.get(i + 1).split("\t", -1);
            promptLen[i] = 2 + (int) Math.ceil(1.15 * f[1].split(" ").length);
            targetLen[i] = 1 + (int) Math.ceil(1.3 * f[2].split(" ").length);
            rowLen[i] = promptLen[i] + targetLen[i];
        }
        // batches as the trainer forms them (length-bucketed)
        List<int[]> plan = BatchPlan.epoch(rowLen, batch, 0, 1, 0);
        System.out.printf(Locale.ROOT, "model: %.2fM parameters; batch %d; %d timed steps after 2 warm-up%n",
                TrainableLlama.parameterCount(c) / 1e6, batch, steps);
        int[] threadList = System.getProperty("bench.threads", "1,2").equals("1") ? new int[] {1} : new int[] {1, 2};
        boolean[] fusedList = Boolean.getBoolean("bench.fusedOnly") ? new boolean[] {true} : new boolean[] {true, false};
        for (int threads : threadList) {
            for (boolean fused : fusedList) {
                TrainableLlama.setThreads(threads);
                SplittableRandom rng = new SplittableRandom(1);
                long scoredTotal = 0;
                long nanos = 0;
                long optNanos = 0;
                long cpuNanos = 0;
                java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
                try (TrainableLlama m = TrainableLlama.fromConfig(c, 1); NDManager base = NDManager.newBaseManager();
                        AdamW opt = new AdamW(m.parameters(), 0.01, fused)) {
                    Engine engine = Engine.getEngine("PyTorch");
                    for (int s = 0; s < steps + 2; s++) {
                        int[] idx = plan.get(s);
                        int[][] rows = new int[idx.length][];
                        int[] from = new int[idx.length];
                        int scored = 0;
                        for (int b = 0; b < idx.length; b++) {
                            rows[b] = new int[promptLen[idx[b]] + targetLen[idx[b]]];
                            for (int i = 0; i < rows[b].length; i++) {
                                rows[b][i] = 3 + rng.nextInt(7997);
                            }
                            from[b] = promptLen[idx[b]];
                            scored += targetLen[idx[b]];
                        }
                        long c0 = mx.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        long t1;
                        try (NDManager sm = base.newSubManager()) {
                            try (GradientCollector gc = engine.newGradientCollector()) {
                                NDArray l = m.tokenNll(sm, rows, from, 0.1).div(scored);
                                gc.backward(l);
                                l.getFloat();
                            }
                            t1 = System.nanoTime();
                            opt.step(sm, 1e-3, 1.0);
                            m.zeroGradients();
                        }
                        long t2 = System.nanoTime();
                        long c2 = mx.getCurrentThreadCpuTime();
                        if (s >= 2) {
                            cpuNanos += c2 - c0;
                            nanos += t2 - t0;
                            optNanos += t2 - t1;
                            scoredTotal += scored;
                        }
                    }
                }
                System.out.printf(Locale.ROOT,
                        "threads %d, AdamW %-6s: %7.0f target tokens/s, %6.0f ms/step (optimizer %4.0f ms);"
                                + " calling thread's CPU time %6.0f ms/step = %5.0f target tokens/s per CPU-second%n",
                        threads, fused ? "fused" : "ndops", scoredTotal / (nanos / 1e9), nanos / 1e6 / steps,
                        optNanos / 1e6 / steps, cpuNanos / 1e6 / steps, scoredTotal / (cpuNanos / 1e9));
            }
        }
    }
}
