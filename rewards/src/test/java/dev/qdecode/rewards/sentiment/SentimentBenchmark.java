package dev.qdecode.rewards.sentiment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Measures the lexicon rewards on SST-2 (not a test: run by hand): accuracy of VADER and AFINN as
 * zero-shot sentiment classifiers on the dev split (and the train split, larger and steadier), and
 * single-thread throughput in texts per second.
 *
 * <pre>
 * mvn -q -o -pl rewards test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp rewards/target/test-classes:rewards/target/classes:$(cat /tmp/cp.txt) \
 *   -Dqdecode.shared=$PWD/../shared dev.qdecode.rewards.sentiment.SentimentBenchmark
 * </pre>
 */
public final class SentimentBenchmark {
    private SentimentBenchmark() {}

    private record Split(String name, List<String> texts, int[] labels) {}

    private static Split read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> texts = new ArrayList<>();
        int[] labels = new int[lines.size() - 1];
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            int tab = line.lastIndexOf('\t');
            texts.add(line.substring(0, tab));
            labels[i - 1] = Integer.parseInt(line.substring(tab + 1).trim());
        }
        return new Split(file.getFileName().toString(), texts, labels);
    }

    /**
     * Runs the benchmark.
     *
     * @param args unused
     * @throws IOException when the data cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path shared = Path.of(System.getProperty("qdecode.shared", "../shared"));
        Path lex = shared.resolve("data/lexicons");
        long t0 = System.nanoTime();
        Vader vader = Vader.load(lex);
        long t1 = System.nanoTime();
        Afinn afinn = Afinn.load(lex.resolve(Afinn.DEFAULT_FILE));
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "load: VADER %.1f ms, AFINN %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        for (String name : List.of("dev.tsv", "train.tsv")) {
            Split split = read(shared.resolve("data/sst2").resolve(name));
            double[] compound = split.texts.stream().mapToDouble(t -> vader.polarityScores(t).compound()).toArray();
            double[] afinnSum = split.texts.stream().mapToDouble(afinn::score).toArray();
            System.out.printf(Locale.ROOT, "%n%s: %d sentences, %.1f%% positive%n", split.name, split.labels.length,
                    100.0 * java.util.Arrays.stream(split.labels).sum() / split.labels.length);
            report("VADER compound", compound, split.labels, 0.05);
            report("AFINN sum", afinnSum, split.labels, 0.0);
        }
        Split dev = read(shared.resolve("data/sst2/dev.tsv"));
        System.out.println();
        throughput("VADER polarityScores", dev.texts, t -> vader.polarityScores(t).compound());
        throughput("AFINN score", dev.texts, afinn::score);
        List<String> long20 = new ArrayList<>();
        for (int i = 0; i + 20 <= dev.texts.size(); i += 20) {
            long20.add(String.join(" ", dev.texts.subList(i, i + 20)));
        }
        throughput("VADER, 20-sentence texts", long20, t -> vader.polarityScores(t).compound());
        throughput("AFINN, 20-sentence texts", long20, afinn::score);
    }

    /** Accuracy with a zero threshold (>= 0 positive), a strict threshold, and three-way with neutral. */
    private static void report(String what, double[] score, int[] labels, double neutral) {
        int n = labels.length;
        int geZero = 0;
        int gtThr = 0;
        int decided = 0;
        int decidedRight = 0;
        int zeros = 0;
        for (int i = 0; i < n; i++) {
            boolean pos = labels[i] == 1;
            if ((score[i] >= 0) == pos) {
                geZero++;
            }
            if ((score[i] > neutral) == pos) {
                gtThr++;
            }
            if (score[i] == 0) {
                zeros++;
            }
            boolean isNeutral = neutral > 0 ? Math.abs(score[i]) < neutral : score[i] == 0;
            if (!isNeutral) {
                decided++;
                if ((score[i] > 0) == pos) {
                    decidedRight++;
                }
            }
        }
        String band = neutral > 0 ? String.format(Locale.ROOT, "|s| < %.2f", neutral) : "s == 0";
        System.out.printf(Locale.ROOT,
                "  %-15s acc(s >= 0 -> pos) %.4f | acc(s > %.2f -> pos) %.4f | three-way, neutral %s: %d neutral"
                        + " (%.1f%%), acc on decided %.4f, acc counting neutral wrong %.4f | exactly 0: %d%n",
                what, (double) geZero / n, neutral, (double) gtThr / n, band, n - decided,
                100.0 * (n - decided) / n, (double) decidedRight / Math.max(1, decided), (double) decidedRight / n, zeros);
    }

    private static void throughput(String what, List<String> texts, ToDoubleFunction<String> f) {
        double sink = 0;
        for (int r = 0; r < 20; r++) { // warm-up
            for (String t : texts) {
                sink += f.applyAsDouble(t);
            }
        }
        double best = 0;
        for (int rep = 0; rep < 5; rep++) {
            int count = 0;
            long start = System.nanoTime();
            long end;
            do {
                for (String t : texts) {
                    sink += f.applyAsDouble(t);
                }
                count += texts.size();
                end = System.nanoTime();
            } while (end - start < 500_000_000L);
            best = Math.max(best, count / ((end - start) / 1e9));
        }
        double chars = texts.stream().mapToInt(String::length).average().orElse(0);
        System.out.printf(Locale.ROOT, "%-26s %,10.0f texts/s (single thread, best of 5; mean %.0f chars/text) [%s]%n",
                what, best, chars, sink == 42 ? "" : "ok");
    }
}
