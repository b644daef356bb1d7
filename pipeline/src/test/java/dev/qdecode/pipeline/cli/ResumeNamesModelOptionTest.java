package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --output FILE --resume} refused another model or policy by listing the sha256 of every file under
 * the record's key ({@code model_files_sha256 config.json … (the run's: …), model_files_sha256 model.safetensors …},
 * {@code policy_checkpoints_sha256 [...]}); the refusal now names the option as the other refusals do:
 * {@code --model DIR (the run's: DIR)}, {@code --policy RUN (the run's: RUN)}, or, for the same directory whose files
 * changed since, which of them changed.
 */
class ResumeNamesModelOptionTest {

    /** Makes {@code out}'s finished output an interrupted one (its rows and record moved to {@code .part}). */
    private static void unfinish(Path out) throws Exception {
        Files.move(out, RecordWriter.part(out));
        Files.move(ResumableOutput.runFile(out), ResumableOutput.runFile(RecordWriter.part(out)));
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private static String refusal(Path out, String named) {
        return "qdecode: error: --resume: " + out + " was started with other settings: " + named + " (expected the "
                + "command that started it, plus --resume; or --overwrite to start again)";
    }

    @Test
    void anotherModelOrPolicyIsNamedByItsOption(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("p.tsv"), "prompt\nOnce upon a time\nThe dog\n");
        // a copy of the model, so that one of its files can change under the interrupted output
        Path model = Files.createDirectories(tmp.resolve("model"));
        try (Stream<Path> files = Files.list(Path.of(CliRunner.model("TinyStories-656K")))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
        Path out = tmp.resolve("g.tsv");
        String[] base = {"generate", "--model", model.toString(), "--prompts", prompts.toString(), "--max-new-tokens",
            "3", "--output", out.toString()};
        assertEquals(ExitCodes.OK, CliRunner.run(base).code());
        unfinish(out);
        String[] other = base.clone();
        other[2] = CliRunner.model("stories260K");
        Result r = CliRunner.run(concat(other, "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        // the prompt format the other model detects is not named: --model is what differs
        assertEquals(List.of(refusal(out, "--model " + Path.of(other[2]).toAbsolutePath().normalize() + " (the run's: "
                + model + ")")), r.err().lines().toList());
        Path config = model.resolve("generation_config.json");
        Files.writeString(config, Files.readString(config).replaceFirst("\\{", "{\"edited\": true, "));
        r = CliRunner.run(concat(base, "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        String line = r.err().strip();
        assertTrue(line.startsWith("qdecode: error: --resume: " + out + " was started with other settings: "
                + "--model " + model + ": generation_config.json (sha256 "), line);
        assertTrue(line.contains(") changed since the run (expected"), line);
        assertFalse(line.contains("model_files_sha256"), line);

        Path[] runs = {tmp.resolve("a"), tmp.resolve("b")};
        for (int i = 0; i < runs.length; i++) {
            CliRunner.tinyDefaultRun(runs[i], "--seed", Integer.toString(i + 1));
        }
        Path q = tmp.resolve("q.tsv");
        String[] policy = {"generate", "--policy", runs[0].toString(), "--prompts", prompts.toString(),
            "--max-new-tokens", "3", "--output", q.toString()};
        assertEquals(ExitCodes.OK, CliRunner.run(policy).code());
        unfinish(q);
        String[] otherPolicy = policy.clone();
        otherPolicy[2] = runs[1].toString();
        r = CliRunner.run(concat(otherPolicy, "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of(refusal(q, "--policy " + runs[1] + " (the run's: " + runs[0] + ")")),
                r.err().lines().toList());
        // the same --policy with another run beside it: --ensemble is named, not a changed checkpoint
        r = CliRunner.run(concat(policy, "--ensemble", runs[1].toString(), "--resume"));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(List.of(refusal(q, "--ensemble [" + runs[1] + "] (the run's: [])")), r.err().lines().toList());
    }
}
