package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Options that a use of a command does not read (another task's files, policy settings without a
 * policy, sampling settings with greedy decoding, table columns of plain-text files) are refused with a
 * usage error that says where they belong, before anything is loaded or written.
 */
class IgnoredOptionsTest {

    @Test
    void optionsThatWouldBeIgnoredAreRefusedWithWhereTheyBelong(@TempDir Path tmp) throws Exception {
        String out = tmp.resolve("run").toString();
        Path text = tmp.resolve("lines.txt");
        Files.writeString(text, "a good day\nbad\n");
        Path config = tmp.resolve("dqn.json");
        Files.writeString(config, "{\"episodes\": 100, \"gamma\": 0.9}");
        String none = tmp.resolve("none").toString();
        String[][] given = {
            {"train", "--task", "translation", "--prompts", "p.tsv", "--out", out},
            {"train", "--template", "Text: {text}", "--out", out},
            {"train", "--task", "classification", "--eval-limit", "5", "--out", out},
            {"train", "--task", "classification", "--n-step", "3", "--out", out},
            {"train", "--task", "classification", "--backup", "soft", "--out", out},
            {"train", "--task", "classification", "--max-new-tokens", "5", "--out", out},
            {"train", "--task", "classification", "--config", config.toString(), "--out", out},
            {"train", "--task", "dialogue", "--source-column", "en", "--out", out},
            {"train", "--resume", "--labels", "0=no,1=yes", "--out", out},
            {"train", "--task", "classification", "--encoder", "minilm", "--model", none, "--out", out},
            {"evaluate", "--policy", none, "--task", "translation", "--seed", "3"},
            {"evaluate", "--policy", none, "--task", "classification", "--prompts", "p.tsv"},
            {"evaluate", "--policy", none, "--max-new-tokens", "9"},
            {"evaluate", "--policy", none, "--task", "translation", "--plugin", "my-reward.jar"},
            {"generate", "--q-weight", "0.5", "--prompt", "Hi"},
            {"generate", "--prompt", "Hi", "--output", out + ".tsv"},
            {"generate", "--prompt", "Hi", "--strategy", "greedy", "--temperature", "0.7"},
            {"generate", "--prompt", "Hi", "--beams", "2", "--top-k", "5"},
            {"generate", "--prompt", "Hi", "--strategy", "greedy", "--seed", "3"},
            {"tokenizer", "train", "--data", text.toString(), "--columns", "en", "--vocab-size", "300", "--out", out},
            {"rewards", "score", "--reward", "vader", "--hyp", text.toString(), "--column", "text"},
            {"rewards", "score", "--reward", "bleu", "--hyp", text.toString(), "--ref", text.toString(),
                "--ref-column", "de"},
            {"bench", "generate", "--random", "gpt2-small", "--model", none},
            {"sft", "--task", "dialogue", "--bleu-samples", "50", "--data", "d.tsv", "--dev", "d.tsv", "--out", out},
        };
        String[] why = {
            "--prompts: not for train --task translation (expected it only with --task continuation)",
            "--template: not for train --task continuation (expected it only with --task classification)",
            "--eval-limit: not for train --task classification (expected it only with --task continuation, "
                + "translation or dialogue)",
            "--n-step: not for --task classification, whose episodes walk one label's tokens with a hard one-step "
                + "backup (expected it only with --task continuation, translation or dialogue)",
            "--backup: not for --task classification, whose episodes walk one label's tokens with a hard one-step "
                + "backup (expected it only with --task continuation, translation or dialogue)",
            "--max-new-tokens: not for --task classification, whose episodes walk one label's tokens with a hard "
                + "one-step backup (expected it only with --task continuation, translation or dialogue)",
            "--config " + config + ": gamma 0.9: not for --task classification, whose episodes walk one label's tokens "
                + "with a hard one-step backup (expected it only with --task continuation, translation or dialogue)",
            "--source-column: not for train --task dialogue (expected it only with --task translation)",
            "--labels: not for train --resume (expected it only with a new --task classification run; a resumed one "
                + "keeps its own)",
            "--model: not for train --task classification --encoder (expected it only without --encoder, which "
                + "supplies the states in place of a decoder)",
            "--seed: not for evaluate --task translation (expected it only with --task continuation or dialogue)",
            "--prompts: not for evaluate --task classification (expected it only with --task continuation)",
            "--max-new-tokens: not for evaluate --task continuation (expected it only with --task translation)",
            "--plugin: not for evaluate --task translation (expected it only with --task continuation or dialogue)",
            "--q-weight: not for generate without --policy (expected it only with --policy RUN_DIR)",
            "--output: not for generate --prompt (expected it only with --prompts FILE)",
            "--temperature: not for greedy decoding (--strategy greedy or --beams) (expected it only with --strategy "
                + "sample)",
            "--top-k: not for greedy decoding (--strategy greedy or --beams) (expected it only with --strategy sample)",
            "--seed: not for greedy decoding (--strategy greedy or --beams) (expected it only with --strategy sample)",
            "--columns: not for plain-text --data files (every line is a segment) (expected it only with "
                + ".tsv/.csv/.jsonl --data files)",
            "--column: not for a plain-text --hyp file (one segment per line) (expected it only with a .tsv/.csv/.jsonl "
                + "--hyp file)",
            "--ref-column: not for plain-text --ref files (expected it only with .tsv/.csv/.jsonl --ref files)",
            "--model: not for bench generate --random (expected it only without --random, which builds the model from "
                + "a config)",
            "--bleu-samples: not for sft --task dialogue (expected it only with --task translation)",
        };
        for (int i = 0; i < given.length; i++) {
            Result r = CliRunner.run(given[i]);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("qdecode: error: " + why[i], r.err().lines().findFirst().orElse(""), String.join(" ", given[i]));
        }
        assertFalse(Files.exists(tmp.resolve("run")) || Files.exists(tmp.resolve("run.tsv")),
                "nothing is written for a refused command line");
    }

    @Test
    void dqnSettingsLeftIdleByAnotherSettingAreRefused(@TempDir Path tmp) throws Exception {
        String out = tmp.resolve("run").toString();
        Path config = Files.writeString(tmp.resolve("dqn.json"), "{\"priorityBetaEnd\": 0.5}");
        // these were accepted and the run trained with uniform replay, Polyak averaging off, a fixed KL beta
        String[][] given = {
            {"train", "--priority-alpha", "0.9", "--out", out},
            {"train", "--config", config.toString(), "--out", out},
            {"train", "--polyak", "0.5", "--target-sync", "10", "--out", out},
            {"train", "--kl-beta", "0.1", "--kl-horizon", "500", "--out", out},
            {"train", "--task", "classification", "--huber-delta", "2", "--out", out},
            {"train", "--task", "translation", "--value-loss", "cross-entropy", "--out", out},
        };
        String[] why = {
            "--priority-alpha: only with --prioritized (uniform replay samples without priorities or importance "
                + "weights; expected --prioritized, or no --priority-alpha)",
            "--config " + config + ": priorityBetaEnd 0.5: only with --prioritized (uniform replay samples without "
                + "priorities or importance weights; expected --prioritized, or no --priority-beta-end)",
            "--polyak: not with --target-sync 10 (the target network is copied every 10 updates instead of "
                + "averaged; expected --target-sync 0, or no --polyak)",
            "--kl-horizon: only with --kl-target > 0 (without a target KL, --kl-beta stays fixed and has no "
                + "controller; expected --kl-target, or no --kl-horizon)",
            "--huber-delta: not with --value-loss cross-entropy (the Huber threshold is only read by the Huber loss; "
                + "expected --value-loss huber, or no --huber-delta)",
            "--value-loss: only for --task classification (a generating task's returns carry the KL penalty and "
                + "shaped differences, outside the [0, 1] that cross-entropy needs)",
        };
        for (int i = 0; i < given.length; i++) {
            Result r = CliRunner.run(given[i]);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("qdecode: error: " + why[i], r.err().lines().findFirst().orElse(""), String.join(" ", given[i]));
        }
        // with the setting that reads them, or a full config written by an earlier run, they are taken:
        // refused only later, for the missing prompts file
        Path full = Files.writeString(tmp.resolve("full.json"), dev.qdecode.pipeline.dqn.DqnConfig.defaults().toJson());
        String missing = tmp.resolve("missing.tsv").toString();
        String[][] taken = {
            {"train", "--prioritized", "--priority-alpha", "0.9", "--priority-eps", "0.1"},
            {"train", "--polyak", "0.5"},
            {"train", "--kl-beta", "0.1", "--kl-target", "2", "--kl-horizon", "500"},
            {"train", "--config", full.toString()},
        };
        for (String[] t : taken) {
            String[] all = Stream.concat(Arrays.stream(t),
                    Stream.of("--prompts", missing, "--out", out)).toArray(String[]::new);
            Result r = CliRunner.run(all);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals("qdecode: error: --prompts " + missing + ": file not found (expected a prompts file with a "
                    + "'prompt' column)", r.err().lines().findFirst().orElse(""), String.join(" ", t));
        }
        // --huber-delta with the Huber loss chosen for classification: taken, refused later for the missing data
        Result r = CliRunner.run("train", "--task", "classification", "--value-loss", "huber", "--huber-delta", "2",
                "--data", missing, "--out", out);
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: --data " + missing + ": file not found"), r.err());
        assertFalse(Files.exists(tmp.resolve("run").resolve("checkpoint.qdq")));
    }

    @Test
    void shapingWithARewardThatDoesNotScorePrefixesIsRefused(@TempDir Path tmp) throws Exception {
        String model = CliRunner.model("stories260K");
        Path config = Files.writeString(tmp.resolve("shaping.json"), "{\"shapingEvery\": 4}");
        Path defaults = Files.writeString(tmp.resolve("default.json"), "{\"shapingEvery\": 1}");
        Path off = Files.writeString(tmp.resolve("off.json"), "{\"shapingEvery\": 0}");
        String[] tiny = {"--model", model, "--reward", "length:min=3,max=6", "--episodes", "4", "--rollout-episodes",
            "4", "--batch-size", "4", "--max-new-tokens", "6", "--eval-limit", "2", "--eval-samples", "1"};
        // before, these trained with the terminal reward alone (exit 0): length judges finished texts only
        String[][] given = {
            {"--shaping-every", "4", "--out", tmp.resolve("a").toString()},
            {"--config", config.toString(), "--out", tmp.resolve("b").toString()},
            {"--reward", "0.5*vader", "--shaping-every", "2", "--out", tmp.resolve("c").toString()},
        };
        String[] why = {
            "--shaping-every: only with a reward that scores prefixes (--reward length:min=3,max=6 does not, so its "
                + "episodes get the terminal reward alone; expected a reward that does, e.g. vader, bleu or token-f1, "
                + "or no --shaping-every)",
            "--config " + config + ": shapingEvery 4: only with a reward that scores prefixes (--reward "
                + "length:min=3,max=6 does not, so its episodes get the terminal reward alone; expected a reward that "
                + "does, e.g. vader, bleu or token-f1, or no --shaping-every)",
            // before: '(--reward length:min=3,max=6 0.5*vader does not, ...', as if one spec
            "--shaping-every: only with a reward that scores prefixes (--reward length:min=3,max=6 --reward 0.5*vader "
                + "does not: a sum scores prefixes only when each of its rewards does, so its episodes get the terminal "
                + "reward alone; expected a reward that does, e.g. vader, bleu or token-f1, or no --shaping-every)",
        };
        for (int i = 0; i < given.length; i++) {
            String[] all = Stream.of(new String[] {"train"}, tiny, given[i])
                    .flatMap(Arrays::stream).toArray(String[]::new);
            Result r = CliRunner.run(all);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("qdecode: error: " + why[i], r.err().lines().findFirst().orElse(""), String.join(" ", all));
            assertFalse(Files.exists(tmp.resolve(given[i][given[i].length - 1]).resolve("checkpoint.qdq")));
        }
        // the default, in --config or left out, stays accepted for such a reward, and so does 0 (terminal reward
        // only, what such a reward gets anyway; before, --shaping-every 0 and shapingEvery 0 were refused): the run
        // trains
        String[][] accepted = {{"--config", defaults.toString()}, {}, {"--shaping-every", "0"},
            {"--config", off.toString()}};
        for (int i = 0; i < accepted.length; i++) {
            String[] ok = accepted[i];
            Path out = tmp.resolve("ok" + i);
            String[] all = Stream.of(new String[] {"train"}, tiny, ok,
                    new String[] {"--out", out.toString()}).flatMap(Arrays::stream).toArray(String[]::new);
            Result r = CliRunner.run(all);
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(Files.exists(out.resolve("summary.json")));
        }
    }
}
