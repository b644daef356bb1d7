package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.dqn.DqnConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qdecode train}, {@code evaluate} and {@code generate --policy} end to end on TinyStories-656K. */
class DqnCommandsTest {

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpShowsTheDefaultsOfTheConfig() {
        Result r = run("train", "--help");
        assertEquals(ExitCodes.OK, r.code());
        DqnConfig d = DqnConfig.defaults();
        String flat = r.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("Training episodes in total (default: " + d.episodes() + ";"), r.out());
        assertTrue(flat.contains("(default: " + d.polyak() + ")"), r.out());
        assertTrue(flat.contains("(default: soft;"), r.out());
        // Every option of train that names a config field exists in DqnConfig.
        for (RecordComponent c : DqnConfig.class.getRecordComponents()) {
            String opt = DqnConfig.optionOf(c.getName());
            if (r.out().contains(opt + "=")) {
                assertTrue(r.out().contains("default:"), opt);
            }
        }
    }

    /**
     * The help of the return range and of --huber-delta says what the cross-entropy value loss (the
     * classification default) does with them: the range is [0, 1], neither widened nor left, and the Huber
     * threshold is not read. It gave only the Huber defaults (-1 and 1, widened to the returns reached).
     */
    @Test
    void helpSaysWhatTheCrossEntropyLossDoesWithTheReturnRangeAndTheHuberThreshold() {
        Result r = run("train", "--help");
        assertEquals(ExitCodes.OK, r.code());
        String flat = r.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("Huber loss threshold (default: 1.0; read by --value-loss huber only)."), r.out());
        assertTrue(flat.contains("--value-loss cross-entropy: 0, not lowered: a return below 0 is refused"), r.out());
        assertTrue(flat.contains("--value-loss cross-entropy: 1, not raised: a return above 1 is refused"), r.out());
    }

    @Test
    void badInputIsOneLineAndAUsageCode(@TempDir Path tmp) {
        Result r = run("train", "--episodes", "0", "--out", tmp.resolve("x").toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--episodes: expected a positive integer but got 0"), r.err());
        // one error line, then (a usage error) the line pointing to --help
        assertEquals(List.of("qdecode: error: command line: --episodes: expected a positive integer but got 0",
                "Try 'qdecode train --help' for the options."), r.err().lines().toList());
        Result t = run("train", "--task", "summarization", "--out", tmp.resolve("y").toString());
        assertEquals(ExitCodes.USAGE, t.code());
        assertTrue(t.err().contains("--task: expected continuation, classification, translation or dialogue"), t.err());
        Result resume = run("train", "--resume", "--out", tmp.resolve("none").toString());
        assertEquals(ExitCodes.BAD_INPUT, resume.code());
        // A rollout batch whose estimated memory (KV cache, logits) exceeds the heap is refused with the estimate.
        Result huge = run("train", "--episodes", "1000000", "--rollout-episodes", "1000000", "--eval-limit", "2",
                "--eval-samples", "1", "--out", tmp.resolve("huge").toString());
        assertEquals(ExitCodes.USAGE, huge.code(), huge.err());
        String line = huge.err().lines().filter(l -> l.startsWith("qdecode: error: ")).findFirst().orElse(huge.err());
        assertTrue(line.startsWith("qdecode: error: rolling out 1000000 episodes together of ")
                && line.endsWith("(expected a smaller --rollout-episodes or --max-new-tokens, or a larger heap, "
                        + "e.g. QDECODE_JAVA_OPTS=-Xmx16g)"), line);
        Result policy = run("generate", "--policy", tmp.resolve("none").toString(), "--prompt", "Hi");
        assertEquals(ExitCodes.BAD_INPUT, policy.code());
        assertTrue(policy.err().contains("checkpoint not found"), policy.err());
    }

    /**
     * A --policy that is not a DQN run says what was expected, and a model directory given there (an SFT output,
     * say) says that it is a model, for --model: it was "--policy DIR/checkpoint.qdq: checkpoint not found".
     */
    @Test
    void aPolicyThatIsAModelDirectorySaysWhatWasExpected(@TempDir Path tmp) {
        String model = CliRunner.model("stories260K");
        Path modelDir = Path.of(model).toAbsolutePath();
        for (String[] args : new String[][] {
            {"generate", "--policy", model, "--prompt", "Hi"},
            {"evaluate", "--policy", model, "--out", tmp.resolve("ev").toString()},
        }) {
            Result r = run(args);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(List.of("qdecode: error: --policy " + model + ": a directory without checkpoint.qdq "
                    + "(expected a run directory written by qdecode train, which holds checkpoint.qdq; "
                    + modelDir + " holds a model (config.json), not a DQN run: a model goes with --model)"),
                    r.err().lines().toList(), String.join(" ", args));
        }
        Result none = run("generate", "--policy", tmp.resolve("none").toString(), "--prompt", "Hi");
        assertEquals(ExitCodes.BAD_INPUT, none.code(), none.err());
        assertEquals(List.of("qdecode: error: --policy " + tmp.resolve("none") + ": checkpoint not found (expected a "
                + "run directory written by qdecode train, or its checkpoint.qdq)"), none.err().lines().toList());
    }

    /**
     * An empty directory given as --policy is named as typed, with what it should hold: it was named by the file
     * looked for in it, "--policy DIR/checkpoint.qdq: checkpoint not found", a path the user never typed.
     */
    @Test
    void anEmptyPolicyDirectoryIsNamedAsTypedWithWhatItShouldHold(@TempDir Path tmp) throws java.io.IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        String data = tmp.resolve("dev.tsv").toString();
        Files.writeString(Path.of(data), "text\tlabel\nfine\t1\n");
        for (String[] args : new String[][] {
            {"generate", "--policy", empty.toString(), "--prompt", "Hi"},
            {"evaluate", "--policy", empty.toString(), "--out", tmp.resolve("ev").toString()},
            {"evaluate", "--task", "classification", "--policy", empty.toString(), "--data", data,
                "--out", tmp.resolve("ev2").toString()},
        }) {
            Result r = run(args);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(List.of("qdecode: error: --policy " + empty + ": a directory without checkpoint.qdq "
                    + "(expected a run directory written by qdecode train, which holds checkpoint.qdq)"),
                    r.err().lines().toList(), String.join(" ", args));
        }
    }

    @Test
    void aPolicyDecodesWithItsRunsModelUnlessAnotherIsGiven(@TempDir Path tmp) throws java.io.IOException {
        Path runDir = tmp.resolve("run260k");
        String model = CliRunner.model("stories260K");
        Result r = run("train", "--model", model, "--episodes", "4", "--rollout-episodes", "4", "--max-new-tokens", "4",
                "--min-new-tokens", "1", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "2", "--eval-samples", "1", "--out",
                runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        // No --model: the run's own (stories260K, not the default TinyStories-656K, whose vocabulary differs).
        Result g = run("generate", "--policy", runDir.toString(), "--prompt", "Once upon a time", "--max-new-tokens", "3");
        assertEquals(ExitCodes.OK, g.code(), g.err());
        assertTrue(g.out().startsWith("Once upon a time"), g.out());
        Result e = run("evaluate", "--policy", runDir.toString(), "--limit", "2", "--samples", "1", "--out",
                tmp.resolve("eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        // Another model's weights are refused, naming both.
        Result other = run("generate", "--policy", runDir.toString(), "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", "Once");
        assertEquals(ExitCodes.BAD_INPUT, other.code(), other.err());
        String line = other.err().strip();
        assertTrue(line.startsWith("qdecode: error: --policy " + runDir + ": its head was trained on ")
                && line.contains("stories260K (weights sha256 ") && line.contains("TinyStories-656K has other weights")
                && line.lines().count() == 1, line);
        // The same weights with another tokenizer file: the head's token ids would name other pieces.
        Path copy = Files.createDirectories(tmp.resolve("copy260k"));
        try (java.util.stream.Stream<Path> files = Files.list(Path.of(model))) {
            for (Path f : files.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Files.writeString(copy.resolve("tokenizer.json"), Files.readString(copy.resolve("tokenizer.json")) + "\n");
        Result otherTok = run("generate", "--policy", runDir.toString(), "--model", copy.toString(), "--prompt", "Once");
        assertEquals(ExitCodes.BAD_INPUT, otherTok.code(), otherTok.err());
        line = otherTok.err().strip();
        assertTrue(line.startsWith("qdecode: error: --policy " + runDir + ": its head was trained with the tokenizer of ")
                && line.contains("but --model " + copy + " has another (sha256 "), line);
    }

    @Test
    void trainEvaluateAndGenerateWithThePolicy(@TempDir Path tmp) throws Exception {
        Path runDir = tmp.resolve("run");
        Path cfg = tmp.resolve("cfg.json");
        Files.writeString(cfg, "{\"episodes\": 100, \"headHidden\": 16, \"evalEvery\": 0}");
        Result r = run("train", "--config", cfg.toString(), "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "6", "--min-new-tokens", "2", "--batch-size", "8", "--updates-per-rollout", "2",
                "--eval-limit", "3", "--eval-samples", "1", "--seed", "5", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("positive rate"), r.out());
        JsonObject summary = JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject();
        assertEquals(8, summary.get("episodes").getAsInt()); // the CLI overrides the file
        JsonObject config = summary.getAsJsonObject("config");
        assertEquals(16, config.get("headHidden").getAsInt()); // the file's value survives
        assertEquals(5, config.get("seed").getAsLong());
        assertEquals(3, summary.getAsJsonObject("trained").get("samples").getAsInt());
        assertTrue(summary.getAsJsonObject("provenance").get("model_sha256").getAsString().matches("[0-9a-f]{64}"));
        List<String> metrics = Files.readAllLines(runDir.resolve("metrics.jsonl"));
        assertEquals(1, metrics.size()); // evaluated only at the end
        // train ends with the run report (one evaluation: the reward chart and the page at least).
        assertTrue(r.out().contains("report: " + runDir.resolve("report").resolve("report.html")), r.out());
        assertTrue(Files.exists(runDir.resolve("report/reward.png")));
        Result again = run("train", "--out", runDir.toString(), "--episodes", "8");
        assertEquals(ExitCodes.USAGE, again.code());
        Result finished = run("train", "--resume", "--out", runDir.toString());
        assertEquals(ExitCodes.USAGE, finished.code());
        assertTrue(finished.err().contains("already finished its 8 episodes"), finished.err());
        Result changed = run("train", "--resume", "--reward", "afinn", "--out", runDir.toString());
        assertEquals(ExitCodes.USAGE, changed.code());
        assertEquals("qdecode: error: --resume continues with the run's own --reward, but --reward afinn (the run's: "
                + "vader) (expected it left out: a resumed run keeps its own)", changed.err().lines().findFirst()
                .orElse(""));
        changed = run("train", "--resume", "--source-column", "de", "--reward", "afinn,vader", "--out",
                runDir.toString());
        assertEquals(ExitCodes.USAGE, changed.code());
        assertEquals("qdecode: error: --resume continues with the run's own --reward and --source-column, but --reward "
                + "afinn,vader (the run's: vader), --source-column de (the run's: none, a --task continuation run) "
                + "(expected them left out: a resumed run keeps its own)", changed.err().lines().findFirst().orElse(""));

        Result ev = run("evaluate", "--policy", runDir.toString(), "--limit", "2", "--samples", "1");
        assertEquals(ExitCodes.OK, ev.code(), ev.err());
        assertTrue(ev.err().contains("2/2 base episodes") && ev.err().contains("2/2 trained episodes"), ev.err());
        List<String> tsv = Files.readAllLines(runDir.resolve("evaluation/comparison.tsv"));
        assertEquals("metric\tbase\ttrained", tsv.get(0));
        assertEquals(10, tsv.size());
        // a second evaluation (here with another seed) keeps the first unless --overwrite is given
        String first = Files.readString(runDir.resolve("evaluation/comparison.json"));
        Result ev2 = run("evaluate", "--policy", runDir.toString(), "--limit", "2", "--samples", "1", "--seed", "9");
        assertEquals(ExitCodes.USAGE, ev2.code(), ev2.err());
        assertTrue(ev2.err().startsWith("qdecode: error: --out " + runDir.resolve("evaluation") + ": already holds an "
                + "earlier continuation evaluation (comparison.json); choose another --out or add --overwrite"), ev2.err());
        assertEquals(first, Files.readString(runDir.resolve("evaluation/comparison.json")));
        ev2 = run("evaluate", "--policy", runDir.toString(), "--limit", "2", "--samples", "1", "--seed", "9",
                "--overwrite");
        assertEquals(ExitCodes.OK, ev2.code(), ev2.err());

        Result gen = run("generate", "--policy", runDir.toString(), "--prompt", "One day, Tom went to the park. Then,",
                "--max-new-tokens", "5", "--min-new-tokens", "5");
        assertEquals(ExitCodes.OK, gen.code(), gen.err());
        assertTrue(gen.out().startsWith("One day, Tom went to the park. Then,"), gen.out());
        assertFalse(gen.out().strip().equals("One day, Tom went to the park. Then,"), gen.out());

        Result tuned = run("generate", "--policy", runDir.toString(), "--q-weight", "0.5", "--head", "target",
                "--prompt", "One day,", "--max-new-tokens", "3");
        assertEquals(ExitCodes.OK, tuned.code(), tuned.err());
        Result badWeight = run("generate", "--policy", runDir.toString(), "--q-weight", "0", "--prompt", "Hi");
        assertEquals(ExitCodes.USAGE, badWeight.code(), badWeight.err());
        assertEquals("qdecode: error: --q-weight: expected a number > 0 but got 0.0", badWeight.err().lines().findFirst().orElse(""));
        Result badHead = run("generate", "--policy", runDir.toString(), "--head", "average", "--prompt", "Hi");
        assertEquals(ExitCodes.USAGE, badHead.code(), badHead.err());
        assertEquals("qdecode: error: --head: expected online or target but got 'average'", badHead.err().lines().findFirst().orElse(""));

        // An ensemble of the run with a copy of itself decodes exactly like the run alone; the same run twice is refused.
        String[] prompt = {"--prompt", "One day,", "--max-new-tokens", "6", "--min-new-tokens", "6"};
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        Files.copy(runDir.resolve("checkpoint.qdq"), copy.resolve("checkpoint.qdq"));
        Result alone = run(concat(new String[] {"generate", "--policy", runDir.toString()}, prompt));
        Result twice = run(concat(new String[] {"generate", "--policy", runDir.toString(), "--ensemble",
            copy.toString()}, prompt));
        assertEquals(ExitCodes.OK, twice.code(), twice.err());
        assertEquals(alone.out(), twice.out());
        Result same = run(concat(new String[] {"generate", "--policy", runDir.toString(), "--ensemble",
            runDir.toString()}, prompt));
        assertEquals(ExitCodes.BAD_INPUT, same.code(), same.err());
        assertTrue(same.err().contains("given twice (expected each run once"), same.err());
        // a head trained on prompts in another format would score states it never saw: refused
        Path formatted = tmp.resolve("formatted");
        Result other = run("train", "--episodes", "4", "--rollout-episodes", "4", "--max-new-tokens", "6",
                "--min-new-tokens", "2", "--batch-size", "8", "--eval-limit", "2", "--eval-samples", "1",
                "--prompt-format", "Story: {text}", "--out", formatted.toString());
        assertEquals(ExitCodes.OK, other.code(), other.err());
        Result mixedFormats = run(concat(new String[] {"generate", "--policy", runDir.toString(), "--ensemble",
            formatted.toString()}, prompt));
        assertEquals(ExitCodes.BAD_INPUT, mixedFormats.code(), mixedFormats.err());
        assertTrue(mixedFormats.err().contains("its prompt_format 'Story: {text};special=true' differs from the first "
                + "run's"), mixedFormats.err());
        Result missing = run("generate", "--policy", runDir.toString(), "--ensemble", runDir.resolve("nope").toString(),
                "--prompt", "Hi");
        assertEquals(ExitCodes.BAD_INPUT, missing.code(), missing.err());
        assertTrue(missing.err().contains("--policy/--ensemble ") && missing.err().contains("nope"), missing.err());
        // Continuation evaluation samples the run's policy as trained: decoding-time options are refused, not ignored.
        Result evEnsemble = run("evaluate", "--policy", runDir.toString(), "--ensemble", runDir.toString());
        assertEquals(ExitCodes.USAGE, evEnsemble.code(), evEnsemble.err());
        assertEquals("qdecode: error: --ensemble: not for evaluate --task continuation, which scores the run's policy "
                + "as trained (expected it only with generate or evaluate --task translation, or evaluate --task "
                + "classification)", evEnsemble.err().lines().findFirst().orElse(""));
        Result evWeight = run("evaluate", "--policy", runDir.toString(), "--q-weight", "0.5");
        assertEquals(ExitCodes.USAGE, evWeight.code(), evWeight.err());
        assertTrue(evWeight.err().contains("--q-weight: not for evaluate --task continuation"), evWeight.err());
        // given at its default value it is refused too (it was accepted), as --head online is
        evWeight = run("evaluate", "--policy", runDir.toString(), "--q-weight", "1");
        assertEquals(ExitCodes.USAGE, evWeight.code(), evWeight.err());
        assertTrue(evWeight.err().contains("--q-weight: not for evaluate --task continuation"), evWeight.err());
        // q-greedy always takes the candidate of highest Q: sampling options and beta would change nothing
        for (String[] opt : new String[][] {{"--seed", "3"}, {"--temperature", "2"}, {"--q-weight", "0.3"},
            {"--strategy", "greedy"}}) {
            Result qGreedy = run("generate", "--policy", runDir.toString(), "--mode", "q-greedy", opt[0], opt[1],
                    "--prompt", "Hi");
            assertEquals(ExitCodes.USAGE, qGreedy.code(), qGreedy.err());
            assertTrue(qGreedy.err().contains(opt[0] + ": not for --mode q-greedy, which always takes the candidate "
                    + "of highest Q (expected it only with --mode guided)"), qGreedy.err());
        }

        // A policy's output resumed without the policy (or with another head) is refused, naming what is missing.
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "id\tprompt\n1\tOne day,\n2\tTom had a ball.\n");
        Path out = tmp.resolve("o.tsv");
        String[] batch = {"--prompts", prompts.toString(), "--max-new-tokens", "4", "--output", out.toString()};
        Result written = run(concat(new String[] {"generate", "--policy", runDir.toString()}, batch));
        assertEquals(ExitCodes.OK, written.code(), written.err());
        Files.move(out, RecordWriter.part(out)); // as if killed after its last row
        Files.move(ResumableOutput.runFile(out), ResumableOutput.runFile(RecordWriter.part(out)));
        Result noPolicy = run(concat(new String[] {"generate", "--model", CliRunner.model("stories260K"), "--resume"},
                batch));
        assertEquals(ExitCodes.USAGE, noPolicy.code(), noPolicy.err());
        // with --policy, --top-k defaults to 0 (all candidates), without it to 50
        assertTrue(noPolicy.err().contains("--policy unset (the run's: " + runDir.toAbsolutePath() + "), --top-k 50 (the "
                + "run's: 0)"), noPolicy.err());
        noPolicy = run(concat(new String[] {"generate", "--model", CliRunner.model("stories260K"), "--top-k", "0",
            "--resume"}, batch));
        assertEquals(ExitCodes.USAGE, noPolicy.code(), noPolicy.err());
        // named as the option left out, not as the record's policy_checkpoints_sha256
        assertTrue(noPolicy.err().contains("settings: --policy unset (the run's: " + runDir.toAbsolutePath()), noPolicy.err());
        Result target = run(concat(new String[] {"generate", "--policy", runDir.toString(), "--head", "target",
            "--resume"}, batch));
        assertEquals(ExitCodes.USAGE, target.code(), target.err());
        assertTrue(target.err().contains("--head target (the run's: online)"), target.err()); // the option, not policy_head
        Result byFile = run(concat(new String[] {"generate", "--policy", runDir.resolve("checkpoint.qdq").toString(),
            "--resume"}, batch));
        assertEquals(ExitCodes.OK, byFile.code(), byFile.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    /**
     * A run trained on a sharded checkpoint recorded no weights sha256 (only a {@code model.safetensors} was
     * hashed), so {@code generate --policy RUN --model OTHER} decoded with another model's weights, exit 0.
     */
    @Test
    void aRunOnShardedWeightsRefusesOtherWeights(@TempDir Path tmp) throws java.io.IOException {
        Path sharded = shardedCopy(Path.of(CliRunner.model("stories260K")), tmp.resolve("sharded"), false);
        Path changed = shardedCopy(Path.of(CliRunner.model("stories260K")), tmp.resolve("changed"), true);
        Path runDir = tmp.resolve("run");
        Result r = run("train", "--model", sharded.toString(), "--episodes", "4", "--rollout-episodes", "4",
                "--max-new-tokens", "4", "--min-new-tokens", "1", "--batch-size", "4", "--updates-per-rollout", "1",
                "--eval-limit", "2", "--eval-samples", "1", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Result own = run("generate", "--policy", runDir.toString(), "--prompt", "Once upon a time", "--max-new-tokens", "3");
        assertEquals(ExitCodes.OK, own.code(), own.err());
        Result other = run("generate", "--policy", runDir.toString(), "--model", changed.toString(), "--prompt", "Once",
                "--max-new-tokens", "3");
        assertEquals(ExitCodes.BAD_INPUT, other.code(), other.err() + other.out());
        assertTrue(other.err().strip().contains("but --model " + changed + " has other weights"), other.err());
    }

    /**
     * A copy of a model whose weights are one shard listed in {@code model.safetensors.index.json}; with
     * {@code perturb}, one weight's sign flipped (other weights, same shapes).
     */
    private static Path shardedCopy(Path model, Path dir, boolean perturb) throws java.io.IOException {
        Files.createDirectories(dir);
        try (java.util.stream.Stream<Path> files = Files.list(model)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("model.safetensors")) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
        byte[] all = Files.readAllBytes(model.resolve("model.safetensors"));
        int n = (int) java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (perturb) {
            all[all.length - 1] ^= (byte) 0x80; // the sign bit of the last float32
        }
        Files.write(dir.resolve("model-00001-of-00001.safetensors"), all);
        JsonObject header = JsonParser.parseString(new String(all, 8, n, java.nio.charset.StandardCharsets.UTF_8))
                .getAsJsonObject();
        JsonObject map = new JsonObject();
        header.keySet().stream().filter(k -> !k.equals("__metadata__"))
                .forEach(k -> map.addProperty(k, "model-00001-of-00001.safetensors"));
        JsonObject index = new JsonObject();
        index.add("weight_map", map);
        Files.writeString(dir.resolve("model.safetensors.index.json"), index.toString());
        return dir;
    }
}
