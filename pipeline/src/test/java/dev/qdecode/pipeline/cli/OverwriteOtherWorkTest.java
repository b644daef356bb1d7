package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The README's rule for every command that writes an {@code --out} directory or an {@code --output} file:
 * {@code --overwrite} replaces an earlier output of the same command only; a directory or file holding another
 * command's work is refused with and without it (exit 2, one line naming the option, what is there and the file
 * that shows it), and nothing is written, mixed in or removed. The directories hold the files that show each
 * command's work (as {@link OtherWork} tells them), so every refusal comes before any model is loaded.
 */
class OverwriteOtherWorkTest {
    @TempDir static Path tmp;
    static Path model;
    static Path data;
    static Path prompts;
    static Path sst;
    static Path run;

    @BeforeAll
    static void inputs() throws IOException {
        run = CliRunner.tinyRun(tmp.resolve("run")); // the --policy of evaluate, the RUN_DIR of report
        model = CliRunner.shared().resolve("models/stories260K");
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.val.tsv"),
                StandardCharsets.UTF_8);
        data = Files.write(tmp.resolve("pairs.tsv"), lines.subList(0, 9), StandardCharsets.UTF_8);
        prompts = Files.writeString(tmp.resolve("prompts.tsv"), "id\tprompt\n0\tOnce upon a time\n");
        sst = Files.writeString(tmp.resolve("sst.tsv"), "sentence\tlabel\ngood\t1\nbad\t0\n");
    }

    /** Each kind of work: a directory name, what the refusal calls it, the file that shows it, and its files. */
    private static final String[][] WORK = {
        {"model", "a model", "config.json", "config.json", "model.safetensors", "tokenizer.json"},
        {"sft", "an SFT run", "sft-provenance.json", "sft-provenance.json", "config.json", "model.safetensors",
            "tokenizer.json", "metrics.jsonl"},
        {"train", "a 'qdecode train' run", "checkpoint.qdq", "checkpoint.qdq", "metrics.jsonl", "summary.json"},
        {"classifier", "a classifier", "classifier.json", "classifier.json", "head.safetensors", "checksums.json"},
        {"tokenizer", "a tokenizer", "tokenizer.json", "tokenizer.json", "tokenizer-provenance.json"},
        {"evaluation", "an evaluation", "comparison.json", "comparison.json", "comparison.tsv", "episodes.jsonl"},
        {"report", "a report", "report-run.json", "report-run.json", "report.html", "reward.png"}};

    /** Each command writing a directory: its name, the kind of work it writes, and its arguments before --out. */
    private static final Object[][] WRITERS = {
        {"train", "train", List.of("train", "--episodes", "16")},
        {"sft", "sft", List.of("sft", "--task", "translation", "--template", "{source} =", "--max-steps", "1")},
        {"classifier train", "classifier", List.of("classifier", "train")},
        {"tokenizer train", "tokenizer", List.of("tokenizer", "train", "--vocab-size", "300")},
        {"evaluate", "evaluation", List.of("evaluate")},
        {"report", "report", List.of("report")}};

    private static List<String> args(String command) {
        List<String> a = new ArrayList<>();
        for (Object[] w : WRITERS) {
            if (w[0].equals(command)) {
                @SuppressWarnings("unchecked")
                List<String> base = (List<String>) w[2];
                a.addAll(base);
            }
        }
        switch (command) {
            case "sft" -> a.addAll(List.of("--model", model.toString(), "--data", data.toString(), "--dev",
                    data.toString()));
            case "classifier train" -> a.addAll(List.of("--data", sst.toString(), "--encoder", model.toString()));
            case "tokenizer train" -> a.addAll(List.of("--data", data.toString(), "--columns", "en,de"));
            case "evaluate" -> a.addAll(List.of("--policy", run.toString(), "--prompts", prompts.toString()));
            case "report" -> a.add(run.toString());
            default -> { }
        }
        return a;
    }

    static Stream<Arguments> otherWork() {
        List<Arguments> cases = new ArrayList<>();
        for (Object[] w : WRITERS) {
            for (String[] work : WORK) {
                if (!work[0].equals(w[1])) {
                    for (boolean overwrite : new boolean[] {false, true}) {
                        cases.add(Arguments.of(w[0], work, overwrite));
                    }
                }
            }
        }
        return cases.stream();
    }

    /** Each file under {@code dir} with its content, to compare before and after. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(f).toString(), Files.readString(f));
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0} --out <{1}> overwrite={2}")
    @MethodSource("otherWork")
    void aDirectoryHoldingAnotherCommandsWorkIsRefusedWithAndWithoutOverwrite(String command, String[] work,
            boolean overwrite) throws IOException {
        Path out = Files.createDirectories(tmp.resolve(command.replace(' ', '-') + "-into-" + work[0] + "-" + overwrite));
        for (int i = 3; i < work.length; i++) {
            Files.writeString(out.resolve(work[i]), "earlier work: " + work[i]);
        }
        Map<String, String> before = contents(out);
        List<String> a = args(command);
        a.addAll(List.of("--out", out.toString()));
        if (overwrite) {
            a.add("--overwrite");
        }
        CliRunner.Result r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --out " + out + ": holds " + work[1] + " (" + work[2]
                + "), which "), r.err());
        assertTrue(r.err().strip().endsWith(", even with --overwrite, which replaces only " + kindOf(command)
                + ": choose another --out)"), r.err());
        assertEquals(before, contents(out), "nothing written, replaced or removed");
    }

    private static String kindOf(String command) {
        for (Object[] w : WRITERS) {
            if (w[0].equals(command)) {
                for (String[] work : WORK) {
                    if (work[0].equals(w[1])) {
                        return work[1];
                    }
                }
            }
        }
        throw new AssertionError(command);
    }

    /**
     * {@code train --overwrite} into an SFT run removed the SFT run's {@code metrics.jsonl} ("removed the earlier
     * run") and wrote its checkpoint beside the SFT model: the SFT run is kept whole now.
     */
    @Test
    void trainOverwriteKeepsAnSftRunsMetrics() throws IOException {
        Path sft = Files.createDirectories(tmp.resolve("an-sft-run"));
        for (String f : List.of("sft-provenance.json", "config.json", "model.safetensors", "metrics.jsonl")) {
            Files.writeString(sft.resolve(f), "sft: " + f);
        }
        CliRunner.Result r = CliRunner.run("train", "--episodes", "16", "--out", sft.toString(), "--overwrite");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("sft: metrics.jsonl", Files.readString(sft.resolve("metrics.jsonl")));
        assertTrue(Files.notExists(sft.resolve("checkpoint.qdq")));
    }

    /** The --output files: a run's metrics, another command's output. */
    static Stream<Arguments> otherFiles() {
        List<Arguments> cases = new ArrayList<>();
        for (String command : List.of("generate", "rewards score", "classifier eval")) {
            for (boolean overwrite : new boolean[] {false, true}) {
                cases.add(Arguments.of(command, overwrite));
            }
        }
        return cases.stream();
    }

    private static List<String> fileArgs(String command, Path output) {
        List<String> a = switch (command) {
            case "generate" -> new ArrayList<>(List.of("generate", "--prompts", prompts.toString(),
                    "--max-new-tokens", "2"));
            case "rewards score" -> new ArrayList<>(List.of("rewards", "score", "--hyp", prompts.toString(),
                    "--column", "prompt", "--reward", "afinn"));
            default -> new ArrayList<>(List.of("classifier", "eval", "--classifier", tmp.resolve("no-clf").toString(),
                    "--data", sst.toString()));
        };
        a.addAll(List.of("--output", output.toString()));
        return a;
    }

    /**
     * {@code generate --output RUN/metrics.jsonl --overwrite} replaced a train run's metrics (exit 0), and
     * {@code generate --output SCORES.tsv --overwrite} a {@code rewards score} output: an --output file of another
     * command (its record names it) or of another command's directory is refused, with and without
     * {@code --overwrite}, and kept.
     */
    @ParameterizedTest(name = "{0} overwrite={1}")
    @MethodSource("otherFiles")
    void anOutputFileOfAnotherCommandIsRefusedWithAndWithoutOverwrite(String command, boolean overwrite)
            throws IOException {
        String dirName = command.replace(' ', '-') + "-" + overwrite;
        Path run = Files.createDirectories(tmp.resolve(dirName + "-run"));
        Path metrics = Files.writeString(run.resolve("metrics.jsonl"), "{\"episode\":1}\n");
        Files.writeString(run.resolve("checkpoint.qdq"), "x");
        List<String> a = fileArgs(command, metrics);
        if (overwrite) {
            a.add("--overwrite");
        }
        CliRunner.Result r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        String qualified = "qdecode " + command;
        assertEquals("qdecode: error: --output " + metrics + ": is a file of a 'qdecode train' run (checkpoint.qdq in "
                + run + "), which '" + qualified + "' would replace (expected a file of its own, even with --overwrite, "
                + "which replaces only an earlier output of '" + qualified + "': choose another --output)",
                r.err().strip());
        assertEquals("{\"episode\":1}\n", Files.readString(metrics));

        Path other = Files.createDirectories(tmp.resolve(dirName + "-other"));
        Path scores = Files.writeString(other.resolve("scores.tsv"), "id\tscore\n0\t1.0\n");
        String otherCommand = "qdecode evaluate";
        Files.writeString(other.resolve("scores.tsv.run.json"), "{\"command\": \"" + otherCommand + "\"}");
        a = fileArgs(command, scores);
        if (overwrite) {
            a.add("--overwrite");
        }
        r = CliRunner.run(a.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --output " + scores + ": is the output of '" + otherCommand + "' (scores.tsv"
                + ".run.json), which '" + qualified + "' would replace (expected a file of its own, even with "
                + "--overwrite, which replaces only an earlier output of '" + qualified + "': choose another --output)",
                r.err().strip());
        assertEquals("id\tscore\n0\t1.0\n", Files.readString(scores));
    }
    /**
     * {@code generate --output RUN/report/samples.tsv} was written (exit 0) and then removed without a word by
     * {@code train --overwrite}, with the run's {@code report/}; {@code generate --output SFT/checkpoint/samples.tsv}
     * made {@code sft --resume} refuse the checkpoint as damaged ("not recorded in checksums.json"). A new
     * --output file inside such a directory is refused (exit 2, one line naming the option, the directory and
     * the run owning it), nothing written; one beside the run is not.
     */
    @ParameterizedTest(name = "{0} overwrite={1}")
    @MethodSource("otherFiles")
    void aNewOutputFileInsideADirectoryThatARunRemovesOrChecksIsRefused(String command, boolean overwrite)
            throws IOException {
        String dirName = command.replace(' ', '-') + "-" + overwrite + "-inside";
        Path train = Files.createDirectories(tmp.resolve(dirName + "-train"));
        Files.writeString(train.resolve("checkpoint.qdq"), "x");
        Path sft = Files.createDirectories(tmp.resolve(dirName + "-sft"));
        Files.writeString(sft.resolve("sft-provenance.json"), "{}");
        Map<Path, String> cases = new TreeMap<>();
        cases.put(Files.createDirectories(train.resolve("report")), "the report/ directory of the 'qdecode train' "
                + "run in " + train + ", which 'qdecode train --overwrite' removes with the run");
        cases.put(Files.createDirectories(train.resolve("evaluation")), "the evaluation/ directory of the "
                + "'qdecode train' run in " + train + ", which 'qdecode train --overwrite' removes with the run");
        cases.put(Files.createDirectories(train.resolve("report/charts")), "the report/ directory of the "
                + "'qdecode train' run in " + train + ", which 'qdecode train --overwrite' removes with the run");
        cases.put(Files.createDirectories(sft.resolve("checkpoint")), "the checkpoint of the SFT run in " + sft
                + ", which 'qdecode sft' replaces at each checkpoint and whose files 'qdecode sft --resume' checks, "
                + "refusing one it did not write as damage");
        for (Map.Entry<Path, String> c : cases.entrySet()) {
            Path output = c.getKey().resolve("samples.tsv");
            List<String> a = fileArgs(command, output);
            if (overwrite) {
                a.add("--overwrite");
            }
            CliRunner.Result r = CliRunner.run(a.toArray(String[]::new));
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            Path inside = c.getKey().getFileName().toString().equals("charts") ? c.getKey().getParent() : c.getKey();
            Path owner = inside.getParent();
            assertEquals("qdecode: error: --output " + output + ": lies in " + c.getValue() + " (expected a file "
                    + "outside " + inside + ", e.g. in " + owner + " itself: choose another --output)", r.err().strip());
            try (Stream<Path> files = Files.list(c.getKey())) {
                assertEquals(List.of(), files.filter(Files::isRegularFile).toList(), "nothing written");
            }
        }
    }

    /** A new --output file beside a train run, an SFT run or a classifier is no other command's to remove or check. */
    @Test
    void aNewOutputFileBesideARunIsWritten() throws IOException {
        Path train = Files.createDirectories(tmp.resolve("beside-train"));
        Files.writeString(train.resolve("checkpoint.qdq"), "x");
        Files.createDirectories(train.resolve("report"));
        Path output = train.resolve("samples.tsv");
        CliRunner.Result r = CliRunner.run(fileArgs("generate", output).toArray(String[]::new));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(Files.isRegularFile(output), r.err());
    }
}
