package dev.qdecode.pipeline.cli;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.Format;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardInfo;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.SharedDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode rewards}: list the rewards and score files with them. */
@Command(name = "rewards", mixinStandardHelpOptions = true,
        description = "List the available rewards (built-in and plug-ins) and score text files with them.",
        subcommands = {RewardsCommand.ListRewards.class, RewardsCommand.Score.class})
final class RewardsCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list or score");
    }

    /** {@code qdecode rewards list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Show every reward id with its parameters and one line of help, and where it comes from.")
    static final class ListRewards implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin RewardOptions rewards;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            for (RewardInfo info : rewards.registry().describe()) {
                out.printf(Locale.ROOT, "%-12s %s%n", info.id(), info.description());
                out.printf(Locale.ROOT, "%-12s usage: %s   (%s)%n", "", info.usage(), info.origin());
                for (RewardParameter p : info.parameters()) {
                    out.printf(Locale.ROOT, "%-14s %-12s %s (default: %s)%n", "", p.name(), p.help(),
                            p.defaultValue().isEmpty() ? "none" : p.defaultValue());
                }
            }
            out.println();
            out.println("Combine rewards as a weighted sum: --reward '0.7*vader' --reward '0.3*bleu:tokenize=intl'");
            return ExitCodes.OK;
        }
    }

    /** {@code qdecode rewards score}. */
    @Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Score hypotheses with a reward: the corpus score (with its signature for BLEU/chrF) on standard "
                        + "output, per-line scores to --output.",
                "Text files (.txt or any other extension) hold one segment per line (UTF-8; a leading byte-order "
                        + "mark is skipped); .tsv/.csv/.jsonl files are read by column."
            })
    static final class Score implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin RewardOptions rewards;

        @Option(names = "--reward", paramLabel = "SPEC", required = true,
                description = "Reward spec [W*]id[:key=value,...]; repeat to combine (see 'qdecode rewards list').")
        List<String> specs;

        @Option(names = "--hyp", paramLabel = "FILE", required = true, description = "The hypotheses (generated texts).")
        Path hyp;

        @Option(names = "--ref", paramLabel = "FILE", description = "A reference file, one reference per segment; repeat for several references. Only for "
                        + "rewards that read references (e.g. bleu, chrf, token-f1).")
        List<Path> refs = new ArrayList<>();

        @Option(names = "--column", paramLabel = "NAME", defaultValue = "text",
                description = "Column of a table --hyp file holding the text (default: ${DEFAULT-VALUE}).")
        String column;

        @Option(names = "--ref-column", paramLabel = "NAME", defaultValue = "reference",
                description = "Column of table --ref files holding the reference (default: ${DEFAULT-VALUE}).")
        String refColumn;

        @Option(names = "--label-column", paramLabel = "NAME",
                description = "Column of a table --hyp file holding the gold label (for label-match).")
        String labelColumn;

        @Option(names = "--output", paramLabel = "FILE.tsv|FILE.jsonl", description = "Write one score per segment here.")
        Path output;

        @Mixin OutputOverwriteOption overwrite;

        @Option(names = "--seed", defaultValue = "42", description = "Seed handed to the rewards (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            if (!Format.isTable(hyp)) {
                OptionScope.refuse(spec, "a plain-text --hyp file (one segment per line)",
                        "with a .tsv/.csv/.jsonl --hyp file", List.of("--column", "--label-column"));
            }
            if (refs.stream().noneMatch(Format::isTable)) {
                OptionScope.refuse(spec, refs.isEmpty() ? "rewards score without --ref" : "plain-text --ref files",
                        "with .tsv/.csv/.jsonl --ref files", List.of("--ref-column"));
            }
            Rewards registry = rewards.registry();
            if (!refs.isEmpty() && registry.referenceReaders(specs).isEmpty()) {
                OptionScope.refuse(spec, "--reward " + String.join(" --reward ", specs) + ", which reads no references",
                        "with a reward that reads them: " + String.join(", ", registry.referenceReaders()),
                        List.of("--ref"));
            }
            if (labelColumn != null && registry.labelReaders(specs).isEmpty()) {
                OptionScope.refuse(spec, "--reward " + String.join(" --reward ", specs) + ", which reads no gold labels",
                        "with a reward that reads them (label-match)", List.of("--label-column"));
            }
            rewards.requireInputs(specs, refs.isEmpty() ? "expected --ref FILE, one reference per --hyp segment" : null,
                    labelColumn == null ? "expected --label-column NAME of a table --hyp file" : null);
            List<Path> inputs = new ArrayList<>(refs);
            inputs.add(hyp);
            overwrite.check(spec, "rewards score", output, inputs.toArray(Path[]::new));
            List<String> hyps = readColumn(hyp, column);
            if (hyps.isEmpty()) { // a mean over nothing is no score
                throw new CliException(hyp + ": no segments (expected at least one "
                        + (Format.isTable(hyp) ? "data row" : "line") + ")");
            }
            List<String> labels = labelColumn == null ? null : readColumn(hyp, labelColumn);
            List<List<String>> refLists = new ArrayList<>();
            for (Path r : refs) {
                List<String> col = readColumn(r, refColumn);
                if (col.size() != hyps.size()) {
                    throw new CliException(r + ": has " + col.size() + " segments but --hyp " + hyp + " has "
                            + hyps.size() + " (expected one reference per hypothesis)");
                }
                refLists.add(col);
            }
            List<Episode> episodes = new ArrayList<>(hyps.size());
            for (int i = 0; i < hyps.size(); i++) {
                List<String> rs = new ArrayList<>(refLists.size());
                for (List<String> col : refLists) {
                    rs.add(col.get(i));
                }
                episodes.add(new Episode("", hyps.get(i), null, rs, labels == null ? null : labels.get(i), null));
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Reward reward = registry.create(specs, new RewardContext(SharedDir.locate(), seed))) {
                double[] scores = scoreWithProgress(reward, episodes, spec.commandLine().getErr());
                Optional<CorpusScore> corpus = reward.corpusScore(episodes);
                double mean = 0;
                for (double s : scores) {
                    mean += s / Math.max(1, scores.length);
                }
                if (corpus.isPresent()) {
                    out.println(corpus.get().line());
                }
                out.printf(Locale.ROOT, "mean %s = %.6f over %d segments%n", String.join(" + ", specs), mean, scores.length);
                if (output != null) {
                    try (RecordWriter w = RecordWriter.open(output, List.of("index", "text", "score"))) {
                        for (int i = 0; i < scores.length; i++) {
                            w.write(i + 1, hyps.get(i), scores[i]);
                        }
                        w.commit();
                    }
                    spec.commandLine().getErr().println("wrote " + scores.length + " scores to " + output);
                }
            }
            return ExitCodes.OK;
        }

        /** Segments scored per call: a progress bar that moves every few seconds, and calls large enough for a model-based reward to batch texts of similar length together. */
        static final int CHUNK = 4096;

        /**
         * Scores the episodes in chunks of {@link #CHUNK}, with a progress bar on standard error (a model-based
         * reward takes about 2 ms a segment on 2 cores: a minute for 30,000). A reward's score of an episode
         * does not depend on the others in its call (the {@link Reward} contract), so chunks give the same
         * scores as one call.
         */
        private static double[] scoreWithProgress(Reward reward, List<Episode> episodes, PrintWriter err) {
            if (episodes.size() <= CHUNK) {
                return reward.score(episodes);
            }
            double[] scores = new double[episodes.size()];
            try (ProgressBar bar = new ProgressBar(err, "segments", episodes.size())) {
                for (int from = 0; from < episodes.size(); from += CHUNK) {
                    int to = Math.min(episodes.size(), from + CHUNK);
                    double[] part = reward.score(episodes.subList(from, to));
                    System.arraycopy(part, 0, scores, from, part.length);
                    bar.update(to, "");
                }
            }
            return scores;
        }

        /** A UTF-8 byte-order mark, as decoded. */
        private static final String BOM = "\uFEFF";

        private static List<String> readColumn(Path file, String column) {
            if (Format.isTable(file)) {
                List<String> out = new ArrayList<>();
                try (var reader = Datasets.rows(file, ReadOptions.defaults().withFormat(Format.of(file)))) {
                    reader.forEachRemaining((Row row) -> {
                        if (!row.has(column)) {
                            throw new CliException(file + ":1: no column '" + column + "' (columns: "
                                    + String.join(", ", row.columns()) + ")");
                        }
                        out.add(row.get(column));
                    });
                }
                return out;
            }
            try {
                String content = StandardCharsets.UTF_8.newDecoder()
                        .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
                if (content.startsWith(BOM)) {
                    content = content.substring(1); // as the .tsv/.csv/.jsonl readers do
                }
                List<String> lines = new ArrayList<>(List.of(content.split("\r?\n", -1)));
                if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                    lines.remove(lines.size() - 1);
                }
                return lines;
            } catch (NoSuchFileException e) {
                throw new CliException(file + ": file not found");
            } catch (CharacterCodingException e) {
                throw new CliException(file + ": not valid UTF-8 text");
            } catch (IOException e) {
                throw new CliException(file + ": cannot read (" + e.getMessage() + ")");
            }
        }
    }
}
