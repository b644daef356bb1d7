package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import dev.qdecode.models.train.TrainableLlama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qdecode sft --resume} of a run stopped by {@code --time-limit} before its first
 * evaluation: a moved run continues, changed inputs and a damaged {@code state.json} are refused
 * (one line, exit 3, naming the file and key or input); a finished run, all steps done or stopped
 * early, is refused as bad usage (exit 2, as {@code train --resume} refuses one) and left as it is.
 */
class SftResumeTest {
    @TempDir static Path tmp;
    static Path model;
    static Path train;
    static Path dev;
    static Path run;
    static String stopped;

    @BeforeAll
    static void interruptedRun() throws IOException {
        model = Files.createDirectories(tmp.resolve("model"));
        try (Stream<Path> files = Files.list(CliRunner.shared().resolve("models/stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName().toString()));
                model.resolve(f.getFileName().toString()).toFile().setWritable(true);
            }
        }
        List<String> t = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.train.tsv"),
                StandardCharsets.UTF_8);
        train = Files.write(tmp.resolve("train.tsv"), t.subList(0, 9), StandardCharsets.UTF_8);
        dev = Files.write(tmp.resolve("dev.tsv"), t.subList(0, 3), StandardCharsets.UTF_8);
        run = tmp.resolve("run");
        // a limit of 0.6 ms ends the run after its first step, long before --eval-every 100
        CliRunner.Result r = CliRunner.run("sft", "--data", train.toString(), "--dev", dev.toString(), "--model",
                model.toString(), "--template", "{source} =", "--batch-size", "2", "--max-steps", "3", "--eval-every",
                "100", "--bleu-samples", "0", "--time-limit", "0.00001", "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        stopped = r.out();
    }

    private static Path copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(p, to.resolve(run.relativize(p).toString()));
            }
        }
        return to;
    }

    private static Path damaged(String name, String from, String to) throws IOException {
        Path dir = copy(name);
        Path state = dir.resolve("checkpoint/state.json");
        String s = Files.readString(state);
        assertTrue(s.contains(from), s);
        Files.writeString(state, s.replace(from, to));
        // the edit recorded in the checkpoint's checksums too (else the changed sha256 is what is refused): the
        // state's own fields are still checked, whatever wrote them
        Path sums = dir.resolve("checkpoint/checksums.json");
        JsonObject o = JsonParser.parseString(Files.readString(sums)).getAsJsonObject();
        JsonObject entry = o.getAsJsonObject("files").getAsJsonObject("state.json");
        entry.addProperty("bytes", Files.size(state));
        entry.addProperty("sha256", Datasets.sha256(state));
        o.addProperty("files_sha256", DamagedCheckpointTest.sha256(o.getAsJsonObject("files").toString()));
        Files.writeString(sums, o.toString());
        return state;
    }

    private static void assertRefused(String message, CliRunner.Result r) {
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + message, r.err().strip());
    }

    @Test
    void aDamagedMetricsLineIsNamedAndACutOffLastLineIsDropped() throws IOException {
        Path bad = copy("metrics-bad");
        Path metrics = bad.resolve("metrics.jsonl");
        Files.writeString(metrics, "garbage\n{\"step\": 1}\n");
        assertRefused(metrics + ":1: expected a JSON object with a numeric 'step' (as qdecode sft writes) but got "
                + "garbage", CliRunner.run("sft", "--resume", "--out", bad.toString()));
        Path cut = copy("metrics-cut");
        Files.writeString(cut.resolve("metrics.jsonl"), "{\"step\": 1, \"dev_loss\": 3.0}\n{\"ste");
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", cut.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(cut.resolve("metrics.jsonl")).startsWith("{\"step\": 1, \"dev_loss\": 3.0}\n"));
        assertFalse(Files.readString(cut.resolve("metrics.jsonl")).contains("{\"ste\n"));
    }

    @Test
    void aStopBeforeTheFirstEvaluationSaysNoModelWasWrittenAndWritesValidJson() throws IOException {
        assertEquals("time limit reached (resumable with --resume) after 1/3 steps in 0:00, before the first evaluation "
                + "(--eval-every 100): no model written yet; continue with: qdecode sft --resume --out " + run,
                stopped.strip().replaceFirst(" in 0:0\\d,", " in 0:00,"));
        assertFalse(Files.exists(run.resolve("model.safetensors")));
        JsonObject state = JsonParser.parseString(Files.readString(run.resolve("checkpoint/state.json")))
                .getAsJsonObject();
        assertTrue(state.get("best").isJsonNull(), state.toString());
        assertFalse(Files.readString(run.resolve("checkpoint/state.json")).contains("NaN"));
    }

    @Test
    void aStopAfterAnEvaluationPrintsTheResumeCommand() throws IOException {
        // with --eval-every 1 the run evaluates (and writes a model) at step 1, then the time limit stops it
        Path evaluated = tmp.resolve("evaluated");
        CliRunner.Result r = CliRunner.run("sft", "--data", train.toString(), "--dev", dev.toString(), "--model",
                model.toString(), "--template", "{source} =", "--batch-size", "2", "--max-steps", "3", "--eval-every",
                "1", "--bleu-samples", "0", "--time-limit", "0.00001", "--out", evaluated.toString());
        assertEquals(0, r.code(), r.err());
        String line = r.out().strip();
        assertTrue(line.startsWith("time limit reached (resumable with --resume) after 1/3 steps in "), line);
        assertTrue(line.endsWith(": best dev_loss " + line.replaceAll(".*best dev_loss ([0-9.]+) .*", "$1")
                + " at step 1; model in " + evaluated + "; continue with: qdecode sft --resume --out " + evaluated), line);
        assertTrue(Files.exists(evaluated.resolve("model.safetensors")));
    }

    @Test
    void anInitGivenToResumeARunStartedFromAModelIsNamedAsTheDifferingKey() throws IOException {
        // the run was started with --model: --init (with its --tokenizer) is another start, not a second source
        Path init = Files.writeString(tmp.resolve("init.json"), Files.readString(model.resolve("config.json")));
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", run.toString(), "--init", init.toString(),
                "--tokenizer", model.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --resume: " + run.resolve("checkpoint/state.json") + " was written with another"
                + " config; differing keys: model (" + model + " vs null), init (null vs " + init + ") (checkpoint vs"
                + " now; expected the options the run was started with, or leave them out)", r.err().strip());
    }

    @Test
    void aMovedRunResumesInItsNewDirectory() throws IOException {
        Path moved = copy("moved");
        // a weights copy left by a run killed while decoding dev BLEU is removed by the resumed run
        Files.createDirectories(moved.resolve(".eval-model"));
        Files.writeString(moved.resolve(".eval-model/model.safetensors"), "stale");
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", moved.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(moved.resolve(".eval-model")));
        assertTrue(r.out().startsWith("done after 3/3 steps"), r.out());
        assertTrue(Files.exists(moved.resolve("model.safetensors")));
        assertFalse(Files.exists(run.resolve("model.safetensors")), "the original run is untouched");
    }

    /** The bytes of every file under {@code dir}, by relative path. */
    private static java.util.Map<String, byte[]> contents(Path dir) throws IOException {
        java.util.Map<String, byte[]> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    private static void assertUnchanged(java.util.Map<String, byte[]> before, Path dir) throws IOException {
        java.util.Map<String, byte[]> after = contents(dir);
        assertEquals(before.keySet(), after.keySet());
        for (String f : before.keySet()) {
            assertArrayEquals(before.get(f), after.get(f), f);
        }
    }

    @Test
    void aFinishedRunIsRefusedNamingItsModelAndLeftAsItIs() throws IOException {
        Path done = copy("finished");
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", done.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("done after 3/3 steps"), r.out());
        java.util.Map<String, byte[]> before = contents(done);
        CliRunner.Result again = CliRunner.run("sft", "--resume", "--out", done.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertEquals("qdecode: error: --resume: " + done + " already finished its 3 steps (--max-steps 3; see "
                + "metrics.jsonl); the model (best dev loss at step 3) is in " + done + ": to train it further, start a"
                + " new run with --model " + done + " and another --out", again.err().strip());
        assertUnchanged(before, done);
    }

    @Test
    void anEarlyStoppedRunIsRefusedInsteadOfTrainingPastItsStop() throws IOException {
        // a learning rate of 1e-30 leaves the weights as they are: the second evaluation is no better
        Path stoppedRun = tmp.resolve("early");
        CliRunner.Result r = CliRunner.run("sft", "--data", train.toString(), "--dev", dev.toString(), "--model",
                model.toString(), "--template", "{source} =", "--batch-size", "2", "--max-steps", "3", "--eval-every",
                "1", "--patience", "1", "--lr", "1e-30", "--weight-decay", "0", "--bleu-samples", "0", "--out",
                stoppedRun.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("stopped early after 2/3 steps"), r.out());
        java.util.Map<String, byte[]> before = contents(stoppedRun);
        CliRunner.Result again = CliRunner.run("sft", "--resume", "--out", stoppedRun.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertEquals("qdecode: error: --resume: " + stoppedRun + " already finished: it stopped early at step 2 of 3 "
                + "(--patience 1: no better dev loss in 1 evaluation; see metrics.jsonl); the model (best dev loss at "
                + "step 1) is in " + stoppedRun + ": to train it further, start a new run with --model " + stoppedRun
                + " and another --out", again.err().strip());
        assertUnchanged(before, stoppedRun);
    }

    @Test
    void changedDataOrTokenizerIsRefusedNamingTheInput() throws IOException {
        Path dir = copy("changed");
        String data = Files.readString(train);
        Path tokFile = model.resolve("tokenizer.json");
        String tok = Files.readString(tokFile);
        try {
            Files.writeString(train, data + "99\tA cat.\tEine Katze.\n");
            Files.writeString(tokFile, tok + "\n");
            CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: --resume continues with the run's own inputs, but --data "
                    + train + " changed since the run started (sha256 "), r.err());
            assertTrue(r.err().contains("), the tokenizer of --model " + tokFile + " changed since the run started "
                    + "(sha256 "), r.err());
            assertTrue(r.err().contains(") (as " + dir.resolve("sft-provenance.json") + " records)"), r.err());
        } finally {
            Files.writeString(train, data);
            Files.writeString(tokFile, tok);
        }
    }

    /**
     * Another --dev given to a resume is named as not the run's, with the run's own file: it was reported
     * as "--dev OTHER (sha256 ...) changed since the run started", of a file that had not changed.
     */
    @Test
    void anotherDevFileIsNamedWithTheRunsOwn() throws IOException {
        Path dir = copy("otherDev");
        List<String> t = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.train.tsv"),
                StandardCharsets.UTF_8);
        Path other = Files.write(tmp.resolve("other-dev.tsv"), List.of(t.get(0), t.get(20), t.get(21)),
                StandardCharsets.UTF_8);
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString(), "--dev", other.toString());
        assertRefused("--resume continues with the run's own inputs, but --dev " + other + " is not the run's --dev "
                + dev + " (sha256 " + Datasets.sha256(other) + ", the run's: " + Datasets.sha256(dev) + ") (as "
                + dir.resolve("sft-provenance.json") + " records); restore the inputs, give files with the run's "
                + "content, or start a new run in another --out", r);
    }

    @Test
    void aDamagedStateIsRefusedNamingTheFileAndKey() throws IOException {
        Path s = damaged("epochs", "\"epochs\": 1,", "\"epochs\": \"three\",");
        assertRefused(s + " \"config\": key 'epochs': expected an integer but got \"three\"",
                CliRunner.run("sft", "--resume", "--out", s.getParent().getParent().toString()));
        s = damaged("negative", "\"step\": 1,", "\"step\": -7,");
        assertRefused(s + ": key 'step': expected an integer >= 0 but got -7",
                CliRunner.run("sft", "--resume", "--out", s.getParent().getParent().toString()));
        s = damaged("beyond", "\"step\": 1,", "\"step\": 1000,");
        assertRefused(s + ": key 'step': expected at most 3 (the run's planned steps) but got 1000",
                CliRunner.run("sft", "--resume", "--out", s.getParent().getParent().toString()));
        s = damaged("best", "\"best_step\": -1,", "\"best_step\": 1,");
        assertRefused(s + ": key 'best': expected a number (the metric at best_step 1) but got null",
                CliRunner.run("sft", "--resume", "--out", s.getParent().getParent().toString()));
    }

    /**
     * The PyTorch thread count is part of what a resume must keep: another count sums in another order, so
     * the resumed run was not the uninterrupted one (a --threads 2 run resumed without --threads went on
     * with 1 thread, and its dev losses at later steps differed in the 8th digit). The checkpoint records
     * the count; a resume takes it when --threads is left out and refuses another one (exit 2, naming it).
     */
    @Test
    void aResumeKeepsTheRunsThreadCountAndRefusesAnother() throws IOException {
        String before = System.getProperty("ai.djl.pytorch.num_threads");
        try {
            Path dir = copy("otherThreads");
            CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString(), "--threads", "2");
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("qdecode: error: --resume: " + dir.resolve("checkpoint/state.json") + " was written with"
                    + " another config; differing keys: threads (1 vs 2) (checkpoint vs now; expected the options the"
                    + " run was started with, or leave them out)", r.err().strip());

            Path two = tmp.resolve("twoThreads");
            CliRunner.Result started = CliRunner.run("sft", "--data", train.toString(), "--dev", dev.toString(),
                    "--model", model.toString(), "--template", "{source} =", "--batch-size", "2", "--max-steps", "3",
                    "--eval-every", "100", "--bleu-samples", "0", "--time-limit", "0.00001", "--threads", "2", "--out",
                    two.toString());
            assertEquals(0, started.code(), started.err());
            // this JVM's count is 1 again, as a new process's would be: the resume must take the run's own
            TrainableLlama.setThreads(1);
            CliRunner.Result resumed = CliRunner.run("sft", "--resume", "--out", two.toString());
            assertEquals(0, resumed.code(), resumed.err());
            assertTrue(resumed.out().startsWith("done after 3/3 steps"), resumed.out());
            JsonObject provenance = JsonParser.parseString(Files.readString(two.resolve("sft-provenance.json")))
                    .getAsJsonObject();
            assertEquals(2, provenance.get("threads").getAsInt(), provenance.toString());
            JsonObject state = JsonParser.parseString(Files.readString(two.resolve("checkpoint/state.json")))
                    .getAsJsonObject();
            assertEquals(2, state.get("threads").getAsInt(), state.toString());
        } finally {
            // the thread count is process-wide: the tests after this one run with the JVM's default again
            TrainableLlama.setThreads(1);
            if (before == null) {
                System.clearProperty("ai.djl.pytorch.num_threads");
            } else {
                System.setProperty("ai.djl.pytorch.num_threads", before);
            }
        }
    }
}
