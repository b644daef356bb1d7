package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        // A second training into the same --out is refused (the trained classifier is kept) unless --overwrite.
        CliRunner.Result again = CliRunner.run("classifier", "train", "--data", sst2.resolve("train.tsv").toString(),
                "--limit", "600", "--seed", "7", "--out", out.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertEquals("qdecode: error: --out " + out + ": already holds classifier.json, head.safetensors (choose "
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
        assertTrue(withOutput.err().lines().anyMatch(("wrote 20 predictions to " + predictions)::equals),
                withOutput.err());
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
}
