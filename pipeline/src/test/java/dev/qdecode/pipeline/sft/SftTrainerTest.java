package dev.qdecode.pipeline.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.DataException;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.NativeCalls;
import dev.qdecode.models.train.Safetensors;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real (tiny) SFT runs: 64 Multi30k en-de pairs, the TinyStories-656K tokenizer, a 2-layer config. */
class SftTrainerTest {
    static final long GIB = 1L << 30;
    @TempDir static Path dir;
    static Path train;
    static Path dev;
    static Path init;

    static Path shared() {
        return Path.of(System.getProperty("qdecode.shared"));
    }

    static Path tokenizer() {
        return shared().resolve("models/TinyStories-656K");
    }

    @BeforeAll
    static void data() throws IOException {
        List<String> t = Files.readAllLines(shared().resolve("data/multi30k/en-de.train.tsv"), StandardCharsets.UTF_8);
        List<String> v = Files.readAllLines(shared().resolve("data/multi30k/en-de.val.tsv"), StandardCharsets.UTF_8);
        train = Files.write(dir.resolve("train.tsv"), t.subList(0, 65), StandardCharsets.UTF_8);
        dev = Files.write(dir.resolve("dev.tsv"), v.subList(0, 17), StandardCharsets.UTF_8);
        init = Files.writeString(dir.resolve("tiny.json"), "{\"model_type\":\"llama\",\"vocab_size\":2048,"
                + "\"hidden_size\":64,\"intermediate_size\":128,\"num_hidden_layers\":2,\"num_attention_heads\":4,"
                + "\"num_key_value_heads\":2,\"max_position_embeddings\":256,\"rms_norm_eps\":1e-5,"
                + "\"tie_word_embeddings\":true}");
    }

    static SftConfig config(Path out, int epochs, double lr, double dropout, int evalEvery, int bleuSamples) {
        return new SftConfig("translation", train, dev, null, null, null, null, init, tokenizer(), epochs, 0, 16, 0, lr,
                4, "cosine", 0.01, 1.0, dropout, evalEvery, 0, bleuSamples, 5, out);
    }

    /** Records losses; optionally asks to stop after a given step. */
    static final class Recorder implements SftTrainer.Listener {
        final List<Double> losses = new ArrayList<>();
        final List<JsonObject> evals = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final long stopAt;

        Recorder(long stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void onStep(long step, long total, double loss, double lr, double tps) {
            losses.add(loss);
        }

        @Override
        public void onEval(JsonObject metrics) {
            evals.add(metrics);
        }

        @Override
        public boolean stopRequested() {
            return losses.size() == stopAt;
        }

        @Override
        public void onWarning(String message) {
            warnings.add(message);
        }
    }

    static SftTrainer.Result run(SftConfig c, boolean resume, Recorder r) {
        return new SftTrainer(c, resume, 4 * GIB, 1).run(r);
    }

    /**
     * Each training step (forward, backward, optimizer step) is a native call for {@link NativeCalls}: a second Ctrl-C
     * quiesces the gate and halts the JVM once no step is in flight, since a halt runs the native libraries'
     * exit-time destructors, and one under PyTorch's backward pass crashed the JVM (SIGSEGV in {@code torchBackward},
     * an {@code hs_err_pid*.log} in the working directory; seen once in 27 double Ctrl-Cs of {@code sft}). A quiesced
     * gate holds the next step back (here: the first), and an open one is left as it was found after every step.
     */
    @Test
    void everyStepIsANativeCallThatAQuiescedGateHoldsBack() throws Exception {
        NativeCalls closed = new NativeCalls();
        closed.quiesce(0); // as Interrupts' quit does before it halts the JVM
        Recorder held = new Recorder(-1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                new SftTrainer(config(dir.resolve("gate-closed"), 1, 1e-3, 0, 4, 0), false, 4 * GIB, 1)
                        .nativeCalls(closed).run(held);
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "sft behind a quiesced gate");
        t.start();
        while (t.isAlive() && !waitsIn(t, NativeCalls.class.getName(), "enter")) {
            Thread.sleep(10);
        }
        assertTrue(t.isAlive(), "the run did not wait at the gate: " + held.losses.size() + " steps, " + failed.get());
        t.interrupt(); // a thread interrupted at a quiesced gate is refused
        t.join();
        assertEquals(List.of(), held.losses, "no step ran");
        Throwable e = failed.get();
        while (e != null && !(e instanceof IllegalStateException)) {
            e = e.getCause();
        }
        assertTrue(e != null && e.getMessage().contains("native call refused"), String.valueOf(failed.get()));

        NativeCalls open = new NativeCalls();
        Recorder r = new Recorder(-1);
        new SftTrainer(config(dir.resolve("gate-open"), 1, 1e-3, 0, 4, 0), false, 4 * GIB, 1).nativeCalls(open).run(r);
        assertFalse(r.losses.isEmpty());
        assertEquals(0, open.inFlight(), "every step left the gate");
    }

    /** Whether the thread is waiting inside that method of that class. */
    private static boolean waitsIn(Thread t, String cls, String method) {
        if (t.getState() != Thread.State.WAITING) {
            return false;
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals(cls) && f.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void anOverwriteStoppedBeforeItsFirstEvaluationLeavesNoEarlierModel() throws IOException {
        Path out = dir.resolve("ow");
        run(config(out, 1, 2e-3, 0, 4, 0), false, new Recorder(-1));
        assertTrue(Files.exists(out.resolve("model.safetensors")));
        SftTrainer.Result r = new SftTrainer(config(out, 2, 2e-3, 0, 4, 0), false, 4 * GIB, 1).overwrite(true)
                .run(new Recorder(2));
        assertTrue(r.interrupted());
        // the earlier run's model is gone: the new provenance would otherwise seem to describe it
        for (String f : List.of("model.safetensors", "config.json", "generation_config.json", "tokenizer.json",
                "qdecode-model.json")) {
            assertFalse(Files.exists(out.resolve(f)), f);
        }
        assertTrue(Files.exists(out.resolve(SftTrainer.PROVENANCE)));
    }

    @Test
    void lossDecreasesAndTheOutputIsAStandardModelDirectory() throws IOException {
        Path out = dir.resolve("fit");
        Recorder r = new Recorder(-1);
        SftTrainer.Result res = run(config(out, 8, 3e-3, 0, 16, 4), false, r);
        assertEquals(32, res.steps());
        assertEquals(32, r.losses.size());
        double first = (r.losses.get(0) + r.losses.get(1) + r.losses.get(2)) / 3;
        double last = (r.losses.get(29) + r.losses.get(30) + r.losses.get(31)) / 3;
        assertTrue(first > Math.log(2048) - 0.5, "starts near log(vocab): " + first);
        assertTrue(last < first - 2.0, "train loss " + first + " -> " + last);
        assertEquals(2, r.evals.size());
        assertTrue(r.evals.get(1).get("dev_loss").getAsDouble() < r.evals.get(0).get("dev_loss").getAsDouble());
        assertTrue(r.evals.get(0).has("bleu"));
        assertEquals(2, SftTrainer.readMetrics(out).size());
        assertEquals("bleu", res.metric());
        // the standard loader and prompt-format lookup accept the output unchanged
        try (TextTokenizer tok = TextTokenizer.load(out); CausalLM lm = CausalLM.load(out)) {
            assertEquals(2, lm.config().eosTokenIds()[0]);
            PromptFormat f = PromptFormat.forModel(out, tok);
            assertEquals("<|start_story|>{text} <sep>", f.template());
            assertFalse(f.addSpecialTokens());
            float[][] lp = lm.tokenLogProbs(new int[][] {f.encode(tok, "A dog runs.")});
            assertTrue(Double.isFinite(lp[0][lp[0].length - 1]));
        }
        JsonObject prov = JsonParser.parseString(
                Files.readString(out.resolve(SftTrainer.PROVENANCE))).getAsJsonObject();
        assertEquals(64, Files.readString(out.resolve(SftTrainer.PROVENANCE)).contains("\"train_examples\": 64") ? 64 : -1);
        assertEquals(64, prov.getAsJsonObject("sha256").get("data").getAsString().length());
        // a second run into the same directory needs --resume
        SftException e = assertThrows(SftException.class, () -> run(config(out, 8, 3e-3, 0, 16, 4), false, new Recorder(-1)));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
    }

    @Test
    void interruptedAndResumedRunEqualsAnUninterruptedOne() {
        Path a = dir.resolve("straight");
        Path b = dir.resolve("resumed");
        Recorder straight = new Recorder(-1);
        run(config(a, 2, 2e-3, 0.1, 4, 0), false, straight);
        SftTrainer.Result half = run(config(b, 2, 2e-3, 0.1, 4, 0), false, new Recorder(3));
        assertTrue(half.interrupted());
        assertEquals(3, half.steps());
        Recorder rest = new Recorder(-1);
        SftTrainer.Result end = run(config(b, 2, 2e-3, 0.1, 4, 0), true, rest);
        assertEquals(8, end.steps());
        assertEquals(5, rest.losses.size());
        // The steps after the resume see the same batches, dropout masks, learning rates and optimizer
        // state as the uninterrupted run's steps 4-8: the same losses and weights, bit for bit. (This once
        // needed a tolerance: the backward pass read scalars from freed memory when a garbage collection
        // fell between forward and backward, so runs differed in the last bits, or more.)
        for (int i = 0; i < 5; i++) {
            assertEquals(straight.losses.get(3 + i), rest.losses.get(i), "loss at step " + (4 + i));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> wa = Safetensors.read(a.resolve("checkpoint/model.safetensors"), m);
            Map<String, NDArray> wb = Safetensors.read(b.resolve("checkpoint/model.safetensors"), m);
            assertEquals(wa.keySet(), wb.keySet());
            for (String k : wa.keySet()) {
                assertArrayEquals(wa.get(k).toFloatArray(), wb.get(k).toFloatArray(), k);
            }
        }
        assertEquals(SftTrainer.readMetrics(a).size(), SftTrainer.readMetrics(b).size());
        // resuming with another config is refused, naming the differing keys
        SftException e = assertThrows(SftException.class, () -> run(config(b, 2, 5e-3, 0.2, 4, 0), true, new Recorder(-1)));
        assertTrue(e.getMessage().contains("differing keys: lr (0.002 vs 0.005), dropout (0.1 vs 0.2)"), e.getMessage());
        assertTrue(e.usage(), "other options on resume are bad usage");
    }

    /**
     * A translation file whose rows hold JSON-array targets trains on every reference: the steps per epoch, the
     * provenance's counts and a resume follow the expanded count, dev BLEU decodes each dev row once, and a run
     * whose provenance records another count (one started when only the first reference was trained on) is
     * refused on resume, naming the key.
     */
    @Test
    void jsonArrayTargetsTrainOnEveryPairAndResume() throws IOException {
        List<String> t = Files.readAllLines(train, StandardCharsets.UTF_8);
        List<String> v = Files.readAllLines(dev, StandardCharsets.UTF_8);
        // 64 train rows, every other one with a second reference (96 pairs); 16 dev rows, 8 with two (24 pairs)
        Path mt = Files.write(dir.resolve("multi-train.jsonl"), jsonl(t.subList(1, t.size())), StandardCharsets.UTF_8);
        Path md = Files.write(dir.resolve("multi-dev.jsonl"), jsonl(v.subList(1, v.size())), StandardCharsets.UTF_8);
        Path out = dir.resolve("multi");
        SftConfig c = new SftConfig("translation", mt, md, "en", "de", null, null, init, tokenizer(), 1, 0, 16, 0,
                2e-3, 4, "cosine", 0.01, 1.0, 0, 3, 0, 100, 5, out);
        SftTrainer.Result half = run(c, false, new Recorder(2));
        assertTrue(half.interrupted());
        assertEquals(6, half.totalSteps(), "96 pairs in batches of 16 (64 rows gave 4 steps)");
        Path provFile = out.resolve(SftTrainer.PROVENANCE);
        String recorded = Files.readString(provFile);
        JsonObject prov = JsonParser.parseString(recorded).getAsJsonObject();
        assertEquals(96, prov.get("train_examples").getAsInt());
        assertEquals(64, prov.get("train_rows").getAsInt());
        assertEquals(24, prov.get("dev_examples").getAsInt());
        assertEquals(16, prov.get("dev_rows").getAsInt());
        assertEquals(6, prov.get("planned_steps").getAsInt());
        // a run started when a row was one example (its provenance records 64) is not continued with 96
        prov.addProperty("train_examples", 64);
        Files.writeString(provFile, prov.toString());
        SftException e = assertThrows(SftException.class, () -> run(c, true, new Recorder(-1)));
        assertTrue(e.getMessage().startsWith("--resume: " + provFile + ": key 'train_examples': the run was started"
                + " with 64 examples but " + mt + " now gives 96 from 64 rows"), e.getMessage());
        assertFalse(e.usage(), "the checkpoint does not fit the data: bad input, not bad options");
        // the run's own provenance: the resume continues the expanded plan to its end
        Files.writeString(provFile, recorded);
        Recorder rest = new Recorder(-1);
        SftTrainer.Result end = run(c, true, rest);
        assertEquals(6, end.steps());
        assertEquals(4, rest.losses.size());
        List<JsonObject> m = SftTrainer.readMetrics(out);
        assertEquals(2, m.size());
        assertEquals(16, m.get(1).get("bleu_samples").getAsInt(), "each of the 16 dev rows decoded once");
    }

    @Test
    void dialogueAndContinuationTasksTrainOnTheirColumnsAndChooseByDevLoss() throws IOException {
        List<String> d = Files.readAllLines(shared().resolve("data/xdailydialog/pairs_en_dev.tsv"), StandardCharsets.UTF_8);
        Path pairs = Files.write(dir.resolve("dialogue.tsv"), d.subList(0, 7), StandardCharsets.UTF_8);
        SftConfig dlg = new SftConfig("dialogue", pairs, pairs, null, null, null, null, init, tokenizer(), 2, 0, 3, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 50, 1, dir.resolve("dialogue"));
        Recorder r = new Recorder(-1);
        SftTrainer.Result res = run(dlg, false, r);
        assertEquals("dev_loss", res.metric());
        assertEquals(4, res.steps());
        assertEquals(4, r.evals.size());
        assertFalse(r.evals.get(0).has("bleu"));
        assertEquals(List.of(), r.warnings);
        // A context longer than the model's 256 positions keeps the end of its last turn, and says so.
        String longTurn = String.join(" ", Collections.nCopies(150, "the cat sat on the mat ."));
        Path longPairs = Files.writeString(dir.resolve("long.tsv"), d.get(0) + "\n"
                + "9\t2\t1\t1\t0\tHello there . __eou__ " + longTurn + "\tYes .\n" + d.get(1) + "\n");
        Recorder lr = new Recorder(-1);
        SftConfig longCfg = new SftConfig("dialogue", longPairs, pairs, null, null, null, null, init, tokenizer(), 1, 0,
                3, 0, 1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 50, 1, dir.resolve("long"));
        run(longCfg, false, lr);
        assertEquals(List.of("1 of 2 dialogue contexts in " + longPairs + " were shortened to fit the model's 256 "
                + "positions with their response: older turns dropped, or the beginning of the last turn cut"),
                lr.warnings);
        Path cont = Files.writeString(dir.resolve("cont.tsv"),
                "id\tprompt\tcontinuation\n0\tOnce upon a time,\tthere was a cat.\n1\tTom ran\tto the park.\n");
        SftConfig c = new SftConfig("continuation", cont, cont, null, null, null, null, init, tokenizer(), 1, 0, 8, 0,
                1e-3, 0, "constant", 0, 1.0, 0, 1, 0, 0, 1, dir.resolve("cont"));
        assertEquals(1, run(c, false, new Recorder(-1)).steps());
        try (TextTokenizer tok = TextTokenizer.load(dir.resolve("cont"))) {
            assertEquals("<|start_story|>{text}", PromptFormat.forModel(dir.resolve("cont"), tok).template());
        }
    }

    @Test
    void tooLargeForMemoryIsRefusedWithTheEstimate() {
        SftException e = assertThrows(SftException.class,
                () -> new SftTrainer(config(dir.resolve("mem"), 1, 1e-3, 0, 4, 0), false, 1L << 20, 1).run(new Recorder(-1)));
        assertTrue(e.getMessage().startsWith("training step needs about "), e.getMessage());
        assertTrue(e.getMessage().contains("more than the limit of 1.0 MiB (--max-memory)"), e.getMessage());
        assertTrue(e.usage(), "settings too large for the limit are bad usage");
        assertFalse(Files.exists(dir.resolve("mem").resolve(SftTrainer.CHECKPOINT)));
    }

    @Test
    void missingColumnAndEmptyTargetAreOneLineDataErrors() throws IOException {
        SftConfig fr = new SftConfig("translation", train, dev, null, "fr", null, null, init, tokenizer(), 1, 0, 16, 0,
                1e-3, 0, "cosine", 0, 0, 0, 4, 0, 0, 1, dir.resolve("fr"));
        DataException e = assertThrows(DataException.class, () -> run(fr, false, new Recorder(-1)));
        assertTrue(e.getMessage().contains("fr"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        Path bad = Files.writeString(dir.resolve("bad.tsv"), "id\ten\tde\n0\tA dog.\tEin Hund.\n1\tA cat.\t \n");
        SftConfig empty = new SftConfig("translation", bad, dev, null, null, null, null, init, tokenizer(), 1, 0, 16, 0,
                1e-3, 0, "cosine", 0, 0, 0, 4, 0, 0, 1, dir.resolve("empty"));
        DataException e2 = assertThrows(DataException.class, () -> run(empty, false, new Recorder(-1)));
        assertTrue(e2.getMessage().contains("bad.tsv:3"), e2.getMessage());
    }

    /** JSONL rows of a Multi30k TSV's data lines: every other row's target a JSON array of two references. */
    static List<String> jsonl(List<String> tsv) {
        List<String> r = new ArrayList<>();
        for (int i = 0; i < tsv.size(); i++) {
            String[] f = tsv.get(i).split("\t");
            JsonObject o = new JsonObject();
            o.addProperty("id", f[0]);
            o.addProperty("en", f[1]);
            if (i % 2 == 0) {
                JsonArray a = new JsonArray();
                a.add(f[2]);
                a.add("Eine zweite Übersetzung von " + f[1]);
                o.add("de", a);
            } else {
                o.addProperty("de", f[2]);
            }
            r.add(o.toString());
        }
        return r;
    }
}
