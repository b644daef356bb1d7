package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qdecode sft} refuses, before training, an output directory whose contents it would
 * replace and inputs that do not fit (one line, exit 2 or 3); uses a copy of stories260K so that
 * no refusal can reach the shared model.
 */
class SftInputChecksTest {
    @TempDir Path tmp;
    Path model;
    Path train;
    Path dev;

    @BeforeEach
    void inputs() throws IOException {
        model = Files.createDirectories(tmp.resolve("model"));
        try (Stream<Path> files = Files.list(CliRunner.shared().resolve("models/stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName().toString()));
                model.resolve(f.getFileName().toString()).toFile().setWritable(true);
            }
        }
        train = subset("en-de.train.tsv", 8);
        dev = subset("en-de.val.tsv", 4);
    }

    private Path subset(String file, int rows) throws IOException {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k").resolve(file),
                StandardCharsets.UTF_8);
        return Files.write(tmp.resolve(file), lines.subList(0, rows + 1), StandardCharsets.UTF_8);
    }

    private CliRunner.Result sft(String... more) {
        String[] base = {"sft", "--data", train.toString(), "--dev", dev.toString(), "--max-steps", "1",
            "--eval-every", "1", "--bleu-samples", "2", "--batch-size", "4"};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRunner.run(args);
    }

    private static void assertError(int code, String start, CliRunner.Result r) {
        assertEquals(code, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + start), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /** A tokenizer directory without tokenizer.json: bad input, one line saying what was expected there. */
    @Test
    void aDirectoryWithoutTokenizerJsonSaysWhatWasExpected() throws IOException {
        Path init = Files.copy(model.resolve("config.json"), tmp.resolve("init.json"));
        Path noTok = Files.createDirectories(tmp.resolve("notok"));
        assertEquals(List.of("qdecode: error: --tokenizer " + noTok + ": no tokenizer.json in the directory (expected a "
                + "Hugging Face tokenizer.json there, e.g. the --out of qdecode tokenizer train)"),
                assertBadInput(sft("--template", "{source} =", "--init", init.toString(), "--tokenizer", noTok.toString(),
                        "--out", tmp.resolve("a").toString())));
        Files.delete(model.resolve("tokenizer.json"));
        assertEquals(List.of("qdecode: error: --model " + model + ": no tokenizer.json in the directory (expected a "
                + "Hugging Face tokenizer.json there, or --tokenizer DIR naming a directory that holds one)"),
                assertBadInput(sft("--template", "{source} =", "--model", model.toString(), "--out",
                        tmp.resolve("b").toString())));
    }

    private static List<String> assertBadInput(CliRunner.Result r) {
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        return r.err().lines().toList();
    }

    @Test
    void anOutputThatIsAnInputIsRefusedEvenWithOverwrite() throws IOException {
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        assertError(ExitCodes.USAGE, "--out " + model + ": is the --model directory, which training would overwrite",
                sft("--template", "{source} =", "--model", model.toString(), "--out", model + "/", "--overwrite"));
        assertError(ExitCodes.USAGE, "--out " + model + ": is the --tokenizer directory",
                sft("--template", "{source} =", "--init", model.resolve("config.json").toString(), "--tokenizer",
                        model.toString(), "--out", model.toString(), "--overwrite"));
        Path initDir = Files.createDirectories(tmp.resolve("init"));
        Path init = Files.copy(model.resolve("config.json"), initDir.resolve("config.json"));
        assertError(ExitCodes.USAGE, "--out " + initDir + ": holds the --init file config.json",
                sft("--template", "{source} =", "--init", init.toString(), "--tokenizer", model.toString(), "--out",
                        initDir.toString(), "--overwrite"));
        assertArrayEquals(weights, Files.readAllBytes(model.resolve("model.safetensors")));
        CliRunner.Result empty = sft("--template", "{source} =", "--model", model.toString(), "--out", "");
        assertEquals(ExitCodes.USAGE, empty.code(), empty.err());
        assertTrue(empty.err().startsWith("qdecode: error: Invalid value for option '--out': expected a path but got an empty "
                + "string"), empty.err());
    }

    @Test
    void anOutputHoldingEarlierWorkNeedsOverwrite() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("dqn"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"episode\":1}\n");
        Files.writeString(run.resolve("checkpoint.qdq"), "x");
        // another command's work: refused even with --overwrite, which replaces only an SFT run (OtherWork)
        for (String[] extra : new String[][] {{}, {"--overwrite"}}) {
            String[] args = intoOut(run, extra);
            assertError(ExitCodes.USAGE, "--out " + run + ": holds a 'qdecode train' run (checkpoint.qdq), which the "
                    + "SFT run's files would be mixed with (expected a directory of its own for the SFT run, even with "
                    + "--overwrite, which replaces only an SFT run: choose another --out)", sft(args));
        }
        assertEquals("{\"episode\":1}\n", Files.readString(run.resolve("metrics.jsonl")));
        assertEquals("x", Files.readString(run.resolve("checkpoint.qdq")));
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.copy(model.resolve("config.json"), other.resolve("config.json"));
        assertError(ExitCodes.USAGE, "--out " + other + ": holds a model (config.json), which the SFT run's files",
                sft("--template", "{source} =", "--model", model.toString(), "--out", other.toString()));
        Files.createDirectories(other.resolve("checkpoint"));
        assertError(ExitCodes.USAGE, "--out " + other + ": already holds an SFT run (checkpoint/); add --resume to "
                + "continue it, --overwrite to replace it",
                sft("--template", "{source} =", "--model", model.toString(), "--out", other.toString()));
        assertError(ExitCodes.USAGE, "--overwrite: not with --resume",
                CliRunner.run("sft", "--resume", "--overwrite", "--out", other.toString()));
        // --overwrite replaces an earlier SFT run's files (here a one-step SFT run); the evaluation and report
        // directories written beside it go with it (they would pass for results of the new model), other files stay
        Path sftRun = tmp.resolve("sft-run");
        CliRunner.Result first = sft("--template", "{source} =", "--model", model.toString(), "--out",
                sftRun.toString());
        assertEquals(0, first.code(), first.err());
        Files.createDirectories(sftRun.resolve("evaluation"));
        Files.writeString(sftRun.resolve("evaluation/comparison.json"), "{}");
        Files.createDirectories(sftRun.resolve("report"));
        Files.writeString(sftRun.resolve("report/report.html"), "<html>");
        Files.writeString(sftRun.resolve("metrics.jsonl"), "{\"step\":99}\n");
        Files.writeString(sftRun.resolve("notes.txt"), "keep");
        // refused for its options (the memory limit) after --overwrite: the earlier run is left as it was
        assertError(ExitCodes.USAGE, "training step needs about ", sft("--template", "{source} =", "--model",
                model.toString(), "--out", sftRun.toString(), "--overwrite", "--max-memory", "1m"));
        for (String kept : List.of("metrics.jsonl", "evaluation", "report")) {
            assertTrue(Files.exists(sftRun.resolve(kept)), kept);
        }
        // the weights copy that dev BLEU decodes, left by a run killed mid-evaluation
        Files.createDirectories(sftRun.resolve(".eval-model"));
        Files.writeString(sftRun.resolve(".eval-model/model.safetensors"), "stale");
        CliRunner.Result over = sft("--template", "{source} =", "--model", model.toString(), "--out",
                sftRun.toString(), "--overwrite");
        assertEquals(0, over.code(), over.err());
        assertTrue(Files.readString(sftRun.resolve("metrics.jsonl")).startsWith("{\"step\":1,"));
        // the run evaluated dev BLEU (--bleu-samples 2) and removed its weights copy after decoding
        assertTrue(Files.readString(sftRun.resolve("metrics.jsonl")).contains("\"bleu\":"));
        for (String gone : List.of("evaluation", "report", ".eval-model")) {
            assertFalse(Files.exists(sftRun.resolve(gone)), gone);
        }
        assertEquals("keep", Files.readString(sftRun.resolve("notes.txt")));
    }

    @Test
    void anOutThatHoldsAClassifierIsRefusedAsEveryOtherEarlierWork() throws IOException {
        Path clf = Files.createDirectories(tmp.resolve("clf"));
        Files.writeString(clf.resolve("classifier.json"), "{}");
        for (String[] extra : new String[][] {{}, {"--overwrite"}}) {
            String[] args = intoOut(clf, extra);
            assertError(ExitCodes.USAGE, "--out " + clf + ": holds a classifier (classifier.json), which the SFT "
                    + "run's files would be mixed with (expected a directory of its own for the SFT run, even with "
                    + "--overwrite, which replaces only an SFT run: choose another --out)", sft(args));
            assertEquals(List.of("classifier.json"), List.of(clf.toFile().list()), "nothing written beside it");
        }
    }

    @Test
    void aStepTooLargeForTheMemoryLimitIsBadUsageAsInGenerateAndTrain() {
        CliRunner.Result r = sft("--template", "{source} =", "--model", model.toString(), "--max-memory", "1m",
                "--out", tmp.resolve("mem").toString());
        assertError(ExitCodes.USAGE, "training step needs about ", r);
        assertTrue(r.err().contains("more than the limit of 1.0 MiB (--max-memory); "
                + "lower --batch-size or --batch-tokens, choose a smaller model, or raise --max-memory where the "
                + "machine has the memory"), r.err());
        assertFalse(Files.exists(tmp.resolve("mem").resolve("checkpoint")));
    }

    /**
     * {@code --max-memory} refuses a size that is not a finite count of bytes, as every number option
     * refuses NaN and infinity: {@code 1e400m} reads as infinite and was taken as no limit (the run trained).
     */
    @Test
    void aMaxMemoryThatIsNotAFiniteSizeIsRefused() {
        for (String v : List.of("1e400m", "1e400", "1e30g", "NaN", "Infinity", "0x1p3g", "1fm", "-1g", "0.5")) {
            Path o = tmp.resolve("mm");
            CliRunner.Result r = sft("--template", "{source} =", "--model", model.toString(), "--max-memory", v,
                    "--out", o.toString());
            assertEquals(ExitCodes.USAGE, r.code(), v + ": " + r.err());
            assertEquals("qdecode: error: --max-memory: expected a finite size such as 6g, 512m or 100000000 (from 1"
                    + " byte to below 8 EiB) but got '" + v + "'", r.err().lines().findFirst().orElse(""), v);
            assertFalse(Files.exists(o.resolve("checkpoint")), v);
        }
        assertEquals(6L << 30, SftCommand.parseSize("6g"));
        assertEquals(512L << 20, SftCommand.parseSize("512M"));
        assertEquals(1500L << 10, SftCommand.parseSize("1.5e3k"));
        assertEquals(100000000L, SftCommand.parseSize("100000000"));
    }

    /**
     * The estimate comes before the model is built: an --init architecture far beyond the limit (here
     * one embedding of 4.3G floats, which could not even be allocated as one array) is refused with the
     * estimate, not built until memory runs out (an internal error, exit 1, as it was).
     */
    @Test
    void anInitConfigTooLargeForTheMemoryLimitIsRefusedBeforeItIsBuilt() throws IOException {
        com.google.gson.JsonObject c = com.google.gson.JsonParser.parseString(
                Files.readString(model.resolve("config.json"))).getAsJsonObject();
        c.addProperty("hidden_size", 1 << 23);
        c.addProperty("intermediate_size", 8);
        c.addProperty("num_hidden_layers", 1);
        c.addProperty("num_attention_heads", 1);
        c.addProperty("num_key_value_heads", 1);
        c.remove("head_dim");
        Path big = Files.writeString(tmp.resolve("big.json"), c.toString());
        CliRunner.Result r = sft("--template", "{source} =", "--init", big.toString(), "--tokenizer", model.toString(),
                "--max-memory", "1g", "--out", tmp.resolve("big").toString());
        assertError(ExitCodes.USAGE, "training step needs about ", r);
        assertTrue(r.err().contains("more than the limit of 1.00 GiB (--max-memory)"), r.err());
        assertFalse(Files.exists(tmp.resolve("big")));
    }

    /** A key given twice in an --init config is refused, naming it; it used to be read as its last value. */
    @Test
    void anInitConfigWithAKeyTwiceIsRefused() throws IOException {
        String json = Files.readString(model.resolve("config.json")).strip();
        Path init = Files.writeString(tmp.resolve("dup.json"),
                json.substring(0, json.length() - 1) + ",\n \"hidden_size\": 16}");
        CliRunner.Result r = sft("--template", "{source} =", "--init", init.toString(), "--tokenizer", model.toString(),
                "--out", tmp.resolve("dup").toString());
        assertError(ExitCodes.BAD_INPUT, "--init " + init + ":", r);
        assertTrue(r.err().contains("key \"hidden_size\" appears twice in one object"), r.err());
        assertFalse(Files.exists(tmp.resolve("dup")));
    }

    /**
     * A run whose loss stops being finite stops with one line saying so and what to change; the NaN
     * model is never chosen as the best (nor written, nor checkpointed), and metrics.jsonl never gets a
     * NaN (not JSON). It used to print "dev loss NaN (best)", write NaN weights and exit 0.
     */
    @Test
    void aDivergedRunStopsWithoutWritingANonFiniteModel() throws IOException {
        Path out = tmp.resolve("nan");
        CliRunner.Result r = sft("--template", "{source} =", "--init", model.resolve("config.json").toString(),
                "--tokenizer", model.toString(), "--lr", "1e300", "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        List<String> lines = r.err().strip().lines().toList(); // the progress bar, then the error
        assertEquals("qdecode: error: training diverged: dev loss became NaN at step 1 (expected a finite number;"
                + " lower --lr); no model was written", lines.get(lines.size() - 1), r.err());
        assertFalse(r.err().contains("(best)"), r.err());
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("checkpoint")));
        assertFalse(Files.exists(out.resolve("metrics.jsonl")) && Files.readString(out.resolve("metrics.jsonl")).contains("NaN"));
        // the same command with a learning rate that works may use the same --out
        CliRunner.Result ok = sft("--template", "{source} =", "--init", model.resolve("config.json").toString(),
                "--tokenizer", model.toString(), "--out", out.toString());
        assertEquals(0, ok.code(), ok.err());
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            com.google.gson.JsonObject m = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
            assertTrue(Double.isFinite(m.get("dev_loss").getAsDouble()), line);
        }
    }

    /**
     * An --init config whose eos_token_id or bos_token_id is an ordinary token of the tokenizer is
     * refused, naming the field, the id and its piece: every target was trained to end with it.
     */
    @Test
    void anInitConfigWhoseEosOrBosIsAnOrdinaryTokenIsRefused() throws IOException {
        String config = Files.readString(model.resolve("config.json"));
        for (String field : new String[] {"eos_token_id", "bos_token_id"}) {
            com.google.gson.JsonObject c = com.google.gson.JsonParser.parseString(config).getAsJsonObject();
            c.addProperty(field, 300);
            Path init = Files.writeString(tmp.resolve(field + ".json"), c.toString());
            CliRunner.Result r = sft("--template", "{source} =", "--init", init.toString(), "--tokenizer",
                    model.toString(), "--out", tmp.resolve(field).toString());
            try (TextTokenizer tok = TextTokenizer.load(model)) {
                assertError(ExitCodes.BAD_INPUT, "--init " + init + ": " + field + " 300 is the ordinary token '"
                        + tok.piece(300) + "' of " + model.resolve("tokenizer.json"), r);
            }
            assertTrue(r.err().contains("; expected one of the tokenizer's special tokens (0 "), r.err());
            assertFalse(Files.exists(tmp.resolve(field)));
        }
    }

    /**
     * {@code --template} reads the escapes of {@code --prompt-format} ({@code \n} a newline): it took them
     * literally, training on a backslash and an n. A template without a backslash is as given; an unknown
     * escape is bad usage; messages show a template as it is given, on one line.
     */
    @Test
    void theTemplateReadsThePromptFormatEscapes() throws IOException {
        Path run = tmp.resolve("nl");
        CliRunner.Result r = sft("--template", "{source}\\n=", "--model", model.toString(),
                "--out", run.toString());
        assertEquals(0, r.code(), r.err());
        com.google.gson.JsonObject m = com.google.gson.JsonParser.parseString(
                Files.readString(run.resolve("qdecode-model.json"))).getAsJsonObject();
        assertEquals("{source}\n=", m.getAsJsonObject("sft").get("template").getAsString());
        assertTrue(m.getAsJsonObject("prompt_format").get("template").getAsString().endsWith("{text}\n="), m.toString());
        CliRunner.Result bad = sft("--template", "C:\\x {source}", "--model", model.toString(), "--out",
                tmp.resolve("bad").toString());
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        assertEquals("qdecode: error: Invalid value for option '--template': 'C:\\x {source}': unknown escape \\x (use"
                + " \\n, \\t, \\; or \\\\)", bad.err().lines().findFirst().orElse(""));
        assertFalse(Files.exists(tmp.resolve("bad")));
        CliRunner.Result none = sft("--template", "no source\\n", "--model", model.toString(), "--out",
                tmp.resolve("none").toString());
        assertEquals(ExitCodes.USAGE, none.code(), none.err());
        assertTrue(none.err().startsWith("qdecode: error: --template 'no source\\n': must contain {source} exactly once "
                + "(expected one {source} where each example's source text goes, e.g. '{source} <sep>', the translation "
                + "default)\n"), none.err());
        // a resume that gives the template again compares it as read: the same spelling is the run's template
        // (the run is finished, which is what is refused), another spelling of other text is a differing key
        CliRunner.Result again = sft("--template", "{source}\\n=", "--model", model.toString(),
                "--out", run.toString(), "--resume");
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertTrue(again.err().contains(" already finished its 1 steps"), again.err());
        CliRunner.Result literal = sft("--template", "{source}\\\\n=", "--model", model.toString(),
                "--out", run.toString(), "--resume");
        assertEquals(ExitCodes.USAGE, literal.code(), literal.err());
        assertTrue(literal.err().contains("differing keys: template ({source}\\n= vs {source}\\\\n=)"), literal.err());
        assertEquals(1, literal.err().strip().lines().count(), literal.err());
        // train --task classification --template reads them the same way
        picocli.CommandLine.ParseResult p = Main.commandLine().parseArgs("train", "--task", "classification",
                "--template", "Review: {text}\\nSentiment:", "--out", tmp.resolve("c").toString());
        assertEquals("Review: {text}\nSentiment:", p.subcommand().matchedOption("--template").getValue());
    }

    /**
     * A {@code --batch-tokens} below the longest training sequence is a wrong option value (bad usage,
     * exit 2, as a step too large for {@code --max-memory} is), not bad input: it was exit 3. The line
     * names the longest sequence, where it is and the least value that works.
     */
    @Test
    void aBatchTokenLimitBelowTheLongestSequenceIsBadUsageNamingTheLongest() {
        CliRunner.Result r = sft("--template", "{source} =", "--model", model.toString(), "--batch-tokens", "10",
                "--out", tmp.resolve("bt").toString());
        assertError(ExitCodes.USAGE, "--batch-tokens 10: 8 of 8 training sequences are longer; the longest ("
                + train + ":9, id 7) has 113 tokens (prompt + target + EOS); expected at least 113, or 0 for no"
                + " limit", r);
        assertFalse(Files.exists(tmp.resolve("bt")));
        CliRunner.Result one = sft("--template", "{source} =", "--model", model.toString(), "--batch-tokens", "112",
                "--out", tmp.resolve("bt").toString());
        assertError(ExitCodes.USAGE, "--batch-tokens 112: 1 of 8 training sequences are longer; the longest ("
                + train + ":9, id 7) has 113 tokens", one);
        assertFalse(Files.exists(tmp.resolve("bt")));
    }

    @Test
    void theDefaultTemplateNeedsASeparatorTokenAGivenOneIsUsedAsIs() throws IOException {
        CliRunner.Result r = sft("--model", model.toString(), "--out", tmp.resolve("sep").toString());
        assertError(ExitCodes.BAD_INPUT, "--template not given: the default translation template '{source} <sep>' "
                + "needs <sep> as one token, but " + model.resolve("tokenizer.json") + " has no <sep> token", r);
        assertTrue(r.err().contains("give --template (e.g. '{source} =') or train the tokenizer with "
                + "'qdecode tokenizer train --special-tokens <sep>'"), r.err());
        // the same template given by the user is taken as is
        CliRunner.Result given = sft("--model", model.toString(), "--template", "{source} <sep>", "--out",
                tmp.resolve("given").toString());
        assertEquals(0, given.code(), given.err());
        // a tokenizer trained with <sep> as a special token takes the default
        Path tok = tmp.resolve("tok");
        CliRunner.Result t = CliRunner.run("tokenizer", "train", "--data", train.toString(), "--columns", "en,de",
                "--vocab-size", "400", "--byte-fallback", "--special-tokens", "<sep>", "--out", tok.toString());
        assertEquals(0, t.code(), t.err());
        Path init = Files.writeString(tmp.resolve("tiny.json"), "{\"model_type\":\"llama\",\"vocab_size\":400,"
                + "\"hidden_size\":32,\"intermediate_size\":64,\"num_hidden_layers\":1,\"num_attention_heads\":2,"
                + "\"num_key_value_heads\":2,\"max_position_embeddings\":256}");
        CliRunner.Result ok = sft("--init", init.toString(), "--tokenizer", tok.toString(), "--out",
                tmp.resolve("default").toString());
        assertEquals(0, ok.code(), ok.err());
        // a fresh model with more ids than the tokenizer has tokens would decode ids no token has
        Path wide = Files.writeString(tmp.resolve("wide.json"), Files.readString(init).replace("400", "512"));
        CliRunner.Result w = sft("--init", wide.toString(), "--tokenizer", tok.toString(), "--out",
                tmp.resolve("wide").toString());
        assertError(ExitCodes.BAD_INPUT, "--init " + wide + ": vocab_size 512 but " + tok.resolve("tokenizer.json")
                + " has 400 tokens (expected vocab_size 400, the tokenizer's)", w);
    }

    @Test
    void continuationNamesItsOwnColumnsInErrors() throws IOException {
        CliRunner.Result r = CliRunner.run("sft", "--task", "continuation", "--data", train.toString(), "--dev", dev.toString(),
                "--model", model.toString(), "--out", tmp.resolve("cont").toString());
        assertError(ExitCodes.BAD_INPUT, train + ":1: missing column 'prompt' (the source column of sft --task "
                + "continuation; choose another with --source-column); the header has columns: id, en, de", r);
        Path blank = Files.writeString(tmp.resolve("blank.tsv"), "id\tprompt\tcontinuation\n0\tOnce\tthere was\n1\tTom\t \n");
        CliRunner.Result b = CliRunner.run("sft", "--task", "continuation", "--data", blank.toString(), "--dev",
                blank.toString(), "--model", model.toString(), "--out", tmp.resolve("cont").toString());
        assertEquals(ExitCodes.BAD_INPUT, b.code(), b.err());
        assertTrue(b.err().contains("blank.tsv:3: column 'continuation': expected a non-blank value (the target of sft "
                + "--task continuation)"), b.err());
    }

    @Test
    void anExampleTooLongForTheModelIsNamedByFileLineAndId() throws IOException {
        String longText = String.join(" ", java.util.Collections.nCopies(400, "the dog runs"));
        Path tsv = Files.writeString(tmp.resolve("long.tsv"), "id\ten\tde\n"
                + "a1\tA dog.\tEin Hund.\nb2\tA cat.\tEine Katze.\nlong7\t" + longText + "\tEin Hund.\n");
        CliRunner.Result r = CliRunner.run("sft", "--data", tsv.toString(), "--dev", dev.toString(), "--model",
                model.toString(), "--template", "{source} =", "--out", tmp.resolve("long").toString());
        assertError(ExitCodes.BAD_INPUT, tsv + ":4: example (id long7) has ", r);
        assertTrue(r.err().contains(" tokens (prompt + target + EOS); it exceeds the model's max_position_embeddings 512"
                + " (expected at most 512 tokens: shorten it or leave it out)"), r.err());
        Path cont = Files.writeString(tmp.resolve("ctlong.tsv"), "prompt\tcontinuation\nOnce\tthere was\n"
                + "Tom\tran home\n" + longText + "\tand so on\n");
        CliRunner.Result c = CliRunner.run("sft", "--task", "continuation", "--data", cont.toString(), "--dev",
                cont.toString(), "--model", model.toString(), "--out", tmp.resolve("ctlong").toString());
        assertError(ExitCodes.BAD_INPUT, cont + ":4: example (id 2) has ", c);
        assertFalse(Files.exists(tmp.resolve("ctlong")), "refused before --out is written");
    }

    /** sft's arguments for a translation run on the test model into {@code out}, then {@code extra}. */
    private String[] intoOut(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--template", "{source} =", "--model", model.toString(),
                "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }
}
