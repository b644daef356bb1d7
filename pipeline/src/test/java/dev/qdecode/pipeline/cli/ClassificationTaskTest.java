package dev.qdecode.pipeline.cli;

import static dev.qdecode.pipeline.cli.CliRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.pipeline.cli.CliRunner.Result;
import dev.qdecode.rewards.classifier.SentenceEncoders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qdecode train --task classification} on TinyStories-656K: the head learns a separable
 * sentiment task through single- and multi-token verbalisers, only verbaliser tokens are ever
 * generated, and bad label set-ups are one-line errors.
 */
class ClassificationTaskTest {
    private static final String[] GOOD = {"happy", "great", "fun", "nice", "kind", "lovely", "wonderful", "sunny"};
    private static final String[] BAD = {"sad", "angry", "scary", "mean", "broken", "awful", "dark", "sick"};
    private static final String[] THINGS = {"The day was", "The dog was", "Her toy was", "The park was",
        "His cake was", "The story was", "The game was", "Their trip was"};

    /** Separable synthetic reviews: the label is whether the adjective is a happy or a sad one. */
    private static Path data(Path dir, String name, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder b = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < n; i++) {
            boolean good = r.nextBoolean();
            String[] words = good ? GOOD : BAD;
            b.append(THINGS[r.nextInt(THINGS.length)]).append(' ').append(words[r.nextInt(words.length)]).append(".\t")
                    .append(good ? 1 : 0).append('\n');
        }
        Path f = dir.resolve(name);
        Files.writeString(f, b.toString());
        return f;
    }

    /** {@code qdecode train --task classification} on TinyStories-656K with these files, options and run dir. */
    private static Result classify(Path train, Path dev, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("train", "--task", "classification", "--model",
                CliRunner.model("TinyStories-656K"), "--data", train.toString(), "--dev", dev.toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("--out", out.toString()));
        return run(args.toArray(String[]::new));
    }

    private static Result train(Path tmp, String out, String labels, Path train, Path dev) {
        return classify(train, dev, tmp.resolve(out), "--labels", labels, "--episodes", "2400", "--lr", "1e-3",
                "--eval-every", "800", "--seed", "3");
    }

    /** A JSON file a run wrote. */
    private static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Test
    void learnsOnSentenceEncoderStatesAndEvaluatesWithoutADecoder(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 300, 1);
        Path dev = data(tmp, "dev.tsv", 100, 2);
        Path out = tmp.resolve("enc");
        Result r = run("train", "--task", "classification", "--encoder", "minilm", "--data", train.toString(), "--dev",
                dev.toString(), "--episodes", "1200", "--lr", "1e-3", "--eval-every", "400", "--seed", "3", "--out",
                out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject s = json(out.resolve("summary.json"));
        double acc = s.get("dqn_accuracy").getAsDouble();
        assertTrue(acc >= 0.9 && s.get("probe_accuracy").getAsDouble() >= 0.9, s.toString());
        assertEquals("minilm", s.getAsJsonObject("provenance").get("encoder").getAsString());
        // the encoder's ONNX Runtime thread count is recorded beside the PyTorch one (it was not): the count that
        // computed the embeddings, this process's, or unrecorded for an entry that an older qdecode left in the
        // shared cache (ClassificationResumeTest checks the count of embeddings computed by another job)
        String encoderThreads = s.getAsJsonObject("provenance").get("encoder_threads").getAsString();
        assertTrue(encoderThreads.equals(SentenceEncoders.onnxThreads()) || encoderThreads.equals("unrecorded"),
                encoderThreads);
        // what was read: all rows (no --data-limit), from the default columns
        assertEquals("0", s.getAsJsonObject("provenance").get("data_limit").getAsString());
        assertEquals("sentence", s.getAsJsonObject("provenance").get("text_column").getAsString());
        assertEquals("label", s.getAsJsonObject("provenance").get("label_column").getAsString());
        // Each label is one action of the head (no decoder tokens).
        assertEquals("[0]", s.getAsJsonObject("label_token_ids").get("0").getAsString());
        assertEquals("[1]", s.getAsJsonObject("label_token_ids").get("1").getAsString());
        Result e = run("evaluate", "--task", "classification", "--policy", out.toString(), "--out",
                tmp.resolve("enc-eval").toString());
        assertEquals(ExitCodes.OK, e.code(), e.err());
        assertTrue(e.out().contains("(encoder minilm)"), e.out());
        assertFalse(e.err().contains("unfinished run"), e.err()); // a finished classification run is the trained head
        assertEquals(acc, json(tmp.resolve("enc-eval/classification.json")).get("accuracy").getAsDouble(), 1e-12);
        // the PyTorch count the head ran with, as train records it (it recorded none)
        assertEquals(DqnCli.threads(), json(tmp.resolve("enc-eval/classification.json")).get(DqnCli.THREADS)
                .getAsString());
        // The run's states come from the encoder: a decoder given to its evaluation would be ignored.
        Result m = run("evaluate", "--task", "classification", "--policy", out.toString(), "--model",
                CliRunner.model("TinyStories-656K"));
        assertEquals(ExitCodes.USAGE, m.code(), m.err());
        assertEquals("qdecode: error: --model: not for evaluate --task classification of a run on the encoder minilm "
                + "(expected it only for a run on a decoder backbone)", m.err().lines().findFirst().orElse(""));
    }

    /**
     * A classification run fits its head by cross-entropy (its default --value-loss): its report's loss chart is
     * titled by that loss; it used to say "TD loss", the Huber TD loss of continuation runs.
     */
    @Test
    void theReportOfACrossEntropyRunNamesItsLoss(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("ce");
        Result r = classify(data(tmp, "train.tsv", 60, 1), data(tmp, "dev.tsv", 20, 2), out, "--labels",
                "0=sad,1=happy", "--episodes", "200", "--eval-every", "100", "--seed", "3");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("cross-entropy", json(out.resolve("summary.json")).getAsJsonObject("config").get("valueLoss")
                .getAsString());
        String html = Files.readString(out.resolve("report/report.html"));
        assertTrue(html.contains("<figure id=\"chart-loss\"><img alt=\"Cross-entropy loss (Q = σ(z) vs targets) and "
                + "Q-values\""), "the loss chart");
        assertFalse(html.contains("TD loss"), "a cross-entropy run's report says TD loss");
    }

    @Test
    void learnsThroughSingleAndMultiTokenVerbalisers(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 400, 1);
        Path dev = data(tmp, "dev.tsv", 200, 2);
        for (String[] c : List.of(new String[] {"single", "0=bad,1=good"},
                new String[] {"multi", "0=not good,1=very good"})) {
            Result r = train(tmp, c[0], c[1], train, dev);
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(r.out().contains("DQN head"), r.out());
            JsonObject s = json(tmp.resolve(c[0]).resolve("summary.json"));
            double acc = s.get("dqn_accuracy").getAsDouble();
            double probe = s.get("probe_accuracy").getAsDouble();
            assertTrue(probe >= 0.8 && acc >= 0.8 && acc >= probe - 0.05,
                    c[0] + ": DQN accuracy " + acc + ", probe " + probe);
            assertTrue(s.get("majority_accuracy").getAsDouble() < 0.6);
            JsonObject bs = s.getAsJsonObject("dqn_minus_probe_paired_bootstrap");
            assertEquals(100 * (acc - probe), bs.get("delta").getAsDouble(), 1e-9, bs.toString());
            assertTrue(bs.get("lower95").getAsDouble() <= bs.get("delta").getAsDouble()
                    && bs.get("delta").getAsDouble() <= bs.get("upper95").getAsDouble(), bs.toString());
            assertTrue(r.out().contains("paired bootstrap 95% interval ["), r.out());
            // Label-set restriction: every episode walks a whole verbaliser and nothing else.
            JsonObject ids = s.getAsJsonObject("label_token_ids");
            // (TinyStories merges the space into the prompt's ':'; that shared ':▁' joins the prompt.)
            int len0 = ids.get("0").getAsString().split(",").length;
            int len1 = ids.get("1").getAsString().split(",").length;
            assertEquals(c[0].equals("single") ? 1 : 2, Math.max(len0, len1), ids.toString());
            double devLen = s.getAsJsonObject("dev").get("mean_length").getAsDouble();
            assertTrue(devLen >= Math.min(len0, len1) && devLen <= Math.max(len0, len1), "dev mean length " + devLen);
            List<String> metrics = Files.readAllLines(tmp.resolve(c[0]).resolve("metrics.jsonl"));
            assertEquals(3, metrics.size());
            assertTrue(metrics.get(2).contains("\"loss\"") && metrics.get(2).contains("\"validation_accuracy\""),
                    metrics.get(2));
            assertTrue(s.get("validation_examples").getAsInt() > 0 && s.get("train_examples").getAsInt() > 300, s.toString());
            // The trained head labels a file on the run's own backbone: on the run's dev file it reproduces
            // the accuracy training reported (the target head, which training evaluated).
            Result e = run("evaluate", "--task", "classification", "--policy", tmp.resolve(c[0]).toString(), "--out",
                    tmp.resolve(c[0] + "-eval").toString());
            assertEquals(ExitCodes.OK, e.code(), e.err());
            assertTrue(e.out().contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", acc)), e.out());
            JsonObject ev = json(tmp.resolve(c[0] + "-eval/classification.json"));
            assertEquals(acc, ev.get("accuracy").getAsDouble(), 1e-12);
            assertEquals("target", ev.get("head").getAsString());
            List<String> pred = Files.readAllLines(tmp.resolve(c[0] + "-eval/predictions.tsv"));
            assertEquals(201, pred.size());
            assertEquals("text\tlabel\tpredicted", pred.get(0));
            assertTrue(pred.stream().skip(1).allMatch(l -> l.endsWith("\t0") || l.endsWith("\t1")), pred.get(1));
        }
        // An ensemble of a run with a copy of itself (mean Q of equal heads) labels exactly as the run alone;
        // the same run given twice is refused (as generate refuses it), and so are runs of another setup (here
        // other verbalisers), naming the differing key.
        String single = tmp.resolve("single").toString();
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        Files.copy(tmp.resolve("single").resolve("checkpoint.qdq"), copy.resolve("checkpoint.qdq"));
        Result same = run("evaluate", "--task", "classification", "--policy", single, "--ensemble", single, "--out",
                tmp.resolve("same").toString());
        assertEquals(ExitCodes.BAD_INPUT, same.code(), same.err());
        assertTrue(same.err().contains("given twice (expected each run once"), same.err());
        Result twice = run("evaluate", "--task", "classification", "--policy", single, "--ensemble", copy.toString(),
                "--out", tmp.resolve("twice").toString());
        assertEquals(ExitCodes.OK, twice.code(), twice.err());
        assertTrue(twice.out().contains("and of 1 more runs (Q averaged over 2 heads)"), twice.out());
        assertEquals(Files.readAllLines(tmp.resolve("single-eval/predictions.tsv")),
                Files.readAllLines(tmp.resolve("twice/predictions.tsv")));
        assertEquals(2, json(tmp.resolve("twice/classification.json")).getAsJsonArray("heads").size());
        Result mixed = run("evaluate", "--task", "classification", "--policy", single, "--ensemble",
                tmp.resolve("multi").toString());
        assertEquals(ExitCodes.BAD_INPUT, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("its labels '0=not good,1=very good' differs from"), mixed.err());
        Result weight = run("evaluate", "--task", "classification", "--policy", single, "--q-weight", "2");
        assertEquals(ExitCodes.USAGE, weight.code(), weight.err());
        assertTrue(weight.err().contains("--q-weight: not for evaluate --task classification"), weight.err());
    }

    @Test
    void evaluatingAClassificationHeadRejectsOtherRunsAndUnknownLabels(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 60, 1);
        Path dev = data(tmp, "dev.tsv", 20, 2);
        // Settings from a --config file are kept: the task's own defaults (one pass, lr 1e-4) do not replace them.
        Path config = tmp.resolve("dqn.json");
        Files.writeString(config, "{\"episodes\": 64, \"lr\": 0.002, \"evalEvery\": 32}");
        Result r = classify(train, dev, tmp.resolve("c"), "--config", config.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject cfg = json(tmp.resolve("c/summary.json")).getAsJsonObject("config");
        assertEquals(64, cfg.get("episodes").getAsInt());
        assertEquals(0.002, cfg.get("lr").getAsDouble());
        Path other = tmp.resolve("other.tsv");
        Files.writeString(other, "sentence\tlabel\nThe dog was happy.\t1\nThe day was sad.\t7\n");
        Result bad = run("evaluate", "--task", "classification", "--policy", tmp.resolve("c").toString(), "--data",
                other.toString());
        assertEquals(ExitCodes.BAD_INPUT, bad.code());
        assertTrue(bad.err().contains(other + ":3: column 'label': expected one of 0,1 but found '7'"),
                bad.err());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        Path cont = CliRunner.tinyDefaultRun(tmp.resolve("cont"));
        Result wrong = run("evaluate", "--task", "classification", "--policy", cont.toString());
        assertEquals(ExitCodes.BAD_INPUT, wrong.code());
        assertEquals("qdecode: error: --policy " + cont + ": a --task continuation run (expected a run of --task "
                + "classification; evaluate it with --task continuation)", wrong.err().strip());
        Result wrongMember = run("evaluate", "--task", "classification", "--policy", tmp.resolve("c").toString(),
                "--ensemble", cont.toString());
        assertEquals(ExitCodes.BAD_INPUT, wrongMember.code());
        assertTrue(wrongMember.err().contains("--ensemble ") && wrongMember.err().contains("a continuation run"),
                wrongMember.err());
        // A reward that cannot tell the labels apart (VADER scores the review text) is refused before any work.
        Result vader = classify(train, dev, tmp.resolve("v"), "--reward", "vader");
        assertEquals(ExitCodes.USAGE, vader.code(), vader.err());
        // the --reward value does not belong with the task: the error line, then the hint to --help
        assertTrue(vader.err().strip().endsWith("qdecode: error: --reward vader: gave every label the same reward on "
                + "each of the first 60 training examples, so the head has nothing to learn (expected a reward that "
                + "compares the chosen label with the gold one, e.g. label-match)\nTry 'qdecode train --help' for the "
                + "options."), vader.err());
        assertFalse(Files.exists(tmp.resolve("v/summary.json")));
        Result resume = run("train", "--resume", "--out", tmp.resolve("c").toString());
        assertEquals(ExitCodes.USAGE, resume.code(), resume.err());
        assertEquals("qdecode: error: --resume: " + tmp.resolve("c") + " holds a finished classification run (see "
                + "summary.json; expected an unfinished run: train a new run into another --out, or without --resume "
                + "add --overwrite to start over in " + tmp.resolve("c") + ")", resume.err().strip());
        // The other way round: a classification head is no policy for generating text.
        String expected = "a classification run (expected a run of --task continuation, translation or dialogue; "
                + "label texts with it by evaluate --task classification)";
        for (String[] args : List.of(
                new String[] {"generate", "--policy", tmp.resolve("c").toString(), "--prompt", "The dog was"},
                new String[] {"generate", "--policy", cont.toString(), "--ensemble", tmp.resolve("c").toString(),
                    "--prompt", "The dog was"})) {
            Result g = run(args);
            assertEquals(ExitCodes.BAD_INPUT, g.code(), g.err());
            assertTrue(g.err().strip().endsWith(expected) && g.err().strip().lines().count() == 1, g.err());
        }
        Result e = run("evaluate", "--policy", tmp.resolve("c").toString());
        assertEquals(ExitCodes.BAD_INPUT, e.code(), e.err());
        assertEquals("qdecode: error: --policy " + tmp.resolve("c") + ": a --task classification run (expected a run "
                + "of --task continuation; evaluate it with --task classification)", e.err().strip());
    }

    @Test
    void allTerminalActionsLearnsFromTheLabelsNotChosenInShuffledPasses(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 400, 1);
        Path dev = data(tmp, "dev.tsv", 200, 2);
        // A third label that is never right: every episode also stores the two labels it did not pick.
        Result r = classify(train, dev, tmp.resolve("ata"), "--labels", "0=bad,1=good,2=okay", "--episodes", "1600",
                "--lr", "1e-3", "--eval-every", "800", "--seed", "3", "--all-terminal-actions", "--shuffled-passes");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject s = json(tmp.resolve("ata").resolve("summary.json"));
        assertEquals(1600, s.get("episodes").getAsLong());
        assertEquals(2 * 1600, s.get("simulated_transitions").getAsLong());
        assertTrue(s.getAsJsonObject("config").get("allTerminalActions").getAsBoolean());
        assertTrue(s.getAsJsonObject("config").get("shuffledPasses").getAsBoolean());
        double acc = s.get("dqn_accuracy").getAsDouble();
        assertTrue(acc >= 0.8, "DQN accuracy " + acc);
        Result other = run("train", "--task", "translation", "--all-terminal-actions", "--out",
                tmp.resolve("tr").toString());
        assertEquals(ExitCodes.USAGE, other.code());
        assertTrue(other.err().contains("--all-terminal-actions: only for --task classification"), other.err());
    }

    /**
     * The labels not chosen are stored without exploration too: with ε = 0 every training episode used to
     * store none of them (the walk took ε &gt; 0 to mean a training walk).
     */
    @Test
    void allTerminalActionsStoresTheLabelsNotChosenAlsoWithoutExploration(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 100, 1);
        Path dev = data(tmp, "dev.tsv", 40, 2);
        Result r = classify(train, dev, tmp.resolve("greedy"), "--labels", "0=bad,1=good", "--episodes", "128",
                "--eval-every", "64", "--seed", "3", "--epsilon-start", "0", "--epsilon-end", "0");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject s = json(tmp.resolve("greedy").resolve("summary.json"));
        assertTrue(s.getAsJsonObject("config").get("allTerminalActions").getAsBoolean());
        assertEquals(128, s.get("simulated_transitions").getAsLong());
    }

    /**
     * A decaying learning rate is that of the episodes done before the round, as in the other tasks: the last
     * round's updates used to run at the rate of the run's end, 0 with --lr-schedule linear, so a run of one round
     * never changed its head (every Q stayed 0).
     */
    @Test
    void aDecayingLearningRateStartsAtLrInTheFirstRound(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 100, 1);
        Path dev = data(tmp, "dev.tsv", 40, 2);
        Result r = classify(train, dev, tmp.resolve("linear"), "--labels", "0=bad,1=good", "--episodes", "64",
                "--rollout-episodes", "64", "--eval-every", "64", "--seed", "3", "--lr-schedule", "linear");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        List<String> lines = Files.readAllLines(tmp.resolve("linear").resolve("metrics.jsonl"));
        JsonObject last = JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject();
        assertEquals(16, last.get("updates").getAsLong(), last.toString());
        assertTrue(last.get("q_abs_max").getAsDouble() > 0, last.toString());
    }

    /**
     * Targets are clipped to the reward's range: given, or [-1, 1] widened by the returns stored (it was fixed),
     * with the Huber loss; the cross-entropy loss (the default) keeps [0, 1] and refuses a reward outside it.
     */
    @Test
    void theReturnRangeFollowsTheRewardOrTheOptions(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 100, 1);
        Path dev = data(tmp, "dev.tsv", 40, 2);
        Result ce = classify(train, dev, tmp.resolve("ce"), "--labels", "0=bad,1=good", "--episodes", "128",
                "--eval-every", "64", "--seed", "3");
        assertEquals(ExitCodes.OK, ce.code(), ce.err());
        JsonObject summary = json(tmp.resolve("ce").resolve("summary.json"));
        assertEquals("[0.0,1.0]", summary.get("return_range").toString());
        assertEquals("cross-entropy", summary.getAsJsonObject("config").get("valueLoss").getAsString());
        Result outside = classify(train, dev, tmp.resolve("outside"), "--labels", "0=bad,1=good", "--reward",
                "label-match:right=3");
        assertEquals(ExitCodes.USAGE, outside.code(), outside.err());
        List<String> lines = outside.err().strip().lines().toList();
        assertEquals("Try 'qdecode train --help' for the options.", lines.get(lines.size() - 1), outside.err());
        String last = lines.get(lines.size() - 2); // the error line, before the hint
        assertTrue(last.startsWith("qdecode: error: --reward label-match: gave training example id 0 (\""), last);
        assertTrue(last.endsWith("\") with label '0' chosen the reward 3.0, outside [0, 1] (expected rewards in [0, 1] with --value-loss cross-entropy, whose Q = σ(z) is "
                + "a probability; or --value-loss huber)"), last);
        assertFalse(Files.exists(tmp.resolve("outside/summary.json")));
        String[] common = {"--labels", "0=bad,1=good", "--reward", "label-match:right=3", "--episodes", "128",
            "--eval-every", "64", "--seed", "3", "--value-loss", "huber"};
        Result r = classify(train, dev, tmp.resolve("auto"), common);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("[-1.0,3.0]", json(tmp.resolve("auto").resolve("summary.json")).get("return_range").toString());
        String[] given = java.util.stream.Stream.concat(java.util.Arrays.stream(common),
                java.util.stream.Stream.of("--return-min", "-5", "--return-max", "5")).toArray(String[]::new);
        r = classify(train, dev, tmp.resolve("given"), given);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals("[-5.0,5.0]", json(tmp.resolve("given").resolve("summary.json")).get("return_range").toString());
    }

    @Test
    void refitTrainsAFreshHeadOnAllExamplesForTheSelectedLength(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 400, 1);
        Path dev = data(tmp, "dev.tsv", 200, 2);
        JsonObject[] runs = new JsonObject[2];
        for (int i = 0; i < 2; i++) {
            String out = i == 0 ? "refit" : "selected";
            Result r = classify(train, dev, tmp.resolve(out), "--episodes", "1600", "--lr", "1e-3", "--eval-every", "400",
                    "--seed", "3", "--refit=" + (i == 0));
            assertEquals(ExitCodes.OK, r.code(), r.err());
            runs[i] = json(tmp.resolve(out).resolve("summary.json"));
            if (i == 0) {
                assertTrue(r.err().contains("refit: validation selected episode"), r.err());
            }
        }
        JsonObject on = runs[0];
        JsonObject off = runs[1];
        assertTrue(on.getAsJsonObject("config").get("refit").getAsBoolean());
        assertFalse(off.getAsJsonObject("config").get("refit").getAsBoolean());
        // The first stage is the same run either way: the same selected episode and head.
        assertEquals(off.get("selected_episode").getAsLong(), on.get("selected_episode").getAsLong());
        assertEquals(off.get("selected_head_accuracy").getAsDouble(), on.get("selected_head_accuracy").getAsDouble());
        JsonObject refit = on.getAsJsonObject("refit");
        assertEquals(400, refit.get("examples").getAsInt(), refit.toString());
        assertTrue(on.get("train_examples").getAsInt() < 400, on.toString());
        assertEquals(on.get("selected_episode").getAsLong(), refit.get("episodes").getAsLong());
        assertEquals(1600 + refit.get("episodes").getAsLong(), on.get("episodes").getAsLong());
        // The reported accuracy is the refit head's; without refit it is the selected head's.
        assertEquals(refit.get("accuracy").getAsDouble(), on.get("dqn_accuracy").getAsDouble());
        assertTrue(on.get("dqn_accuracy").getAsDouble() >= 0.8, on.toString());
        assertFalse(off.has("refit"));
        assertEquals(off.get("selected_head_accuracy").getAsDouble(), off.get("dqn_accuracy").getAsDouble());
        Result other = run("train", "--task", "translation", "--refit", "--out", tmp.resolve("tr").toString());
        assertEquals(ExitCodes.USAGE, other.code());
        assertTrue(other.err().contains("--refit: only for --task classification"), other.err());
        Result group = run("train", "--task", "classification", "--samples-per-prompt", "2", "--out",
                tmp.resolve("grp").toString());
        assertEquals(ExitCodes.USAGE, group.code());
        assertTrue(group.err().contains("--samples-per-prompt: not for --task classification"), group.err());
    }

    @Test
    void badLabelSetUpsAreOneLineErrors(@TempDir Path tmp) throws Exception {
        Path train = data(tmp, "train.tsv", 20, 1);
        Path dev = data(tmp, "dev.tsv", 10, 2);
        Result missing = train(tmp, "a", "0=bad,2=good", train, dev);
        assertEquals(ExitCodes.BAD_INPUT, missing.code());
        assertTrue(missing.err().matches("(?s).*" + java.util.regex.Pattern.quote(train.toString())
                + ":\\d+: column 'label': expected one of 0,2 but found '1'.*"), missing.err());
        assertEquals(1, missing.err().strip().lines().filter(l -> l.startsWith("qdecode:")).count(), missing.err());
        Result prefix = train(tmp, "b", "0=sad,1=sad.", train, dev);
        assertEquals(ExitCodes.BAD_INPUT, prefix.code());
        assertTrue(prefix.err().contains("prefix"), prefix.err());
        Result same = train(tmp, "c", "0=good,1=good", train, dev);
        assertEquals(ExitCodes.USAGE, same.code());
        assertTrue(same.err().contains("the same text 'good'"), same.err());
        Result template = run("train", "--task", "classification", "--template", "Review:", "--out",
                tmp.resolve("d").toString());
        assertEquals(ExitCodes.USAGE, template.code());
        assertTrue(template.err().contains("expected the placeholder {text}"), template.err());
        Result twice = run("train", "--task", "classification", "--template", "{text} or {text}", "--out",
                tmp.resolve("e").toString());
        assertEquals(ExitCodes.USAGE, twice.code());
        assertTrue(twice.err().contains("expected the placeholder {text} exactly once"), twice.err());
        assertFalse(Files.exists(tmp.resolve("a").resolve("summary.json")));

        // a label text the tokenizer cannot spell, a template with nothing after {text} (the label follows
        // it), a text too long for the model: refused before any embedding, naming the option or the row
        Result unknown = train(tmp, "f", "0=\uD83D\uDE00,1=good", train, dev);
        assertEquals(ExitCodes.BAD_INPUT, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("\nqdecode: error: --labels: text '\uD83D\uDE00' of label 0 holds characters "
                + "the tokenizer cannot represent (they become its unknown token "), unknown.err());
        Result bare = run("train", "--task", "classification", "--template", "{text}", "--out",
                tmp.resolve("g").toString());
        assertEquals(ExitCodes.USAGE, bare.code());
        assertTrue(bare.err().startsWith("qdecode: error: --template '{text}': expected text after {text} with a "
                + "decoder backbone"), bare.err());
        List<String> rows = new java.util.ArrayList<>(Files.readAllLines(train));
        rows.set(3, "wonderful movie ".repeat(600) + "\t1");
        Path longRow = tmp.resolve("long.tsv");
        Files.write(longRow, rows);
        Result tooLong = train(tmp, "h", "0=bad,1=good", longRow, dev);
        assertEquals(ExitCodes.BAD_INPUT, tooLong.code(), tooLong.err());
        assertTrue(tooLong.err().matches("(?s).*\nqdecode: error: " + java.util.regex.Pattern.quote(longRow.toString())
                + ": data row 3 \\(id 2\\): its prompt has \\d+ tokens, more than the model's 512 positions "
                + "\\(expected a shorter text\\)\\s*"), tooLong.err());
    }
}
