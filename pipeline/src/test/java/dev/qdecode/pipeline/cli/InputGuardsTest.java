package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that used to be taken silently, overwrite earlier work or fail late: each is refused
 * before any work with one line naming the option or file, and what was expected.
 */
class InputGuardsTest {

    private static final String SMALL = CliRunner.model("stories260K");

    /** A tiny continuation run that stores fewer transitions than one batch. */
    private static String[] tinyTrain(Path out, String... more) {
        String[] base = {"train", "--model", SMALL, "--episodes", "8", "--rollout-episodes", "8", "--max-new-tokens",
            "4", "--min-new-tokens", "1", "--eval-limit", "2", "--eval-samples", "1", "--eval-every", "0", "--out",
            out.toString()};
        String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static void usage(CliRunner.Result r, String text) {
        CliRunner.assertUsage(r, text);
    }

    /** A missing or unreadable input file: one line, exit 3 (no "Try --help" line: the options are right). */
    private static void badInput(CliRunner.Result r, String line) {
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(List.of("qdecode: error: " + line), r.err().lines().toList());
    }

    @Test
    void trainKeepsWhatOutHoldsAndSaysWhenTheHeadNeverLearned(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(out.resolve("summary.json"), "{\"mine\": true}");
        usage(CliRunner.run(tinyTrain(out)), "--out " + out + ": already holds summary.json (choose another --out, or "
                + "add --overwrite to write a new run over them)");
        assertEquals("{\"mine\": true}", Files.readString(out.resolve("summary.json")));
        Path file = Files.writeString(tmp.resolve("afile"), "x");
        usage(CliRunner.run(tinyTrain(file)), "--out " + file + ": is a file (expected a directory for a new run)");
        usage(CliRunner.run("train", "--overwrite", "--resume", "--out", out.toString()), "--overwrite: not with --resume");

        CliRunner.Result r = CliRunner.run(tinyTrain(out, "--overwrite"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("qdecode: warning: the head was never updated: 8 episodes stored fewer transitions "
                + "than one batch"), r.err());
        assertFalse(Files.readString(out.resolve("summary.json")).contains("mine"));
        // a finished run: --resume would be refused, so it is not suggested
        usage(CliRunner.run(tinyTrain(out)), "already holds checkpoint.qdq, metrics.jsonl, report and 1 more (its run "
                + "is finished (summary.json), choose another --out, or add --overwrite");
        // an unfinished one (no summary yet): --resume continues it
        Path unfinished = Files.createDirectories(tmp.resolve("unfinished"));
        Files.copy(out.resolve("checkpoint.qdq"), unfinished.resolve("checkpoint.qdq"));
        usage(CliRunner.run(tinyTrain(unfinished)), "already holds checkpoint.qdq (pass --resume to continue its run, "
                + "choose another --out");
        usage(CliRunner.run("train", "--resume", "--task", "translation", "--out", out.toString()),
                "--task translation: the run in " + out + " is a --task continuation run, which --resume continues "
                        + "(expected no --task, or --task continuation)");
        usage(CliRunner.run("train", "--resume", "--task", "continuation", "--out", out.toString()),
                "qdecode: error: --resume: " + out + " already finished its 8 episodes (see summary.json; expected an "
                        + "unfinished run: a finished one is not extended, not even by a larger --episodes; train a new "
                        + "run into another --out, or without --resume add --overwrite to start over in " + out + ")\n");
        // a directory without a run: what --resume expects, and how to start one there instead
        Path noRun = Files.createDirectories(tmp.resolve("norun"));
        badInput(CliRunner.run("train", "--resume", "--out", noRun.toString()), "--resume: " + noRun + " holds no "
                + "checkpoint.qdq (expected the --out of an unfinished qdecode train run; to start a new run there, "
                + "leave out --resume)");

        // a head trained for continuation is not evaluated as a translation model
        Path mt = Files.writeString(tmp.resolve("mt.tsv"), "en\tde\nA dog.\tEin Hund.\n");
        badInput(CliRunner.run("evaluate", "--task", "translation", "--policy", out.toString(), "--data",
                mt.toString(), "--out", tmp.resolve("ev").toString()), "--policy " + out + ": a --task continuation run "
                + "(expected a run of --task translation; evaluate it with --task continuation)");
        usage(CliRunner.run("evaluate", "--task", "translation", "--policy", out.toString(), "--max-new-tokens", "0"),
                "--max-new-tokens: expected a positive count but got 0");
        usage(CliRunner.run("evaluate", "--policy", out.toString(), "--samples", "0"),
                "--samples: expected a positive count but got 0");
        usage(CliRunner.run("report", out.toString(), "--compare", out + "/"), "--compare " + out + ": the same run as "
                + out + " (expected each run once)");
    }

    @Test
    void optionValuesThatMeanNothingAreRefused(@TempDir Path tmp) {
        usage(CliRunner.run("train", "--out", ""), "Invalid value for option '--out': expected a path but got an "
                + "empty string");
        // an empty column name reached the data module's "cannot be switched off" check: exit 1, internal error
        usage(CliRunner.run("classifier", "train", "--data", "x.tsv", "--text-column", "", "--out", "o"),
                "Invalid value for option '--text-column': expected a column name but got an empty string");
        usage(CliRunner.run("train", "--task", "classification", "--encoder", "minilm", "--label-column", " "),
                "Invalid value for option '--label-column': expected a column name but got an empty string");
        usage(CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", "h.tsv", "--ref", "r.tsv", "--ref-column",
                ""), "Invalid value for option '--ref-column': expected a column name but got an empty string");
        usage(CliRunner.run("train", "--positive-threshold", "NaN"), "Invalid value for option '--positive-threshold': "
                + "'NaN' is not a finite number (expected a number such as 0.5, 3 or 1e-4)");
        usage(CliRunner.run("generate", "--prompt", "Once", "--temperature", "Infinity"),
                "'Infinity' is not a finite number (expected a number such as 1.0, 3 or 1e-4)");
        // Java's own spellings are not numbers here: '--time-limit 1d' read as 1 minute, '0x1p-10' as a learning rate
        usage(CliRunner.run("sft", "--time-limit", "1d"), "Invalid value for option '--time-limit': '1d' is not a "
                + "number (expected a number such as 0.5, 3 or 1e-4)");
        for (String v : new String[] {"0x1p-10", "2f", " 0.5", "1e-4 "}) {
            usage(CliRunner.run("train", "--lr", v), "Invalid value for option '--lr': '" + v + "' is not a number "
                    + "(expected a number such as 0.001, 3 or 1e-4)");
        }
        // a missing or unreadable option file is bad input, as every missing input file is (it was exit 2)
        Path missing = tmp.resolve("opts.txt");
        badInput(CliRunner.run("train", "@" + missing), "@" + missing + ": option file " + missing + " not found");
        // also where the missing file's options are required ones, and not when @... is an option's value
        badInput(CliRunner.run("tokenizer", "train", "@" + missing), "@" + missing + ": option file " + missing
                + " not found");
        usage(CliRunner.run("generate", "--prompt", "@" + missing, "--max-new-tokens", "0"), "--max-new-tokens: "
                + "expected a positive count but got 0");
        // a directory given as an option file: one line, not picocli's stack trace
        badInput(CliRunner.run("sft", "@" + tmp), "@" + tmp + ": cannot read the option file (" + tmp + " is a "
                + "directory; expected a file of options)");
        // a replay buffer that cannot fit in the heap: refused with the estimate before training (not an OOM)
        CliRunner.Result replay = CliRunner.run("train", "--episodes", "8", "--replay-size", "2000000000", "--out",
                tmp.resolve("replay").toString());
        usage(replay, "--replay-size 2000000000: a replay buffer of 2000000000 slots, holding up to ");
        assertTrue(replay.err().contains("more than the maximum heap of"), replay.err());
        // one that cannot hold the run's longest episode: refused before training (it was exit 1, "internal
        // error: IllegalArgumentException: replay: an episode of 12 steps exceeds --replay-size 10", after the
        // base evaluation, once an episode reached that length)
        CliRunner.Result shortReplay = CliRunner.run("train", "--model", SMALL, "--episodes", "8", "--rollout-episodes",
                "8", "--max-new-tokens", "12", "--min-new-tokens", "12", "--eval-limit", "2", "--eval-samples", "1",
                "--replay-size", "10", "--batch-size", "8", "--out", tmp.resolve("short").toString());
        usage(shortReplay, "--replay-size 10: an episode of this run can have 12 steps (--max-new-tokens 12) and "
                + "replay keeps whole episodes (expected at least 12)");
        assertFalse(shortReplay.err().contains("base model"), shortReplay.err());
        // without a top-k limit every step keeps all 512 tokens as candidates: the estimate counts them (it counted
        // one, so a buffer of 5.8 GB passed as 0.6 GB and the run ran out of memory once replay filled)
        CliRunner.Result allTokens = CliRunner.run("train", "--model", SMALL, "--episodes", "20000",
                "--max-new-tokens", "64", "--candidates-top-k", "0", "--replay-size", "2000000", "--out",
                tmp.resolve("all").toString());
        usage(allTokens, "--replay-size 2000000: a replay buffer of 2000000 slots, holding up to 1280000 transitions "
                + "of this run, needs up to ");
        assertTrue(allTokens.err().contains("(up to 512 candidates a step with --candidates-top-k 0), more than the "
                + "maximum heap of"), allTokens.err());
        assertTrue(allTokens.err().contains("expected a smaller --replay-size, a --candidates-top-k limit, or a larger "
                + "heap"), allTokens.err());
        // more new tokens than the model has positions: the option is wrong, not the prompt
        usage(CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"), "--prompt", "Once",
                "--max-new-tokens", "100000"), "--max-new-tokens 100000: the model's context is 512 positions "
                + "(max_position_embeddings; expected fewer new tokens, leaving room for the prompt)");
        usage(CliRunner.run("classifier", "train", "--data", tmp.resolve("none.tsv").toString(), "--epochs", "0",
                "--out", tmp.resolve("clf").toString()), "--epochs 0: expected >= 1");
        // every config field has its option, so errors name options that exist
        usage(CliRunner.run("train", "--candidates-top-k", "1"), "--min-candidates: expected at most "
                + "--candidates-top-k (1) but got 2");
    }

    @Test
    void configFilesAreStrictJson(@TempDir Path tmp) throws Exception {
        String[][] cases = {
            {"{\"episodes\": 16, \"episodes\": 32}", ":1: key \"episodes\" appears twice in one object at column "},
            {"{\"episodes\": 16} trailing", ":1: malformed JSON at column "},
            {"{episodes: 16}", ":1: malformed JSON at column 3: not standard JSON"},
            {"{\"episodes\": 16,\n // a comment\n \"lr\": 0.1}", ":2: malformed JSON at column "},
            {"{\"episodes\": 64,}", ":1: malformed JSON at column 16: expected a key after ',' but got '}' (trailing "
                + "comma?)"},
        };
        for (String[] c : cases) {
            Path f = Files.writeString(tmp.resolve("c.json"), c[0]);
            usage(CliRunner.run("train", "--config", f.toString(), "--out", tmp.resolve("r").toString()), f + c[1]);
        }
    }

    @Test
    void outputFilesAreCheckedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "id\tprompt\n1\tOnce upon a time\n");
        String before = Files.readString(prompts);
        usage(CliRunner.run("generate", "--model", SMALL, "--prompts", prompts.toString(), "--output", prompts.toString()),
                "--output " + prompts + ": is an input of this command");
        assertEquals(before, Files.readString(prompts));
        usage(CliRunner.run("generate", "--model", SMALL, "--prompts", prompts.toString(), "--output",
                tmp.resolve("o.csv").toString()), "unsupported output type (expected a .tsv or .jsonl file name)");
        usage(CliRunner.run("generate", "--model", SMALL, "--prompts", prompts.toString(), "--output", tmp.toString()),
                "--output " + tmp + ": is a directory");
        Path hyp = Files.writeString(tmp.resolve("h.txt"), "a cat\n");
        usage(CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(), "--output", hyp.toString()),
                "--output " + hyp + ": unsupported output type");
        Path table = Files.writeString(tmp.resolve("h.tsv"), "text\na cat\n");
        usage(CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", table.toString(), "--output",
                table.toString()), "--output " + table + ": is an input of this command");
        assertEquals("text\na cat\n", Files.readString(table));
        Path earlier = Files.writeString(tmp.resolve("scores.tsv"), "earlier work\n");
        usage(CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(), "--output",
                earlier.toString()), "--output " + earlier + ": exists (expected another file name, or --overwrite");
        assertEquals("earlier work\n", Files.readString(earlier));
        assertEquals(0, CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(), "--output",
                earlier.toString(), "--overwrite").code());
        assertEquals(2, Files.readAllLines(earlier).size());
        usage(CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(), "--overwrite"),
                "--overwrite: not for rewards score without --output");
        // --seed is read by plug-ins only: with built-in rewards it would change nothing
        usage(CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(), "--seed", "7"),
                "--seed: not for built-in rewards, which draw no random numbers (expected it only with a --plugin "
                        + "reward)");
        // a JSON-lines row without the column is named by its own line
        Path jsonl = Files.writeString(tmp.resolve("h.jsonl"), "{\"text\": \"fine\"}\n{\"txt\": \"bad\"}\n");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", jsonl.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + jsonl + ":2: no column 'text' (columns: txt)", r.err().strip());
        // a TSV's columns are its header's: line 1, not the first data row
        Path tsv = Files.writeString(tmp.resolve("h.tsv"), "id\ttxt\n1\tfine\n");
        r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", tsv.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + tsv + ":1: no column 'text' in the header (columns: id, txt)", r.err().strip());
        // a header without the column is named so also when no data row follows it (before: "no segments"), and so
        // is one without --label-column or --ref-column
        Path headerOnlyTsv = Files.writeString(tmp.resolve("header.tsv"), "id\ttext\n");
        Path headerOnlyCsv = Files.writeString(tmp.resolve("header.csv"), "id,text\n");
        for (Path f : List.of(headerOnlyTsv, headerOnlyCsv)) {
            r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", f.toString(), "--column", "nope");
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals("qdecode: error: " + f + ":1: no column 'nope' in the header (columns: id, text)",
                    r.err().strip());
        }
        r = CliRunner.run("rewards", "score", "--reward", "label-match", "--hyp", headerOnlyTsv.toString(),
                "--label-column", "gold");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + headerOnlyTsv + ":1: no column 'gold' in the header (columns: id, text)",
                r.err().strip());
        Path oneRow = Files.writeString(tmp.resolve("one.tsv"), "id\ttext\n1\tfine\n");
        r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", oneRow.toString(), "--ref",
                headerOnlyCsv.toString(), "--ref-column", "ref");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + headerOnlyCsv + ":1: no column 'ref' in the header (columns: id, text)",
                r.err().strip());
        // a header that has the column but no data row is still a file with no segments
        r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", headerOnlyTsv.toString());
        assertEquals("qdecode: error: " + headerOnlyTsv + ": no segments (expected at least one data row)",
                r.err().strip());
    }

    @Test
    void classifierDevLabelsAreCheckedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path train = Files.writeString(tmp.resolve("train.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        Path dev = Files.writeString(tmp.resolve("dev.tsv"), "sentence\tlabel\nfine\t1\nmeh\t2\n");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", train.toString(), "--dev", dev.toString(),
                "--out", tmp.resolve("clf").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + dev + ":3: column 'label': expected one of 0,1 but found '2'", r.err().strip());
        assertFalse(r.out().contains("trained on"), r.out());
    }

    /** An output that cannot be created is refused before the work, not after it (a classifier trained for nothing). */
    @Test
    void anOutputUnderAFileIsRefusedBeforeAnyWork(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("f.tsv"), "x\n");
        Path data = Files.writeString(tmp.resolve("train.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", data.toString(), "--out",
                file.resolve("clf").toString());
        usage(r, "--out " + file.resolve("clf") + ": " + file + " is not a directory (expected a path under a directory)");
        assertFalse(r.out().contains("validation"), r.out());
        r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", data.toString(), "--column", "sentence",
                "--output", file.resolve("s.tsv").toString());
        usage(r, "--output " + file.resolve("s.tsv") + ": " + file + " is not a directory");
        assertEquals("", r.out());
        // a path whose directories can be made is checked by making them, and they are removed again
        Path deep = tmp.resolve("a").resolve("b").resolve("c.tsv");
        RecordWriter.checkCreatable("--output", deep, deep.getParent());
        assertFalse(Files.exists(tmp.resolve("a")));
    }

    @Test
    void aTrainingPromptTooLongForTheContextIsFoundBeforeTraining(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "id\tprompt\n1\tOnce upon a time\n2\t"
                + "word ".repeat(600) + "\n");
        CliRunner.Result r = CliRunner.run("train", "--model", SMALL, "--prompts", prompts.toString(), "--out",
                tmp.resolve("r").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + prompts + ":3: prompt (id 2) has "), r.err());
        assertTrue(r.err().contains("(expected at most 464 tokens: shorten it or lower --max-new-tokens)"), r.err());
        assertFalse(r.err().contains("episodes"), r.err());
        // a translation source, and an evaluation file, are named the same way
        Path pairs = Files.writeString(tmp.resolve("pairs.tsv"), "en\tde\nA dog.\tEin Hund.\nA cat.\tEine Katze.\n");
        Path longPairs = Files.writeString(tmp.resolve("long.tsv"), "id\ten\tde\ns1\tA dog.\tEin Hund.\ns2\t"
                + "word ".repeat(600) + "\tWort.\n");
        r = CliRunner.run("train", "--task", "translation", "--model", SMALL, "--data", pairs.toString(), "--dev",
                longPairs.toString(), "--out", tmp.resolve("t").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + longPairs + ":3: prompt (id s2) has "), r.err());
        assertFalse(Files.exists(tmp.resolve("t").resolve("metrics.jsonl")));
        // a dialogue context that no cut fits (2 positions left: not even the responder's cue) is named the same
        // way (it was 'FILE: training prompt 1 has 25 tokens', with neither line nor id)
        Path dialogues = Files.writeString(tmp.resolve("d.tsv"), "dialog_id\tturn\tcontext\tresponse\n"
                + "7\t1\tCan you manage chopsticks ?\tWhy not ?\n");
        r = CliRunner.run("train", "--task", "dialogue", "--model", SMALL, "--data", dialogues.toString(), "--dev",
                dialogues.toString(), "--max-new-tokens", "510", "--out", tmp.resolve("d").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + dialogues + ":2: prompt (id 7#1) has "), r.err());
        assertTrue(r.err().contains("(expected at most 2 tokens: shorten it or lower --max-new-tokens)"), r.err());
        assertFalse(Files.exists(tmp.resolve("d").resolve("metrics.jsonl")));
        // evaluate names it too, before any output (a run of 4 episodes to evaluate)
        Path run = tmp.resolve("run");
        assertEquals(0, CliRunner.run("train", "--task", "translation", "--model", SMALL, "--data", pairs.toString(),
                "--dev", pairs.toString(), "--episodes", "4", "--out", run.toString()).code());
        r = CliRunner.run("evaluate", "--task", "translation", "--policy", run.toString(), "--data", longPairs.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + longPairs + ":3: prompt (id s2) has "), r.err());
        assertFalse(r.out().contains("translation of"), r.out());
        assertFalse(Files.exists(run.resolve("evaluation")));
        // a continuation run's evaluation: its new tokens are the run's, so only the prompt can be shortened
        Path cont = tmp.resolve("cont");
        assertEquals(0, CliRunner.run("train", "--model", SMALL, "--episodes", "4", "--rollout-episodes", "4",
                "--eval-limit", "2", "--max-new-tokens", "8", "--min-new-tokens", "2", "--out", cont.toString())
                .code());
        r = CliRunner.run("evaluate", "--policy", cont.toString(), "--prompts", prompts.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: " + prompts + ":3: prompt (id 2) has "), r.err());
        assertTrue(r.err().contains("(expected at most 504 tokens: shorten it; the run samples 8 new tokens after "
                + "each prompt)"), r.err());
    }

    @Test
    void trainNeverWritesIntoItsModelAndChecksTheContextFirst(@TempDir Path tmp) throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        try (var files = Files.list(Path.of(SMALL))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        usage(CliRunner.run("train", "--model", model.toString(), "--out", model.toString(), "--overwrite"),
                "--out " + model + ": is the --model directory (expected another directory; --overwrite does not apply "
                        + "to inputs)");
        assertFalse(Files.exists(model.resolve("metrics.jsonl")));
        // the option is wrong, not a prompt: bad usage, as generate says it (train said it with exit 3)
        usage(CliRunner.run("train", "--model", SMALL, "--max-new-tokens", "600", "--out", tmp.resolve("r").toString()),
                "--max-new-tokens 600: the model's context is 512 positions (max_position_embeddings; expected fewer "
                        + "new tokens, leaving room for the prompt)");
        usage(CliRunner.run("train", "--task", "dialogue", "--model", SMALL, "--max-new-tokens", "512", "--min-new-tokens",
                "1", "--eval-limit", "2", "--out", tmp.resolve("r").toString()), "--max-new-tokens 512: the model's "
                + "context is 512 positions");
        assertFalse(Files.exists(tmp.resolve("r").resolve("checkpoint.qdq")));
        usage(CliRunner.run("generate", "--model", SMALL, "--prompt", "Once", "--batch-size", "4"),
                "--batch-size: not for generate --prompt (expected it only with --prompts FILE)");
        usage(CliRunner.run("generate", "--model", SMALL, "--prompt", "Once", "--length-penalty", "0.5"),
                "--length-penalty: not for decoding without beam search (expected it only with --beams N above 1)");
    }
}
