package dev.qdecode.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speed numbers (not a test): {@code java -cp <test classpath> dev.qdecode.tokenizer.TokenizerBench
 * /path/to/shared}. Prints encode (single vs batch), surface-table build, streaming decode and
 * healing costs for TinyStories-656K and stories260K.
 */
public final class TokenizerBench {
    private TokenizerBench() {}

    /**
     * Runs the benchmark.
     *
     * @param args the shared directory
     */
    public static void main(String[] args) {
        Path shared = Path.of(args.length > 0 ? args[0] : System.getProperty("qdecode.shared", "../shared"));
        System.setProperty("qdecode.shared", shared.toString());
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            prompts.addAll(Fixtures.devPrompts());
        }
        for (String model : new String[] {"TinyStories-656K", "stories260K"}) {
            long t0 = System.nanoTime();
            try (TextTokenizer tok = TextTokenizer.load(shared.resolve("models").resolve(model))) {
                long loadNs = System.nanoTime() - t0;
                t0 = System.nanoTime();
                tok.surfaceText(0);
                long tableNs = System.nanoTime() - t0;
                for (int warm = 0; warm < 3; warm++) {
                    tok.encodeBatch(prompts, true);
                    for (String p : prompts) {
                        tok.encode(p, true);
                    }
                }
                t0 = System.nanoTime();
                long tokens = 0;
                for (String p : prompts) {
                    tokens += tok.encode(p, true).length;
                }
                long singleNs = System.nanoTime() - t0;
                t0 = System.nanoTime();
                int[][] batch = tok.encodeBatch(prompts, true);
                long batchNs = System.nanoTime() - t0;
                t0 = System.nanoTime();
                long pushed = 0;
                for (int[] row : batch) {
                    IncrementalDecoder d = tok.incrementalDecoder(true);
                    for (int id : row) {
                        d.push(id);
                        pushed++;
                    }
                    d.flush();
                }
                long streamNs = System.nanoTime() - t0;
                t0 = System.nanoTime();
                for (int[] row : batch) {
                    TokenHealing.heal(tok, row);
                }
                long healNs = System.nanoTime() - t0;
                System.out.printf("%s: load %.1f ms, surface table (vocab %d) %.1f ms, encode %d prompts (%d tokens):"
                        + " one by one %.1f ms, batch %.1f ms; streaming decode %.2f us/token; heal %.1f us/prompt%n",
                        model, loadNs / 1e6, tok.vocabSize(), tableNs / 1e6, prompts.size(), tokens, singleNs / 1e6,
                        batchNs / 1e6, streamNs / 1e3 / pushed, healNs / 1e3 / batch.length);
            }
        }
    }
}
