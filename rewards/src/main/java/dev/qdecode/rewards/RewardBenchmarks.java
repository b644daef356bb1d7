package dev.qdecode.rewards;

import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.rewards.bleu.BleuConfig;
import dev.qdecode.rewards.bleu.Chrf;
import dev.qdecode.rewards.bleu.ChrfConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.IntToDoubleFunction;

/**
 * Named throughput benchmarks of rewards on real shared data, for {@code qdecode bench rewards}
 * (and runnable on its own: {@code java -cp ... dev.qdecode.rewards.RewardBenchmarks [names]
 * [--threads N] [--runs N] [--warmup N] [--shared DIR]}). Each benchmark prepares a workload once;
 * {@link #run} times several runs and reports the median items per second.
 *
 * <p>To add a benchmark, add one {@code register(...)} line in the static block (keep names
 * {@code <reward>-<what>}); use {@link #parallel} to spread items over threads, or register it with
 * {@code threaded} false when it always runs on one thread ({@link #run} then prepares and reports it
 * with one thread, whatever was asked).
 */
public final class RewardBenchmarks {

    /** A prepared workload: a fixed number of items processed by each {@link #run()}. */
    public interface Workload extends AutoCloseable {
        /**
         * Items processed per run (sentences, episodes, ...).
         *
         * @return the count
         */
        int items();

        /**
         * Processes every item once.
         *
         * @return a checksum of the results (kept so the work cannot be optimized away)
         */
        double run();

        /** Releases threads or native resources. */
        @Override
        default void close() {}
    }

    /** Prepares a workload. */
    @FunctionalInterface
    public interface Benchmark {
        /**
         * Builds the workload (loading data, creating rewards).
         *
         * @param sharedDir the shared data directory
         * @param threads the number of worker threads to use
         * @return the workload
         * @throws IOException when data cannot be read
         */
        Workload prepare(Path sharedDir, int threads) throws IOException;
    }

    /**
     * A registered benchmark.
     *
     * @param name the name used on the command line
     * @param description one line: what is measured, on which data
     * @param unit what an item is (e.g. {@code sentences})
     * @param threaded whether the workload spreads its items over the worker threads asked for; a
     *     workload that does not always runs on one thread
     * @param benchmark the workload factory
     */
    public record Spec(String name, String description, String unit, boolean threaded, Benchmark benchmark) {

        /**
         * Checks that {@code name}, {@code description}, {@code unit} and {@code benchmark} are given.
         *
         * @param name see the record description
         * @param description see the record description
         * @param unit see the record description
         * @param threaded see the record description
         * @param benchmark see the record description
         * @throws NullPointerException naming {@code name}, {@code description}, {@code unit} or {@code benchmark} when
         *     it is null
         */
        public Spec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(benchmark, "benchmark");
        }

        /**
         * The worker threads this benchmark runs on when {@code requested} are asked for.
         *
         * @param requested the threads asked for (at least 1)
         * @return {@code requested}, or 1 for a single-threaded benchmark
         */
        public int threadsFor(int requested) {
            return threaded ? requested : 1;
        }
    }

    /**
     * The timing of one benchmark.
     *
     * @param name the benchmark
     * @param unit what an item is
     * @param threads the worker threads the benchmark ran on (1 for a single-threaded one)
     * @param items items per run
     * @param secondsPerRun the wall time of every timed run, in run order
     * @param checksum the checksum of the last run
     */
    public record Result(String name, String unit, int threads, int items, double[] secondsPerRun,
            double checksum) {

        /**
         * Copies the timings.
         *
         * @param name the benchmark
         * @param unit what an item is
         * @param threads the worker threads the benchmark ran on
         * @param items items per run
         * @param secondsPerRun the wall time of every timed run in seconds, in run order; copied,
         *     not null
         * @param checksum the checksum of the last run
         * @throws NullPointerException naming {@code secondsPerRun}, {@code name} or {@code unit} when it is null
         */
        public Result {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(secondsPerRun, "secondsPerRun");
            secondsPerRun = secondsPerRun.clone();
        }

        /**
         * The timings.
         *
         * @return a copy of the seconds per run
         */
        @Override
        public double[] secondsPerRun() {
            return secondsPerRun.clone();
        }

        /**
         * Items per second of the median run.
         *
         * @return the median throughput
         */
        public double medianPerSecond() {
            double[] s = secondsPerRun.clone();
            Arrays.sort(s);
            int n = s.length;
            double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
            return items / median;
        }

        /**
         * Items per second of the slowest and fastest runs.
         *
         * @return {min, max}
         */
        public double[] rangePerSecond() {
            double lo = Double.MAX_VALUE;
            double hi = 0;
            for (double s : secondsPerRun) {
                lo = Math.min(lo, s);
                hi = Math.max(hi, s);
            }
            return new double[] {items / hi, items / lo};
        }

        /**
         * One line, e.g. {@code bleu-sentence  threads=2  1,234,567 sentences/s (median of 5 timed runs of 30,420
         * sentences each; range 1,100,000-1,300,000)}, or {@code (1 timed run of 864 episodes; range ...)}.
         *
         * @return the line
         */
        public String format() {
            double[] r = rangePerSecond();
            int n = secondsPerRun.length;
            return String.format(Locale.ROOT, "%-22s threads=%d  %,.0f %s/s (%s of %,d %s%s; range %,.0f-%,.0f)",
                    name, threads, medianPerSecond(), unit, n == 1 ? "1 timed run" : "median of " + n + " timed runs",
                    items, unit, n == 1 ? "" : " each", r[0], r[1]);
        }
    }

    private static final Map<String, Spec> REGISTRY = new LinkedHashMap<>();
    private static final int PASSES_REWARD = 20;

    static {
        register("bleu-sentence", true, "sentence BLEU (13a, exp, effective order) of Multi30k val de"
                + " sentences without their middle word vs the sentence, 30 passes", "sentences",
                (shared, threads) -> sentences(shared, threads, 30, Bleu.sentenceLevel()::sentenceValue));
        register("chrf-sentence", true, "sentence chrF2 (sacreBLEU defaults) on the same pairs, 10 passes",
                "sentences", (shared, threads) -> sentences(shared, threads, 10,
                        new Chrf(ChrfConfig.defaults())::sentenceValue));
        register("bleu-reward", true, "Rewards.create(\"bleu\") scoring Episodes in batches of 64 "
                + "(API overhead included), same pairs, 20 passes", "episodes",
                RewardBenchmarks::bleuReward);
        register("bleu-corpus", false, "corpus BLEU (sacreBLEU corpus defaults) of the 1014 pairs, "
                + "10 times", "sentences", (shared, threads) -> {
                    Pairs p = Pairs.load(shared);
                    Bleu bleu = new Bleu(BleuConfig.corpusDefaults());
                    List<List<String>> refs = p.refs.stream().map(List::of).toList();
                    return workload(10 * p.hyps.size(), () -> {
                        double sum = 0;
                        for (int i = 0; i < 10; i++) {
                            sum += bleu.corpusScore(p.hyps, refs).score();
                        }
                        return sum;
                    });
                });
    }

    static {
        // Classifier reward (dev.qdecode.rewards.classifier): see classifierReward below.
        register("classifier-reward", false, "Rewards.create(\"classifier:model=DIR,batch=32\") (MiniLM fp32 + logistic"
                + " head) scoring SST-2 dev sentences in shuffled batches of 32, 27 batches", "episodes",
                (shared, threads) -> classifierReward(shared, "minilm"));
        register("classifier-reward-q", false, "the same with the int8-quantized MiniLM (minilm-q)", "episodes",
                (shared, threads) -> classifierReward(shared, "minilm-q"));
    }

    private RewardBenchmarks() {}

    /**
     * Registers a benchmark (call from this class's static block).
     *
     * @param name unique name
     * @param threaded whether the workload uses the worker threads it is given
     * @param description one line
     * @param unit what an item is
     * @param benchmark the workload factory
     */
    static synchronized void register(String name, boolean threaded, String description, String unit,
            Benchmark benchmark) {
        if (REGISTRY.putIfAbsent(name, new Spec(name, description, unit, threaded, benchmark)) != null) {
            throw new IllegalStateException("benchmark '" + name + "' registered twice");
        }
    }

    /**
     * The registered benchmarks, in registration order.
     *
     * @return the specs
     */
    public static synchronized List<Spec> benchmarks() {
        return List.copyOf(REGISTRY.values());
    }

    /**
     * Runs one benchmark: prepares it, runs {@code warmupRuns} untimed runs, then {@code runs}
     * timed ones. A single-threaded benchmark ({@link Spec#threaded()} false) runs on one thread and
     * its result says {@code threads=1}.
     *
     * @param name the benchmark name
     * @param sharedDir the shared data directory
     * @param threads worker threads (at least 1) for a benchmark that uses them
     * @param warmupRuns untimed runs first (JIT warm-up)
     * @param runs timed runs (at least 1; use 5 or more for a median)
     * @return the timings
     * @throws RewardException for an unknown name (listing the known ones) or unreadable data
     * @throws NullPointerException naming {@code name} or {@code sharedDir} when it is null
     */
    public static Result run(String name, Path sharedDir, int threads, int warmupRuns, int runs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sharedDir, "sharedDir");
        Spec spec;
        synchronized (RewardBenchmarks.class) {
            spec = REGISTRY.get(name);
        }
        if (spec == null) {
            throw new RewardException("unknown benchmark '" + name + "' (known: "
                    + String.join(", ", REGISTRY.keySet()) + ")");
        }
        if (threads < 1 || runs < 1 || warmupRuns < 0) {
            throw new RewardException("benchmark '" + name + "': threads and runs must be >= 1, "
                    + "warm-up runs >= 0");
        }
        int used = spec.threadsFor(threads);
        try (Workload w = spec.benchmark().prepare(sharedDir, used)) {
            for (int i = 0; i < warmupRuns; i++) {
                w.run();
            }
            double[] seconds = new double[runs];
            double checksum = 0;
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                checksum = w.run();
                seconds[i] = (System.nanoTime() - t0) / 1e9;
            }
            return new Result(name, spec.unit(), used, w.items(), seconds, checksum);
        } catch (IOException e) {
            throw new RewardException("benchmark '" + name + "': cannot read data: "
                    + RewardException.oneLine(e.getMessage()), e);
        }
    }

    /**
     * Runs {@code body} for every index in {@code [0, n)} on the pool (dynamic chunks of 64) and
     * sums its results; with a null pool, on the calling thread.
     *
     * @param pool the worker pool, or null for sequential
     * @param threads how many tasks to submit
     * @param n the number of items
     * @param body the work for one item, returning a value to sum
     * @return the sum of the values
     * @throws NullPointerException naming {@code body} when it is null
     */
    public static double parallel(ExecutorService pool, int threads, int n, IntToDoubleFunction body) {
        Objects.requireNonNull(body, "body");
        if (pool == null || threads <= 1) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += body.applyAsDouble(i);
            }
            return sum;
        }
        AtomicInteger next = new AtomicInteger();
        DoubleAdder total = new DoubleAdder();
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                double sum = 0;
                for (int start; (start = next.getAndAdd(64)) < n; ) {
                    int end = Math.min(n, start + 64);
                    for (int i = start; i < end; i++) {
                        sum += body.applyAsDouble(i);
                    }
                }
                total.add(sum);
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RewardException("benchmark interrupted", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException) {
                    throw (RuntimeException) c;
                }
                throw new RewardException("benchmark task failed: " + c, c);
            }
        }
        return total.sum();
    }

    /** A fixed-size pool of daemon threads (null for one thread). */
    private static ExecutorService pool(int threads) {
        if (threads <= 1) {
            return null;
        }
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "reward-bench");
            t.setDaemon(true);
            return t;
        });
    }

    private static Workload workload(int items, java.util.function.DoubleSupplier body) {
        return new Workload() {
            @Override
            public int items() {
                return items;
            }

            @Override
            public double run() {
                return body.getAsDouble();
            }
        };
    }

    /** The pairs all text benchmarks use: hypothesis = sentence without its middle word. */
    private record Pairs(List<String> hyps, List<String> refs) {
        static Pairs load(Path shared) throws IOException {
            List<String> de = tsvColumn(shared.resolve("data/multi30k/en-de.val.tsv"), "de");
            List<String> hyps = new ArrayList<>(de.size());
            for (String s : de) {
                List<String> w = new ArrayList<>(Arrays.asList(s.split(" ", -1)));
                w.remove(w.size() / 2);
                hyps.add(String.join(" ", w));
            }
            return new Pairs(hyps, de);
        }
    }

    /** A sentence-level metric over (hypothesis, references). */
    @FunctionalInterface
    private interface SentenceMetric {
        double score(String hypothesis, List<String> references);
    }

    private static Workload sentences(Path shared, int threads, int passes, SentenceMetric metric)
            throws IOException {
        Pairs p = Pairs.load(shared);
        int n = p.hyps.size();
        List<List<String>> refs = p.refs.stream().map(List::of).toList();
        ExecutorService pool = pool(threads);
        return new Workload() {
            @Override
            public int items() {
                return n * passes;
            }

            @Override
            public double run() {
                return parallel(pool, threads, n * passes, i -> metric.score(p.hyps.get(i % n),
                        refs.get(i % n)));
            }

            @Override
            public void close() {
                if (pool != null) {
                    pool.shutdownNow();
                }
            }
        };
    }

    private static Workload bleuReward(Path shared, int threads) throws IOException {
        Pairs p = Pairs.load(shared);
        List<Episode> episodes = new ArrayList<>();
        for (int i = 0; i < p.hyps.size(); i++) {
            episodes.add(Episode.withReferences(p.hyps.get(i), List.of(p.refs.get(i))));
        }
        List<List<Episode>> batches = new ArrayList<>();
        for (int pass = 0; pass < PASSES_REWARD; pass++) {
            for (int i = 0; i < episodes.size(); i += 64) {
                batches.add(episodes.subList(i, Math.min(episodes.size(), i + 64)));
            }
        }
        Reward reward = Rewards.discover().create("bleu", new RewardContext(shared, 0));
        ExecutorService pool = pool(threads);
        return new Workload() {
            @Override
            public int items() {
                return PASSES_REWARD * episodes.size();
            }

            @Override
            public double run() {
                return parallel(pool, threads, batches.size(), b -> {
                    double sum = 0;
                    for (double v : reward.score(batches.get(b))) {
                        sum += v;
                    }
                    return sum;
                });
            }

            @Override
            public void close() {
                if (pool != null) {
                    pool.shutdownNow();
                }
                reward.close();
            }
        };
    }

    /**
     * The classifier reward on SST-2 dev sentences (shuffled, seed 1), 27 calls of 32 episodes per
     * run, one thread (the encoder uses the cores itself). The classifier comes from the directory in
     * system property {@code qdecode.bench.classifier.<encoder>} when set; otherwise a logistic head
     * is trained on the first 2,000 SST-2 training phrases (embeddings cached in the default {@link
     * dev.qdecode.rewards.classifier.EmbeddingCache}) and saved to a temporary directory: throughput
     * does not depend on the head's quality. The directory is deleted when the workload is closed, and by a
     * shutdown hook when the JVM ends first (Ctrl-C or a kill during the runs).
     */
    static Workload classifierReward(Path shared, String encoderId) throws IOException {
        return classifierReward(shared, encoderId, null);
    }

    /**
     * {@link #classifierReward(Path, String)} with its temporary classifier directory made in {@code tempParent}
     * (null: the system's temporary directory), so that a test can watch that directory alone, whatever other
     * processes do in the shared {@code /tmp}.
     *
     * @param shared the shared data directory
     * @param encoderId the sentence encoder
     * @param tempParent where the temporary classifier directory is made, or null for the default
     * @return the workload, which deletes the directory when closed
     * @throws IOException when the data cannot be read or the classifier not saved
     */
    static Workload classifierReward(Path shared, String encoderId, Path tempParent) throws IOException {
        String given = System.getProperty("qdecode.bench.classifier." + encoderId);
        if (given != null) {
            return classifierReward(shared, Path.of(given), null);
        }
        Path train = shared.resolve("data/sst2/train.tsv");
        List<String> texts = tsvColumn(train, "sentence").subList(0, 2000);
        List<String> labels = tsvColumn(train, "label").subList(0, 2000);
        Path model = tempParent == null ? Files.createTempDirectory("qdecode-bench-clf")
                : Files.createTempDirectory(tempParent, "qdecode-bench-clf");
        // Ctrl-C (or a kill) ends the JVM without closing the workload: a shutdown hook deletes the directory then.
        Thread atExit = deleteAtExit(model);
        try {
            try (dev.qdecode.rewards.classifier.SentenceEncoder enc =
                            dev.qdecode.rewards.classifier.SentenceEncoders.open(encoderId);
                    dev.qdecode.rewards.classifier.TextClassifier clf =
                            dev.qdecode.rewards.classifier.TextClassifier.train(enc, texts, labels,
                                    dev.qdecode.rewards.classifier.ClassifierConfig.logistic(),
                                    dev.qdecode.rewards.classifier.EmbeddingCache.atDefaultLocation())) {
                clf.save(model);
            }
            return classifierReward(shared, model, atExit);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(model, atExit, e);
            throw e;
        }
    }

    /**
     * The classifier workload on the classifier saved in {@code model}; when {@code atExit} (the shutdown
     * hook of {@link #deleteAtExit}, or null for a directory that is not temporary) is given, the directory
     * is deleted when the workload is closed or cannot be built, and the hook is removed.
     */
    private static Workload classifierReward(Path shared, Path model, Thread atExit) throws IOException {
        Path temporary = atExit != null ? model : null;
        List<String> dev = new ArrayList<>(tsvColumn(shared.resolve("data/sst2/dev.tsv"), "sentence"));
        Collections.shuffle(dev, new java.util.Random(1));
        List<List<Episode>> batches = new ArrayList<>();
        for (int i = 0; i + 32 <= dev.size(); i += 32) {
            batches.add(dev.subList(i, i + 32).stream().map(Episode::ofText).toList());
        }
        Reward reward = Rewards.discover().create("classifier:batch=32,model="
                + model.toString().replace("\\", "\\\\").replace(",", "\\,").replace("+", "\\+"),
                new RewardContext(shared, 0));
        return new Workload() {
            @Override
            public int items() {
                return 32 * batches.size();
            }

            @Override
            public double run() {
                double sum = 0;
                for (List<Episode> b : batches) {
                    for (double v : reward.score(b)) {
                        sum += v;
                    }
                }
                return sum;
            }

            @Override
            public void close() {
                try {
                    reward.close();
                } finally {
                    if (temporary != null) {
                        deleteNow(temporary, atExit);
                    }
                }
            }
        };
    }

    /**
     * Deletes a directory and everything in it (nothing when it does not exist).
     *
     * @throws RewardException naming the path that could not be deleted
     */
    static void deleteTree(Path dir) {
        try {
            dev.qdecode.models.ModelFiles.deleteTree(dir);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new RewardException(dir + ": cannot delete the benchmark's temporary classifier: "
                    + RewardException.oneLine(String.valueOf(e.getMessage())), e);
        }
    }

    /**
     * Registers a shutdown hook that deletes {@code dir} (quietly) if it is still there when the JVM ends
     * without the workload being closed: Ctrl-C or a kill during a benchmark.
     *
     * @param dir the temporary directory
     * @return the hook, for {@link #deleteNow}
     */
    static Thread deleteAtExit(Path dir) {
        Thread hook = new Thread(() -> {
            try {
                dev.qdecode.models.ModelFiles.deleteTree(dir);
            } catch (IOException | RuntimeException e) {
                // the JVM is ending: nothing to report to
            }
        }, "qdecode-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    /** Deletes {@code dir} now and removes its shutdown hook (left to run when the JVM is already ending). */
    private static void deleteNow(Path dir, Thread atExit) {
        try {
            Runtime.getRuntime().removeShutdownHook(atExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook deletes it
        }
        deleteTree(dir);
    }

    /** {@link #deleteNow} while {@code failure} is already on its way: a second failure is added to it. */
    private static void deleteQuietly(Path dir, Thread atExit, Throwable failure) {
        try {
            deleteNow(dir, atExit);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * Reads one column of a UTF-8 TSV with a header row and no quoting (split on tab only).
     *
     * @param file the file
     * @param column the header name
     * @return the column's values in file order
     * @throws IOException when the file cannot be read
     * @throws RewardException naming the file and line on a malformed row or missing column
     * @throws NullPointerException naming {@code file} or {@code column} when it is null
     */
    public static List<String> tsvColumn(Path file, String column) throws IOException {
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(file, "file");
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new RewardException(file + ": empty file, expected a header row");
        }
        String[] header = lines.get(0).split("\t", -1);
        int col = Arrays.asList(header).indexOf(column);
        if (col < 0) {
            throw new RewardException(file + ":1: no column '" + column + "' in header "
                    + String.join(",", header));
        }
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty() && i == lines.size() - 1) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length != header.length) {
                throw new RewardException(file + ":" + (i + 1) + ": expected " + header.length
                        + " tab-separated fields, found " + f.length);
            }
            out.add(f[col]);
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Command-line entry point: {@code [NAME...] [--threads N] [--runs N] [--warmup N]
     * [--shared DIR]} (no name: all benchmarks).
     *
     * @param args the arguments
     * @throws NullPointerException naming {@code args} when it is null
     */
    public static void main(String[] args) {
        Objects.requireNonNull(args, "args");
        // A signal during a classifier benchmark waits for the MiniLM batch in flight (see NativeCalls).
        dev.qdecode.models.NativeCalls.handleTerminationSignals();
        int threads = 1;
        int runs = 5;
        int warmup = 3;
        Path shared = SharedDir.locate();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads": threads = Integer.parseInt(args[++i]); break;
                case "--runs": runs = Integer.parseInt(args[++i]); break;
                case "--warmup": warmup = Integer.parseInt(args[++i]); break;
                case "--shared": shared = Path.of(args[++i]); break;
                default: names.add(args[i]);
            }
        }
        if (names.isEmpty()) {
            benchmarks().forEach(s -> names.add(s.name()));
        }
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+", 4); // 1/5/15 min first
            System.out.println("load average: " + String.join(" ", java.util.Arrays.copyOf(load, Math.min(3,
                    load.length))) + " (1/5/15 min); cores: " + Runtime.getRuntime().availableProcessors());
        } catch (IOException | RuntimeException e) {
            System.out.println("cores: " + Runtime.getRuntime().availableProcessors());
        }
        for (String name : names) {
            System.out.println(run(name, shared, threads, warmup, runs).format());
        }
    }
}
