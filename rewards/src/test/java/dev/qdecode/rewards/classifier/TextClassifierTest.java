package dev.qdecode.rewards.classifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.models.FileChecksums;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training, evaluation, save/load of the classifier on a real SST-2 subset. */
class TextClassifierTest {

    @Test
    void logisticHeadOnSst2SubsetIsClearlyAboveChance() {
        TextClassifier clf = Sst2Fixture.classifier();
        assertEquals(List.of("0", "1"), clf.labels());
        Evaluation dev = clf.evaluate(Sst2Fixture.dev().texts(), Sst2Fixture.dev().labels());
        // 2,000 training phrases, 200 dev sentences: chance is ~0.5, the full-data probe reaches 0.82.
        assertTrue(dev.accuracy() > 0.70, "dev " + dev.summary());
        assertTrue(dev.macroF1() > 0.65, "dev " + dev.summary());
        Evaluation val = clf.metrics().get("validation");
        assertTrue(val.count() > 0 && val.accuracy() > 0.6, "validation " + val.summary());
    }

    @Test
    void evaluationIsConsistentWithItsConfusionMatrix() {
        TextClassifier clf = Sst2Fixture.classifier();
        List<String> texts = Sst2Fixture.dev().texts();
        Evaluation e = clf.evaluate(texts, Sst2Fixture.dev().labels());
        int[][] c = e.confusion();
        int total = 0;
        for (int[] row : c) {
            for (int v : row) {
                total += v;
            }
        }
        assertEquals(texts.size(), total);
        assertEquals((double) (c[0][0] + c[1][1]) / total, e.accuracy(), 1e-12);
        double p1 = (double) c[1][1] / (c[0][1] + c[1][1]);
        double r1 = (double) c[1][1] / (c[1][0] + c[1][1]);
        assertEquals(p1, e.perLabel().get(1).precision(), 1e-12);
        assertEquals(r1, e.perLabel().get(1).recall(), 1e-12);
        assertEquals(2 * p1 * r1 / (p1 + r1), e.perLabel().get(1).f1(), 1e-12);
        assertEquals((e.perLabel().get(0).f1() + e.perLabel().get(1).f1()) / 2, e.macroF1(), 1e-12);
        assertEquals(c[1][0] + c[1][1], e.perLabel().get(1).support());
        // predict() agrees with the highest probability.
        double[][] p = clf.predictProba(texts.subList(0, 10));
        List<String> labels = clf.predict(texts.subList(0, 10));
        for (int i = 0; i < 10; i++) {
            assertEquals(1.0, p[i][0] + p[i][1], 1e-12);
            assertEquals(p[i][1] > p[i][0] ? "1" : "0", labels.get(i));
        }
        assertThrows(IllegalArgumentException.class, () -> clf.evaluate(List.of("x"), List.of("2")));
        // labels predicted earlier evaluate as the texts do (the CLI embeds each text once)
        Evaluation again = clf.evaluatePredicted(clf.predict(texts), Sst2Fixture.dev().labels());
        assertArrayEquals(c, again.confusion());
        assertEquals(e.summary(), again.summary());
        assertThrows(IllegalArgumentException.class, () -> clf.evaluatePredicted(List.of("2"), List.of("1")));
        assertThrows(IllegalArgumentException.class, () -> clf.evaluatePredicted(List.of("1"), List.of()));
    }

    @Test
    void saveAndLoadGiveIdenticalProbabilities(@TempDir Path tmp) throws IOException {
        TextClassifier clf = Sst2Fixture.classifier()
                .withDataSha256(TextClassifier.sha256(LabeledTsv.shared().resolve("data/sst2/train.tsv")))
                .withMetrics("dev", Sst2Fixture.classifier().evaluate(
                        Sst2Fixture.dev().texts(), Sst2Fixture.dev().labels()));
        Path dir = tmp.resolve("clf");
        clf.save(dir);
        List<String> texts = Sst2Fixture.dev().texts().subList(0, 40);
        double[][] before = clf.predictProba(texts);
        try (TextClassifier shared = TextClassifier.load(dir, Sst2Fixture.encoder())) {
            double[][] after = shared.predictProba(texts);
            for (int i = 0; i < texts.size(); i++) {
                assertArrayEquals(before[i], after[i], 0.0, "text " + i);
            }
            assertEquals(clf.labels(), shared.labels());
            assertEquals(clf.config(), shared.config());
            assertEquals(clf.dataSha256(), shared.dataSha256());
            assertEquals(clf.metrics().get("dev").accuracy(), shared.metrics().get("dev").accuracy(), 0.0);
        }
        JsonObject json = JsonParser.parseString(
                Files.readString(dir.resolve("classifier.json"), StandardCharsets.UTF_8)).getAsJsonObject();
        assertEquals("minilm-q", json.get("encoder").getAsString());
        assertEquals(64, json.get("dataSha256").getAsString().length());
        assertTrue(json.getAsJsonObject("metrics").has("validation"));
        assertTrue(json.getAsJsonObject("metrics").has("dev"));
        assertTrue(json.has("qdecodeVersion") && json.has("createdAt") && json.has("seed"));
        assertEquals(Sst2Fixture.TRAIN_ROWS, json.getAsJsonObject("training").get("examples").getAsInt());
    }

    @Test
    void trainingIsReproducibleAndTheMlpHeadLearnsToo() {
        LabeledTsv train = Sst2Fixture.train();
        ClassifierConfig mlp = ClassifierConfig.mlp().withHidden(32, 0.3).withL2(1.0 / Sst2Fixture.TRAIN_ROWS)
                .withBatchSize(128).withMaxEpochs(8).withLearningRate(3e-3).withRefit(false);
        // Embeddings come from the fixture's cache: only the head is trained here.
        TextClassifier a = TextClassifier.train(Sst2Fixture.encoder(), train.texts(), train.labels(), mlp,
                Sst2Fixture.cache());
        TextClassifier b = TextClassifier.train(Sst2Fixture.encoder(), train.texts(), train.labels(), mlp,
                Sst2Fixture.cache());
        List<String> texts = Sst2Fixture.dev().texts();
        double[][] pa = a.predictProba(texts);
        double[][] pb = b.predictProba(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertArrayEquals(pa[i], pb[i], 0.0, "same seed, text " + i);
        }
        Evaluation dev = a.evaluate(texts, Sst2Fixture.dev().labels());
        assertTrue(dev.accuracy() > 0.70, "mlp dev " + dev.summary());
        TextClassifier c = TextClassifier.train(Sst2Fixture.encoder(), train.texts(), train.labels(),
                mlp.withSeed(7), Sst2Fixture.cache());
        assertFalse(java.util.Arrays.equals(pa[0], c.predictProba(texts.subList(0, 1))[0]), "another seed");
    }

    @Test
    void loadRejectsBadDirectoriesWithOneLine(@TempDir Path tmp) throws IOException {
        Path missing = tmp.resolve("nope");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(missing)), "does not exist");
        Files.createDirectories(tmp.resolve("empty"));
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.load(tmp.resolve("empty"))), "classifier.json");

        Path dir = tmp.resolve("copy");
        Sst2Fixture.classifier().save(dir);
        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);

        // each edit is recorded in checksums.json too, so that the field checks behind the record stay covered
        rewrite(dir, "{ not json");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)), "not valid JSON");
        rewrite(dir, good.replace("\"labels\": [", "\"labels\": [ 1, 1, "));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)), "'labels'");
        rewrite(dir, good.replace("\"l2\":", "\"l2\": -1, \"x\":"));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)), "l2=-1");
        rewrite(dir, good.replace("\"type\": \"logistic\"", "\"type\": \"forest\""));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)), "'head.type'");
        // classifier.json's sha256 of the head is still compared when checksums.json has hashed the head (with what
        // the record says, not by hashing the head again)
        java.util.regex.Matcher head = java.util.regex.Pattern.compile(
                "(\"file\": \"head\\.safetensors\",\\s*\"sha256\": \")([0-9a-f]{64})").matcher(good);
        assertTrue(head.find(), good);
        String headSha256 = head.group(2);
        rewrite(dir, head.replaceFirst("$1" + "0".repeat(64)));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)),
                "head.safetensors: sha256 " + headSha256 + ", not the " + "0".repeat(64) + " that classifier.json "
                        + "records (" + TextClassifier.DAMAGED + ")");
        rewrite(dir, good);
        byte[] w = Files.readAllBytes(dir.resolve("head.safetensors"));
        w[w.length - 1] ^= 0x55;
        Files.write(dir.resolve("head.safetensors"), w);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)),
                "head.safetensors: sha256 ");
        // without the record (a classifier saved before it), classifier.json's own sha256 of the head refuses it
        Files.delete(dir.resolve(FileChecksums.FILE));
        Files.writeString(json, good.replace("\"checksums\": \"checksums.json\"", "\"x\": 0"));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)),
                "that classifier.json records (" + TextClassifier.DAMAGED + ")");
        Files.delete(dir.resolve("head.safetensors"));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)), "not found");
    }

    /**
     * Writes {@code json} as the classifier.json of {@code dir} and records it in checksums.json, as a hand edit
     * whose record was updated too: what the checks behind the record see.
     */
    static void rewrite(Path dir, String json) throws IOException {
        Files.writeString(dir.resolve(TextClassifier.METADATA_FILE), json);
        FileChecksums.write(dir, List.of(TextClassifier.METADATA_FILE, TextClassifier.WEIGHTS_FILE));
    }

    @Test
    void trainingInputsAndConfigAreValidated() {
        SentenceEncoder enc = Sst2Fixture.encoder();
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.train(enc, List.of("a", "b"), List.of("1"), ClassifierConfig.logistic())), "labels");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.train(enc, List.of("a", "b"), List.of("1", "1"), ClassifierConfig.logistic())),
                "two distinct");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> ClassifierConfig.logistic().withL2(-1)), "l2=-1.0");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> ClassifierConfig.logistic().withHidden(8, 0.5)), "dropout");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> ClassifierConfig.mlp().withValidationFraction(0.9)), "validationFraction");
        assertOneLine(assertThrows(IllegalArgumentException.class,
                () -> ClassifierConfig.HeadType.parse("svm")), "logistic or mlp");
        assertEquals(List.of("-1", "2", "10"), TextClassifier.orderLabels(List.of("10", "2", "-1")));
        assertEquals(List.of("neg", "pos"), TextClassifier.orderLabels(List.of("pos", "neg")));
    }

    /**
     * A damaged classifier.json (cut short, as by a full disk or a copy interrupted) is named with where its JSON
     * stops; valid JSON that is not an object is not called invalid JSON but said to be what it is.
     */
    @Test
    void aDamagedClassifierJsonSaysWhere(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("copy");
        Sst2Fixture.classifier().save(dir);
        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);
        String cut = good.substring(0, good.indexOf("\"config\""));
        Files.delete(dir.resolve(FileChecksums.FILE)); // as a classifier saved before checksums were recorded
        Files.writeString(json, cut);
        long lines = cut.lines().count();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir));
        assertOneLine(e, "classifier " + json + ": not valid JSON at line " + lines + " column ");
        assertOneLine(e, "(expected the JSON object qdecode classifier train writes; the file is damaged or cut short)");
        Files.writeString(json, "[1, 2]");
        assertEquals("classifier " + json + ": holds a JSON array (expected the JSON object qdecode classifier "
                + "train writes)", assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)).getMessage());
        Files.writeString(json, "");
        assertEquals("classifier " + json + ": holds no JSON value (expected the JSON object qdecode classifier "
                + "train writes)", assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)).getMessage());
    }

    /**
     * A classifier trained on a model directory ({@code --encoder DIR}) whose directory has gone (moved, deleted) is
     * refused naming its classifier.json and the directory, saying what to do, rather than with the encoder's
     * message about a path the user never gave ({@code hf:DIR: no such directory}).
     */
    @Test
    void aClassifierWhoseEncoderDirectoryIsGoneSaysSo(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("copy");
        Sst2Fixture.classifier().save(dir);
        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);
        Path gone = tmp.resolve("moved-model");
        rewrite(dir, good.replaceFirst("\"encoder\": \"[^\"]*\"", "\"encoder\": \"hf:" + gone + "\""));
        assertEquals("classifier " + json + ": encoder directory " + gone + " does not exist (expected the Hugging Face "
                + "model directory the classifier was trained on: put it back there, or train the classifier again)",
                assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)).getMessage());
        Files.writeString(gone, "a file now");
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir)),
                "encoder directory " + gone + " is not a directory (expected the Hugging Face model directory");
    }

    /**
     * A saved classifier records the size and sha256 of classifier.json and head.safetensors in checksums.json, and a
     * load refuses a hand edit of classifier.json that is still valid (labels swapped: the classifier loaded and its
     * probabilities were silently those of the other label) or a head replaced by another classifier's, naming the
     * file and what to do.
     */
    @Test
    void aChangedFileOfASavedClassifierIsRefusedByName(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("clf");
        Sst2Fixture.classifier().save(dir);
        JsonObject sums = JsonParser.parseString(Files.readString(dir.resolve(FileChecksums.FILE)))
                .getAsJsonObject().getAsJsonObject("files");
        assertEquals(java.util.Set.of("classifier.json", "head.safetensors"), sums.keySet());
        assertEquals(Files.size(dir.resolve("head.safetensors")),
                sums.getAsJsonObject("head.safetensors").get("bytes").getAsLong());
        assertEquals(TextClassifier.sha256(dir.resolve("classifier.json")),
                sums.getAsJsonObject("classifier.json").get("sha256").getAsString());
        TextClassifier.load(dir, Sst2Fixture.encoder()); // as saved: loads

        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);
        // the same size: only the sha256 tells
        String swapped = good.replaceFirst("\"labels\": \\[(\\s*)\"0\",(\\s*)\"1\"", "\"labels\": [$1\"1\",$2\"0\"");
        assertFalse(swapped.equals(good), "the labels were swapped");
        Files.writeString(json, swapped);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.load(dir, Sst2Fixture.encoder()));
        assertOneLine(e, "classifier " + json + ": sha256 ");
        assertOneLine(e, "that checksums.json records (" + TextClassifier.DAMAGED + ")");
        Files.writeString(json, good);

        byte[] head = Files.readAllBytes(dir.resolve("head.safetensors"));
        head[head.length - 4] ^= 0x01; // a head of the same size, one weight changed
        Files.write(dir.resolve("head.safetensors"), head);
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir, Sst2Fixture.encoder())),
                "classifier " + dir.resolve("head.safetensors") + ": sha256 ");

        Files.delete(dir.resolve(FileChecksums.FILE));
        assertEquals("classifier " + dir.resolve(FileChecksums.FILE) + ": missing, but classifier.json names it ("
                + TextClassifier.DAMAGED + ")", assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.load(dir, Sst2Fixture.encoder())).getMessage());
    }

    /**
     * classifier.json's head file names a file of the classifier directory: one elsewhere (another classifier's head,
     * with its sha256) was loaded, and a directory was reported as "cannot read (Is a directory)".
     */
    @Test
    void theHeadFileIsTheDirectorysOwn(@TempDir Path tmp) throws IOException {
        Path other = tmp.resolve("other");
        Sst2Fixture.classifier().save(other);
        Path dir = tmp.resolve("clf");
        Sst2Fixture.classifier().save(dir);
        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);
        String elsewhere = good.replace("\"file\": \"head.safetensors\"", "\"file\": \"../other/head.safetensors\"");
        assertFalse(elsewhere.equals(good));
        rewrite(dir, elsewhere);
        assertEquals("classifier " + json + ": field 'head.file': expected the name of the head weights file in " + dir
                + " (e.g. head.safetensors) but got '../other/head.safetensors'",
                assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir, Sst2Fixture.encoder()))
                        .getMessage());
        Files.createDirectories(dir.resolve("sub"));
        rewrite(dir, good.replace("\"file\": \"head.safetensors\"", "\"file\": \"sub\""));
        assertOneLine(assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir, Sst2Fixture.encoder())),
                "head weights " + dir.resolve("sub") + " is not a file (" + TextClassifier.DAMAGED + ")");
    }

    /** A head with another number of outputs than classifier.json has labels is refused naming both. */
    @Test
    void aLabelCountThatIsNotTheHeadsIsRefusedByName(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("clf");
        Sst2Fixture.classifier().save(dir);
        String good = Files.readString(dir.resolve("classifier.json"));
        String three = good.replaceFirst("\"labels\": \\[\\s*\"0\",\\s*\"1\"\\s*]", "\"labels\": [\"0\", \"1\", \"2\"]");
        assertFalse(three.equals(good));
        rewrite(dir, three); // the head is read before the metrics, whose matrices are 2x2
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextClassifier.load(dir, Sst2Fixture.encoder()));
        assertOneLine(e, "head weights " + dir.resolve("head.safetensors") + ": the head has 2 outputs (tensor 'b1' [2]) "
                + "but classifier.json lists 3 labels [0, 1, 2] (expected one output per label");
    }

    /**
     * A classifier saved before checksums were recorded (no checksums.json, no "checksums" in classifier.json)
     * still loads, with the same probabilities.
     */
    @Test
    void aClassifierSavedBeforeChecksumsStillLoads(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("old");
        Sst2Fixture.classifier().save(dir);
        Files.delete(dir.resolve(FileChecksums.FILE));
        Path json = dir.resolve("classifier.json");
        String good = Files.readString(json);
        String old = good.replaceFirst(",\\s*\"checksums\": \"checksums.json\"", "");
        assertFalse(old.equals(good) || old.contains("checksums"));
        Files.writeString(json, old);
        List<String> texts = List.of("a wonderful film", "dull and tedious");
        assertArrayEquals(Sst2Fixture.classifier().predictProba(texts)[0],
                TextClassifier.load(dir, Sst2Fixture.encoder()).predictProba(texts)[0], 1e-9);
    }

    /**
     * A recorded confusion matrix whose cell is not a count is refused naming the field: a JSON object there was an
     * internal error (UnsupportedOperationException: JsonObject, exit 1) in classifier eval and a reward failure (exit
     * 4) in the classifier reward, a string was refused as "For input string".
     */
    @Test
    void aConfusionCellThatIsNotACountIsNamed(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("clf");
        Sst2Fixture.classifier().save(dir);
        Path json = dir.resolve("classifier.json");
        for (String cell : List.of("{\"x\": 1}", "\"abc\"", "1.5", "-2", "null")) {
            JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            root.getAsJsonObject("metrics").getAsJsonObject("validation").getAsJsonArray("confusion").get(1)
                    .getAsJsonArray().set(0, JsonParser.parseString(cell));
            rewrite(dir, root.toString());
            assertEquals("classifier " + json + ": field 'metrics.validation.confusion': expected a 2x2 array of counts "
                    + "(integers >= 0) but got " + JsonParser.parseString(cell) + " at [1][0]",
                    assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(dir, Sst2Fixture.encoder()))
                            .getMessage(), cell);
        }
    }

    static void assertOneLine(Exception e, String fragment) {
        String m = e.getMessage();
        assertTrue(m != null && !m.contains("\n"), "one line: " + m);
        assertTrue(m.contains(fragment), "'" + fragment + "' in: " + m);
    }
}
