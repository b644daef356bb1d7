package dev.qdecode.pipeline.cli;

import static dev.qdecode.pipeline.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.pipeline.sft.SftConfig;
import dev.qdecode.pipeline.sft.SftTrainer;
import java.util.List;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --task translation} without {@code --data}/{@code --dev} reads Multi30k's files of the
 * {@code --source-column}/{@code --target-column} pair (it read en-de's whatever the columns, so
 * {@code --target-column fr} failed on en-de val's missing {@code fr} column).
 */
class TranslationDefaultsTest {

    @Test
    void theDefaultFilesFollowTheColumnPair(@TempDir Path shared) throws IOException {
        Path dir = Files.createDirectories(shared.resolve("data/multi30k"));
        for (String f : new String[] {"en-de.train.tsv", "en-de.val.tsv", "en-fr.train.tsv", "en-fr.val.tsv"}) {
            Files.writeString(dir.resolve(f), "id\ten\tx\n");
        }
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "en", "de", "train"));
        assertEquals(dir.resolve("en-fr.train.tsv"), TaskOptions.multi30k(shared, "en", "fr", "train"));
        assertEquals(dir.resolve("en-fr.val.tsv"), TaskOptions.multi30k(shared, "en", "fr", "val"));
        // the other direction reads the same file
        assertEquals(dir.resolve("en-fr.val.tsv"), TaskOptions.multi30k(shared, "fr", "en", "val"));
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "de", "en", "train"));
        // no file of the pair: en-de's, whose reader then names the missing column
        assertEquals(dir.resolve("en-de.val.tsv"), TaskOptions.multi30k(shared, "en", "cs", "val"));
        assertEquals(dir.resolve("en-de.train.tsv"), TaskOptions.multi30k(shared, "source", "target", "train"));
        // a column that is not a plain name never leaves the directory
        assertEquals(dir.resolve("en-de.val.tsv"), TaskOptions.multi30k(shared, "../../x/en", "fr", "val"));
    }

    /**
     * The default pair en -> de is one pair of constants ({@link TranslationExample#DEFAULT_SOURCE_COLUMN},
     * {@link TranslationExample#DEFAULT_TARGET_COLUMN}) that train's and evaluate's options, sft's task defaults
     * and the data reader's source field all take.
     */
    @Test
    void theDefaultColumnsAreEnAndDeEverywhere() {
        assertEquals("en", TranslationExample.DEFAULT_SOURCE_COLUMN);
        assertEquals("de", TranslationExample.DEFAULT_TARGET_COLUMN);
        CommandLine cl = Main.commandLine();
        for (String command : new String[] {"train", "evaluate"}) {
            CommandLine.Model.CommandSpec spec = cl.getSubcommands().get(command).getCommandSpec();
            assertEquals("en", spec.findOption("--source-column").defaultValue(), command);
            assertEquals("de", spec.findOption("--target-column").defaultValue(), command);
        }
        assertEquals("en", SftConfig.defaultSourceColumn("translation"));
        assertEquals("de", SftConfig.defaultTargetColumn("translation"));
    }

    @Test
    void trainWithFrenchTargetsReadsEnFrByDefault() {
        Path enFr = Path.of(System.getProperty("qdecode.shared")).resolve("data/multi30k/en-fr.val.tsv");
        TaskOptions o = new TaskOptions();
        o.sourceColumn = "en";
        o.targetColumn = "fr";
        assertEquals(enFr.toAbsolutePath().normalize(), o.translationDev().toAbsolutePath().normalize());
    }

    /**
     * A run trained into French is evaluated on French references by default: evaluate took the default
     * columns en -> de and en-de's test file, so an en-fr run scored BLEU 0.03 against German. Without
     * --data it reads en-fr's test file; an explicit --target-column still wins.
     */
    @Test
    void evaluateScoresARunOnTheColumnsItWasTrainedOn(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-fr.val.tsv"));
        Path data = tmp.resolve("en-fr.tsv");
        Files.write(data, lines.subList(0, 9));
        Path runDir = tmp.resolve("run");
        String model = CliRunner.model("TinyStories-656K");
        Result r = run("train", "--task", "translation", "--model", model, "--data", data.toString(), "--dev",
                data.toString(), "--target-column", "fr", "--episodes", "4", "--rollout-episodes", "4",
                "--max-new-tokens", "4", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "2",
                "--eval-samples", "1", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Result e = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model,
                "--limit", "3", "--max-new-tokens", "4", "--out", tmp.resolve("eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("translation of 3 sentences of en-fr.test_2016_flickr.tsv (en -> fr):"), e.out());
        // it says where the columns came from (they were not on its command line)
        assertTrue(e.err().contains("columns: en -> fr (recorded by qdecode train in " + runDir + ")\n"), e.err());
        Result given = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model,
                "--data", CliRunner.shared().resolve("data/multi30k/en-de.val.tsv").toString(), "--target-column", "de",
                "--limit", "3", "--max-new-tokens", "4", "--out", tmp.resolve("eval-de").toString());
        assertEquals(ExitCodes.OK, given.code(), given.err());
        assertTrue(given.out().contains("translation of 3 sentences of en-de.val.tsv (en -> de):"), given.out());
        assertTrue(given.err().contains("columns: en -> de (source column recorded by qdecode train in " + runDir
                + ")\n"), given.err());
    }

    /**
     * {@code train --task translation --model SFT_DIR} without column options trains on the columns the SFT
     * model was trained on: it took en -> de whatever the model, so an en-fr SFT model was rewarded against
     * German references (en-de's files) or stopped on a French file's missing 'de' column. sft records the
     * columns in qdecode-model.json.
     */
    @Test
    void trainFollowsTheColumnsOfAnSftModel(@TempDir Path tmp) throws Exception {
        Path base = Files.createDirectories(tmp.resolve("base"));
        try (var files = Files.list(CliRunner.shared().resolve("models/stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, base.resolve(f.getFileName().toString()));
            }
        }
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-fr.val.tsv"));
        Path data = Files.write(tmp.resolve("en-fr.tsv"), lines.subList(0, 9));
        Path sft = tmp.resolve("sft");
        Result s = run("sft", "--task", "translation", "--data", data.toString(), "--dev", data.toString(),
                "--target-column", "fr", "--template", "{source} =", "--model", base.toString(), "--max-steps", "1",
                "--eval-every", "1", "--bleu-samples", "2", "--batch-size", "4", "--out", sft.toString());
        assertEquals(ExitCodes.OK, s.code(), s.err());
        com.google.gson.JsonObject settings = com.google.gson.JsonParser.parseString(
                Files.readString(sft.resolve("qdecode-model.json"))).getAsJsonObject().getAsJsonObject("sft");
        assertEquals("en", settings.get("source_column").getAsString());
        assertEquals("fr", settings.get("target_column").getAsString());

        Path runDir = tmp.resolve("run");
        Result r = run("train", "--task", "translation", "--model", sft.toString(), "--data", data.toString(),
                "--episodes", "4", "--rollout-episodes", "4", "--max-new-tokens", "4", "--batch-size", "4",
                "--updates-per-rollout", "1", "--eval-limit", "2", "--eval-samples", "1", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("held-out prompts (en-fr.val.tsv):"), r.out()); // --dev: the pair's val file
        // the columns are not on the command line: a start-up line says where they came from
        assertTrue(r.err().startsWith("columns: en -> fr (recorded by qdecode sft in " + sft + ")\n"), r.err());
        com.google.gson.JsonObject prov = com.google.gson.JsonParser.parseString(
                Files.readString(runDir.resolve("summary.json"))).getAsJsonObject().getAsJsonObject("provenance");
        assertEquals("en", prov.get("source_column").getAsString());
        assertEquals("fr", prov.get("target_column").getAsString());
    }

    /**
     * The columns of an SFT model: qdecode-model.json's, else (a model written before they were recorded
     * there, as the en-fr bench model) its sft-provenance.json config's, a column left out there being the
     * task's default; none for a model of another task or no SFT output.
     */
    @Test
    void anSftModelsColumnsAreReadFromItsFiles(@TempDir Path tmp) throws IOException {
        Path recorded = Files.createDirectories(tmp.resolve("recorded"));
        Files.writeString(recorded.resolve("qdecode-model.json"), "{\"sft\": {\"task\": \"translation\", "
                + "\"template\": \"{source}<sep>\", \"source_column\": \"de\", \"target_column\": \"en\"}}");
        assertEquals(List.of("de", "en"), List.of(SftTrainer.trainedColumns(recorded, "translation")));
        assertNull(SftTrainer.trainedColumns(recorded, "dialogue"));

        Path older = Files.createDirectories(tmp.resolve("older"));
        Files.writeString(older.resolve("qdecode-model.json"),
                "{\"sft\": {\"task\": \"translation\", \"template\": \"{source}<sep>\"}}");
        Files.writeString(older.resolve("sft-provenance.json"),
                "{\"config\": {\"source-column\": \"en\", \"target-column\": \"fr\"}}");
        assertEquals(List.of("en", "fr"), List.of(SftTrainer.trainedColumns(older, "translation")));
        Files.writeString(older.resolve("sft-provenance.json"),
                "{\"config\": {\"source-column\": null, \"target-column\": null}}");
        assertEquals(List.of("en", "de"), List.of(SftTrainer.trainedColumns(older, "translation")));

        assertNull(SftTrainer.trainedColumns(tmp.resolve("none"), "translation"));
        assertNull(SftTrainer.trainedColumns(CliRunner.shared().resolve("models/stories260K"), "translation"));
    }

    /**
     * An ensemble's heads translate between the same columns: a head trained into French and one trained
     * into German (same model, task and reward) were averaged without a word. Refused, naming both pairs.
     */
    @Test
    void anEnsembleOfRunsOnOtherColumnsIsRefused(@TempDir Path tmp) throws Exception {
        String model = CliRunner.model("TinyStories-656K");
        String[] pairs = {"en-fr", "en-de"};
        for (String pair : pairs) {
            List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/" + pair + ".val.tsv"));
            Path data = Files.write(tmp.resolve(pair + ".tsv"), lines.subList(0, 9));
            Result r = run("train", "--task", "translation", "--model", model, "--data", data.toString(), "--dev",
                    data.toString(), "--target-column", pair.substring(3), "--episodes", "4", "--rollout-episodes",
                    "4", "--max-new-tokens", "4", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit",
                    "2", "--eval-samples", "1", "--out", tmp.resolve(pair).toString());
            assertEquals(ExitCodes.OK, r.code(), r.err());
        }
        Result e = run("evaluate", "--task", "translation", "--policy", tmp.resolve("en-fr").toString(), "--ensemble",
                tmp.resolve("en-de").toString(), "--model", model, "--limit", "3", "--max-new-tokens", "4", "--out",
                tmp.resolve("eval").toString());
        assertEquals(ExitCodes.BAD_INPUT, e.code(), e.err());
        assertTrue(e.err().startsWith("qdecode: error: --policy/--ensemble " + tmp.resolve("en-de")), e.err());
        assertTrue(e.err().contains(": its columns en -> de differ from the first run's en -> fr"), e.err());
        assertEquals(1, e.err().strip().lines().count(), e.err());
    }

    /**
     * {@code sft --model SFT_DIR} continuing an en-fr SFT model on en-fr data without column options keeps
     * the model's columns: it took en -> de and stopped on the file's missing 'de' column.
     */
    @Test
    void sftContinuingAnSftModelKeepsItsColumns(@TempDir Path tmp) throws Exception {
        Path model = Files.createDirectories(tmp.resolve("en-fr-sft"));
        try (var files = Files.list(CliRunner.shared().resolve("models/stories260K"))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName().toString()));
            }
        }
        Files.writeString(model.resolve("qdecode-model.json"), "{\"sft\": {\"task\": \"translation\", "
                + "\"template\": \"{source} =\", \"source_column\": \"en\", \"target_column\": \"fr\"}}");
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-fr.val.tsv"));
        Path data = Files.write(tmp.resolve("en-fr.tsv"), lines.subList(0, 9));
        Path out = tmp.resolve("more");
        Result s = run("sft", "--task", "translation", "--data", data.toString(), "--dev", data.toString(),
                "--template", "{source} =", "--model", model.toString(), "--max-steps", "1", "--eval-every", "1",
                "--bleu-samples", "2", "--batch-size", "4", "--out", out.toString());
        assertEquals(ExitCodes.OK, s.code(), s.err());
        assertTrue(s.err().startsWith("columns: en -> fr (recorded by qdecode sft in " + model + ")\n"), s.err());
        com.google.gson.JsonObject settings = com.google.gson.JsonParser.parseString(
                Files.readString(out.resolve("qdecode-model.json"))).getAsJsonObject().getAsJsonObject("sft");
        assertEquals("en", settings.get("source_column").getAsString());
        assertEquals("fr", settings.get("target_column").getAsString());
    }
}
