package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint, of a train run ({@code checkpoint.qdq}): train --resume, generate --policy and
 * evaluate --policy each say in one line (exit 3) which file, what is wrong and what was expected, and
 * leave the file as it was. Before, they said only "truncated checkpoint" (also of an empty file),
 * "corrupt checkpoint (checksum mismatch)", or, for a changed byte in the header, Gson's exception with
 * the damaged bytes quoted. Of an SFT run ({@code checkpoint/}): sft --resume, likewise; before, a cut-off
 * state.json gave Gson's exception, an empty one "(Not a JSON Object: null)", a missing state.json "no
 * checkpoint in DIR", and a missing or cut-off weights file the model loader's words alone; a changed byte in
 * the weights or the optimizer moments, or an edited but valid number in state.json, was not noticed at all (the
 * run resumed from the damaged state): the checkpoint now records each file's size and sha256 in checksums.json.
 */
class DamagedCheckpointTest {
    private static final String DQN_DAMAGED = "expected a checkpoint as qdecode train writes it; it may have been cut "
            + "short or damaged since it was written: restore it, or train again with --overwrite";

    private static final String SFT_DAMAGED = "expected a checkpoint as qdecode sft writes it; it may have been cut "
            + "short or damaged since it was written: restore it, or start again with --overwrite";

    @TempDir
    static Path tmp;

    static Path run;
    static Path sftRun;

    @BeforeAll
    static void trainedRuns() throws IOException {
        run = CliRunner.tinyRun(tmp.resolve("run"));
        List<String> t = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.train.tsv"));
        Path train = Files.write(tmp.resolve("train.tsv"), t.subList(0, 9));
        Path dev = Files.write(tmp.resolve("dev.tsv"), t.subList(0, 3));
        sftRun = tmp.resolve("sft");
        // a limit of 0.6 ms ends the run after its first step, with its checkpoint written
        CliRunner.Result r = CliRunner.run("sft", "--data", train.toString(), "--dev", dev.toString(), "--model",
                CliRunner.model("stories260K"), "--template", "{source} =", "--batch-size", "2", "--max-steps", "3",
                "--eval-every", "100", "--bleu-samples", "0", "--time-limit", "0.00001", "--out", sftRun.toString());
        assertEquals(0, r.code(), r.err());
    }

    /** sft --resume refuses the run in one line, exit 3, and leaves every checkpoint file byte for byte. */
    private static void sftRefused(Path dir, String line) throws IOException {
        Map<Path, byte[]> before = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                before.put(p, Files.readAllBytes(p));
            }
        }
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals(List.of("qdecode: error: " + line), r.err().lines().toList());
        try (Stream<Path> s = Files.walk(dir)) {
            assertEquals(before.keySet(), new java.util.TreeSet<>(s.filter(Files::isRegularFile).toList()));
        }
        for (Map.Entry<Path, byte[]> e : before.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(e.getKey()), e.getKey().toString());
        }
    }

    @Test
    void aDamagedSftState() throws IOException {
        Path cut = copy(sftRun, "sft-cut");
        Path state = cut.resolve("checkpoint/state.json");
        Files.write(state, java.util.Arrays.copyOf(Files.readAllBytes(state), 300));
        sftRefused(cut, state + ": checkpoint state is not complete JSON (300 bytes; " + SFT_DAMAGED + ")");
        Path empty = copy(sftRun, "sft-empty");
        Files.write(empty.resolve("checkpoint/state.json"), new byte[0]);
        sftRefused(empty, empty.resolve("checkpoint/state.json") + ": empty checkpoint state (0 bytes; " + SFT_DAMAGED
                + ")");
        Path missing = copy(sftRun, "sft-nostate");
        Files.delete(missing.resolve("checkpoint/state.json"));
        sftRefused(missing, missing.resolve("checkpoint/state.json") + ": missing from the checkpoint (" + SFT_DAMAGED
                + ")");
    }

    @Test
    void aMissingOrCutOffSftWeightsFile() throws IOException {
        for (String f : new String[] {"config.json", "model.safetensors", "optimizer.safetensors"}) {
            Path dir = copy(sftRun, "sft-no-" + f);
            Files.delete(dir.resolve("checkpoint").resolve(f));
            sftRefused(dir, dir.resolve("checkpoint").resolve(f) + ": missing (" + SFT_DAMAGED + ")");
        }
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors"}) {
            Path dir = copy(sftRun, "sft-cut-" + f);
            Path file = dir.resolve("checkpoint").resolve(f);
            Files.write(file, java.util.Arrays.copyOf(Files.readAllBytes(file), 500_000));
            CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: " + file + ": "), r.err());
            assertTrue(r.err().strip().endsWith(" (" + SFT_DAMAGED + ")"), r.err());
            assertEquals(500_000, Files.size(file));
        }
    }

    /** Flips one bit in the middle of a safetensors file's tensor data (not its header). */
    private static void flipInTheData(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long header = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int at = (int) (8 + header + (bytes.length - 8 - header) / 2);
        bytes[at] ^= 0x40;
        Files.write(file, bytes);
    }

    @Test
    void aChangedByteInTheSftWeightsOrOptimizerOrAnEditedNumberInTheState() throws IOException {
        for (String f : new String[] {"model.safetensors", "optimizer.safetensors"}) {
            Path dir = copy(sftRun, "sft-flipped-" + f);
            Path file = dir.resolve("checkpoint").resolve(f);
            String recorded = Datasets.sha256(file);
            flipInTheData(file);
            sftRefused(dir, file + ": sha256 " + Datasets.sha256(file) + ", not the " + recorded
                    + " that checksums.json records (" + SFT_DAMAGED + ")");
        }
        Path dir = copy(sftRun, "sft-edited-state");
        Path state = dir.resolve("checkpoint/state.json");
        String recorded = Datasets.sha256(state);
        String text = Files.readString(state);
        assertTrue(text.contains("\"train_loss_count\": 1,"), text);
        Files.writeString(state, text.replace("\"train_loss_count\": 1,", "\"train_loss_count\": 2,"));
        sftRefused(dir, state + ": sha256 " + Datasets.sha256(state) + ", not the " + recorded
                + " that checksums.json records (" + SFT_DAMAGED + ")");
        Path cut = copy(sftRun, "sft-cut-optimizer");
        Path optimizer = cut.resolve("checkpoint/optimizer.safetensors");
        long size = Files.size(optimizer);
        Files.write(optimizer, java.util.Arrays.copyOf(Files.readAllBytes(optimizer), 1000));
        sftRefused(cut, optimizer + ": 1000 bytes, not the " + size + " that checksums.json records (" + SFT_DAMAGED
                + ")");
    }

    @Test
    void anSftCheckpointWithoutItsChecksumsOrWithDamagedOnes() throws IOException {
        Path missing = copy(sftRun, "sft-no-checksums");
        Files.delete(missing.resolve("checkpoint/checksums.json"));
        sftRefused(missing, missing.resolve("checkpoint/checksums.json") + ": missing from the checkpoint ("
                + SFT_DAMAGED + ")");
        Path cut = copy(sftRun, "sft-cut-checksums");
        Path sums = cut.resolve("checkpoint/checksums.json");
        Files.write(sums, java.util.Arrays.copyOf(Files.readAllBytes(sums), 100));
        sftRefused(cut, sums + ": not a record of the files (expected a JSON object whose \"files\" gives each"
                + " file's \"bytes\" and \"sha256\"; " + SFT_DAMAGED + ")");
    }

    /** The sha256 of a string's UTF-8 bytes, in lowercase hex (as checksums.json's "files_sha256" records it). */
    static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void flipMiddleByte(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 0x10;
        Files.write(f, b);
    }

    /**
     * checksums.json edited together with a changed file, an entry dropped, or deleted together with state.json's
     * "checksums" key: each let a flipped byte of the weights through (sft --resume trained on, exit 0).
     */
    @Test
    void anSftCheckpointWhoseChecksumsWereEditedOrDroppedWithAChangedFile() throws IOException {
        Path edited = copy(sftRun, "sft-edited-checksums");
        Path model = edited.resolve("checkpoint/model.safetensors");
        flipMiddleByte(model);
        Path sums = edited.resolve("checkpoint/checksums.json");
        JsonObject o = JsonParser.parseString(Files.readString(sums)).getAsJsonObject();
        String recorded = o.get("files_sha256").getAsString();
        o.getAsJsonObject("files").getAsJsonObject("model.safetensors").addProperty("sha256", Datasets.sha256(model));
        Files.writeString(sums, o.toString());
        sftRefused(edited, sums + ": its entries were changed since it was written (their sha256 is "
                + sha256(o.getAsJsonObject("files").toString()) + ", not the " + recorded + " that its \"files_sha256\" "
                + "records; " + SFT_DAMAGED + ")");

        Path dropped = copy(sftRun, "sft-dropped-entry");
        flipMiddleByte(dropped.resolve("checkpoint/model.safetensors"));
        Path droppedSums = dropped.resolve("checkpoint/checksums.json");
        JsonObject d = JsonParser.parseString(Files.readString(droppedSums)).getAsJsonObject();
        d.getAsJsonObject("files").remove("model.safetensors");
        d.addProperty("files_sha256", sha256(d.getAsJsonObject("files").toString())); // consistent, yet incomplete
        Files.writeString(droppedSums, d.toString());
        sftRefused(dropped, dropped.resolve("checkpoint/model.safetensors") + ": not recorded in checksums.json "
                + "(expected every file of the directory there; " + SFT_DAMAGED + ")");

        // state.json still records the thread count, which only versions that write checksums record
        Path gone = copy(sftRun, "sft-no-checksums-key");
        flipMiddleByte(gone.resolve("checkpoint/model.safetensors"));
        Files.delete(gone.resolve("checkpoint/checksums.json"));
        Path state = gone.resolve("checkpoint/state.json");
        JsonObject st = JsonParser.parseString(Files.readString(state)).getAsJsonObject();
        st.remove("checksums");
        Files.writeString(state, st.toString());
        sftRefused(gone, gone.resolve("checkpoint/checksums.json") + ": missing from the checkpoint (" + SFT_DAMAGED
                + ")");
    }

    @Test
    void anSftCheckpointWrittenBeforeChecksumsWereRecordedStillResumes() throws IOException {
        Path dir = copy(sftRun, "sft-before-checksums");
        Path state = dir.resolve("checkpoint/state.json");
        JsonObject o = JsonParser.parseString(Files.readString(state)).getAsJsonObject();
        assertEquals("checksums.json", o.remove("checksums").getAsString());
        o.remove("threads"); // recorded since after checksums
        Files.writeString(state, o.toString());
        Files.delete(dir.resolve("checkpoint/checksums.json"));
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertFalse(r.err().contains("error"), r.err());
        assertTrue(r.out().contains("done after 3/3 steps"), r.out());
        // said in one line (it resumed silently)
        assertEquals(List.of("qdecode: warning: " + dir.resolve("checkpoint") + " was written before qdecode recorded "
                + "its checksums (its files are used unchecked) and its thread count (it goes on with --threads 1, "
                + "unchecked against the run's); the checkpoints this run writes from now on record them"),
                r.err().lines().filter(l -> l.startsWith("qdecode: warning:")).toList());
        // the checkpoint the resumed run wrote has them
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint/checksums.json")));
        assertTrue(JsonParser.parseString(Files.readString(state)).getAsJsonObject().has("threads")); // said once
    }

    /**
     * A checkpoint written before checksums (its files read unchecked) whose weights do not fit its config.json: the
     * loader's message ends in its own parenthesis, and the refusal added a second, {@code (vocab_size 512 x
     * hidden_size 65) (expected a checkpoint ...)}; now what was expected joins it, in one line naming the file.
     */
    @Test
    void anOlderSftCheckpointsUnreadableWeightsAreRefusedInOneParenthesis() throws IOException {
        Path dir = copy(sftRun, "sft-older-misfit");
        Path state = dir.resolve("checkpoint/state.json");
        JsonObject o = JsonParser.parseString(Files.readString(state)).getAsJsonObject();
        o.remove("checksums");
        o.remove("threads");
        Files.writeString(state, o.toString());
        Files.delete(dir.resolve("checkpoint/checksums.json"));
        Path config = dir.resolve("checkpoint/config.json");
        JsonObject c = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        assertEquals(64, c.get("hidden_size").getAsInt());
        c.addProperty("hidden_size", 65);
        Files.writeString(config, c.toString());
        CliRunner.Result r = CliRunner.run("sft", "--resume", "--out", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        List<String> errors = r.err().lines().filter(l -> !l.startsWith("qdecode: warning:")).toList();
        assertEquals(List.of("qdecode: error: " + dir.resolve("checkpoint/model.safetensors") + ": tensor "
                + "'model.embed_tokens.weight' has shape [512, 64], expected [512, 65] (vocab_size 512 x hidden_size 65; "
                + SFT_DAMAGED + ")"), errors);
    }

    private static Path copy(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
        return to;
    }

    /** Each command refuses the run in one line, exit 3, and leaves its checkpoint byte for byte. */
    private static void refusedByEveryCommand(Path dir, String problem) throws IOException {
        Path file = dir.resolve("checkpoint.qdq");
        byte[] before = Files.readAllBytes(file);
        String line = file + ": " + problem;
        for (List<String> args : List.of(
                List.of("train", "--resume", "--episodes", "8", "--out", dir.toString()),
                List.of("generate", "--policy", dir.toString(), "--prompt", "Once"),
                List.of("evaluate", "--policy", dir.toString(), "--out", tmp.resolve("ev-" + dir.getFileName()).toString()))) {
            CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.BAD_INPUT, r.code(), args + ": " + r.err());
            String prefix = args.get(0).equals("train") ? "--resume: " : "--policy ";
            assertEquals(List.of("qdecode: error: " + prefix + line), r.err().lines().toList(), args.toString());
            assertArrayEquals(before, Files.readAllBytes(file), args.toString());
        }
        assertFalse(Files.exists(tmp.resolve("ev-" + dir.getFileName())));
    }

    /**
     * A --save-replay checkpoint: a changed byte in its replay data is the checksum's mismatch, and replay data that
     * passes the checksum but does not fit the run (its capacity, its episode count) ends with what was expected and
     * what to do too; before, those said only "replay was saved with --replay-size ..." or "corrupt replay header".
     */
    @Test
    void damagedReplayData() throws IOException {
        Path replayRun = CliRunner.tinyRun(tmp.resolve("replay-run"), "--save-replay");
        byte[] bytes = Files.readAllBytes(replayRun.resolve("checkpoint.qdq"));
        ByteBuffer b = ByteBuffer.wrap(bytes); // big-endian, as DataOutputStream wrote it
        int headerLength = b.getInt(8);
        JsonObject head = JsonParser.parseString(new String(bytes, 12, headerLength,
                java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("head");
        long in = head.get("in").getAsLong();
        long hidden = head.get("hidden").getAsLong();
        long vocab = head.get("vocab").getAsLong();
        int replayAt = (int) (12 + headerLength + 16 * (hidden * in + hidden + vocab * hidden + vocab));
        int capacity = b.getInt(replayAt);
        assertEquals(200_000, capacity); // the default --replay-size, as the header's config records it

        Path flipped = copy(replayRun, "replay-flipped");
        byte[] f = bytes.clone();
        f[(replayAt + f.length - 8) / 2] ^= 0x40;
        Files.write(flipped.resolve("checkpoint.qdq"), f);
        refusedByEveryCommand(flipped, "corrupt checkpoint (checksum mismatch; " + DQN_DAMAGED + ")");

        // with the checksum rewritten to match (and no summary.json: an unfinished run), the replay data is parsed
        String[][] cases = {{"capacity", "replay was saved with --replay-size 200001 but this run has --replay-size 200000"},
            {"episodes", "corrupt replay header"}};
        for (String[] c : cases) {
            Path dir = copy(replayRun, "replay-" + c[0]);
            Files.delete(dir.resolve("summary.json"));
            ByteBuffer d = ByteBuffer.wrap(bytes.clone());
            if (c[0].equals("capacity")) {
                d.putInt(replayAt, capacity + 1);
            } else {
                d.putInt(replayAt + 5, -3); // after the capacity and the prioritized flag
            }
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(d.array(), 0, d.array().length - 8);
            d.putLong(d.array().length - 8, crc.getValue());
            Path file = dir.resolve("checkpoint.qdq");
            Files.write(file, d.array());
            CliRunner.Result r = CliRunner.run("train", "--resume", "--out", dir.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            // prefixed as the refusals of the first reading are (it lacked "--resume: ")
            assertEquals(List.of("qdecode: error: --resume: " + file + ": corrupt checkpoint replay data (" + c[1] + "; "
                    + DQN_DAMAGED + ")"), r.err().lines().toList());
            assertArrayEquals(d.array(), Files.readAllBytes(file));
        }
    }

    @Test
    void aTruncatedCheckpoint() throws IOException {
        Path dir = copy(run, "truncated");
        Path file = dir.resolve("checkpoint.qdq");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        refusedByEveryCommand(dir, "truncated checkpoint (" + bytes.length / 2 + " bytes; " + DQN_DAMAGED + ")");
    }

    @Test
    void anEmptyCheckpoint() throws IOException {
        Path dir = copy(run, "empty");
        Files.write(dir.resolve("checkpoint.qdq"), new byte[0]);
        refusedByEveryCommand(dir, "empty checkpoint (0 bytes; " + DQN_DAMAGED + ")");
    }

    @Test
    void aChangedByteInTheParametersOrTheHeader() throws IOException {
        for (int at : new int[] {-1, 20}) {
            Path dir = copy(run, "flipped" + at);
            Path file = dir.resolve("checkpoint.qdq");
            byte[] bytes = Files.readAllBytes(file);
            bytes[at < 0 ? bytes.length / 2 : at] ^= (byte) 0xff;
            Files.write(file, bytes);
            refusedByEveryCommand(dir, "corrupt checkpoint (checksum mismatch; " + DQN_DAMAGED + ")");
        }
    }
}
