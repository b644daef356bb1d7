package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --task classification} stopped by SIGTERM is continued by {@code train --resume}: the run's
 * checkpoint is written before anything is embedded, the embeddings finished before the signal come from the
 * cache, and the head is trained again with the run's seed, so the resumed run's metrics and summary equal an
 * uninterrupted run's. Before, the signal left no checkpoint and {@code --resume} was refused.
 */
class ClassificationResumeTest {
    private static final String[] GOOD = {"happy", "great", "fun", "nice", "kind", "lovely", "wonderful", "sunny"};
    private static final String[] BAD = {"sad", "angry", "scary", "mean", "broken", "awful", "dark", "sick"};

    /** Separable synthetic reviews: the label is whether the adjective is a happy or a sad one. */
    private static Path data(Path dir, String name, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < n; i++) {
            boolean good = r.nextBoolean();
            String[] words = good ? GOOD : BAD;
            b.append("Review ").append(i).append(": it was ").append(words[r.nextInt(words.length)]).append(".\t")
                    .append(good ? 1 : 0).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, b.toString());
        return f;
    }

    private static List<String> args(Path train, Path dev, Path out) {
        return List.of("train", "--task", "classification", "--encoder", "minilm", "--data", train.toString(),
                "--dev", dev.toString(), "--data-limit", "500", "--episodes", "900", "--eval-every", "300", "--seed", "5",
                "--out", out.toString());
    }

    /** Runs the CLI in this JVM with its embedding cache in {@code cache}. */
    private static CliRunner.Result withCache(Path cache, List<String> args) {
        String before = System.getProperty("qdecode.cache.embeddings");
        System.setProperty("qdecode.cache.embeddings", cache.toString());
        try {
            return CliRunner.run(args.toArray(String[]::new));
        } finally {
            if (before == null) {
                System.clearProperty("qdecode.cache.embeddings");
            } else {
                System.setProperty("qdecode.cache.embeddings", before);
            }
        }
    }

    private static JsonObject json(Path file) throws Exception {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void runStoppedBySigtermResumesToTheUninterruptedResult(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 600, 1);
        Path dev = data(tmp, "dev.tsv", 120, 2);
        Path reference = tmp.resolve("reference");
        CliRunner.Result ref = withCache(tmp.resolve("reference-cache"), args(train, dev, reference));
        assertEquals(ExitCodes.OK, ref.code(), ref.err());

        // A fresh cache: the signal arrives once the run's checkpoint exists, before or while the texts are embedded.
        Path cache = tmp.resolve("cache");
        Path stopped = tmp.resolve("stopped");
        String log = CliRunner.signalledAfterCheckpoint("TERM", 143, stopped, tmp.resolve("child.log"),
                List.of("-Dqdecode.cache.embeddings=" + cache), args(train, dev, stopped));
        // the file can appear an instant before the notice switches: then the notice written for that instant
        assertTrue(log.contains("qdecode: interrupted by SIGTERM: " + TaskOptions.savedNotice(stopped))
                || log.contains("qdecode: interrupted by SIGTERM: "
                        + TaskOptions.writingNotice(stopped, stopped.resolve("checkpoint.qdq"))), log);
        assertTrue(log.contains("continue with: qdecode train --resume --out " + stopped), log);
        assertTrue(Files.exists(stopped.resolve("checkpoint.qdq")), log);
        assertFalse(Files.exists(stopped.resolve("summary.json")), log);

        // The unfinished checkpoint holds no trained head: evaluating it is refused, naming the resume.
        CliRunner.Result eval = withCache(cache, List.of("evaluate", "--task", "classification", "--policy",
                stopped.toString(), "--data", dev.toString(), "--out", tmp.resolve("eval").toString()));
        assertEquals(ExitCodes.BAD_INPUT, eval.code(), eval.err());
        assertTrue(eval.err().contains("an unfinished classification run, stopped before its head was trained"),
                eval.err());
        // the README quotes the line word for word (it said only that the checkpoint is refused, beside a warning
        // for the other tasks' unfinished runs), and so is such a run given as --ensemble
        String readme = Files.readString(Path.of("..", "README.md")).replaceAll("\\s+", " ");
        String quoted = eval.err().strip().replace(stopped.toString(), "RUN");
        assertTrue(readme.contains("`" + quoted + "`"), quoted);
        CliRunner.Result ensemble = withCache(cache, List.of("evaluate", "--task", "classification", "--policy",
                reference.toString(), "--ensemble", stopped.toString(), "--data", dev.toString(), "--out",
                tmp.resolve("eval").toString()));
        assertEquals(ExitCodes.BAD_INPUT, ensemble.code(), ensemble.err());
        assertTrue(ensemble.err().contains("--ensemble " + stopped.resolve("checkpoint.qdq") + ": an unfinished "
                + "classification run, stopped before its head was trained"), ensemble.err());
        assertFalse(Files.exists(tmp.resolve("eval")));

        CliRunner.Result resumed = withCache(cache, List.of("train", "--resume", "--out", stopped.toString()));
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertEquals(Files.readAllLines(reference.resolve("metrics.jsonl")),
                Files.readAllLines(stopped.resolve("metrics.jsonl")));
        JsonObject a = json(reference.resolve("summary.json"));
        JsonObject b = json(stopped.resolve("summary.json"));
        for (JsonObject s : List.of(a, b)) {
            s.remove("train_seconds");
        }
        assertEquals(a, b);
        // A finished run is not resumed again.
        CliRunner.Result again = withCache(cache, List.of("train", "--resume", "--out", stopped.toString()));
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertTrue(again.err().contains("holds a finished classification run"), again.err());
    }

    /**
     * A run that reads embeddings another job computed records that job's encoder thread count, which the cache
     * keeps beside the entry, not its own (it recorded its own, "2" here, though it embedded nothing).
     */
    @Test
    void encoderThreadsAreThoseThatComputedTheCachedEmbeddings(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 200, 1);
        Path dev = data(tmp, "dev.tsv", 60, 2);
        Path cache = tmp.resolve("cache");
        String before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
        try {
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
            CliRunner.Result first = withCache(cache, args(train, dev, tmp.resolve("first")));
            assertEquals(ExitCodes.OK, first.code(), first.err());
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "2");
            CliRunner.Result second = withCache(cache, args(train, dev, tmp.resolve("second")));
            assertEquals(ExitCodes.OK, second.code(), second.err());
            assertFalse(second.err().contains("texts embedded"), second.err()); // all read from the cache
        } finally {
            if (before == null) {
                System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            } else {
                System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
            }
        }
        for (String run : List.of("first", "second")) {
            JsonObject p = json(tmp.resolve(run).resolve("summary.json")).getAsJsonObject("provenance");
            assertEquals("1", p.get("encoder_threads").getAsString(), run);
        }
    }

    /**
     * evaluate --task classification of a MiniLM run records in classification.json the count that computed the
     * embeddings of the rows it classified, as the run records its own (it recorded none): the cached entry's, or
     * this job's when it embedded them.
     */
    @Test
    void classificationEvaluationRecordsTheCountThatComputedItsEmbeddings(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 200, 1);
        Path dev = data(tmp, "dev.tsv", 60, 2);
        Path cache = tmp.resolve("cache");
        Path run = tmp.resolve("run");
        String before = System.getProperty(SentenceEncoders.THREADS_PROPERTY);
        try {
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "1");
            CliRunner.Result r = withCache(cache, args(train, dev, run));
            assertEquals(ExitCodes.OK, r.code(), r.err());
            System.setProperty(SentenceEncoders.THREADS_PROPERTY, "2");
            List<String> eval = List.of("evaluate", "--task", "classification", "--policy", run.toString(), "--data",
                    dev.toString(), "--out", tmp.resolve("cached").toString());
            r = withCache(cache, eval); // the dev rows' embeddings are cached by the run, with 1
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertEquals("1", json(tmp.resolve("cached/classification.json")).get("encoder_threads").getAsString());
            r = withCache(tmp.resolve("fresh-cache"), List.of("evaluate", "--task", "classification", "--policy",
                    run.toString(), "--data", dev.toString(), "--out", tmp.resolve("fresh").toString()));
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertEquals("2", json(tmp.resolve("fresh/classification.json")).get("encoder_threads").getAsString());
        } finally {
            if (before == null) {
                System.clearProperty(SentenceEncoders.THREADS_PROPERTY);
            } else {
                System.setProperty(SentenceEncoders.THREADS_PROPERTY, before);
            }
        }
    }

    @Test
    void resumeRefusesADataFileThatChanged(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 200, 1);
        Path dev = data(tmp, "dev.tsv", 60, 2);
        Path stopped = tmp.resolve("stopped");
        List<String> a = new ArrayList<>(args(train, dev, stopped));
        CliRunner.signalledAfterCheckpoint("TERM", 143, stopped, tmp.resolve("child.log"),
                List.of("-Dqdecode.cache.embeddings=" + tmp.resolve("cache")), a);
        Files.writeString(dev, Files.readString(dev).replace("Review 1:", "Review one:"));
        CliRunner.Result r = withCache(tmp.resolve("cache"), List.of("train", "--resume", "--out", stopped.toString()));
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --resume " + stopped + ": the run's --dev " + dev.toAbsolutePath()
                + " changed since the run started (sha256 " + Datasets.sha256(dev) + ", the run's: "), r.err());
        assertTrue(r.err().contains("; expected the run's file unchanged: put it back to resume, or train with the "
                + "changed file in a new run)"), r.err());
        assertFalse(Files.exists(stopped.resolve("summary.json")));
    }
}
