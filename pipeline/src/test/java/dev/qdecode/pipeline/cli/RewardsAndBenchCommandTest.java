package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardsAndBenchCommandTest {
    /** The second line of a --reward value that does not parse, after the error line. */
    private static final String SCORE_HINT = "Try 'qdecode rewards score --help' for the options.";

    @TempDir Path tmp;

    @Test
    void aLongFileIsScoredInChunksWithProgressAndTheSameScores() throws IOException {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/sst2/train.tsv")).subList(1, 9001)
                .stream().map(l -> l.split("\t")[0]).toList();
        Path all = Files.write(tmp.resolve("all.txt"), lines);
        Path tail = Files.write(tmp.resolve("tail.txt"), lines.subList(4000, 4200)); // across the chunk boundary at 4096
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "vader", "--reward", "length:min=3,max=20",
                "--hyp", all.toString(), "--output", tmp.resolve("all.tsv").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("9000/9000 segments"), r.err());
        CliRunner.Result t = CliRunner.run("rewards", "score", "--reward", "vader", "--reward", "length:min=3,max=20",
                "--hyp", tail.toString(), "--output", tmp.resolve("tail.tsv").toString());
        assertEquals(0, t.code(), t.err());
        List<String> a = Files.readAllLines(tmp.resolve("all.tsv"));
        List<String> b = Files.readAllLines(tmp.resolve("tail.tsv"));
        for (int i = 1; i < b.size(); i++) {
            String[] x = a.get(4000 + i).split("\t");
            String[] y = b.get(i).split("\t");
            assertEquals(x[1], y[1]);
            assertEquals(x[2], y[2], "segment " + (4000 + i));
        }
    }

    @Test
    void aRewardThatCountsTokenIdsIsRefusedBeforeAnyWork() throws IOException {
        Path hyp = Files.writeString(tmp.resolve("h.txt"), "a short text\n");
        Path out = tmp.resolve("scores.tsv");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "0.5*length:min=3,unit=Tokens",
                "--hyp", hyp.toString(), "--output", out.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("qdecode: error: --reward 0.5*length:min=3,unit=Tokens: length counts the token ids of a generated"
                + " text, and rewards score has only texts (expected a reward that reads the text, e.g. length with"
                + " unit=words; token ids are scored in train and evaluate)", r.err().strip());
        assertTrue(Files.notExists(out) && Files.notExists(tmp.resolve("scores.tsv.part")), "nothing written");
        CliRunner.Result words = CliRunner.run("rewards", "score", "--reward", "length:min=3,unit=words",
                "--hyp", hyp.toString());
        assertEquals(0, words.code(), words.err());
    }

    @Test
    void listShowsEveryBuiltInReward() {
        CliRunner.Result r = CliRunner.run("rewards", "list");
        assertEquals(0, r.code(), r.err());
        for (String id : List.of("bleu", "chrf", "vader", "afinn", "classifier", "label-match", "token-f1", "length", "repetition")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(id + " ")), id + " missing: " + r.out());
        }
    }

    @Test
    void aFileWithNoSegmentsIsRefusedNotScoredAsAMeanOfNothing() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        Path headerOnly = Files.writeString(tmp.resolve("header.tsv"), "text\n");
        Path noRows = Files.writeString(tmp.resolve("none.jsonl"), "");
        Path out = tmp.resolve("emp.tsv");
        for (Path hyp : List.of(empty, headerOnly, noRows)) {
            CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", hyp.toString(),
                    "--output", out.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals("qdecode: error: " + hyp + ": no segments (expected at least one "
                    + (hyp == empty ? "line" : "data row") + ")", r.err().strip());
            assertEquals("", r.out(), "no mean printed");
            assertTrue(Files.notExists(out), "no scores written");
        }
        // one empty line is one (empty) segment, scored
        Files.writeString(empty, "\n");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "vader", "--hyp", empty.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("over 1 segments"), r.out());
    }

    @Test
    void scoreGivesSacreBleuCorpusScoreWithSignatureAndPerLineScores() throws IOException {
        // The sacreBLEU README example (two reference streams): BLEU = 48.53.
        Path hyp = tmp.resolve("hyp.txt");
        Path ref1 = tmp.resolve("ref1.txt");
        Path ref2 = tmp.resolve("ref2.txt");
        Files.writeString(hyp, "The dog bit the man.\nIt wasn't surprising.\nThe man had just bitten him.\n");
        Files.writeString(ref1, "The dog bit the man.\nIt was not unexpected.\nThe man bit him first.\n");
        Files.writeString(ref2, "The dog had bit the man.\nNo one was surprised.\nThe man had bitten the dog.\n");
        Path out = tmp.resolve("scores.tsv");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyp.toString(),
                "--ref", ref1.toString(), "--ref", ref2.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("48.53"), r.out());
        assertTrue(r.out().contains("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp"), r.out());
        List<String> rows = Files.readAllLines(out);
        assertEquals(4, rows.size());
        double first = Double.parseDouble(rows.get(1).split("\t")[2]);
        assertEquals(1.0, first, 1e-9, "identical hypothesis scores 1.0: " + rows.get(1));

        CliRunner.Result bad = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyp.toString(),
                "--ref", tmp.resolve("missing.txt").toString());
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());

        // a --reward value that names no reward, or is not a spec, is a usage error
        CliRunner.Result unknown = CliRunner.run("rewards", "score", "--reward", "nosuch", "--hyp", hyp.toString());
        assertEquals(ExitCodes.USAGE, unknown.code());
        assertTrue(unknown.err().contains("unknown reward 'nosuch'"), unknown.err());
        CliRunner.Result weight = CliRunner.run("rewards", "score", "--reward", "nan*vader", "--hyp", hyp.toString());
        assertEquals(ExitCodes.USAGE, weight.code());
        assertTrue(weight.err().contains("weight 'nan' is not a finite number"), weight.err());
        // and so is a parameter the reward does not accept, or a value it refuses (exit 2, not 4: the spec
        // typed is wrong, not the reward), naming the parameter and what the reward accepts
        CliRunner.Result param = CliRunner.run("rewards", "score", "--reward", "bleu:foo=1", "--hyp", hyp.toString(),
                "--ref", ref1.toString());
        assertEquals(ExitCodes.USAGE, param.code(), param.err());
        assertEquals("qdecode: error: reward 'bleu': unknown parameter 'foo' (accepted: tokenize, lowercase, smooth, "
                + "smooth-value, eff, max-order, scale)\n" + SCORE_HINT, param.err().strip());
        CliRunner.Result value = CliRunner.run("rewards", "score", "--reward", "bleu:max-order=x", "--hyp",
                hyp.toString(), "--ref", ref1.toString());
        assertEquals(ExitCodes.USAGE, value.code(), value.err());
        assertEquals("qdecode: error: reward 'bleu': parameter max-order='x': expected an integer\n" + SCORE_HINT,
                value.err().strip());
        CliRunner.Result missing = CliRunner.run("rewards", "score", "--reward", "length", "--hyp", hyp.toString());
        assertEquals(ExitCodes.USAGE, missing.code(), missing.err());
        assertTrue(missing.err().startsWith("qdecode: error: reward 'length': give min and/or max"), missing.err());
        assertTrue(missing.err().strip().endsWith(SCORE_HINT), missing.err()); // a value that does not parse
    }

    @Test
    void benchGenerateReportsATableRowPerBatchSize() {
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", CliRunner.model("stories260K"),
                "--batch-sizes", "1,3", "--new-tokens", "4", "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("260,032 parameters"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("1 ")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("3 ")), r.out());
        // the batch sizes side by side: each row's ratio is its tokens/s over the first row's (before: no ratio)
        assertTrue(r.out().contains("\n batch       tokens/s        min        max    ratio    backbone%      us/step"
                + "   peak MiB\n"), r.out());
        List<String[]> rows = r.out().lines().filter(l -> l.matches("\\s+[13] .*")).map(l -> l.trim().split("\\s+"))
                .toList();
        assertEquals(2, rows.size(), r.out());
        assertEquals("1.00x", rows.get(0)[4], r.out());
        double ratio = Double.parseDouble(rows.get(1)[1].replace(",", "")) / Double.parseDouble(rows.get(0)[1]
                .replace(",", ""));
        // the printed rates are rounded to whole tokens/s, so the ratio of the printed numbers is close, not equal
        assertEquals(ratio, Double.parseDouble(rows.get(1)[4].replace("x", "")), 0.01 + ratio * 0.01, r.out());

        CliRunner.Result bad = CliRunner.run("bench", "generate", "--batch-sizes", "0");
        assertEquals(ExitCodes.USAGE, bad.code());
    }

    /**
     * The output says what its numbers are (tokens per row, prompt lengths, runs), and a --prompt-tokens the
     * context cannot hold is refused. Before, the table had no such line, and '--prompt-tokens 100000
     * --new-tokens 4' silently measured prompts of 254-508 tokens.
     */
    @Test
    void benchGenerateStatesWhatItMeasuredAndRefusesPromptsTheContextCannotHold() {
        String model = CliRunner.model("stories260K");
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1",
                "--new-tokens", "4", "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("measured: 4 greedy new tokens per row after random prompts of 8-16 tokens; "
                + "tokens/s is the median of 1 timed run after 0 warm-up runs (min, max: slowest and fastest run); "
                + "ratio: tokens/s over the first batch size's; us/step per batch step; peak MiB: the process's peak resident memory so far; seed 1 (the prompts)"),
                r.out());
        // the default --prompt-tokens is shortened to fit a long --new-tokens, and the line says so
        r = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1", "--new-tokens", "510",
                "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("measured: 510 greedy new tokens per row after random prompts of 1-2 tokens;"),
                r.out());
        usage("qdecode: error: --prompt-tokens 100000: with --new-tokens 4 does not fit the model's context of 512 "
                + "positions (expected at most 508)", "bench", "generate", "--model", model, "--prompt-tokens",
                "100000", "--new-tokens", "4");
    }

    @Test
    void benchRewardsRunsANamedBenchmark() {
        CliRunner.Result r = CliRunner.run("bench", "rewards", "--list");
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().filter(l -> l.startsWith("bleu")).findFirst().orElseThrow().split("\\s+")[0];
        r = CliRunner.run("bench", "rewards", first, "--runs", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(first), r.out());
    }

    /**
     * bench rewards says how its rates were taken, as bench generate and bench train do: how many timed runs,
     * of how many items, after how many warm-up runs. Before, '--runs 1 --warmup 1' printed "(median of 1 runs of
     * 10,140; ...)" and the warm-up runs nowhere.
     */
    @Test
    void benchRewardsStatesItsTimedAndWarmUpRuns() {
        CliRunner.Result r = CliRunner.run("bench", "rewards", "bleu-corpus", "--runs", "1", "--warmup", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nmeasured: items/s of the median timed run, after 1 warm-up run per benchmark;"),
                r.out());
        assertTrue(r.out().contains(" sentences/s (1 timed run of 10,140 sentences; range "), r.out());
        r = CliRunner.run("bench", "rewards", "bleu-corpus", "--runs", "2", "--warmup", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nmeasured: items/s of the median timed run, after 3 warm-up runs per "
                + "benchmark;"), r.out());
        assertTrue(r.out().contains(" sentences/s (median of 2 timed runs of 10,140 sentences each; range "), r.out());
    }

    /**
     * bench rewards reports memory as bench generate and bench train do: the process's peak RSS after each
     * benchmark, at least what the heap in use needs. Before, it printed rates only (a classifier reward's
     * MiniLM, fp32 or quantized, differs in memory as much as in speed).
     */
    @Test
    void benchRewardsReportsThePeakResidentMemoryOfEachBenchmark() {
        CliRunner.Result r = CliRunner.run("bench", "rewards", "bleu-corpus", "bleu-sentence", "--runs", "1",
                "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\nmeasured: items/s of the median timed run, after 0 warm-up runs per "
                + "benchmark; peak RSS: the process's peak resident memory so far (also of the benchmarks above it)\n"),
                r.out());
        java.util.List<Long> peaks = new java.util.ArrayList<>();
        for (String name : java.util.List.of("bleu-corpus", "bleu-sentence")) {
            String line = r.out().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\)  peak RSS (\\d+) MiB$").matcher(line);
            assertTrue(m.find(), line);
            peaks.add(Long.parseLong(m.group(1)));
        }
        long heapInUse = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
        assertTrue(peaks.get(0) > 0 && peaks.get(0) >= heapInUse / 2, peaks + " MiB, heap in use " + heapInUse);
        assertTrue(peaks.get(1) >= peaks.get(0), "a peak so far does not fall: " + peaks);
    }

    @Test
    void plainTextFilesMayStartWithAByteOrderMark() throws IOException {
        Path hyp = tmp.resolve("hyp.txt");
        Path ref = tmp.resolve("ref.txt");
        Files.write(hyp, ("\uFEFFthe cat sat on the mat\n").getBytes(StandardCharsets.UTF_8));
        Files.write(ref, ("\uFEFFthe cat sat on the mat\n").getBytes(StandardCharsets.UTF_8));
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", hyp.toString(),
                "--ref", ref.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("mean bleu = 1.000000 over 1 segments"), r.out());
    }

    @Test
    void referencesAreRefusedWhereNoRewardReadsThemAndBlankOnesAreEmpty() throws IOException {
        Path hyp = tmp.resolve("hyp.txt");
        Path ref = tmp.resolve("ref.txt");
        Files.writeString(hyp, "a fine day\n");
        Files.writeString(ref, "a fine day\n");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "vader", "--reward", "0.5*length",
                "--hyp", hyp.toString(), "--ref", ref.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --ref: not for --reward vader --reward 0.5*length, which reads no "
                + "references (expected it only with a reward that reads them: bleu, chrf, token-f1)\n"), r.err());
        r = CliRunner.run("rewards", "score", "--reward", "0.5*vader + 0.5*bleu", "--hyp", hyp.toString(),
                "--ref", ref.toString());
        assertEquals(0, r.code(), r.err());
        // a combination prints the corpus score of each BLEU/chrF part (it printed only the mean)
        // (3 words: no 4-grams, so corpus BLEU is 0, as in sacreBLEU)
        assertTrue(r.out().startsWith("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0 = 0.00 "
                + "100.0/100.0/100.0/0.0 "), r.out());
        Files.writeString(ref, "the cat sat on the mat\n");
        r = CliRunner.run("rewards", "score", "--reward", "chrf", "--reward", "2*bleu", "--hyp", ref.toString(),
                "--ref", ref.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("chrF2|nrefs:1|") && lines.get(0).contains(" = 100.00"), r.out());
        assertTrue(lines.get(1).startsWith("BLEU|nrefs:1|") && lines.get(1).contains(" = 100.00 "), r.out());
        assertTrue(lines.get(2).startsWith("mean chrf + 2*bleu = 3.000000 over 1 segments"), r.out());

        Files.writeString(ref, "   \n");
        r = CliRunner.run("rewards", "score", "--reward", "chrf", "--hyp", hyp.toString(), "--ref", ref.toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        // named by the --ref line too (it named the --hyp line only)
        assertEquals("qdecode: error: " + hyp + ":1 (--ref " + ref + ":1): reward 'chrf' failed on segment 1: no "
                + "non-blank reference (empty and whitespace-only references are skipped)", r.err().strip());
    }

    /**
     * A segment the reward fails on is named by its line in --hyp and its number (the --output index). It was
     * named by its index in the chunk of 4,096 segments the reward was given, counted from 0: segment 4,099 of a
     * text file was "episode 2", with no file or line.
     */
    @Test
    void aSegmentTheRewardFailsOnIsNamedByItsLineNotItsPlaceInAChunk() throws IOException {
        List<String> hyps = new java.util.ArrayList<>(java.util.Collections.nCopies(4100, "a fine day"));
        List<String> refs = new java.util.ArrayList<>(hyps);
        refs.set(4098, " ");
        Path hyp = Files.write(tmp.resolve("hyp.txt"), hyps);
        Path ref = Files.write(tmp.resolve("ref.txt"), refs);
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "0.5*chrf + 0.5*vader", "--hyp",
                hyp.toString(), "--ref", ref.toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertEquals("qdecode: error: " + hyp + ":4099 (--ref " + ref + ":4099): reward 'chrf' failed on segment 4099: "
                + "no non-blank reference (empty and whitespace-only references are skipped)", r.err().strip().lines().reduce((a, b) -> b).get());

        // a table's segment: the line of its row (after the header), and its number
        Path table = Files.writeString(tmp.resolve("hyp.tsv"), "text\tgold\na fine day\t1\nanother day\t\n");
        Path tableRef = Files.writeString(tmp.resolve("ref.tsv"), "reference\na fine day\n\n");
        r = CliRunner.run("rewards", "score", "--reward", "bleu", "--hyp", table.toString(), "--ref", tableRef.toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertEquals("qdecode: error: " + table + ":3 (--ref " + tableRef + ":3): reward 'bleu' failed on segment 2: no "
                + "non-blank reference (empty and whitespace-only references are skipped)", r.err().strip());
    }

    @Test
    void aRewardThatNeedsReferencesOrLabelsTheInputLacksIsRefusedBeforeAnyWork() throws IOException {
        Path hyp = tmp.resolve("hyp.txt");
        Files.writeString(hyp, "a fine day\n");
        Path labelled = tmp.resolve("labelled.tsv");
        Files.writeString(labelled, "text\tgold\na fine day\t1\n");
        CliRunner.Result noRefs = usage("qdecode: error: --reward bleu: scores against references, and there are none "
                + "(expected --ref FILE, one reference per --hyp segment)", "rewards", "score", "--reward", "vader + bleu",
                "--hyp", hyp.toString());
        // a reward that does not belong with the inputs, as an option that does not belong with the others: the
        // second line points to the command's --help
        assertEquals(List.of(noRefs.err().lines().findFirst().orElse(""), SCORE_HINT), noRefs.err().lines().toList());
        usage("qdecode: error: --reward label-match: scores against gold labels, and there are none (expected "
                + "--label-column NAME of a table --hyp file)", "rewards", "score", "--reward", "label-match", "--hyp",
                labelled.toString());
        usage("qdecode: error: --label-column: not for --reward vader, which reads no gold labels (expected it only "
                + "with a reward that reads them (label-match))", "rewards", "score", "--reward", "vader", "--hyp",
                labelled.toString(), "--label-column", "gold");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "label-match", "--hyp", labelled.toString(),
                "--label-column", "gold");
        assertEquals(0, r.code(), r.err());
        // the tasks: continuation has neither, translation no labels (checked before the model loads)
        Path run = tmp.resolve("run");
        CliRunner.Result chrf = usage("qdecode: error: --reward chrf: scores against references, and there are none "
                + "(--task continuation has none; expected --task translation or dialogue, or a reward that needs none)",
                "train", "--reward", "chrf", "--out", run.toString());
        assertEquals("Try 'qdecode train --help' for the options.", chrf.err().lines().skip(1).findFirst().orElse(""));
        usage("qdecode: error: --reward label-match: scores against gold labels, and there are none (--task translation "
                + "has none; expected --task classification, or a reward that needs none)", "train", "--task",
                "translation", "--reward", "label-match", "--out", run.toString());
        assertTrue(Files.notExists(run));
        // a classifier directory that is not one is a wrong parameter value: bad usage
        usage("qdecode: error: reward 'classifier': parameter model='" + hyp + "': expected the directory of a saved "
                + "classifier (from qdecode classifier train; " + hyp.toAbsolutePath() + " is a file)", "rewards", "score",
                "--reward", "classifier:model=" + hyp, "--hyp", hyp.toString());
    }

    /**
     * Lexicon parameters follow the README's codes as classifier:model= does: a path that does not exist,
     * or a file where a directory is expected, is bad usage (2); a file that exists with bad contents, or a
     * VADER directory that lacks one of its files, is bad input (3), not a reward failure (4).
     */
    @Test
    void aLexiconThatExistsButCannotBeUsedIsBadInput() throws IOException {
        Path hyp = Files.writeString(tmp.resolve("hyp.txt"), "I am happy.\n");
        Path bad = Files.writeString(tmp.resolve("bad.txt"), "good\t3\nbad\tnotanumber\n");
        CliRunner.Result r = CliRunner.run("rewards", "score", "--reward", "afinn:lexicon=" + bad, "--hyp", hyp.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        // named with the reward and the parameter that pointed at the file, as a value naming nothing is
        assertEquals("qdecode: error: reward 'afinn': parameter lexicon='" + bad + "': AFINN lexicon " + bad + " line 2: expected word<TAB>integer score in -5..5, got "
                + "'bad\\tnotanumber'", r.err().strip());
        Path dir = Files.createDirectories(tmp.resolve("lexicons"));
        Files.copy(CliRunner.shared().resolve("data/lexicons/emoji_utf8_lexicon.txt"),
                dir.resolve("emoji_utf8_lexicon.txt"));
        r = CliRunner.run("rewards", "score", "--reward", "vader:lexicon=" + dir, "--hyp", hyp.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: reward 'vader': parameter lexicon='" + dir + "': " + dir.toAbsolutePath()
                .normalize() + " has no file vader_lexicon.txt (expected a directory holding vader_lexicon.txt and "
                + "emoji_utf8_lexicon.txt)", r.err().strip());
        Files.writeString(dir.resolve("vader_lexicon.txt"), "happy\tx\n");
        r = CliRunner.run("rewards", "score", "--reward", "vader:lexicon=" + dir, "--hyp", hyp.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: reward 'vader': parameter lexicon='" + dir + "': VADER lexicon "
                + dir.resolve("vader_lexicon.txt") + " line 1: expected token<TAB>mean valence (a number), got "
                + "'happy\\tx'", r.err().strip());
        // naming nothing, or a file for the directory: a wrong value, as classifier:model= treats it
        Path missing = tmp.resolve("missing");
        usage("qdecode: error: reward 'vader': parameter lexicon='" + missing + "': expected a directory holding "
                + "vader_lexicon.txt and emoji_utf8_lexicon.txt (" + missing.toAbsolutePath().normalize()
                + " does not exist)", "rewards", "score", "--reward", "vader:lexicon=" + missing, "--hyp", hyp.toString());
        usage("qdecode: error: reward 'afinn': parameter lexicon='" + missing + "': expected an AFINN word list file "
                + "(word<TAB>score) (" + missing.toAbsolutePath().normalize() + " does not exist)", "rewards", "score",
                "--reward", "afinn:lexicon=" + missing, "--hyp", hyp.toString());
        usage("qdecode: error: reward 'vader': parameter lexicon='" + bad + "': expected a directory holding "
                + "vader_lexicon.txt and emoji_utf8_lexicon.txt (" + bad.toAbsolutePath().normalize()
                + " is not a directory)", "rewards", "score", "--reward", "vader:lexicon=" + bad, "--hyp", hyp.toString());
    }

    private static CliRunner.Result usage(String expected, String... args) {
        CliRunner.Result r = CliRunner.run(args);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out(), "no work done");
        assertEquals(expected, r.err().lines().findFirst().orElse(""));
        return r;
    }

    @Test
    void benchOptionsAreCheckedBeforeAnyWorkNamingTheOptionAndValue() {
        String model = CliRunner.model("stories260K");
        usage("qdecode: error: --batch-sizes 8,0: 0 is out of range (expected positive sizes)",
                "bench", "generate", "--model", model, "--batch-sizes", "8,0");
        usage("qdecode: error: --runs 0: out of range (expected 1 to 10000: the timing of every run is kept)", "bench",
                "generate", "--model", model, "--runs", "0");
        usage("qdecode: error: --warmup -1: out of range (expected at least 0)",
                "bench", "generate", "--model", model, "--warmup", "-1");
        usage("qdecode: error: --prompt-tokens 0: out of range (expected at least 1)",
                "bench", "generate", "--model", model, "--prompt-tokens", "0");
        // The prompts are random token ids: a prompt format would be ignored, so the option does not exist here.
        usage("qdecode: error: Unknown options: '--prompt-format', '{text}'",
                "bench", "generate", "--model", model, "--prompt-format", "{text}");
        int cpus = Runtime.getRuntime().availableProcessors();
        usage("qdecode: error: --threads 100000: out of range (expected 1 to " + 4 * cpus + ": 4 x the " + cpus
                + " available processors)", "bench", "rewards", "--threads", "100000");
        usage("qdecode: error: NAME nonexistent-bench: unknown benchmark (expected one of bleu-sentence, chrf-sentence, "
                + "bleu-reward, bleu-corpus, classifier-reward, classifier-reward-q; see --list)",
                "bench", "rewards", "nonexistent-bench");
        usage("qdecode: error: --variants soft+bogus: unknown modifier 'bogus' (expected +prioritized)",
                "bench", "train", "--model", model, "--variants", "soft+bogus");
        usage("qdecode: error: --variants triple: unknown backup 'triple' (expected soft, hard or double, optionally "
                + "+prioritized)", "bench", "train", "--model", model, "--variants", "soft,triple");
        usage("qdecode: error: --updates 0: out of range (expected at least 1)", "bench", "train", "--updates", "0");
    }

    /**
     * A --batch-size larger than the benchmark's replay is a usage error naming bench train's own option;
     * before, it was exit 1, "internal error: IllegalArgumentException: --replay-size: expected at least
     * --batch-size (200001) transitions but got 200000", naming an option bench train does not have.
     */
    @Test
    void benchTrainRefusesABatchLargerThanItsReplay() {
        usage("qdecode: error: --batch-size 200001: out of range (expected 1 to 200000: the benchmark's replay holds "
                + "200000 transitions)", "bench", "train", "--model", CliRunner.model("stories260K"), "--batch-size",
                "200001");
    }

    /**
     * A small bench train run says how its numbers were taken, and the median of two runs is their mean (before:
     * the faster run, and no word of how many runs the rates are medians of).
     */
    @Test
    void benchTrainStatesItsRunsAndReportsTheMedianOfThem() {
        CliRunner.Result r = CliRunner.run("bench", "train", "--model", CliRunner.model("stories260K"), "--variants",
                "soft,hard", "--updates", "5", "--runs", "2", "--rollout-episodes", "2", "--max-new-tokens", "4",
                "--batch-size", "8");
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("rollouts: 2 episodes x 4 tokens: ([\\d,]+) tokens/s "
                + "median of 2 timed runs after 2 warm-up batches \\(min ([\\d,]+), max ([\\d,]+)\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double median = Double.parseDouble(m.group(1).replace(",", ""));
        double min = Double.parseDouble(m.group(2).replace(",", ""));
        double max = Double.parseDouble(m.group(3).replace(",", ""));
        assertEquals((min + max) / 2, median, 1.0, r.out());
        assertTrue(r.out().contains("learner: updates/s and ms/update are medians of 2 timed runs of 5 updates after "
                + "300 warm-up updates; CPU upd/s per second of the thread's CPU time; ratio to soft"), r.out());
        // the seed is printed with the settings, as the other commands record theirs
        assertTrue(r.out().contains("): embedding 64, vocabulary 512; head hidden 256, top-20 candidates,"
                + " n-step 4; seed 1"), r.out());
    }

    /**
     * bench train takes --warmup as bench generate and bench rewards do: N untimed rollout batches and N learner
     * runs of --updates updates, said in the output; without it, 2 batches and max(300, --updates) updates as
     * before. Before, '--warmup' was an unknown option (exit 2): the warm-up could be neither changed nor turned off.
     */
    @Test
    void benchTrainTakesWarmupForBothMeasurements() {
        String model = CliRunner.model("stories260K");
        for (int n : new int[] {0, 1}) {
            CliRunner.Result r = CliRunner.run("bench", "train", "--model", model, "--variants", "soft", "--updates",
                    "5", "--runs", "1", "--rollout-episodes", "2", "--max-new-tokens", "2", "--batch-size", "4",
                    "--warmup", Integer.toString(n));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("tokens/s median of 1 timed run after " + (n == 1 ? "1 warm-up batch "
                    : "0 warm-up batches ") + "(min "), r.out());
            assertTrue(r.out().contains("learner: updates/s and ms/update are medians of 1 timed run of 5 updates "
                    + "after " + 5 * n + " warm-up updates;"), r.out());
        }
        usage("qdecode: error: --warmup -1: out of range (expected at least 0)", "bench", "train", "--model", model,
                "--warmup", "-1");
    }

    /**
     * --runs has an upper bound, and bench train's count of the prompts it uses does not overflow. Before,
     * '--runs 2147483647' ended every bench command in "out of memory ... expected smaller batches" (exit 1),
     * and 'bench train --rollout-episodes 1073741824 --runs 1' in "internal error: IllegalArgumentException:
     * fromIndex(0) > toIndex(-1073741824)" (exit 1).
     */
    @Test
    void benchRunsAreBoundedAndTheRolloutPromptCountDoesNotOverflow() {
        String model = CliRunner.model("stories260K");
        String expected = "qdecode: error: --runs 2147483647: out of range (expected 1 to 10000: the timing of every "
                + "run is kept)";
        usage(expected, "bench", "generate", "--model", model, "--runs", "2147483647");
        usage(expected, "bench", "rewards", "bleu-corpus", "--runs", "2147483647");
        usage(expected, "bench", "train", "--model", model, "--runs", "2147483647");
        CliRunner.Result r = CliRunner.run("bench", "train", "--model", model, "--rollout-episodes", "1073741824",
                "--runs", "1");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: rolling out 1073741824 episodes together of 48 new tokens "
                + "needs about "), r.err());
    }

    @Test
    void benchRewardsRefusesWhatAModeDoesNotRead() {
        usage("qdecode: error: NAME bleu-sentence: not for bench rewards --list, which lists every benchmark (expected"
                + " NAME only without --list)", "bench", "rewards", "--list", "bleu-sentence");
        usage("qdecode: error: --runs: not for bench rewards --list, which runs nothing (expected it only without"
                + " --list)", "bench", "rewards", "--list", "--runs", "3");
        usage("qdecode: error: --threads: not for the single-threaded benchmark bleu-corpus (expected it only with"
                + " bleu-sentence, chrf-sentence or bleu-reward)", "bench", "rewards", "--threads", "2", "bleu-corpus");
        usage("qdecode: error: --threads: not for the single-threaded benchmarks bleu-corpus, classifier-reward (expected"
                + " it only with bleu-sentence, chrf-sentence or bleu-reward)",
                "bench", "rewards", "--threads", "2", "bleu-corpus", "classifier-reward");
        CliRunner.Result list = CliRunner.run("bench", "rewards", "--list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().lines().anyMatch(l -> l.startsWith("bleu-corpus ") && l.endsWith("(sentences; single-threaded)")),
                list.out());
        // with a threaded benchmark beside it, --threads is taken and the single-threaded one says threads=1
        CliRunner.Result r = CliRunner.run("bench", "rewards", "--threads", "2", "--runs", "1", "--warmup", "0",
                "bleu-corpus", "bleu-sentence");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("bleu-corpus            threads=1  "), r.out());
        assertTrue(r.out().contains("bleu-sentence          threads=2  "), r.out());
    }

    @Test
    void benchGenerateChecksTheMemoryOfEveryBatchBeforeAllocatingIt() {
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", CliRunner.model("stories260K"),
                "--batch-sizes", "1,100000000", "--new-tokens", "1", "--runs", "1", "--warmup", "0");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out(), "not even batch 1 was measured");
        assertTrue(r.err().startsWith("qdecode: error: --batch-sizes 100000000: decoding 100000000 prompts of up to "), r.err());
        assertTrue(r.err().contains("more than the maximum heap of"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void benchGenerateRandomConfigThatIsNotJsonIsNamed() throws IOException {
        Path notJson = tmp.resolve("config.txt");
        Files.writeString(notJson, "hello world\n");
        CliRunner.Result r = CliRunner.run("bench", "generate", "--random", notJson.toString(), "--batch-sizes", "1");
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertEquals("qdecode: error: --random " + notJson + ": not valid JSON at line 1 column 8 (expected "
                + "'gpt2-small' or a config.json file)", r.err().strip());
    }

    /**
     * A --model that is not a directory is named as the option in every bench command that takes one, as train and
     * generate name it. Before, bench generate said only "MISSING: model directory not found" (bench rewards has no
     * --model: its models are the shared directory's).
     */
    @Test
    void benchModelThatIsNotADirectoryNamesTheOption() throws IOException {
        Path missing = tmp.resolve("MISSING");
        Path file = Files.writeString(tmp.resolve("afile"), "x\n");
        for (Path dir : List.of(missing, file)) {
            for (String command : List.of("generate", "train")) {
                CliRunner.Result r = CliRunner.run("bench", command, "--model", dir.toString(), "--runs", "1");
                assertEquals(ExitCodes.BAD_INPUT, r.code(), command + ": " + r.err());
                assertEquals("", r.out(), command + ": no work done");
                assertEquals("qdecode: error: --model " + dir + ": not a directory (expected a Hugging Face model "
                        + "directory)", r.err().strip(), command);
            }
        }
    }

    /**
     * A comma-separated list option refuses an empty item wherever it is, naming the option, the value and the item
     * (exit 2 with the --help hint). Before, '--batch-sizes 1,,2' gave picocli's "'' is not an int", and an empty
     * item at the end was dropped: '--batch-sizes 1,' measured batch 1 only and '--batch-sizes ,' measured nothing
     * (exit 0); '--variants soft,,hard' said "unknown backup ''", and '--variants ,' timed the rollouts and then
     * failed.
     */
    @Test
    void aCommaListWithAnEmptyItemIsRefusedNamingTheOption() {
        String model = CliRunner.model("stories260K");
        String sizes = " (expected items separated by commas, none of them empty, e.g. 1,8,32,64)";
        usage("qdecode: error: --batch-sizes 1,,2: item 2 of 3 is empty" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "1,,2");
        usage("qdecode: error: --batch-sizes 1,,2: item 2 of 3 is empty" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes=1,,2");
        usage("qdecode: error: --batch-sizes 1,: item 2 of 2 is empty" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "1,");
        usage("qdecode: error: --batch-sizes ,: item 1 of 2 is empty" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", ",");
        usage("qdecode: error: --batch-sizes '': empty" + sizes, "bench", "generate", "--model", model, "--batch-sizes=");
        usage("qdecode: error: --batch-sizes 1, : item 2 of 2 is blank" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "1, ");
        String variants = " (expected items separated by commas, none of them empty, e.g. soft,hard,double,soft+prioritized)";
        usage("qdecode: error: --variants soft,,hard: item 2 of 3 is empty" + variants,
                "bench", "train", "--model", model, "--variants", "soft,,hard");
        usage("qdecode: error: --variants ,: item 1 of 2 is empty" + variants,
                "bench", "train", "--model", model, "--variants", ",");
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1,,2");
        assertEquals("Try 'qdecode bench generate --help' for the options.", r.err().strip().lines().skip(1)
                .findFirst().orElse(""), r.err());
    }

    /**
     * An item of a list of whole numbers that is not one is refused in the project's words, naming the option,
     * the value, the item and what was expected (exit 2 with the --help hint). Before, picocli said
     * "Invalid value for option '--batch-sizes' (<batchSizes>): 'x' is not an int": the field's name, and no
     * expected values.
     */
    @Test
    void aListOfWholeNumbersRefusesAnItemThatIsNotOneNamingIt() {
        String model = CliRunner.model("stories260K");
        String sizes = " (expected positive whole numbers separated by commas, e.g. 1,8,32,64)";
        usage("qdecode: error: --batch-sizes 1,x: item 2 of 2, 'x', is not a whole number" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "1,x");
        usage("qdecode: error: --batch-sizes 8,2.5,1: item 2 of 3, '2.5', is not a whole number" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes=8,2.5,1");
        usage("qdecode: error: --batch-sizes 1, 2: item 2 of 2, ' 2', is not a whole number" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "1, 2");
        usage("qdecode: error: --batch-sizes 99999999999: item 1 of 1, '99999999999', is out of range" + sizes,
                "bench", "generate", "--model", model, "--batch-sizes", "99999999999");
        // a whole number out of the sizes' range is the command's to refuse, as before
        usage("qdecode: error: --batch-sizes 1,0: 0 is out of range (expected positive sizes)",
                "bench", "generate", "--model", model, "--batch-sizes", "1,0");
        CliRunner.Result r = CliRunner.run("bench", "generate", "--model", model, "--batch-sizes", "1,x");
        assertEquals("Try 'qdecode bench generate --help' for the options.", r.err().strip().lines().skip(1)
                .findFirst().orElse(""), r.err());
        assertEquals(null, CommaList.notAWholeNumber("1,+8,-3,010"), "whole numbers as picocli reads them");
    }

    /** Every comma-separated list option of the CLI is checked for empty items by {@link CommaList}. */
    @Test
    void everyCommaListOptionRefusesEmptyItems() {
        List<String> lists = new java.util.ArrayList<>();
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine()));
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            todo.addAll(c.getSubcommands().values());
            for (picocli.CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                if (!o.splitRegex().isEmpty()) {
                    lists.add(c.getCommandName() + " " + o.longestName());
                    assertTrue(o.preprocessor() instanceof CommaList, c.getCommandName() + " " + o.longestName());
                }
            }
        }
        assertTrue(lists.containsAll(List.of("generate --batch-sizes", "train --variants")), lists.toString());
    }
}
