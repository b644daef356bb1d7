package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume} with data files that are not the run's: each is named with its option, the
 * run's own file and both hashes, all in one line. A file given again that is another file is not "changed
 * since the run started" (as it was reported), the run's own file whose bytes changed is.
 */
class TrainResumeDataTest {

    @Test
    void dataFilesThatAreNotTheRunsAreNamedWithTheirOptionAndTheRunsFile(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.val.tsv"));
        Path data = Files.write(tmp.resolve("data.tsv"), lines.subList(0, 13));
        List<String> devRows = new ArrayList<>(lines.subList(0, 1));
        devRows.addAll(lines.subList(13, 19));
        Path dev = Files.write(tmp.resolve("dev.tsv"), devRows);
        List<String> otherRows = new ArrayList<>(lines.subList(0, 1));
        otherRows.addAll(lines.subList(30, 36));
        Path other = Files.write(tmp.resolve("other.tsv"), otherRows);
        Path run = tmp.resolve("run");
        CliRunner.Result r = CliRunner.run("train", "--task", "translation", "--model", CliRunner.model("stories260K"),
                "--data", data.toString(), "--dev", dev.toString(), "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "6", "--batch-size", "8", "--updates-per-rollout", "2", "--eval-limit", "3",
                "--eval-samples", "1", "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        Files.delete(run.resolve("summary.json")); // as a run stopped before its end leaves it
        String devSha = Datasets.sha256(dev);
        String dataSha = Datasets.sha256(data);
        String otherSha = Datasets.sha256(other);
        String absDev = dev.toAbsolutePath().normalize().toString();
        String absData = data.toAbsolutePath().normalize().toString();

        // another --dev: named with the option, the run's own --dev and both hashes (it said "OTHER changed since
        // the run started", of a file that had not changed, without the option or the run's file)
        CliRunner.Result otherDev = CliRunner.run("train", "--out", run.toString(), "--resume", "--dev", other.toString());
        assertEquals(ExitCodes.BAD_INPUT, otherDev.code(), otherDev.err());
        assertEquals(List.of("qdecode: error: --resume continues with the run's own data, but --dev " + other + " is not "
                + "the run's --dev " + absDev + " (sha256 " + otherSha + ", the run's: " + devSha + "; expected a file "
                + "with the run's content, from any path, or no --dev)"), otherDev.err().lines().toList());

        // both files other: both named in the one line (only the first was)
        CliRunner.Result both = CliRunner.run("train", "--out", run.toString(), "--resume", "--data", other.toString(),
                "--dev", other.toString());
        assertEquals(ExitCodes.BAD_INPUT, both.code(), both.err());
        assertEquals(List.of("qdecode: error: --resume continues with the run's own data, but --data " + other + " is not "
                + "the run's --data " + absData + " (sha256 " + otherSha + ", the run's: " + dataSha + "; expected a file "
                + "with the run's content, from any path, or no --data), --dev " + other + " is not the run's --dev "
                + absDev + " (sha256 " + otherSha + ", the run's: " + devSha + "; expected a file with the run's "
                + "content, from any path, or no --dev)"), both.err().lines().toList());

        // the run's own --dev edited since: that one did change, given again or not
        Files.writeString(dev, "A dog runs.\tEin Hund rennt.\n", java.nio.file.StandardOpenOption.APPEND);
        String editedSha = Datasets.sha256(dev);
        for (String[] args : new String[][] {{"train", "--out", run.toString(), "--resume"},
                {"train", "--out", run.toString(), "--resume", "--dev", dev.toString()}}) {
            CliRunner.Result edited = CliRunner.run(args);
            assertEquals(ExitCodes.BAD_INPUT, edited.code(), edited.err());
            assertEquals(List.of("qdecode: error: --resume continues with the run's own data, but the run's --dev "
                    + absDev + " changed since the run started (sha256 " + editedSha + ", the run's: " + devSha
                    + "; expected its content restored, or --dev FILE with it)"), edited.err().lines().toList());
        }
    }
}
