package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.Datasets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierCommandTest {
    @TempDir Path tmp;

    @Test
    void trainEvalAndScoreWithTheClassifierReward() throws IOException {
        Path sst2 = CliRunner.shared().resolve("data/sst2");
        Path out = tmp.resolve("clf");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", sst2.resolve("train.tsv").toString(),
                "--limit", "600", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(out.resolve("classifier.json")));
        String meta = Files.readString(out.resolve("classifier.json"));
        assertTrue(meta.contains("minilm") && meta.contains("\"seed\""), meta);
        // the head as --head and classifier.json spell it; the seed is printed, not only recorded (default 42)
        assertTrue(r.out().contains(" examples in ") && r.out().contains(" s (encoder minilm, head logistic, seed 42)\n"),
                r.out());
        // A second training into the same --out is refused (the trained classifier is kept) unless --overwrite.
        CliRunner.Result again = CliRunner.run("classifier", "train", "--data", sst2.resolve("train.tsv").toString(),
                "--limit", "600", "--seed", "7", "--out", out.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertEquals("qdecode: error: --out " + out + ": already holds checksums.json, classifier.json, head.safetensors (choose "
                + "another --out, or add --overwrite to write a classifier over them)", again.err().strip());
        assertEquals(meta, Files.readString(out.resolve("classifier.json")));

        r = CliRunner.run("classifier", "eval", "--classifier", out.toString(), "--data",
                sst2.resolve("dev.tsv").toString(), "--limit", "200");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("acc=([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double acc = Double.parseDouble(m.group(1));
        assertTrue(acc > 0.65, "600 training sentences should beat chance clearly on dev: " + r.out());
        // --output writes one prediction per row and says so on standard error, as generate and rewards score do
        Path predictions = tmp.resolve("predictions.tsv");
        CliRunner.Result withOutput = CliRunner.run("classifier", "eval", "--classifier", out.toString(), "--data",
                sst2.resolve("dev.tsv").toString(), "--limit", "20", "--output", predictions.toString());
        assertEquals(0, withOutput.code(), withOutput.err());
        assertEquals(21, Files.readAllLines(predictions).size());
        assertTrue(withOutput.err().lines().anyMatch(("wrote 20 predictions to " + predictions + " (settings in "
                + predictions + ".run.json)")::equals), withOutput.err());
        // its record: the classifier's files, the data and the escapes, so the rows read back as written
        String record = Files.readString(ResumableOutput.runFile(predictions));
        assertTrue(record.contains("\"classifier.json\": \"") && record.contains("\"inputs\": 20")
                && record.contains("\"tsv_escapes\": \"backslash\""), record);
        // its options are those eval reads, every one in every use (none is left unread, as rewards score's
        // table columns are for plain-text files): defaults included, --overwrite not a setting
        assertEquals(List.of("--data", "--text-column", "--label-column", "--limit", "--classifier", "--output"),
                List.copyOf(com.google.gson.JsonParser.parseString(record).getAsJsonObject().getAsJsonObject("options")
                        .keySet()));
        assertTrue(!withOutput.out().contains("wrote"), withOutput.out());
        String first = Files.readString(predictions);
        CliRunner.Result rerun = CliRunner.run("classifier", "eval", "--classifier", out.toString(), "--data",
                sst2.resolve("dev.tsv").toString(), "--limit", "10", "--output", predictions.toString());
        assertEquals(ExitCodes.USAGE, rerun.code(), rerun.err());
        assertTrue(rerun.err().contains("--output " + predictions + ": exists (expected another file name, or "
                + "--overwrite to replace it)"), rerun.err());
        assertEquals(first, Files.readString(predictions), "the earlier predictions are kept");
        rerun = CliRunner.run("classifier", "eval", "--classifier", out.toString(), "--data",
                sst2.resolve("dev.tsv").toString(), "--limit", "10", "--output", predictions.toString(), "--overwrite");
        assertEquals(0, rerun.code(), rerun.err());
        assertEquals(11, Files.readAllLines(predictions).size());

        Path hyp = tmp.resolve("hyp.txt");
        Files.writeString(hyp, "what a wonderful , joyful and moving film .\nthis is a dull , tedious and awful mess .\n");
        Path scores = tmp.resolve("scores.tsv");
        r = CliRunner.run("rewards", "score", "--reward", "classifier:model=" + out + ",label=1", "--hyp",
                hyp.toString(), "--output", scores.toString());
        assertEquals(0, r.code(), r.err());
        String[] rows = Files.readAllLines(scores).toArray(new String[0]);
        double pos = Double.parseDouble(rows[1].split("\t")[2]);
        double neg = Double.parseDouble(rows[2].split("\t")[2]);
        assertTrue(pos > 0.5 && neg < 0.5, "P(positive): " + pos + " vs " + neg);
    }

    /**
     * An --encoder model directory that is missing or holds no model is bad input (exit 3) named as the option, as
     * an unknown encoder name is (exit 2), not a line about a path alone; nothing is written to --out.
     */
    @Test
    void aBadEncoderDirectoryNamesTheOption() throws IOException {
        Path data = CliRunner.shared().resolve("data/sst2/dev.tsv");
        Path gone = tmp.resolve("gone");
        Path out = tmp.resolve("out");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", data.toString(), "--limit", "20",
                "--encoder", "hf:" + gone, "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --encoder: hf:" + gone + ": no such directory (expected a Hugging Face model "
                + "directory)", r.err().strip());
        Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
        r = CliRunner.run("classifier", "train", "--data", data.toString(), "--limit", "20", "--encoder",
                notModel.toString(), "--out", out.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("qdecode: error: --encoder: ") && r.err().contains("config.json")
                && r.err().strip().lines().count() == 1, r.err());
        assertTrue(!Files.exists(out), "nothing written");
    }

    @Test
    void badInputNamesTheProblem() {
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data",
                CliRunner.shared().resolve("data/sst2/dev.tsv").toString(), "--text-column", "nosuch",
                "--out", tmp.resolve("x").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertTrue(r.err().contains("nosuch"), r.err());
        r = CliRunner.run("classifier", "eval", "--classifier", tmp.resolve("missing").toString(), "--data",
                CliRunner.shared().resolve("data/sst2/dev.tsv").toString());
        assertTrue(r.code() == ExitCodes.BAD_INPUT || r.code() == ExitCodes.REWARD_FAILED, r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    /**
     * A classifier:model= directory that is not a saved classifier is bad input (exit 3), as the same
     * directory is for classifier eval --classifier: it was a reward failure (exit 4). A directory that
     * does not exist stays a refused parameter value (exit 2).
     */
    @Test
    void aClassifierRewardDirectoryThatIsNotAClassifierIsBadInput() throws IOException {
        Path hyp = Files.writeString(tmp.resolve("hyp.txt"), "a fine film .\n");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("classifier.json"), "{}");
        for (Path dir : List.of(empty, broken)) {
            CliRunner.Result eval = CliRunner.run("classifier", "eval", "--classifier", dir.toString(), "--data",
                    CliRunner.shared().resolve("data/sst2/dev.tsv").toString());
            assertEquals(ExitCodes.BAD_INPUT, eval.code(), eval.err());
            CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "classifier:model=" + dir, "--hyp",
                    hyp.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: reward 'classifier': parameter model='" + dir + "': "
                    + "classifier "), r.err());
        }
        CliRunner.Result missing = CliRunner.run("rewards", "score", "--reward", "classifier:model="
                + tmp.resolve("nope"), "--hyp", hyp.toString());
        assertEquals(ExitCodes.USAGE, missing.code(), missing.err());
    }

    /**
     * An --encoder directory that holds no model (no config.json) is bad input (exit 3), as one without
     * tokenizer.json or an hf:DIR naming no directory; it was reported as bad usage (exit 2, with a
     * "Try --help" line), in classifier train and train --task classification alike.
     */
    @Test
    void anEncoderDirectoryWithoutAModelIsBadInput() throws IOException {
        Path notModel = Files.createDirectories(tmp.resolve("not-a-model"));
        Path data = Files.writeString(tmp.resolve("two.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        for (String enc : new String[] {notModel.toString(), "hf:" + notModel}) {
            CliRunner.Result r = CliRunner.run("classifier", "train", "--data", data.toString(), "--encoder", enc,
                    "--out", tmp.resolve("o").toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals("qdecode: error: --encoder: encoder directory " + notModel + ": no config.json (expected a Hugging Face "
                    + "model directory)", r.err().strip());
            r = CliRunner.run("train", "--task", "classification", "--data", data.toString(), "--dev", data.toString(),
                    "--encoder", enc, "--out", tmp.resolve("r").toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertTrue(r.err().strip().endsWith("no config.json (expected a Hugging Face model directory)"), r.err());
        }
    }

    /** A --head that is not one names the option, as --epochs does (it said "head 'svm': ..."). */
    @Test
    void anUnknownHeadNamesTheOption() throws IOException {
        Path data = Files.writeString(tmp.resolve("two.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", data.toString(), "--head", "svm",
                "--out", tmp.resolve("o").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --head svm: expected logistic or mlp", r.err().strip().lines().findFirst()
                .orElse(""));
        assertTrue(Files.notExists(tmp.resolve("o")));
    }

    /**
     * classifier train refuses an --out holding a model (its own --encoder included), a tokenizer, a train run or an
     * SFT run, even with --overwrite: the classifier's files went in beside them (head.safetensors then counted as one
     * more weight file of the model, so the classifier refused its own encoder as changed), exit 0.
     */
    @Test
    void trainRefusesAnOutHoldingAnotherCommandsWorkEvenWithOverwrite() throws IOException {
        ownCache();
        Path model = copyModel(tmp.resolve("model"));
        List<String> before;
        try (Stream<Path> files = Files.list(model)) {
            before = files.map(f -> f.getFileName().toString()).sorted().toList();
        }
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", SST2.resolve("train.tsv").toString(),
                "--limit", "80", "--encoder", model.toString(), "--out", model.toString(), "--overwrite");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --out " + model + ": holds a model (config.json), which the classifier's files "
                + "would be mixed with (expected a directory of its own for the classifier, even with --overwrite, "
                + "which replaces only a classifier: choose another --out)", r.err().strip());
        try (Stream<Path> files = Files.list(model)) {
            assertEquals(before, files.map(f -> f.getFileName().toString()).sorted().toList(), "nothing written");
        }
        String[][] others = {{"weights.safetensors", "a model (weights.safetensors)"},
            {"tokenizer.json", "a tokenizer (tokenizer.json)"}, {"checkpoint", "an SFT run (checkpoint/)"},
            {"checkpoint.qdq", "a 'qdecode train' run (checkpoint.qdq)"},
            {"summary.json", "a 'qdecode train' run (summary.json)"}};
        for (String[] o : others) {
            Path out = Files.createDirectories(tmp.resolve("out-" + o[0]));
            if (o[0].contains(".")) {
                Files.writeString(out.resolve(o[0]), "earlier work");
            } else {
                Files.createDirectories(out.resolve(o[0]));
            }
            r = CliRunner.run("classifier", "train", "--data", SST2.resolve("train.tsv").toString(), "--limit", "80",
                    "--encoder", model.toString(), "--out", out.toString(), "--overwrite");
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: --out " + out + ": holds " + o[1] + ", which"), r.err());
            assertTrue(Files.notExists(out.resolve("classifier.json")), o[0]);
        }
        // an earlier classifier, or other files, are still replaced or kept with --overwrite
        Path clf = tmp.resolve("clf");
        String[] train = {"classifier", "train", "--data", SST2.resolve("train.tsv").toString(), "--limit", "80",
            "--encoder", model.toString(), "--out", clf.toString()};
        assertEquals(0, CliRunner.run(train).code());
        Files.writeString(clf.resolve("notes.txt"), "mine");
        r = CliRunner.run(concat(train, "--overwrite", "--seed", "7"));
        assertEquals(0, r.code(), r.err());
        assertEquals("mine", Files.readString(clf.resolve("notes.txt")));
        assertEquals(0, CliRunner.run("classifier", "eval", "--data", SST2.resolve("dev.tsv").toString(), "--limit",
                "10", "--classifier", clf.toString()).code());
    }

    /**
     * A classifier whose encoder model directory holds a damaged model file is refused by classifier eval naming
     * --classifier (bad input), as the classifier reward names its model= parameter; the line named only the model
     * file, as if it had been given on the command line.
     */
    @Test
    void evalNamesTheClassifierWhenItsEncoderModelIsDamaged() throws IOException {
        ownCache();
        Path model = copyModel(tmp.resolve("model"));
        Path clf = tmp.resolve("clf");
        assertEquals(0, CliRunner.run("classifier", "train", "--data", SST2.resolve("train.tsv").toString(), "--limit",
                "40", "--encoder", model.toString(), "--out", clf.toString()).code());
        byte[] weights = Files.readAllBytes(model.resolve("model.safetensors"));
        Files.write(model.resolve("model.safetensors"), java.util.Arrays.copyOf(weights, 1000));
        CliRunner.Result r = CliRunner.run("classifier", "eval", "--data", SST2.resolve("dev.tsv").toString(),
                "--limit", "10", "--classifier", clf.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("qdecode: error: --classifier: " + model.toAbsolutePath().normalize()
                .resolve("model.safetensors") + ": "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    private static final Path SST2 = CliRunner.shared().resolve("data/sst2");
    private String cacheProperty;

    /** Points the embedding cache into the test's directory (the hf: encoder tests below use it). */
    private Path ownCache() {
        cacheProperty = System.getProperty("qdecode.cache.embeddings");
        System.setProperty("qdecode.cache.embeddings", tmp.resolve("cache").toString());
        return tmp.resolve("cache");
    }

    @AfterEach
    void restoreCache() {
        if (cacheProperty != null) {
            System.setProperty("qdecode.cache.embeddings", cacheProperty);
        } else {
            System.clearProperty("qdecode.cache.embeddings");
        }
    }

    private static JsonObject json(Path clf) throws IOException {
        return JsonParser.parseString(Files.readString(clf.resolve("classifier.json"))).getAsJsonObject();
    }

    /** A copy of stories260K in {@code dir}. */
    private static Path copyModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(Path.of(CliRunner.model("stories260K")))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    /** Negates the float32 values of one tensor in model.safetensors: same architecture, other weights. */
    private static void changeWeights(Path modelDir, String tensor) throws IOException {
        Path file = modelDir.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) b.getLong(0);
        JsonObject header = JsonParser.parseString(new String(bytes, 8, headerLength,
                java.nio.charset.StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject t = header.getAsJsonObject(tensor);
        assertEquals("F32", t.get("dtype").getAsString());
        int start = 8 + headerLength + t.getAsJsonArray("data_offsets").get(0).getAsInt();
        int end = 8 + headerLength + t.getAsJsonArray("data_offsets").get(1).getAsInt();
        for (int i = start; i < end; i += 4) {
            b.putFloat(i, -b.getFloat(i));
        }
        Files.write(file, bytes);
    }

    /**
     * A model directory used as encoder whose weights change under the same path: training again embeds
     * the texts again (the cache is keyed by the files' content, not the path), and the classifier trained on
     * the old weights is refused (it records the sha256 of the files it was trained on).
     */
    @Test
    void aChangedEncoderDirectoryIsEmbeddedAgainAndItsOldClassifierRefused() throws IOException {
        ownCache();
        Path model = copyModel(tmp.resolve("model"));
        Path first = tmp.resolve("clf1");
        Path second = tmp.resolve("clf2");
        String[] train = {"classifier", "train", "--data", SST2.resolve("train.tsv").toString(), "--limit", "80",
            "--encoder", model.toString()};
        CliRunner.Result r = CliRunner.run(concat(train, "--out", first.toString()));
        assertEquals(0, r.code(), r.err());
        JsonObject before = json(first);
        assertEquals("hf:" + model.toAbsolutePath().normalize(), before.get("encoder").getAsString());
        assertEquals(dev.qdecode.models.ModelFiles.contentSha256(model, java.util.Set.of("generation_config.json")),
                before.get("encoderSha256").getAsString());
        // generation settings do not change an embedding: editing them keeps the classifier usable
        Files.writeString(model.resolve("generation_config.json"), " ", java.nio.file.StandardOpenOption.APPEND);
        String[] evalFirst = {"classifier", "eval", "--data", SST2.resolve("dev.tsv").toString(), "--limit", "20",
            "--classifier", first.toString()};
        assertEquals(0, CliRunner.run(evalFirst).code());

        changeWeights(model, "model.layers.0.self_attn.q_proj.weight");
        r = CliRunner.run(concat(train, "--out", second.toString()));
        assertEquals(0, r.code(), r.err());
        JsonObject after = json(second);
        assertTrue(!before.get("encoderSha256").equals(after.get("encoderSha256")), after.toString());
        assertTrue(!before.getAsJsonObject("head").get("sha256").equals(after.getAsJsonObject("head").get("sha256")),
                "new weights, new embeddings, another head");

        String[] eval = {"eval", "--data", SST2.resolve("dev.tsv").toString(), "--limit", "20", "--classifier"};
        r = CliRunner.run(concat(concat(new String[] {"classifier"}, eval), first.toString()));
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --classifier: classifier " + first.resolve("classifier.json")
                + ": encoder directory " + model.toAbsolutePath().normalize() + " has files with sha256 "
                + after.get("encoderSha256").getAsString() + " but the classifier was trained on sha256 "
                + before.get("encoderSha256").getAsString() + " (expected the model files it was trained on: "
                + "its weights, configuration or tokenizer changed since; train the classifier again)", r.err().strip());
        r = CliRunner.run(concat(concat(new String[] {"classifier"}, eval), second.toString()));
        assertEquals(0, r.code(), r.err());

        // A classifier.json from before the encoder's sha256 (and the data files, and checksums.json) were recorded
        // still loads.
        JsonObject old = json(second);
        old.remove("encoderSha256");
        old.remove("data");
        old.remove("dev");
        old.remove("checksums");
        Files.writeString(second.resolve("classifier.json"), old.toString());
        Files.delete(second.resolve("checksums.json"));
        r = CliRunner.run(concat(concat(new String[] {"classifier"}, eval), second.toString()));
        assertEquals(0, r.code(), r.err());
    }

    /** --limit cuts --data only; the saved classifier records both files, the limit and the columns. */
    @Test
    void limitCutsTheTrainingDataNotDevAndTheFilesAreRecorded() throws IOException {
        ownCache();
        Path out = tmp.resolve("clf");
        Path train = SST2.resolve("train.tsv");
        Path dev = SST2.resolve("dev.tsv");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", train.toString(), "--limit", "60",
                "--dev", dev.toString(), "--encoder", CliRunner.model("stories260K"), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dev: n=872 "), r.out());
        // each file's labels with their counts, before training
        assertTrue(r.out().startsWith("train.tsv: 60 examples, labels 0 (33), 1 (27)\n"
                + "dev.tsv: 872 examples, labels 0 (428), 1 (444)\n"), r.out());
        JsonObject j = json(out);
        assertEquals(872, j.getAsJsonObject("metrics").getAsJsonObject("dev").get("count").getAsInt());
        JsonObject data = j.getAsJsonObject("data");
        assertEquals(train.toAbsolutePath().normalize().toString(), data.get("path").getAsString());
        assertEquals(Datasets.sha256(train), data.get("sha256").getAsString());
        assertEquals(Datasets.sha256(train), j.get("dataSha256").getAsString());
        assertEquals(60, data.get("limit").getAsInt());
        assertEquals(60, data.get("examples").getAsInt());
        assertEquals("sentence", data.get("textColumn").getAsString());
        assertEquals("label", data.get("labelColumn").getAsString());
        JsonObject devJson = j.getAsJsonObject("dev");
        assertEquals(dev.toAbsolutePath().normalize().toString(), devJson.get("path").getAsString());
        assertEquals(Datasets.sha256(dev), devJson.get("sha256").getAsString());
        assertEquals(0, devJson.get("limit").getAsInt());
        assertEquals(872, devJson.get("examples").getAsInt());
        String help = CliRunner.run("classifier", "train", "--help").out().replaceAll("\\s+", " ");
        assertTrue(help.contains("first N rows of --data (train's --dev is always read whole)"), help);
    }

    /** 0 and 0.0 (or 1 and a JSON true) are one label spelled two ways, not two classes. */
    @Test
    void aLabelSpelledTwoWaysIsRefused() throws IOException {
        Path f = tmp.resolve("t.jsonl");
        Files.writeString(f, "{\"sentence\": \"good\", \"label\": 1}\n{\"sentence\": \"bad\", \"label\": 0}\n"
                + "{\"sentence\": \"fine\", \"label\": 1.0}\n");
        CliRunner.Result r = CliRunner.run("classifier", "train", "--data", f.toString(), "--out",
                tmp.resolve("clf").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + f + ":3: column 'label': expected one spelling per label but found '1.0', "
                + "the same number as '1' on line 1", r.err().strip());
        Files.writeString(f, "{\"sentence\": \"good\", \"label\": 1}\n{\"sentence\": \"bad\", \"label\": 0}\n"
                + "{\"sentence\": \"fine\", \"label\": true}\n");
        r = CliRunner.run("classifier", "train", "--data", f.toString(), "--out", tmp.resolve("clf").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: " + f + ":3: column 'label': expected one spelling per label but found 'true', "
                + "the same number as '1' on line 1", r.err().strip());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
