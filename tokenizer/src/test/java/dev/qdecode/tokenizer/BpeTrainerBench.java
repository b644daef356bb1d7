package dev.qdecode.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Speed numbers (not a test): {@code java -cp <test classpath> dev.qdecode.tokenizer.BpeTrainerBench
 * /path/to/shared [vocabSize]}. Trains on both columns of Multi30k en-de train and prints training,
 * saving, loading and round-trip times.
 */
public final class BpeTrainerBench {
    private BpeTrainerBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args the shared directory, optionally the vocabulary size (default 8000)
     * @throws Exception on I/O failure
     */
    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : System.getProperty("qdecode.shared", "../shared"));
        System.setProperty("qdecode.shared", shared.toString());
        int vocab = args.length > 1 ? Integer.parseInt(args[1]) : 8000;
        List<String> lines = BpeTrainerTest.multi30k(Integer.MAX_VALUE);
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            TrainedTokenizer t = BpeTrainer.train(lines, BpeConfig.of(vocab));
            long t1 = System.nanoTime();
            Path dir = Files.createTempDirectory("bpe-bench");
            t.save(dir);
            long t2 = System.nanoTime();
            try (TextTokenizer tok = TextTokenizer.load(dir)) {
                long t3 = System.nanoTime();
                int[][] ids = tok.encodeBatch(lines, false);
                long t4 = System.nanoTime();
                long tokens = 0;
                int bad = 0;
                for (int i = 0; i < ids.length; i++) {
                    tokens += ids[i].length;
                    if (!tok.decode(ids[i], false).equals(lines.get(i))) {
                        bad++;
                    }
                }
                long t5 = System.nanoTime();
                System.out.printf("%s: train %.2f s, save %.2f s, load %.2f s, encodeBatch %.2f s, decode %.2f s;"
                        + " %d lines, %.2f tokens/line, %d not round-tripping%n", t, (t1 - t0) / 1e9, (t2 - t1) / 1e9,
                        (t3 - t2) / 1e9, (t4 - t3) / 1e9, (t5 - t4) / 1e9, lines.size(), tokens / (double) lines.size(), bad);
            }
        }
    }
}
