package dev.qdecode.pipeline.cli;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.Format;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.rewards.CorpusScore;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInfo;
import dev.qdecode.rewards.RewardParameter;
import dev.qdecode.rewards.Rewards;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
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
            List<RewardInfo> infos;
            try {
                infos = rewards.registry().describe();
            } finally {
                rewards.close();
            }
            for (RewardInfo info : infos) {
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
                "Score hypotheses with a reward: on standard output the corpus score of each BLEU/chrF reward in "
                        + "it (with its signature), then the mean score; per-line scores to --output.",
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

        @Option(names = "--overwrite", description = "Replace an existing --output file, or an interrupted one's "
                + "scores (default: refuse, so earlier work is not lost).")
        boolean overwrite;

        @Option(names = "--resume", description = "Continue the interrupted --output FILE (its scores so far are in "
                + "FILE.part): give the command that started it plus --resume; a reward, seed, column or input that "
                + "differs is named and refused.")
        boolean resume;

        @Option(names = "--seed", defaultValue = "42", description = "Seed handed to plug-in rewards "
                + "(RewardContext.seed(); no built-in reward draws random numbers) (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() {
            try {
                return score();
            } finally {
                rewards.close(); // the one registry of the checks and the reward: its plug-in jars are released
            }
        }

        /** The options this scoring does not read (refused when given): left out of the --output record. */
        private final java.util.Set<String> unread = new java.util.LinkedHashSet<>();

        private Integer score() {
            if (!Format.isTable(hyp)) {
                OptionScope.refuse(spec, "a plain-text --hyp file (one segment per line)",
                        "with a .tsv/.csv/.jsonl --hyp file", List.of("--column", "--label-column"), unread);
            }
            if (refs.stream().noneMatch(Format::isTable)) {
                OptionScope.refuse(spec, refs.isEmpty() ? "rewards score without --ref" : "plain-text --ref files",
                        "with .tsv/.csv/.jsonl --ref files", List.of("--ref-column"), unread);
            }
            if (rewards.plugins.isEmpty()) {
                OptionScope.refuse(spec, "built-in rewards, which draw no random numbers", "with a --plugin reward",
                        List.of("--seed"), unread);
            }
            Rewards registry = rewards.registry(); // the reward is created from it too, below
            if (!refs.isEmpty() && registry.referenceReaders(specs).isEmpty()) {
                OptionScope.refuse(spec, "--reward " + String.join(" --reward ", specs) + ", which reads no references",
                        "with a reward that reads them: " + String.join(", ", registry.referenceReaders()),
                        List.of("--ref"), unread);
            }
            if (labelColumn != null && registry.labelReaders(specs).isEmpty()) {
                OptionScope.refuse(spec, "--reward " + String.join(" --reward ", specs) + ", which reads no gold labels",
                        "with a reward that reads them (label-match)", List.of("--label-column"), unread);
            }
            List<String> needIds = registry.tokenIdsRequired(specs);
            if (!needIds.isEmpty()) {
                throw new CliException("--reward " + String.join(" --reward ", specs) + ": " + String.join(", ", needIds)
                        + " counts the token ids of a generated text, and rewards score has only texts (expected a reward"
                        + " that reads the text, e.g. length with unit=words; token ids are scored in train and evaluate)",
                        ExitCodes.USAGE);
            }
            rewards.requireInputs(specs, refs.isEmpty() ? "expected --ref FILE, one reference per --hyp segment" : null,
                    labelColumn == null ? "expected --label-column NAME of a table --hyp file" : null);
            List<Path> inputs = new ArrayList<>(refs);
            inputs.add(hyp);
            if (output == null) {
                OptionScope.refuse(spec, "rewards score without --output", "with --output FILE",
                        List.of("--overwrite", "--resume"));
            } else {
                RecordWriter.checkTarget("--output", output, inputs.toArray(Path[]::new));
                OtherWork.refuseFile("--output", output, spec);
            }
            List<Long> hypLines = new ArrayList<>();
            List<String> hyps = readColumn(hyp, column, hypLines);
            // read before the count is checked, so that a header without --label-column is named as such
            List<String> labels = labelColumn == null ? null : readColumn(hyp, labelColumn, null);
            if (hyps.isEmpty()) { // a mean over nothing is no score
                throw new CliException(hyp + ": no segments (expected at least one "
                        + (Format.isTable(hyp) ? "data row" : "line") + ")");
            }
            List<List<String>> refLists = new ArrayList<>();
            List<List<Long>> refLines = new ArrayList<>();
            for (Path r : refs) {
                List<Long> lines = new ArrayList<>();
                refLines.add(lines);
                List<String> col = readColumn(r, refColumn, lines);
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
            PrintWriter err = spec.commandLine().getErr();
            if (output != null) {
                // from here on Ctrl-C stops after the current chunk, so the scores so far are kept
                Interrupts.install(err, "the scores so far, after the current chunk");
            }
            // the output is checked (and a resume's rows read) before the reward loads, so a refusal is quick
            try (ResumableOutput o = output == null ? null : openOutput(episodes, hyps);
                    Reward reward = rewards.create(specs, seed)) {
                double[] scores = new double[episodes.size()];
                int from = 0;
                if (o != null) {
                    if (Interrupts.requested()) {
                        err.println("qdecode: interrupted while loading the reward; nothing was written"
                                + (o.done() > 0 ? " (the scores so far stay in " + o.partFile() + "; run the same "
                                        + "command again, with --resume)" : " (run the same command again)"));
                        return Interrupts.status();
                    }
                    o.bind(pluginHashes(), Map.of());
                    // the scores in the file: every session's count when a resume keeps earlier ones
                    o.noteThreads(DqnCli.REWARD_ENCODER_THREADS, DqnCli.rewardEncoderThreads(reward), true);
                    for (List<String> row : o.doneRows()) {
                        scores[from++] = Double.parseDouble(row.get(2));
                    }
                    o.announce(err, scores.length, "segments", "all " + scores.length + " segments were already "
                            + "scored; finishing " + output);
                }
                IntFunction<String> place = i -> {
                    // a segment is a --hyp line and, when given, a line of each --ref file
                    StringBuilder b = new StringBuilder(hyp + ":" + hypLines.get(i));
                    for (int k = 0; k < refs.size(); k++) {
                        b.append(k == 0 ? " (--ref " : ", ").append(refs.get(k)).append(':')
                                .append(refLines.get(k).get(i));
                    }
                    return refs.isEmpty() ? b.toString() : b.append(')').toString();
                };
                int[] written = {from};
                int done;
                try {
                    done = scoreChunks(reward, episodes, scores, from, err, place, (start, end) -> {
                        if (o == null) {
                            return true;
                        }
                        for (int k = start; k < end; k++) {
                            o.write(k + 1, hyps.get(k), scores[k]);
                        }
                        o.flush();
                        written[0] = end;
                        return !Interrupts.requested();
                    });
                } catch (RewardException e) {
                    if (o == null) {
                        throw e;
                    }
                    // what is left of the output: the scores of the chunks done, which --resume continues after
                    throw new RewardException(e.getMessage() + (written[0] == 0 ? "; no scores were written (run the "
                            + "command again)" : "; the first " + written[0] + " of " + scores.length + " scores stay in "
                            + o.partFile() + ": run the same command plus --resume to score the rest"
                            + (rewards.plugins.isEmpty() ? "" : " (with the same plug-in jars)")),
                            e.rewardId(), e.episodeIndex(), e);
                }
                if (done < scores.length) {
                    o.interrupted(err, done, scores.length, "segments", "scores");
                    return Interrupts.status();
                }
                List<CorpusScore> corpus = reward.corpusScores(episodes);
                double mean = 0;
                for (double v : scores) {
                    mean += v / Math.max(1, scores.length);
                }
                corpus.forEach(c -> out.println(c.line()));
                out.printf(Locale.ROOT, "mean %s = %.6f over %d segments%n", Rewards.sumText(specs), mean, scores.length);
                if (o != null) {
                    o.finish();
                    Interrupts.restoreDefault();
                    err.println("wrote " + scores.length + " scores to " + output + " (settings in "
                            + ResumableOutput.runFile(output) + ")");
                }
            }
            return ExitCodes.OK;
        }

        /** Segments scored per call: a progress bar that moves every few seconds, a Ctrl-C that stops within
         * seconds, and calls large enough for a model-based reward to batch texts of similar length together. */
        static final int CHUNK = 4096;

        /** The output's columns. */
        private static final List<String> COLUMNS = List.of("index", "text", "score");

        /** Called after each chunk, its scores in place: whether to go on. */
        private interface ChunkDone {
            boolean test(int from, int to);
        }

        /**
         * Scores the episodes from {@code from} on into {@code scores}, in chunks of {@link #CHUNK}, with a
         * progress bar on standard error when there is more than one (a model-based reward takes about 2 ms a
         * segment on 2 cores: a minute for 30,000). A reward's score of an episode does not depend on the
         * others in its call (the {@link Reward} contract), so chunks, and a resume between them, give the
         * same scores as one call.
         *
         * @return the index reached: {@code episodes.size()}, or less when {@code chunkDone} said stop
         * @param place a segment's place in the input files, by its index
         * @throws RewardException when the reward fails; a failure of one segment names it by its number and its
         *     {@code place}, not by its index in the chunk the reward was given
         */
        private static int scoreChunks(Reward reward, List<Episode> episodes, double[] scores, int from,
                PrintWriter err, IntFunction<String> place, ChunkDone chunkDone) {
            int n = episodes.size();
            try (ProgressBar bar = n - from > CHUNK ? new ProgressBar(err, "segments", n, from) : null) {
                for (int start = from; start < n; start += CHUNK) {
                    int end = Math.min(n, start + CHUNK);
                    double[] part;
                    try {
                        part = reward.score(episodes.subList(start, end));
                    } catch (RewardException e) {
                        throw e.episodeIndex() < 0 ? e : atSegment(e, start, place);
                    }
                    System.arraycopy(part, 0, scores, start, part.length);
                    if (bar != null) {
                        bar.update(end, "");
                    }
                    if (!chunkDone.test(start, end)) {
                        return end;
                    }
                }
            }
            return n;
        }

        /**
         * A reward's failure on one episode of a chunk, located in the input files: {@code HYP:LINE (--ref
         * REF:LINE): reward 'ID' failed on segment N: PROBLEM}, N counted from 1 over the whole file as the
         * --output index column is (the reward's own message counts episodes from 0 within the chunk it was
         * given).
         */
        static RewardException atSegment(RewardException e, int chunkStart, IntFunction<String> place) {
            int segment = chunkStart + e.episodeIndex();
            return new RewardException(place.apply(segment) + ": " + e.messageAt("segment " + (segment + 1)),
                    e.rewardId(), segment, e);
        }

        /**
         * Opens --output (refusing one that exists unasked): the segments' texts, references and labels are
         * its input identity, the rewards, seed and columns its settings; a resumed run's rows are checked
         * against the segments.
         */
        private ResumableOutput openOutput(List<Episode> episodes, List<String> hyps) {
            List<String> identity = new ArrayList<>(episodes.size());
            for (Episode e : episodes) {
                List<String> fields = new ArrayList<>(e.references());
                fields.add(0, e.text());
                fields.add(e.label() == null ? "" : e.label());
                identity.add(String.join("\t", fields));
            }
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("--reward", specs);
            settings.put("--seed", Long.toString(seed));
            settings.put("--column", column);
            settings.put("--ref-column", refColumn);
            if (labelColumn != null) {
                settings.put("--label-column", labelColumn);
            }
            ResumableOutput o = ResumableOutput.open(spec, "--output", output, COLUMNS, identity, "--hyp", hyp,
                    settings, unread, rows -> rows, resume, overwrite);
            try {
                List<List<String>> keys = new ArrayList<>(hyps.size());
                for (int i = 0; i < hyps.size(); i++) {
                    keys.add(List.of(Integer.toString(i + 1), hyps.get(i)));
                }
                o.checkDoneRows(keys, "segments");
            } catch (RuntimeException e) {
                o.close();
                throw e;
            }
            return o;
        }

        /**
         * The plug-in jars' sha256 and, when a built-in reward reads a file from a path given to it (a classifier, a
         * lexicon), those files' sha256 ({@code reward_files_sha256}), compared on a resume: other code or another
         * classifier at the same path would score otherwise.
         */
        private Map<String, Object> pluginHashes() {
            List<String> hashes = new ArrayList<>();
            for (Path jar : rewards.plugins) {
                hashes.add(Datasets.sha256(jar));
            }
            Map<String, Object> facts = new java.util.LinkedHashMap<>();
            facts.put("plugins_sha256", hashes);
            Map<String, String> files = DqnCli.rewardFiles(specs);
            if (!files.isEmpty()) {
                facts.put("reward_files_sha256", files);
            }
            return facts;
        }

        /** A UTF-8 byte-order mark, as decoded. */
        private static final String BOM = "\uFEFF";

        /**
         * The segments of a file: a table's column, or a text file's lines.
         *
         * @param lines null, or where to add each segment's line in the file (a table row's first line)
         */
        private static List<String> readColumn(Path file, String column, List<Long> lines) {
            if (Format.isTable(file)) {
                List<String> out = new ArrayList<>();
                boolean header = Format.of(file) != Format.JSONL;
                try (var reader = Datasets.rows(file, ReadOptions.defaults().withFormat(Format.of(file)))) {
                    // a TSV's or CSV's header is checked before any row, so that one with no data rows is named for
                    // the column it lacks (line 1), not as a file with no segments
                    if (reader.header() != null && !reader.header().contains(column)) {
                        throw new CliException(file + ":1: no column '" + column + "' in the header (columns: "
                                + String.join(", ", reader.header()) + ")");
                    }
                    reader.forEachRemaining((Row row) -> {
                        if (!row.has(column)) { // a JSON-lines row has its own keys: its line; a TSV's or CSV's header
                            throw new CliException(file + ":" + (header ? "1" : row.line()) + ": no column '" + column
                                    + "'" + (header ? " in the header" : "") + " (columns: "
                                    + String.join(", ", row.columns()) + ")");
                        }
                        out.add(row.get(column));
                        if (lines != null) {
                            lines.add(row.line());
                        }
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
                List<String> segments = new ArrayList<>(List.of(content.split("\r?\n", -1)));
                if (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
                    segments.remove(segments.size() - 1);
                }
                for (long i = 1; lines != null && i <= segments.size(); i++) {
                    lines.add(i);
                }
                return segments;
            } catch (NoSuchFileException e) {
                throw new CliException(file + ": file not found");
            } catch (CharacterCodingException e) {
                throw Datasets.notUtf8(file, e); // with the line and byte offset, as the table readers say
            } catch (IOException e) {
                throw new CliException(file + ": cannot read (" + e.getMessage() + ")");
            }
        }
    }
}
