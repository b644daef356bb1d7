package dev.qdecode.pipeline.cli;

import static dev.qdecode.pipeline.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.TsvEscapes;
import dev.qdecode.pipeline.cli.CliRunner.Result;
import dev.qdecode.pipeline.sft.DialogueFormat;
import dev.qdecode.rewards.bleu.Bleu;
import dev.qdecode.rewards.bleu.Chrf;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tasks scored against gold targets, end to end on real rows: {@code train/evaluate --task
 * translation} (Multi30k; corpus BLEU/chrF side by side) and {@code --task dialogue} (XDailyDialog; the
 * context rendered with speakers, the gold response as reference). The backbone is TinyStories-656K,
 * which can do neither: these check the plumbing, not quality.
 */
class ReferenceTasksTest {

    @Test
    void trainAndEvaluateTranslation(@TempDir Path tmp) throws Exception {
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/multi30k/en-de.val.tsv"));
        Path data = tmp.resolve("m30k.tsv");
        Files.write(data, lines.subList(0, 13));
        Path runDir = tmp.resolve("run");
        Result r = run("train", "--task", "translation", "--model", CliRunner.model("TinyStories-656K"), "--data",
                data.toString(), "--dev", data.toString(), "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "6", "--batch-size", "8", "--updates-per-rollout", "2", "--eval-limit", "3",
                "--eval-samples", "1", "--demonstrations", "0.5", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject();
        assertEquals("translation", s.getAsJsonObject("provenance").get("task").getAsString());
        assertEquals("[\"bleu\"]", s.getAsJsonObject("provenance").get("reward").getAsString());
        assertEquals(1, s.getAsJsonObject("config").get("minNewTokens").getAsInt());
        assertEquals(TrainCommand.TRANSLATION_ROLLOUT_TEMPERATURE,
                s.getAsJsonObject("config").get("rolloutTemperature").getAsDouble());
        // Two rollout batches of 4, half of each batch's prompts also demonstrated by their reference.
        assertEquals(0.5, s.getAsJsonObject("config").get("demonstrations").getAsDouble());
        assertEquals(4, s.get("demonstrations").getAsLong());
        double reward = s.getAsJsonObject("trained").get("mean_reward").getAsDouble();
        assertTrue(reward >= 0 && reward <= 1, "sentence BLEU / 100: " + reward);

        Result e = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model",
                CliRunner.model("TinyStories-656K"), "--data", data.toString(), "--limit", "5", "--max-new-tokens", "6");
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("base greedy") && e.out().contains("DQN head greedy"), e.out());
        assertTrue(e.out().contains("BLEU signature: nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"),
                e.out());
        assertTrue(e.out().contains("paired bootstrap, DQN head greedy - base greedy (1000 resamples, seed 12345):"),
                e.out());
        assertTrue(e.out().contains("  BLEU ") && e.out().contains("  chrF2 ") && e.out().contains("p(not better) = "),
                e.out());
        JsonObject scores = JsonParser.parseString(Files.readString(runDir.resolve("evaluation/translation-scores.json")))
                .getAsJsonObject();
        JsonObject bs = scores.getAsJsonObject("DQN head greedy").getAsJsonObject("paired_bootstrap_vs_base_greedy");
        for (String metric : List.of("BLEU", "chrF2")) {
            JsonObject m = bs.getAsJsonObject(metric);
            double delta = m.get("delta").getAsDouble();
            double p = m.get("p_not_better").getAsDouble();
            assertTrue(m.get("lower95").getAsDouble() <= delta && delta <= m.get("upper95").getAsDouble(), m.toString());
            assertTrue(p > 0 && p <= 1, m.toString());
            String sys = metric.equals("BLEU") ? "bleu" : "chrf";
            assertEquals(scores.getAsJsonObject("DQN head greedy").get(sys).getAsDouble()
                    - scores.getAsJsonObject("base greedy").get(sys).getAsDouble(), delta, 1e-9);
        }
        List<String> tsv = Files.readAllLines(runDir.resolve("evaluation/translations.tsv"));
        assertEquals(6, tsv.size());
        assertEquals("source\treference\tbase_greedy\tDQN_head_greedy", tsv.get(0));
        assertTrue(tsv.get(1).startsWith(lines.get(1).split("\t")[1]), tsv.get(1));
        // its record holds the options translation reads, not the sampling evaluation's, nor, without beams,
        // --length-penalty
        JsonObject options = recordOptions(runDir.resolve("evaluation/translations.tsv"));
        for (String unread : List.of("--prompts", "--samples", "--seed", "--reward", "--plugin", "--positive-threshold",
                "--text-column", "--label-column", "--length-penalty")) {
            assertTrue(!options.has(unread), unread + " in " + options);
        }
        assertEquals("6", options.get("--max-new-tokens").getAsString());
        assertEquals("en", options.get("--source-column").getAsString());
        assertEquals("\"online\"", options.get("--head").toString()); // the head used, not null
        // the options not given hold the values they took, not null: the run's prompt format, the default --out
        JsonObject translations = JsonParser.parseString(Files.readString(ResumableOutput.runFile(
                runDir.resolve("evaluation/translations.tsv")))).getAsJsonObject();
        assertEquals(translations.getAsJsonObject("resolved").get("prompt_format").getAsString(),
                options.get("--prompt-format").getAsString());
        // the PyTorch count that decoded the rows, in their record and the scores (neither recorded one)
        assertEquals(DqnCli.threads(), translations.get(DqnCli.THREADS).getAsString());
        assertEquals(DqnCli.threads(), scores.get(DqnCli.THREADS).getAsString());
        assertEquals(runDir.resolve("evaluation").toAbsolutePath().normalize().toString(),
                options.get("--out").getAsString());
        options.entrySet().forEach(o -> assertTrue(!o.getValue().isJsonNull(), o.getKey() + " is null in " + options));

        // Beam search: both systems decoded with 3 beams, named so, and recorded in the scores.
        Result b = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model",
                CliRunner.model("TinyStories-656K"), "--data", data.toString(), "--limit", "5", "--max-new-tokens", "6",
                "--beams", "3", "--length-penalty", "0.6", "--out", tmp.resolve("beam").toString());
        assertEquals(ExitCodes.OK, b.code(), b.err());
        assertTrue(b.out().contains("base beam 3") && b.out().contains("DQN head beam 3")
                && b.out().contains("beam search: 3 beams, length penalty 0.6"), b.out());
        // the table's rows together: the difference row right under the two systems, the beam note after it
        List<String> table = b.out().lines().toList();
        int head = table.indexOf(table.stream().filter(l -> l.startsWith("DQN head beam 3")).findFirst().orElseThrow());
        assertTrue(table.get(head + 1).startsWith("difference "), b.out());
        assertTrue(table.get(head + 2).startsWith("beam search: 3 beams"), b.out());
        JsonObject beamScores = JsonParser.parseString(Files.readString(tmp.resolve("beam/translation-scores.json")))
                .getAsJsonObject().getAsJsonObject("DQN head beam 3");
        assertEquals(3, beamScores.get("beams").getAsInt());
        assertEquals(0.6, beamScores.get("length_penalty").getAsDouble());
        assertEquals("source\treference\tbase_beam_3\tDQN_head_beam_3",
                Files.readAllLines(tmp.resolve("beam/translations.tsv")).get(0));
        // Beam search sums log-probabilities: refused where they are not (q-greedy), with sampling or stop strings.
        String model = CliRunner.model("TinyStories-656K");
        String[][] refused = {
            {"generate", "--model", model, "--policy", runDir.toString(), "--mode", "q-greedy", "--beams", "2",
                "--prompt", "A dog", "--max-new-tokens", "3"},
            {"generate", "--model", model, "--strategy", "sample", "--beams", "2", "--prompt", "A dog"},
            {"generate", "--model", model, "--stop", ".", "--beams", "2", "--prompt", "A dog"},
            {"generate", "--model", model, "--beams", "0", "--prompt", "A dog"},
            {"evaluate", "--policy", runDir.toString(), "--beams", "2"},
        };
        String[] why = {
            "--mode q-greedy: ranks by Q, which is not a log-probability to sum over a beam (expected --mode guided "
                + "with --beams 2)",
            "--beams 2: beam search is deterministic (expected --strategy greedy with it)",
            "--stop: not supported with --beams 2 (expected one of them)",
            "--beams: expected a positive count but got 0",
            "--beams: not for evaluate --task continuation (expected it only with --task translation)",
        };
        for (int i = 0; i < refused.length; i++) {
            Result x = run(refused[i]);
            assertEquals(ExitCodes.USAGE, x.code(), x.err());
            assertEquals("qdecode: error: " + why[i], x.err().lines().findFirst().orElse(""));
        }
        // --beams alone makes generate deterministic (greedy) and prints the prompt and its continuation.
        Result g = run("generate", "--model", model, "--beams", "2", "--prompt", "A dog", "--max-new-tokens", "5");
        assertEquals(ExitCodes.OK, g.code(), g.err());
        assertTrue(g.out().startsWith("A dog") && g.out().strip().length() > "A dog".length(), g.out());
        assertEquals(g.out(), run("generate", "--model", model, "--beams", "2", "--prompt", "A dog",
                "--max-new-tokens", "5").out());
        // A batch whose estimated memory (KV cache of every beam, logits) exceeds the heap is refused with the estimate.
        Result huge = run("generate", "--model", model, "--beams", "1000000", "--prompt", "A dog");
        assertEquals(ExitCodes.USAGE, huge.code(), huge.err());
        String line = huge.err().lines().findFirst().orElse("");
        assertTrue(line.startsWith("qdecode: error: decoding 1 prompt with 1000000 beams each of up to ")
                && line.contains(" GiB, more than the maximum heap of ")
                && line.endsWith("(expected a smaller --beams, --max-new-tokens or (generate) --batch-size, or a larger heap, "
                        + "e.g. QDECODE_JAVA_OPTS=-Xmx16g)"), line);

        Result noRefs = run("train", "--demonstrations", "0.5", "--out", tmp.resolve("story").toString());
        assertEquals(ExitCodes.USAGE, noRefs.code());
        assertTrue(noRefs.err().contains("--demonstrations: only for --task translation or dialogue"), noRefs.err());

        resumedEvaluationEqualsAnUninterruptedOne(tmp, runDir, model, lines);
        aRepeatedSourceIsScoredAgainstItsOwnReference(tmp, runDir, model, lines);

        // an --out whose translations.tsv is the --data file: refused even with --overwrite (it is the input)
        Path same = Files.createDirectories(tmp.resolve("same"));
        Files.copy(data, same.resolve("translations.tsv"));
        Result in = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model, "--data",
                same.resolve("translations.tsv").toString(), "--out", same.toString(), "--overwrite");
        assertEquals(ExitCodes.USAGE, in.code(), in.err());
        assertTrue(in.err().startsWith("qdecode: error: --out " + same.resolve("translations.tsv") + ": is an input of "
                + "this command"), in.err());
        assertEquals(Files.readString(data), Files.readString(same.resolve("translations.tsv")));

        Result bad = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--data",
                data.toString(), "--target-column", "fr");
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains("fr"), bad.err());
    }

    /**
     * A test file whose source occurs twice with two references is two segments, each scored against its own
     * reference as sacreBLEU scores the file's column (they were one source with both references: nrefs:var and
     * another score, and the second row's reference column showed the first row's).
     */
    private static void aRepeatedSourceIsScoredAgainstItsOwnReference(Path tmp, Path runDir, String model,
            List<String> lines) throws Exception {
        String[] first = lines.get(1).split("\t");
        List<String> rows = new ArrayList<>(lines.subList(0, 4));
        rows.add("dup\t" + first[1] + "\tEin ganz anderer Satz.");
        Path data = tmp.resolve("dup.tsv");
        Files.write(data, rows);
        Path out = tmp.resolve("dup");
        Result e = run("evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model, "--data",
                data.toString(), "--max-new-tokens", "6", "--out", out.toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("BLEU signature: nrefs:1|") && e.out().contains("chrF signature: nrefs:1|"), e.out());
        List<String> tsv = Files.readAllLines(out.resolve("translations.tsv"));
        assertEquals(5, tsv.size());
        assertEquals(first[2], tsv.get(1).split("\t")[1]);
        assertEquals("Ein ganz anderer Satz.", tsv.get(4).split("\t")[1]);
        List<String> hyps = new ArrayList<>();
        List<List<String>> refs = new ArrayList<>();
        for (String row : tsv.subList(1, tsv.size())) {
            String[] f = row.split("\t", -1);
            refs.add(List.of(TsvEscapes.unescape(f[1])));
            hyps.add(TsvEscapes.unescape(f[2]));
        }
        JsonObject base = JsonParser.parseString(Files.readString(out.resolve("translation-scores.json")))
                .getAsJsonObject().getAsJsonObject("base greedy");
        assertEquals(Chrf.defaults().corpusScore(hyps, refs).score(), base.get("chrf").getAsDouble(), 1e-9);
        assertEquals(Bleu.corpusLevel().corpusScore(hyps, refs).score(), base.get("bleu").getAsDouble(), 1e-9);
    }

    /**
     * An evaluation cut after its first batch of 32 (half of the next row written, as a kill leaves it)
     * continues with --resume to the translations and scores of an uninterrupted one; without --resume it
     * is refused, as is a resume with other settings or of a finished evaluation.
     */
    private static void resumedEvaluationEqualsAnUninterruptedOne(Path tmp, Path runDir, String model,
            List<String> lines) throws Exception {
        Path data = tmp.resolve("m30k-40.tsv");
        Files.write(data, lines.subList(0, 41));
        Path full = tmp.resolve("full");
        String[] common = {"evaluate", "--task", "translation", "--policy", runDir.toString(), "--model", model,
            "--data", data.toString(), "--max-new-tokens", "6", "--out"};
        Result r = run(concat(common, full.toString()));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String expected = Files.readString(full.resolve("translations.tsv"));
        assertEquals(41, expected.lines().count());
        Path cut = tmp.resolve("cut");
        Files.createDirectories(cut);
        int end = 0;
        for (int i = 0; i < 34; i++) { // the header, 32 rows of the first batch, one of the second
            end = expected.indexOf('\n', end) + 1;
        }
        Files.writeString(cut.resolve("translations.tsv.part"), expected.substring(0, end + 7));
        Files.copy(full.resolve("translations.tsv.run.json"), cut.resolve("translations.tsv.part.run.json"));

        // rows that are not for this --data's first sentences (a .part that does not belong with its record)
        Path tampered = Files.createDirectories(tmp.resolve("tampered"));
        Files.writeString(tampered.resolve("translations.tsv.part"), expected.substring(0, end).replaceFirst(
                "\n[^\t]*\t", "\nA different source.\t"));
        Files.copy(full.resolve("translations.tsv.run.json"), tampered.resolve("translations.tsv.part.run.json"));
        assertUsage(run(concat(common, tampered.toString(), "--resume")), "translations.tsv.part: row 1 has source 'A "
                + "different source.', but input 1 of --data " + data + " has 'A group of men are loading cotton onto a truck'");

        assertUsage(run(concat(common, cut.toString())), "--resume to continue it");
        assertUsage(run(concat(common, cut.toString(), "--resume", "--beams", "2")), "--beams 2 (the run's: 1)");
        assertUsage(run(concat(common, cut.toString(), "--resume", "--q-weight", "0.5")),
                "--q-weight 0.5 (the run's: 1.0)"); // the option, not the record's key policy_q_weight
        r = run(concat(common, cut.toString(), "--resume"));
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().contains("resuming after 32/40 sentences"), r.err());
        assertTrue(r.out().contains("(resumed: the seconds are this session's, for its 8 of the 40 sentences)"),
                r.out());
        List<String> resumedTable = r.out().lines().toList();
        int note = resumedTable.indexOf("(resumed: the seconds are this session's, for its 8 of the 40 sentences)");
        assertTrue(resumedTable.get(note - 1).startsWith("difference "), r.out()); // under the table, not inside it
        assertEquals(expected, Files.readString(cut.resolve("translations.tsv")));
        assertTrue(Files.notExists(cut.resolve("translations.tsv.part")));
        JsonObject a = JsonParser.parseString(Files.readString(full.resolve("translation-scores.json"))).getAsJsonObject();
        JsonObject b = JsonParser.parseString(Files.readString(cut.resolve("translation-scores.json"))).getAsJsonObject();
        for (String sys : List.of("base greedy", "DQN head greedy")) {
            for (String k : List.of("bleu", "chrf")) {
                assertEquals(a.getAsJsonObject(sys).get(k), b.getAsJsonObject(sys).get(k), sys + " " + k);
            }
        }
        assertEquals(a.getAsJsonObject("DQN head greedy").get("paired_bootstrap_vs_base_greedy"),
                b.getAsJsonObject("DQN head greedy").get("paired_bootstrap_vs_base_greedy"));
        assertEquals(8, b.getAsJsonObject("base greedy").get("sentences_timed").getAsInt());
        assertUsage(run(concat(common, cut.toString(), "--resume")), "is finished");
        assertUsage(run(concat(common, cut.toString())), "already holds an earlier translation evaluation");
    }

    private static void assertUsage(Result r, String part) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: ") && r.err().contains(part), r.err());
    }

    private static JsonObject recordOptions(Path output) throws Exception {
        return JsonParser.parseString(Files.readString(ResumableOutput.runFile(output))).getAsJsonObject()
                .getAsJsonObject("options");
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void dialogueContextsBecomeSpeakerTurnsAndResponsesReferences(@TempDir Path tmp) throws Exception {
        assertEquals("A: Hi .\nB: Hello !\nA:", DialogueFormat.render(List.of("Hi .", "Hello !")));
        assertEquals("B: Can you manage chopsticks ?\nA:",
                DialogueFormat.render(List.of("Can you manage chopsticks ?")));
        List<String> lines = Files.readAllLines(CliRunner.shared().resolve("data/xdailydialog/pairs_en_dev.tsv"));
        Path data = tmp.resolve("pairs.tsv");
        Files.write(data, lines.subList(0, 11));
        Path runDir = tmp.resolve("run");
        Result r = run("train", "--task", "dialogue", "--model", CliRunner.model("TinyStories-656K"), "--data",
                data.toString(), "--dev", data.toString(), "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "6", "--batch-size", "8", "--updates-per-rollout", "2", "--eval-limit", "3",
                "--eval-samples", "1", "--reward", "chrf", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject s = JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject();
        assertEquals("dialogue", s.getAsJsonObject("provenance").get("task").getAsString());
        String example = s.getAsJsonObject("trained").getAsJsonArray("examples").get(0).getAsString();
        assertTrue(example.startsWith("B: Can you manage chopsticks ?\nA: ▸"), example);
        double reward = s.getAsJsonObject("trained").get("mean_reward").getAsDouble();
        assertTrue(reward >= 0 && reward <= 1, "chrF / 100: " + reward);

        Result e = run("evaluate", "--task", "dialogue", "--policy", runDir.toString(), "--model",
                CliRunner.model("TinyStories-656K"), "--data", data.toString(), "--limit", "4", "--samples", "1",
                "--reward", "chrf");
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("on 4 prompts"), e.out());
        // its record holds the options dialogue evaluation reads and the run's own max_new_tokens, not the
        // --max-new-tokens default of translation, which it refuses, nor the other translation options
        JsonObject record = JsonParser.parseString(Files.readString(ResumableOutput.runFile(runDir.resolve(
                "evaluation/" + EpisodeLog.FILE)))).getAsJsonObject();
        for (String unread : List.of("--max-new-tokens", "--beams", "--length-penalty", "--source-column",
                "--target-column", "--prompts", "--text-column", "--label-column", "--q-weight", "--head")) {
            assertTrue(!record.getAsJsonObject("options").has(unread), unread + " in " + record);
        }
        assertEquals("[\"chrf\"]", record.getAsJsonObject("options").get("--reward").toString());
        assertEquals("6", record.getAsJsonObject("policy_config").get("max_new_tokens").getAsString());
        Result missing = run("evaluate", "--task", "dialogue", "--policy", runDir.toString(), "--data",
                tmp.resolve("none.tsv").toString());
        assertEquals(ExitCodes.BAD_INPUT, missing.code());
        assertTrue(missing.err().contains("file not found"), missing.err());
    }

    /**
     * A response cell with line breaks (a JSON-lines or CSV cell can hold them) is the reference, and with
     * --demonstrations the teacher-forced episode, as one turn line ({@code DialogueFormat.line}, as the context's
     * turns and sft's targets): the raw text was stored, so a demonstration taught a line break, which in the
     * prompt starts another speaker's turn.
     */
    @Test
    void aResponseWithLineBreaksIsReferencedAndDemonstratedOnOneLine(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("pairs.jsonl");
        Files.write(data, List.of(
                "{\"dialog_id\": \"0\", \"turn\": 1, \"context\": \"Can you manage chopsticks ?\", "
                        + "\"response\": \"Why not ?\\nB: See .  \\r\\n Easy !\"}",
                "{\"dialog_id\": \"1\", \"turn\": 1, \"context\": \"Hello !\", \"response\": \"Hi .\"}"));
        Path model = Path.of(CliRunner.model("TinyStories-656K"));
        try (TextTokenizer tok = TextTokenizer.load(model)) {
            TaskOptions.Fitted f = TaskOptions.dialogue(data, 0, "--data").fit(tok,
                    PromptFormat.forModel(model, tok), 512, 8,
                    new java.io.PrintWriter(new java.io.StringWriter()));
            // what train's demonstrations teacher-force (the first reference of a prompt) and every reward reads
            assertEquals(List.of("Why not ? B: See . Easy !"),
                    f.prompts().references().get("B: Can you manage chopsticks ?\nA:"));
            assertEquals(List.of(List.of("Why not ? B: See . Easy !"), List.of("Hi .")), f.prompts().rowReferences());
            // the same one-line text that sft --task dialogue trains on
            assertEquals(DialogueFormat.line("Why not ?\nB: See .  \r\n Easy !"),
                    f.prompts().rowReferences().get(0).get(0));
        }
        Path runDir = tmp.resolve("run");
        Result r = run("train", "--task", "dialogue", "--model", CliRunner.model("TinyStories-656K"), "--data",
                data.toString(), "--dev", data.toString(), "--episodes", "4", "--rollout-episodes", "2",
                "--max-new-tokens", "6", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-samples", "1",
                "--demonstrations", "1", "--reward", "chrf", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(4, JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject()
                .get("demonstrations").getAsLong());
    }

    @Test
    void dialogueContextsTooLongForTheModelAreShortenedWithAWarning(@TempDir Path tmp) throws Exception {
        String header = "dialog_id\tturn\ttopic\tresponse_act\tresponse_emotion\tcontext\tresponse";
        String longTurn = "I went to the market and bought some apples and pears . ".repeat(60).strip();
        Path data = tmp.resolve("pairs.tsv");
        Files.write(data, List.of(header,
                "0\t1\t1\t1\t0\tCan you manage chopsticks ?\tWhy not ? See .",
                // An old turn too long: dropped, the last two kept.
                "1\t3\t1\t1\t0\t" + longTurn + " __eou__ What did you buy ? __eou__ Apples .\tGood .",
                // The last turn alone too long: its end kept.
                "2\t2\t1\t1\t0\tWhat did you do ? __eou__ " + longTurn + "\tNice .",
                "3\t1\t1\t1\t0\tHello !\tHi ."));
        Path runDir = tmp.resolve("run");
        Result r = run("train", "--task", "dialogue", "--model", CliRunner.model("TinyStories-656K"), "--data",
                data.toString(), "--dev", data.toString(), "--episodes", "4", "--rollout-episodes", "4",
                "--max-new-tokens", "4", "--batch-size", "4", "--updates-per-rollout", "1", "--eval-limit", "4",
                "--eval-samples", "1", "--reward", "token-f1", "--out", runDir.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String warning = "qdecode: warning: 2 of 4 dialogue contexts in " + data + " were shortened to fit the model's "
                + "context (512 positions − 4 new tokens = 508 prompt tokens): 1 kept fewer of their last 4 turns "
                + "(older turns dropped), 1 kept only the end of their last turn (its beginning cut)";
        // Once for --data and once for --dev (the same file here).
        assertEquals(2, r.err().split(java.util.regex.Pattern.quote(warning), -1).length - 1, r.err());
        JsonObject prov = JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("provenance");
        assertEquals("2", prov.get("prompts_shortened").getAsString());
        assertEquals("2", prov.get("eval_prompts_shortened").getAsString());
        List<String> shown = new java.util.ArrayList<>();
        JsonParser.parseString(Files.readString(runDir.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("trained").getAsJsonArray("examples").forEach(x -> shown.add(x.getAsString()));
        assertTrue(shown.stream().anyMatch(x -> x.startsWith("A: What did you buy ?\nB: Apples .\nA: ▸")), shown::toString);

        Result e = run("evaluate", "--task", "dialogue", "--policy", runDir.toString(), "--data", data.toString(),
                "--limit", "3", "--samples", "1", "--reward", "token-f1");
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.err().contains("qdecode: warning: 2 of 3 dialogue contexts in " + data), e.err());
    }

    /**
     * A context in both --data and --dev with other responses: training episodes are scored against the
     * --data response only and evaluations against the --dev response only (the two files' references
     * were one map by prompt: training rewards scored against the evaluation data's response, and the
     * evaluations against the training data's). The reward is token F1 (best reference); "qzxv" is a response
     * the model never writes, the other one common words it writes in every few tokens.
     */
    @Test
    void aContextInBothFilesIsScoredAgainstEachFilesOwnResponse(@TempDir Path tmp) throws Exception {
        String header = "dialog_id\tturn\ttopic\tresponse_act\tresponse_emotion\tcontext\tresponse";
        String context = "0\t1\t1\t1\t0\tHello , how are you ?\t";
        Path rare = tmp.resolve("rare.tsv");
        Files.write(rare, List.of(header, context + "qzxv"));
        Path common = tmp.resolve("common.tsv");
        Files.write(common, List.of(header, context + "and was he she it to i you of in her his they said is not so "
                + "very little big day one there"));

        // trained on the rare response, evaluated on the common one: no training reward
        Path run1 = tmp.resolve("train-rare");
        Result r = trainDialogue(rare, common, run1);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        List<JsonObject> m1 = metrics(run1);
        assertEquals(2, m1.size(), m1.toString()); // after 4 and 8 episodes
        for (JsonObject m : m1) {
            assertEquals(0.0, m.get("train_reward").getAsDouble(), m.toString());
            assertTrue(m.get("mean_reward").getAsDouble() > 0, m.toString()); // the common words are written
        }

        // trained on the common response, evaluated on the rare one: no evaluation reward
        Path run2 = tmp.resolve("eval-rare");
        r = trainDialogue(common, rare, run2);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        List<JsonObject> m2 = metrics(run2);
        JsonObject base = JsonParser.parseString(Files.readString(run2.resolve("summary.json"))).getAsJsonObject()
                .getAsJsonObject("base");
        assertEquals(0.0, base.get("mean_reward").getAsDouble(), base.toString());
        assertEquals(2, m2.size(), m2.toString());
        for (JsonObject m : m2) {
            assertEquals(0.0, m.get("mean_reward").getAsDouble(), m.toString());
            assertTrue(m.get("train_reward").getAsDouble() > 0, m.toString());
        }

        evaluateDialoguePoolsTheResponsesOfAContextWithinTheFile(tmp, run1, header, context);
    }

    /**
     * evaluate --task dialogue scores every episode of a context that occurs on several rows of --data against
     * all their responses (as train does within a file; translation instead scores each row against its own
     * reference): the episodes of the row whose response is 'qzxv' score as the other row's do, so the means equal
     * those of a file whose two rows both have the common response.
     */
    private static void evaluateDialoguePoolsTheResponsesOfAContextWithinTheFile(Path tmp, Path runDir, String header,
            String context) throws Exception {
        String words = "and was he she it to i you of in her his they said is not so very little big day one there";
        Path pooled = tmp.resolve("pooled.tsv");
        Files.write(pooled, List.of(header, context + "qzxv", context.replaceFirst("^0", "1") + words));
        Path both = tmp.resolve("both.tsv");
        Files.write(both, List.of(header, context + words, context.replaceFirst("^0", "1") + words));
        double[] means = new double[4];
        int k = 0;
        for (Path data : List.of(pooled, both)) {
            Path out = tmp.resolve("eval-" + data.getFileName());
            Result e = run("evaluate", "--task", "dialogue", "--policy", runDir.toString(), "--data", data.toString(),
                    "--samples", "2", "--reward", "token-f1", "--out", out.toString());
            assertEquals(ExitCodes.OK, e.code(), e.err());
            assertTrue(e.out().contains("on 2 prompts"), e.out());
            JsonObject c = JsonParser.parseString(Files.readString(out.resolve("comparison.json"))).getAsJsonObject();
            means[k++] = c.getAsJsonObject("base").get("mean_reward").getAsDouble();
            means[k++] = c.getAsJsonObject("trained").get("mean_reward").getAsDouble();
        }
        assertTrue(means[0] > 0 && means[1] > 0, java.util.Arrays.toString(means));
        assertEquals(means[2], means[0], 1e-12);
        assertEquals(means[3], means[1], 1e-12);
    }

    private static Result trainDialogue(Path data, Path dev, Path out) throws Exception {
        return run("train", "--task", "dialogue", "--model", CliRunner.model("TinyStories-656K"), "--data",
                data.toString(), "--dev", dev.toString(), "--episodes", "8", "--rollout-episodes", "4",
                "--max-new-tokens", "12", "--batch-size", "8", "--updates-per-rollout", "1", "--eval-every", "4",
                "--eval-samples", "4", "--reward", "token-f1", "--seed", "1", "--out", out.toString());
    }

    private static List<JsonObject> metrics(Path runDir) throws Exception {
        List<JsonObject> m = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            m.add(JsonParser.parseString(line).getAsJsonObject());
        }
        return m;
    }
}
