package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    private static final String PROMPT = "Once upon a time, there was a little cat. One day,";

    @TempDir Path tmp;

    @Test
    void singlePromptStreamsGreedyTextDeterministically() {
        CliRunner.Result a = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", PROMPT, "--strategy", "greedy", "--max-new-tokens", "24");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().startsWith(PROMPT), a.out());
        String continuation = a.out().substring(PROMPT.length()).strip();
        assertTrue(continuation.split("\\s+").length >= 5, "expected words after the prompt: " + a.out());
        assertTrue(a.err().contains("new tokens, stop: "), a.err());
        CliRunner.Result b = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", PROMPT, "--strategy", "greedy", "--max-new-tokens", "24");
        assertEquals(a.out(), b.out());
    }

    /**
     * As the README says: {@code --prompt ''} generates from the prompt format's start alone (an unconditional story,
     * the same text each time under greedy decoding), while a blank row of a {@code --prompts} file is refused,
     * naming the file, line and column.
     */
    @Test
    void anEmptyPromptGeneratesUnconditionallyWhileABlankFileRowIsRefused() throws IOException {
        CliRunner.Result a = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", "", "--strategy", "greedy", "--max-new-tokens", "12");
        assertEquals(0, a.code(), a.err());
        assertTrue(a.out().strip().split("\\s+").length >= 3, "expected words from the start alone: " + a.out());
        CliRunner.Result b = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompt", "", "--strategy", "greedy", "--max-new-tokens", "12");
        assertEquals(a.out(), b.out());
        Path file = tmp.resolve("blank.tsv");
        Files.writeString(file, "prompt\n\nOnce\n");
        CliRunner.Result r = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompts", file.toString(), "--max-new-tokens", "4");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().strip().startsWith("qdecode: error: " + file + ":2: column 'prompt': expected a non-blank "
                + "value"), r.err());
    }

    /**
     * A prompt too long for the context is named by file, line and id, before anything is written
     * (before, the message said "prompt 2" after the TSV header had gone to standard output); bench
     * train, which checks the prompts its rollouts use, says the same.
     */
    @Test
    void aTooLongPromptIsNamedByFileLineAndIdBeforeAnyOutput() throws IOException {
        Path file = tmp.resolve("long.tsv");
        Files.writeString(file, "id\tprompt\nfirst\tHi\nsecond\t" + "Tom ran. ".repeat(300) + "\n");
        CliRunner.Result r = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"),
                "--prompts", file.toString(), "--max-new-tokens", "6");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("", r.out(), "no header before the error");
        assertEquals("qdecode: error: " + file + ":3: prompt (id second) has 601 tokens; with 6 new tokens it exceeds "
                + "the model's max_position_embeddings 512 (expected at most 506 tokens: shorten it, lower "
                + "--max-new-tokens or add --truncate-prompt)", r.err().strip());
        Path output = tmp.resolve("rows.tsv");
        r = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts", file.toString(),
                "--max-new-tokens", "6", "--output", output.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertFalse(Files.exists(output), "no --output file was started");

        r = CliRunner.run("bench", "train", "--model", CliRunner.model("TinyStories-656K"), "--prompts",
                file.toString(), "--runs", "1", "--updates", "1", "--rollout-episodes", "2", "--max-new-tokens", "4");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("", r.out(), "nothing measured or printed");
        assertEquals("qdecode: error: " + file + ":3: prompt (id second) has 601 tokens; with 4 new tokens it exceeds "
                + "the model's max_position_embeddings 512 (expected at most 508 tokens: shorten it or lower "
                + "--max-new-tokens)", r.err().strip());
    }

    /** NaN weights used to give six empty tokens and exit 0; now one line naming the file and tensor, exit 3. */
    @Test
    void aModelWithNanWeightsIsRefusedWhenLoaded() throws IOException {
        Path model = tmp.resolve("nan");
        Files.createDirectories(model);
        try (java.util.stream.Stream<Path> files = Files.list(Path.of(CliRunner.model("TinyStories-656K")))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Path weights = model.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(weights);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(all).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bb.getLong(0);
        com.google.gson.JsonArray span = com.google.gson.JsonParser.parseString(new String(all, 8, headerLength,
                StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("model.norm.weight")
                .getAsJsonArray("data_offsets");
        for (int at = 8 + headerLength + span.get(0).getAsInt(); at < 8 + headerLength + span.get(1).getAsInt(); at += 4) {
            bb.putFloat(at, Float.NaN);
        }
        Files.write(weights, all);
        CliRunner.Result r = CliRunner.run("generate", "--model", model.toString(), "--prompt", "Tom went. Then,",
                "--max-new-tokens", "6", "--strategy", "greedy");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + weights + ": tensor 'model.norm.weight' holds non-finite values (NaN at "
                + "element 0 of 128; expected finite weights)", r.err().strip());
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void promptsFileWritesOneRowPerPromptAndSeedFixesSamples() throws IOException {
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        Path out1 = tmp.resolve("a.tsv");
        Path out2 = tmp.resolve("b.jsonl");
        String[] common = {"generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts", prompts.toString(),
            "--limit", "6", "--max-new-tokens", "16", "--min-new-tokens", "16", "--seed", "7"};
        CliRunner.Result r1 = CliRunner.run(concat(common, "--batch-size", "4", "--output", out1.toString()));
        assertEquals(0, r1.code(), r1.err());
        List<String> rows = Files.readAllLines(out1, StandardCharsets.UTF_8);
        assertEquals("id\tprompt\tgenerated\tnew_tokens\tstop_reason", rows.get(0));
        assertEquals(7, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t", -1);
            assertEquals(5, f.length, row);
            assertEquals("16", f[3], "min = max new tokens forces exactly 16: " + row);
            assertEquals("max_tokens", f[4]);
            assertFalse(f[2].isBlank());
        }
        // Same seed, different batch size and output format: the same texts.
        CliRunner.Result r2 = CliRunner.run(concat(common, "--batch-size", "3", "--output", out2.toString()));
        assertEquals(0, r2.code(), r2.err());
        List<String> json = Files.readAllLines(out2, StandardCharsets.UTF_8);
        assertEquals(6, json.size());
        for (int i = 0; i < 6; i++) {
            String tsvText = rows.get(i + 1).split("\t", -1)[2];
            String jsonText = com.google.gson.JsonParser.parseString(json.get(i)).getAsJsonObject()
                    .get("generated").getAsString();
            assertEquals(tsvText, dev.qdecode.data.TsvEscapes.escape(jsonText), "prompt " + i);
        }
        // qdecode reads its TSV output back as the generated text (its record declares the escapes), as it
        // reads the JSONL: `rewards score` gives both files the same score
        assertTrue(json.stream().anyMatch(j -> j.contains("\\n")), "some text has a line break: " + json);
        List<String> read = new java.util.ArrayList<>();
        try (dev.qdecode.data.DataReader<dev.qdecode.data.Row> rr = dev.qdecode.data.Datasets.rows(out1,
                dev.qdecode.data.ReadOptions.defaults())) {
            rr.stream().forEach(row -> read.add(row.get("generated")));
        }
        for (int i = 0; i < 6; i++) {
            assertEquals(com.google.gson.JsonParser.parseString(json.get(i)).getAsJsonObject().get("generated")
                    .getAsString(), read.get(i), "prompt " + i);
        }
        String[] score = {"rewards", "score", "--reward", "length:min=1000,per=0.001,cap=-10", "--column", "generated",
            "--hyp"};
        CliRunner.Result s1 = CliRunner.run(concat(score, out1.toString()));
        CliRunner.Result s2 = CliRunner.run(concat(score, out2.toString()));
        assertEquals(0, s1.code(), s1.err());
        assertEquals(s2.out(), s1.out().replace(out1.toString(), out2.toString()));
    }

    /**
     * The --output record holds the options that took effect: greedy decoding reads no sampling option, a
     * run without --policy no policy option, one without beams no --length-penalty, and beams decode greedily
     * (as the record's --strategy says) even though --strategy defaults to sample.
     */
    @Test
    void theOutputRecordHoldsOnlyTheOptionsThatTookEffect() throws IOException {
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        String[] common = {"generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts", prompts.toString(),
            "--limit", "2", "--max-new-tokens", "3"};
        Path greedy = tmp.resolve("greedy.tsv");
        CliRunner.Result r = CliRunner.run(concat(common, "--strategy", "greedy", "--output", greedy.toString()));
        assertEquals(0, r.code(), r.err());
        com.google.gson.JsonObject options = recordOptions(greedy);
        for (String unread : List.of("--temperature", "--top-k", "--top-p", "--seed", "--length-penalty", "--mode",
                "--q-weight", "--head", "--ensemble", "--prompt")) {
            assertFalse(options.has(unread), unread + " in " + options);
        }
        assertEquals("greedy", options.get("--strategy").getAsString());
        assertEquals("3", options.get("--max-new-tokens").getAsString());
        assertEquals("1", options.get("--beams").getAsString());

        Path beams = tmp.resolve("beams.tsv");
        r = CliRunner.run(concat(common, "--beams", "2", "--output", beams.toString()));
        assertEquals(0, r.code(), r.err());
        options = recordOptions(beams);
        assertEquals("greedy", options.get("--strategy").getAsString(), options.toString());
        assertEquals("1.0", options.get("--length-penalty").getAsString());
        assertFalse(options.has("--temperature") || options.has("--seed"), options.toString());

        Path sampled = tmp.resolve("sampled.tsv");
        r = CliRunner.run(concat(common, "--seed", "3", "--output", sampled.toString()));
        assertEquals(0, r.code(), r.err());
        options = recordOptions(sampled);
        assertEquals("3", options.get("--seed").getAsString());
        assertEquals("50", options.get("--top-k").getAsString());
        assertFalse(options.has("--length-penalty") || options.has("--mode"), options.toString());
    }

    private static com.google.gson.JsonObject recordOptions(Path output) throws IOException {
        return com.google.gson.JsonParser.parseString(Files.readString(ResumableOutput.runFile(output)))
                .getAsJsonObject().getAsJsonObject("options");
    }

    @Test
    void stopStringsCutTheTextAndAreReported() throws IOException {
        Path in = tmp.resolve("p.tsv");
        Files.writeString(in, "id\tprompt\n1\t" + PROMPT + "\n");
        Path out = tmp.resolve("o.tsv");
        CliRunner.Result r = CliRunner.run("generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts",
                in.toString(), "--strategy", "greedy", "--max-new-tokens", "64", "--stop", ".", "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        String[] f = Files.readAllLines(out).get(1).split("\t", -1);
        assertEquals("stop_string", f[4]);
        assertFalse(f[2].contains("."), f[2]);
    }

    @Test
    void anInterruptedOutputResumesToTheRowsOfAnUninterruptedRun() throws IOException {
        Path prompts = CliRunner.shared().resolve("data/prompts/story_prompts.dev.tsv");
        for (String ext : List.of("tsv", "jsonl")) {
            Path full = tmp.resolve("full." + ext);
            String[] common = {"generate", "--model", CliRunner.model("TinyStories-656K"), "--prompts",
                prompts.toString(), "--max-new-tokens", "12", "--batch-size", "2", "--stop", "zz", "--stop", "qq"};
            CliRunner.Result r = CliRunner.run(concat(common, "--seed", "7", "--limit", "7", "--output", full.toString()));
            assertEquals(0, r.code(), r.err());
            byte[] expected = Files.readAllBytes(full);
            Path runJson = ResumableOutput.runFile(full);
            String record = Files.readString(runJson);
            assertTrue(record.contains("\"rows\": 7") && record.contains("\"config.json\": \"")
                    && record.contains("\"prompt_format\""), record);
            assertFalse(Files.exists(ResumableOutput.runFile(RecordWriter.part(full))));

            // What a kill leaves: the record, three whole rows and half of the fourth in CUT.part.
            Path out = tmp.resolve("cut." + ext);
            String text = new String(expected, StandardCharsets.UTF_8);
            int cut = 0;
            for (int i = 0; i < ("tsv".equals(ext) ? 4 : 3); i++) {
                cut = text.indexOf('\n', cut) + 1;
            }
            Files.writeString(RecordWriter.part(out), text.substring(0, cut + 9));
            Files.writeString(ResumableOutput.runFile(RecordWriter.part(out)), record);

            String[] cutRun = concat(common, "--output", out.toString());
            r = CliRunner.run(concat(cutRun, "--seed", "7", "--limit", "7"));
            assertUsageError(r, "--resume to continue it");
            r = CliRunner.run(concat(cutRun, "--resume", "--seed", "8", "--limit", "7"));
            assertUsageError(r, "--seed 8 (the run's: 7)");
            r = CliRunner.run(concat(cutRun, "--resume", "--seed", "7", "--limit", "6"));
            assertUsageError(r, "was started on 7 rows of --prompts " + prompts + ", which now gives 6 (expected the "
                    + "same input and --limit");
            // another file with one row changed: usage, naming the file the run was started on
            List<String> lines = new java.util.ArrayList<>(Files.readAllLines(prompts));
            lines.set(6, lines.get(6).replaceFirst("\t.*", "\tA changed prompt, then"));
            Path edited = Files.write(tmp.resolve("edited-" + ext + ".tsv"), lines);
            String[] editedRun = concat(cutRun, "--resume", "--seed", "7", "--limit", "7");
            editedRun[4] = edited.toString();
            r = CliRunner.run(editedRun);
            assertUsageError(r, "was started on --prompts " + prompts.toAbsolutePath().normalize() + ", not " + edited);
            // the same file changed since (a copy the run was started on, then edited): bad input
            Path copy = tmp.resolve("copy-" + ext + ".tsv");
            Files.copy(prompts, copy);
            Path copied = tmp.resolve("copied." + ext);
            String[] onCopy = concat(common, "--output", copied.toString(), "--seed", "7", "--limit", "7");
            onCopy[4] = copy.toString();
            assertEquals(0, CliRunner.run(onCopy).code());
            Files.move(copied, RecordWriter.part(copied));
            Files.move(ResumableOutput.runFile(copied), ResumableOutput.runFile(RecordWriter.part(copied)));
            Files.write(copy, lines);
            r = CliRunner.run(concat(onCopy, "--resume"));
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertOneLineError(r, "was started on 7 rows of --prompts " + copy + ", whose content has changed since");
            if ("tsv".equals(ext)) { // a row that is not for its input (a .part edited by hand): the field named
                String part = Files.readString(RecordWriter.part(out));
                Files.writeString(RecordWriter.part(out), part.replaceFirst("\n([^\t]*)\t[^\t]*\t", "\n$1\tEDITED\t"));
                r = CliRunner.run(concat(cutRun, "--resume", "--seed", "7", "--limit", "7"));
                assertUsageError(r, ": row 1 has prompt 'EDITED', but input 1 of --prompts " + prompts + " has '");
                Files.writeString(RecordWriter.part(out), part);
            }
            // a setting the resumed command does not have is named as unset
            r = CliRunner.run(concat(cutRun, "--resume", "--strategy", "greedy", "--limit", "7"));
            assertUsageError(r, "--temperature unset (the run's: ");
            r = CliRunner.run(concat(cutRun, "--resume", "--seed", "7", "--limit", "7", "--stop", "zz, qq"));
            assertUsageError(r, "--stop [qq, zz, zz, qq] (the run's: [qq, zz])");
            String[] otherModel = concat(cutRun, "--resume", "--seed", "7", "--limit", "7");
            otherModel[2] = CliRunner.model("stories260K");
            r = CliRunner.run(otherModel);
            // named as the option, with both directories, not as the record's model_files_sha256 of every file
            assertUsageError(r, "other settings: --model " + Path.of(otherModel[2]).toAbsolutePath().normalize()
                    + " (the run's: " + Path.of(CliRunner.model("TinyStories-656K")).toAbsolutePath().normalize()
                    + ") (expected");
            try (RunLock other = RunLock.acquireFile(out, "--output")) {
                r = CliRunner.run(concat(cutRun, "--resume", "--seed", "7", "--limit", "7"));
                assertUsageError(r, "another qdecode job is writing it");
            }

            // the same run, given in another order, with the default --limit (all 7 of an equal file) spelt
            // out as the file itself: accepted; the half row and the odd third row (batches of 2) are redone
            Path seven = tmp.resolve("seven-" + ext + ".tsv");
            Files.write(seven, Files.readAllLines(prompts).subList(0, 8));
            String[] reordered = {"generate", "--output", out.toString(), "--resume", "--stop", "qq", "--stop", "zz",
                "--seed", "7", "--batch-size", "2", "--max-new-tokens", "12", "--prompts", seven.toString(),
                "--model", CliRunner.model("TinyStories-656K")};
            r = CliRunner.run(reordered);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("resuming after 2/7 prompts"), r.err());
            assertEquals(new String(expected, StandardCharsets.UTF_8), Files.readString(out), ext);
            assertFalse(Files.exists(RecordWriter.part(out)));
            assertTrue(Files.readString(ResumableOutput.runFile(out)).contains("\"rows\": 7"));

            r = CliRunner.run(reordered);
            assertUsageError(r, "is finished");
        }
    }

    @Test
    void anOutputInterruptedBeforeItsFirstRowResumesFromTheStart() throws IOException {
        Path in = tmp.resolve("p.tsv");
        Files.writeString(in, "id\tprompt\n1\t" + PROMPT + "\n2\tTom had a red ball.\n");
        Path out = tmp.resolve("o.tsv");
        String[] cmd = {"generate", "--model", CliRunner.model("stories260K"), "--prompts", in.toString(),
            "--strategy", "greedy", "--max-new-tokens", "4", "--output", out.toString()};
        CliRunner.Result r = CliRunner.run(cmd);
        assertEquals(0, r.code(), r.err());
        String expected = Files.readString(out);
        Path again = tmp.resolve("again.tsv");
        cmd[cmd.length - 1] = again.toString();
        // killed before anything reached the disk: an empty .part and the record of the run's options only
        Files.writeString(RecordWriter.part(again), "");
        String record = Files.readString(ResumableOutput.runFile(out));
        Files.writeString(ResumableOutput.runFile(RecordWriter.part(again)),
                record.substring(0, record.indexOf("\"resolved\"")).replaceAll(",\\s*$", "") + "\n}\n");
        r = CliRunner.run(concat(cmd, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(expected, Files.readString(again));

        // --overwrite over an interrupted output that fails before its first row leaves that output as it was
        Path part = RecordWriter.part(again);
        Files.move(again, part);
        Files.move(ResumableOutput.runFile(again), ResumableOutput.runFile(part));
        Path tooLong = tmp.resolve("long.tsv");
        Files.writeString(tooLong, "id\tprompt\n1\t" + PROMPT + "\n2\t" + "the cat sat. ".repeat(400) + "\n");
        String[] failing = cmd.clone();
        failing[4] = tooLong.toString();
        r = CliRunner.run(concat(failing, "--overwrite"));
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(expected, Files.readString(part));
        assertTrue(Files.exists(ResumableOutput.runFile(part)));
        // and the same command plus --resume still finishes it
        r = CliRunner.run(concat(cmd, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertEquals(expected, Files.readString(again));
    }

    @Test
    void anOutputInTheModelsOwnDirectoryResumesAndAStaleRecordIsLeftAlone() throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        try (var files = Files.list(CliRunner.shared().resolve("models/stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Path in = tmp.resolve("p.tsv");
        Files.writeString(in, "id\tprompt\n1\t" + PROMPT + "\n2\tTom had a ball.\n");
        Path out = model.resolve("samples.tsv");
        String[] cmd = {"generate", "--model", model.toString(), "--prompts", in.toString(), "--strategy", "greedy",
            "--max-new-tokens", "4", "--batch-size", "1", "--output", out.toString()};
        CliRunner.Result r = CliRunner.run(cmd);
        assertEquals(0, r.code(), r.err());
        String expected = Files.readString(out);
        // interrupted after its first row, with another finished output's record now beside the model
        Path part = RecordWriter.part(out);
        Files.writeString(part, expected.substring(0, expected.indexOf('\n', expected.indexOf('\n') + 1) + 1));
        Files.move(ResumableOutput.runFile(out), ResumableOutput.runFile(part));
        Files.delete(out);
        Files.writeString(model.resolve("other.tsv.run.json"), "{}\n");
        r = CliRunner.run(concat(cmd, "--resume"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming after 1/2 prompts"), r.err());
        assertEquals(expected, Files.readString(out));

        // a record beside no rows that is not a finished one (its .part deleted by hand) is not taken for
        // the finished file's
        String finished = Files.readString(ResumableOutput.runFile(out));
        Files.writeString(ResumableOutput.runFile(part), "{\"record_format\": \"2\", \"settings\": {}}\n");
        r = CliRunner.run(cmd);
        assertUsageError(r, "exists");
        assertEquals(finished, Files.readString(ResumableOutput.runFile(out)));
    }

    @Test
    void anExistingOutputIsReplacedOnlyWithOverwrite() throws IOException {
        Path in = tmp.resolve("p.tsv");
        Files.writeString(in, "id\tprompt\n1\t" + PROMPT + "\n");
        Path out = tmp.resolve("o.tsv");
        Files.writeString(out, "earlier work\n");
        String[] common = {"generate", "--model", CliRunner.model("stories260K"), "--prompts", in.toString(),
            "--strategy", "greedy", "--max-new-tokens", "4", "--output", out.toString()};
        CliRunner.Result r = CliRunner.run(common);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertUsageError(r, "exists");
        assertEquals("earlier work\n", Files.readString(out));
        r = CliRunner.run(concat(common, "--resume", "--overwrite"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertUsageError(r, "not with --resume");
        r = CliRunner.run(concat(common, "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertUsageError(r, "no interrupted output");
        r = CliRunner.run(concat(common, "--overwrite"));
        assertEquals(0, r.code(), r.err());
        assertEquals(2, Files.readAllLines(out).size());
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", in.toString(), "--resume");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertUsageError(r, "--resume: not for generate without --output");

        // a refused run leaves no directory behind
        Path nested = tmp.resolve("new/sub/o.tsv");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", in.toString(),
                "--output", nested.toString(), "--resume");
        assertUsageError(r, "no interrupted output to continue");
        assertFalse(Files.exists(tmp.resolve("new")));

        // a run that fails before its first row leaves nothing that blocks the next one
        Path fresh = tmp.resolve("fresh.tsv");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", in.toString(),
                "--max-new-tokens", "100000", "--output", fresh.toString());
        assertTrue(r.code() != 0, r.err());
        assertFalse(Files.exists(RecordWriter.part(fresh)));
        assertFalse(Files.exists(ResumableOutput.runFile(fresh)));
    }

    @Test
    void badInputGivesOneLineAndMeaningfulExitCodes() throws IOException {
        CliRunner.Result r = CliRunner.run("generate", "--model", tmp.resolve("nope").toString(), "--prompt", "x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "nope");

        r = CliRunner.run("generate", "--prompt", "x", "--batch-size", "0");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--batch-size"), r.err());

        r = CliRunner.run("generate", "--prompt", "x", "--max-new-tokens", "-3");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("--max-new-tokens"), r.err());

        Path noColumn = tmp.resolve("p.tsv");
        Files.writeString(noColumn, "id\ttext\n1\thello\n");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", noColumn.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "prompt");

        Path latin1 = tmp.resolve("l.tsv");
        Files.write(latin1, "prompt\ncaf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompts", latin1.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "UTF-8");

        String longPrompt = "the cat sat. ".repeat(400);
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", longPrompt);
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "max_position_embeddings");
        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", longPrompt,
                "--truncate-prompt", "--max-new-tokens", "4", "--strategy", "greedy");
        assertEquals(0, r.code(), r.err());

        Path badModel = tmp.resolve("badmodel");
        Files.createDirectories(badModel);
        Path src = CliRunner.shared().resolve("models/stories260K");
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                "generation_config.json")) {
            Files.copy(src.resolve(f), badModel.resolve(f));
        }
        Files.write(badModel.resolve("model.safetensors"), new byte[] {1, 2, 3});
        r = CliRunner.run("generate", "--model", badModel.toString(), "--prompt", "x");
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r, "safetensors");

        r = CliRunner.run("generate", "--model", CliRunner.model("stories260K"), "--prompt", "x", "--prompt-format", "no placeholder");
        assertUsageError(r, "{text}"); // a usage error: the line, then the hint to --help
    }

    /** A usage error: one error line (then picocli's hint to --help). */
    private static void assertUsageError(CliRunner.Result r, String mustMention) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        String first = r.err().strip().lines().findFirst().orElse("");
        assertTrue(first.startsWith("qdecode: error: "), r.err());
        assertTrue(first.contains(mustMention), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    private static void assertOneLineError(CliRunner.Result r, String mustMention) {
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line expected: " + err);
        assertTrue(err.startsWith("qdecode: error: "), err);
        assertTrue(err.contains(mustMention), err);
        assertFalse(err.contains("\tat "), err);
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
