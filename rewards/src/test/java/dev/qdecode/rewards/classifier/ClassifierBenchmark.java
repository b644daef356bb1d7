package dev.qdecode.rewards.classifier;

import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardParams;
import dev.qdecode.rewards.RewardProvider;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;

/**
 * Measures the classifier on SST-2 (not a test: run by hand). Arguments: {@code encoders=minilm,minilm-q
 * heads=logistic,mlp out=DIR}. Prints embedding speed, training time, validation (held-out full
 * sentences) and dev accuracy per setting, and the classifier reward's throughput at batch 32.
 *
 * <pre>
 * mvn -q -o -pl rewards test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * DJL_OFFLINE=true nice java -cp rewards/target/test-classes:rewards/target/classes:$(cat /tmp/cp.txt) \
 *   -Dqdecode.shared=$PWD/../shared dev.qdecode.rewards.classifier.ClassifierBenchmark
 * </pre>
 */
public final class ClassifierBenchmark {
    private ClassifierBenchmark() {}

    /**
     * Runs the benchmark.
     *
     * @param args {@code key=value} options
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            opt.put(a.substring(0, eq), a.substring(eq + 1));
        }
        List<String> encoders = Arrays.asList(opt.getOrDefault("encoders", "minilm,minilm-q").split(","));
        List<String> heads = Arrays.asList(opt.getOrDefault("heads", "logistic,mlp").split(","));
        List<String> headsQ = Arrays.asList(opt.getOrDefault("heads-q", "logistic").split(","));
        Path out = Path.of(opt.getOrDefault("out", "target/classifier-benchmark"));
        Path trainFile = LabeledTsv.shared().resolve("data/sst2/train.tsv");
        Path devFile = LabeledTsv.shared().resolve("data/sst2/dev.tsv");
        LabeledTsv train = LabeledTsv.read(trainFile, Integer.MAX_VALUE);
        LabeledTsv dev = LabeledTsv.read(devFile, Integer.MAX_VALUE);
        String trainSha = TextClassifier.sha256(trainFile);
        EmbeddingCache cache = EmbeddingCache.atDefaultLocation();
        System.out.printf(Locale.ROOT, "SST-2 train %d, dev %d; cache %s; %s%n", train.texts().size(),
                dev.texts().size(), cache.directory(), load());

        for (String encId : encoders) {
            try (SentenceEncoder enc = SentenceEncoders.open(encId, 32)) {
                // Embedding speed on 2,000 training sentences, sorted batching vs. shuffled batching.
                List<String> sample = new ArrayList<>(train.texts().subList(0, 2000));
                enc.embed(sample.subList(0, 64));
                long t0 = System.nanoTime();
                enc.embed(sample);
                double sorted = 2000 / ((System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "[%s] embed 2000 SST-2 train phrases, batch 32 sorted by length: "
                        + "%.0f sentences/s; %s%n", encId, sorted, load());
                boolean cached = Files.exists(cache.fileFor(encId, train.texts()));
                long t1 = System.nanoTime();
                cache.embed(enc, train.texts());
                double secs = (System.nanoTime() - t1) / 1e9;
                System.out.printf(Locale.ROOT, "[%s] all %d train phrases: %.1f s (%s, %.0f sentences/s); %s%n",
                        encId, train.texts().size(), secs, cached ? "cache hit" : "computed and cached",
                        train.texts().size() / secs, load());

                TextClassifier bestClf = null;
                double bestVal = -1;
                for (String head : encId.equals("minilm") ? heads : headsQ) {
                    for (ClassifierConfig cfg : grid(head)) {
                        TextClassifier clf = TextClassifier.train(enc, train.texts(), train.labels(), cfg, cache);
                        Evaluation val = clf.metrics().get("validation");
                        long d0 = System.nanoTime();
                        Evaluation devEval = clf.evaluate(dev.texts(), dev.labels());
                        double devSecs = (System.nanoTime() - d0) / 1e9;
                        clf = clf.withMetrics("dev", devEval).withDataSha256(trainSha);
                        System.out.printf(Locale.ROOT, "[%s] %-8s l2=%-7g lr=%-6g hidden=%-4d dropout=%.1f: "
                                        + "validation(full sentences) %s | dev %s | dev embed+predict %.1f s%n",
                                encId, head, cfg.l2(), cfg.learningRate(),
                                cfg.head() == ClassifierConfig.HeadType.MLP ? cfg.hidden() : 0, cfg.dropout(),
                                val.summary(), devEval.summary(), devSecs);
                        if (val.accuracy() > bestVal) {
                            bestVal = val.accuracy();
                            bestClf = clf;
                        }
                    }
                }
                Path dir = out.resolve(encId);
                bestClf.save(dir);
                System.out.printf(Locale.ROOT, "[%s] selected by validation: %s %s -> dev %s; saved to %s%n", encId,
                        bestClf.config().head(), "l2=" + bestClf.config().l2(), bestClf.metrics().get("dev").summary(),
                        dir);
                System.out.println(Files.readString(dir.resolve(TextClassifier.METADATA_FILE)).lines()
                        .filter(l -> l.contains("Seconds") || l.contains("bestEpoch") || l.contains("Examples"))
                        .map(String::trim).reduce((a, b) -> a + " " + b).orElse(""));
                rewardThroughput(dir, dev.texts());
            }
        }
    }

    static List<ClassifierConfig> grid(String head) {
        List<ClassifierConfig> g = new ArrayList<>();
        if (head.equals("logistic")) {
            for (double l2 : new double[] {1.5e-5, 1e-4}) {
                g.add(ClassifierConfig.logistic().withL2(l2));
            }
        } else {
            // One MLP setting: on two shared cores 30 epochs of batch 256 (plus refit) take over 10 min.
            g.add(ClassifierConfig.mlp().withBatchSize(512).withMaxEpochs(15).withLearningRate(2e-3));
        }
        return g;
    }

    /** Scores the dev sentences in random order, 32 episodes per call, as a decoding loop would. */
    static void rewardThroughput(Path dir, List<String> texts) {
        RewardProvider provider = ServiceLoader.load(RewardProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("classifier")).findFirst().orElseThrow();
        List<String> shuffled = new ArrayList<>(texts);
        Collections.shuffle(shuffled, new Random(1));
        for (String mode : List.of("prob", "margin")) {
            try (Reward reward = provider.create(new RewardParams("classifier",
                    Map.of("model", dir.toString(), "mode", mode, "batch", "32")), RewardContext.defaults())) {
                List<Episode> warm = shuffled.subList(0, 32).stream().map(Episode::ofText).toList();
                reward.score(warm);
                long t0 = System.nanoTime();
                int n = 0;
                double sum = 0;
                for (int start = 0; start + 32 <= shuffled.size(); start += 32) {
                    List<Episode> eps = shuffled.subList(start, start + 32).stream().map(Episode::ofText).toList();
                    for (double s : reward.score(eps)) {
                        sum += s;
                    }
                    n += 32;
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "[%s] reward classifier mode=%s batch=32: %d dev texts in %.2f s = "
                        + "%.0f texts/s (mean score %.3f); %s%n", dir.getFileName(), mode, n, secs, n / secs,
                        sum / n, load());
            }
        }
    }

    static String load() {
        return String.format(Locale.ROOT, "load avg %.2f",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
