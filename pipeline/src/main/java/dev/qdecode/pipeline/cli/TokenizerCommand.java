package dev.qdecode.pipeline.cli;

import dev.qdecode.data.DataReader;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.Format;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.tokenizer.BpeConfig;
import dev.qdecode.tokenizer.TokenizerException;
import dev.qdecode.tokenizer.BpeTrainer;
import dev.qdecode.tokenizer.TextTokenizer;
import dev.qdecode.tokenizer.TrainedTokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode tokenizer train}: train a BPE tokenizer on data files. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Train a BPE tokenizer (Hugging Face tokenizer.json) on text columns of data files.",
        subcommands = {TokenizerCommand.Train.class})
final class TokenizerCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: train");
    }

    /**
     * The entries of a comma-separated list option (given once or repeated): none empty, none twice.
     *
     * @param cl the command line, for the usage error
     * @param option the option, e.g. {@code --columns}
     * @param raw its values as given
     * @return the entries, in order
     * @throws CommandLine.ParameterException (usage, with the {@code --help} hint line) naming the option and the
     *     entry
     */
    static List<String> commaList(CommandLine cl, String option, List<String> raw) {
        List<String> out = new ArrayList<>();
        for (String value : raw) {
            for (String entry : value.split(",", -1)) {
                if (entry.isBlank()) {
                    throw new CommandLine.ParameterException(cl, option + " '" + value + "': an empty entry "
                            + "(expected names separated by commas)");
                }
                if (out.contains(entry)) {
                    throw new CommandLine.ParameterException(cl, option + ": '" + entry + "' given twice (expected "
                            + "each once)");
                }
                out.add(entry);
            }
        }
        return out;
    }

    /** {@code qdecode tokenizer train}. */
    @Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Train a byte-pair-encoding tokenizer on the given columns of all --data files (one joint vocabulary, "
                        + "e.g. source and target of a translation set) and write tokenizer.json, "
                        + "tokenizer_config.json and special_tokens_map.json to --out, with tokenizer-provenance.json (the "
                        + "options, each --data file's path and sha256, the files' sha256, qdecode's version and what "
                        + "training gave). Every text round-trips exactly "
                        + "(decode(encode(text)) == text), with one exception in --byte-fallback style: a text "
                        + "containing a special token decodes with a space after each special token (a ▁ is "
                        + "prepended to each side, e.g. 'a<sep>b' → 'a<sep> b'); a text containing the word marker ▁ "
                        + "(U+2581), which that style would decode as a space, is refused before training (exit 3, "
                        + "naming FILE:LINE). After training, every training text is decoded back; the texts "
                        + "that do not come back exactly are counted in a warning naming the first (FILE:LINE, column).",
                "Special tokens: <unk> <s> </s> <pad> at ids 0..3, then --special-tokens. With --byte-fallback the "
                        + "tokenizer is Llama/SentencePiece style (▁ word marker, <0x00>..<0xFF> for unseen "
                        + "characters); without it GPT-2 byte-level style.",
                "Files: .tsv/.csv/.jsonl (read by column, header row for TSV/CSV); any other extension is plain "
                        + "text with one segment per line (a line ends in \\n or \\r\\n; a \\r elsewhere is text)."
            })
    static final class Train implements Callable<Integer> {
        /** What a {@code --data} file must be, for the message naming a missing one. */
        static final String DATA_FILE = "a .tsv/.csv/.jsonl table or a plain-text file of training text";

        @Spec CommandSpec spec;

        @Option(names = "--data", paramLabel = "FILE", arity = "1..*", required = true,
                description = "Training data files (repeat or list several).")
        List<Path> data;

        @Option(names = "--columns", paramLabel = "COL[,COL...]", defaultValue = "text",
                description = "Columns of table files to train on, all into one vocabulary (default: ${DEFAULT-VALUE}).")
        List<String> columns;

        @Option(names = "--vocab-size", paramLabel = "N", required = true,
                description = "Number of token ids, special and byte tokens included.")
        int vocabSize;

        @Option(names = "--byte-fallback",
                description = "Llama/SentencePiece style with byte fallback (default: GPT-2 byte-level style).")
        boolean byteFallback;

        @Option(names = "--special-tokens", paramLabel = "TOK[,TOK...]",
                description = "Extra special tokens after <unk>,<s>,</s>,<pad>, e.g. '<sep>,<eot>'; not a single "
                        + "character (it would replace that character in every text).")
        List<String> specialTokens = new ArrayList<>();

        @Option(names = "--min-frequency", paramLabel = "N", defaultValue = "2",
                description = "Merge only pairs occurring at least N times (default: ${DEFAULT-VALUE}).")
        int minFrequency;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
                description = "Read at most N rows (lines) of each file; 0 = all (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output directory.")
        Path out;

        @Mixin OverwriteOption overwrite;

        /**
         * An option value that does not parse or does not fit the others: bad usage (exit 2), the error line
         * then the line pointing to {@code qdecode tokenizer train --help}, as the README's error section says.
         */
        private CommandLine.ParameterException usage(String message) {
            return new CommandLine.ParameterException(spec.commandLine(), message);
        }

        @Override
        public Integer call() {
            if (limit < 0) {
                throw usage("--limit: expected 0 (all) or a positive count but got " + limit);
            }
            OtherWork.refuse("--out", out, OtherWork.Kind.TOKENIZER); // before checkEmpty, which suggests --overwrite
            overwrite.checkEmpty(out, "a tokenizer", "");
            // every --data file is there before any option about the files is judged: a missing one is named (exit
            // 3), not taken for a plain-text file that --columns does not fit
            for (Path f : data) {
                DqnCli.requireReadableFile("--data", f, DATA_FILE);
            }
            List<String> columns = commaList(spec.commandLine(), "--columns", this.columns);
            List<String> specialTokens = commaList(spec.commandLine(), "--special-tokens", this.specialTokens);
            for (int i = 0; i < data.size(); i++) {
                for (int j = 0; j < i; j++) {
                    if (Datasets.sameFile(data.get(i), data.get(j))) {
                        throw usage("--data " + data.get(i) + ": given twice (expected each file once, so that no "
                                + "text counts double)");
                    }
                }
            }
            if (data.stream().noneMatch(Format::isTable)) {
                OptionScope.refuse(spec, "plain-text --data files (every line is a segment)",
                        "with .tsv/.csv/.jsonl --data files", List.of("--columns"));
            }
            BpeConfig cfg;
            try {
                cfg = new BpeConfig(vocabSize, minFrequency, byteFallback, specialTokens);
            } catch (TokenizerException e) {
                throw usage(e.getMessage()); // option values, checked before reading data
            }
            Segments segments = new Segments(data, columns, limit);

            // Ctrl-C stops at once: say what is left (the files are written, then checked, then recorded)
            Interrupts.quitWithNotice(spec.commandLine().getErr(), out + " holds no finished "
                    + "tokenizer (" + PROVENANCE_FILE + " is written last; train it again, with --overwrite if "
                    + out + " holds files)");
            long t0 = System.nanoTime();
            TrainedTokenizer trained;
            String[][] last = new String[1][]; // the segment the trainer read last: the one it refuses
            Iterable<String> tracked = () -> segments.texts(s -> last[0] = s);
            try {
                trained = BpeTrainer.train(tracked, cfg);
            } catch (BpeTrainer.MarkerInTextException e) {
                throw new CliException(where(last[0]) + ": " + e.what(), ExitCodes.BAD_INPUT);
            } catch (BpeTrainer.VocabSizeTooSmallException e) {
                throw usage(e.getMessage()); // the option, as when the minimum is known beforehand
            } catch (BpeTrainer.EmptyDataException e) {
                throw new CliException(emptyData(e.lines(), data, columns), ExitCodes.BAD_INPUT);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            saveOver(trained, out);

            // Compression on the training data, per column, and the texts that do not decode back exactly: over
            // the texts trained on, the blank segments the trainer skipped left out as it left them out.
            Map<String, long[]> stats = new LinkedHashMap<>(); // column → {segments, tokens}
            long chars = 0;
            long tokens = 0;
            long notRoundTripped = 0;
            String firstNotRoundTripped = null;
            try (TextTokenizer tok = TextTokenizer.load(out)) {
                List<String[]> batch = new ArrayList<>();
                Iterator<String[]> it = segments.withColumns();
                while (it.hasNext() || !batch.isEmpty()) {
                    if (it.hasNext()) {
                        String[] s = it.next();
                        if (s[1].isBlank()) {
                            continue;
                        }
                        batch.add(s);
                        chars += s[1].codePointCount(0, s[1].length());
                    }
                    if (batch.size() == 2048 || (!it.hasNext() && !batch.isEmpty())) {
                        int[][] ids = tok.encodeBatch(batch.stream().map(s -> s[1]).toList(), false);
                        for (int i = 0; i < ids.length; i++) {
                            String[] s = batch.get(i);
                            long[] st = stats.computeIfAbsent(s[0], k -> new long[2]);
                            st[0]++;
                            st[1] += ids[i].length;
                            tokens += ids[i].length;
                            String back = tok.decode(ids[i], false);
                            if (!back.equals(s[1])) {
                                if (notRoundTripped++ == 0) {
                                    firstNotRoundTripped = where(s) + ": "
                                            + whyNotRoundTripped(s[1], back, cfg.specialTokens());
                                }
                            }
                        }
                        batch.clear();
                    }
                }
            }
            writeProvenance(columns, specialTokens, trained, notRoundTripped);
            Interrupts.restoreDefault();
            StringBuilder perColumn = new StringBuilder();
            stats.forEach((col, st) -> perColumn.append(perColumn.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.2f", col, st[1] / (double) Math.max(1, st[0]))));
            String vocab = trained.stoppedEarly()
                    .map(why -> trained.vocabSize() + " of " + vocabSize + " asked (" + why + ")")
                    .orElse(String.valueOf(trained.vocabSize()));
            spec.commandLine().getOut().printf(Locale.ROOT,
                    "tokenizer: vocab %s (%d base + %d merges, %s), %d texts%s, trained in %.1f s; on the data "
                            + "%.2f chars/token, tokens/text %s; wrote %s%n",
                    vocab, trained.baseSize(), trained.mergeCount(), byteFallback ? "byte fallback" : "byte-level",
                    trained.trainingLines(), trained.blankLines() == 0 ? "" : " (" + trained.blankLines()
                            + (trained.blankLines() == 1 ? " blank segment" : " blank segments")
                            + " skipped: empty or white-space only)", seconds, chars / (double) Math.max(1, tokens), perColumn, out);
            if (notRoundTripped > 0) {
                long texts = stats.values().stream().mapToLong(st -> st[0]).sum();
                spec.commandLine().getErr().printf(Locale.ROOT,
                        "qdecode: warning: %d of %d training texts do not decode back exactly (first: %s)%s%n",
                        notRoundTripped, texts, firstNotRoundTripped, byteFallback
                                ? "; without --byte-fallback (byte-level style) every text decodes back exactly" : "");
            }
            return ExitCodes.OK;
        }

        /**
         * Writes {@value TokenizerCommand#PROVENANCE_FILE} to {@code --out}, as the project's other outputs record
         * theirs: the command, qdecode's version and the time; every option as it took effect; each {@code --data}
         * file's absolute path and sha256 (of the whole file); the sha256 of each tokenizer file written; and what
         * training gave (vocabulary, merges, texts, blank segments skipped, why it stopped early, texts that do not
         * decode back exactly).
         */
        private void writeProvenance(List<String> columns, List<String> specialTokens, TrainedTokenizer trained,
                long notRoundTripped) {
            com.google.gson.JsonObject root = new com.google.gson.JsonObject();
            root.addProperty("command", "qdecode tokenizer train");
            root.addProperty("qdecode_version", VersionProvider.version());
            root.addProperty("created", java.time.Instant.now().toString());
            com.google.gson.JsonObject options = new com.google.gson.JsonObject();
            com.google.gson.JsonArray files = new com.google.gson.JsonArray();
            data.forEach(f -> files.add(f.toAbsolutePath().normalize().toString()));
            options.add("--data", files);
            if (data.stream().anyMatch(Format::isTable)) { // plain-text files have no columns
                com.google.gson.JsonArray cols = new com.google.gson.JsonArray();
                columns.forEach(cols::add);
                options.add("--columns", cols);
            }
            options.addProperty("--vocab-size", vocabSize);
            options.addProperty("--byte-fallback", byteFallback);
            com.google.gson.JsonArray specials = new com.google.gson.JsonArray();
            specialTokens.forEach(specials::add);
            options.add("--special-tokens", specials);
            options.addProperty("--min-frequency", minFrequency);
            options.addProperty("--limit", limit);
            options.addProperty("--out", out.toAbsolutePath().normalize().toString());
            root.add("options", options);
            com.google.gson.JsonArray inputs = new com.google.gson.JsonArray();
            for (Path f : data) {
                com.google.gson.JsonObject o = new com.google.gson.JsonObject();
                o.addProperty("path", f.toAbsolutePath().normalize().toString());
                o.addProperty("sha256", Datasets.sha256(f));
                inputs.add(o);
            }
            root.add("data", inputs);
            com.google.gson.JsonObject written = new com.google.gson.JsonObject();
            for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")) {
                written.addProperty(f, Datasets.sha256(out.resolve(f)));
            }
            root.add("tokenizer_sha256", written);
            com.google.gson.JsonObject result = new com.google.gson.JsonObject();
            result.addProperty("vocab_size", trained.vocabSize());
            result.addProperty("base_tokens", trained.baseSize());
            result.addProperty("merges", trained.mergeCount());
            result.addProperty("style", byteFallback ? "byte-fallback" : "byte-level");
            result.addProperty("texts", trained.trainingLines());
            result.addProperty("blank_segments_skipped", trained.blankLines());
            trained.stoppedEarly().ifPresent(why -> result.addProperty("stopped_early", why));
            result.addProperty("texts_not_decoding_back", notRoundTripped);
            root.add("result", result);
            try {
                Files.writeString(out.resolve(PROVENANCE_FILE), new com.google.gson.GsonBuilder().setPrettyPrinting()
                        .disableHtmlEscaping().create().toJson(root) + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException(out.resolve(PROVENANCE_FILE) + ": cannot be written (" + e.getMessage() + ")");
            }
        }
    }

    /** The record {@code tokenizer train} writes beside the tokenizer files: how the tokenizer was made. */
    static final String PROVENANCE_FILE = "tokenizer-provenance.json";

    /**
     * Writes the tokenizer files into {@code out}, first removing the {@value #PROVENANCE_FILE} of a tokenizer
     * trained there before (with {@code --overwrite}): the record is written last, so a run cut short after this
     * (Ctrl-C while the training texts are decoded back) leaves no record, rather than the earlier tokenizer's
     * record, with its options, figures and sha256s, beside the new tokenizer's files.
     *
     * @param trained the tokenizer
     * @param out the --out directory
     * @throws CliException when the earlier record cannot be removed
     * @throws dev.qdecode.tokenizer.TokenizerException when a file cannot be written
     */
    static void saveOver(TrainedTokenizer trained, Path out) {
        Path record = out.resolve(PROVENANCE_FILE);
        try {
            Files.deleteIfExists(record);
        } catch (IOException e) {
            throw new CliException(record + ": cannot remove the earlier tokenizer's record (" + e.getMessage()
                    + "; expected to replace it)");
        }
        trained.save(out);
    }

    /** Where a segment is: {@code FILE:LINE}, then {@code column C} for a table file's column. */
    static String where(String[] segment) {
        return segment[2] + (segment[0].equals("lines") ? "" : " column " + segment[0]);
    }

    /**
     * Why a training text does not decode back exactly: the cause known for the Llama byte-fallback
     * style (a special token in the text, see {@code TokenizerJsonWriter}), else both texts. (A text with
     * the word marker ▁, the other cause, is refused before training.)
     */
    static String whyNotRoundTripped(String text, String decoded, List<String> specialTokens) {
        for (String special : specialTokens) {
            if (text.contains(special)) {
                return "it contains the special token " + special + ", which decodes with a space after it";
            }
        }
        return "'" + text + "' decodes as '" + decoded + "'";
    }

    /** The message for --data files with no text in them: names the files and what was expected. */
    private static String emptyData(long lines, List<Path> data, List<String> columns) {
        boolean tables = data.stream().anyMatch(Format::isTable);
        boolean text = !data.stream().allMatch(Format::isTable);
        String where = (text ? "a line of a plain-text file" : "")
                + (text && tables ? " or " : "")
                + (tables ? "a value in column" + (columns.size() == 1 ? " " : "s ") + String.join(",", columns)
                        + " of a table file" : "");
        return "--data " + data.stream().map(Path::toString).collect(Collectors.joining(", "))
                + ": no text to train on: " + lines + (lines == 1 ? " segment" : " segments")
                + " read, all empty or blank (expected at least one that is not blank: " + where + ")";
    }

    /**
     * The text segments of the data files, streamed (never all in memory): for table files the given
     * columns of each row in order, for other files each line. Iterable any number of times.
     */
    static final class Segments implements Iterable<String> {
        private static final String BOM = "\uFEFF";
        private final List<Path> files;
        private final List<String> columns;
        private final int limit;

        Segments(List<Path> files, List<String> columns, int limit) {
            this.files = List.copyOf(files);
            this.columns = List.copyOf(columns);
            this.limit = limit;
        }

        @Override
        public Iterator<String> iterator() {
            return texts(s -> { });
        }

        /**
         * The segments' texts, handing each segment's {column, segment, FILE:LINE} to {@code seen} as it is read
         * (so that a caller can say where the text the trainer refuses is).
         */
        Iterator<String> texts(java.util.function.Consumer<String[]> seen) {
            Iterator<String[]> it = withColumns();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public String next() {
                    String[] s = it.next();
                    seen.accept(s);
                    return s[1];
                }
            };
        }

        /** {column (or "lines" for a text file), segment, FILE:LINE} triples. */
        Iterator<String[]> withColumns() {
            return new Iterator<>() {
                private int file = -1;
                private DataReader<Row> rows;
                private BufferedReader text;
                private Path textFile;
                private long textLines;
                private final ArrayDeque<String[]> pending = new ArrayDeque<>();

                @Override
                public boolean hasNext() {
                    while (pending.isEmpty()) {
                        if (rows != null && rows.hasNext()) {
                            Row r = rows.next();
                            for (String c : columns) {
                                pending.add(new String[] {c, r.get(c), r.source() + ":" + r.line()});
                            }
                        } else if (text != null) {
                            String line = limit > 0 && textLines >= limit ? null : readLine();
                            if (line == null) {
                                closeText();
                            } else {
                                textLines++;
                                pending.add(new String[] {"lines", line, textFile + ":" + textLines});
                            }
                        } else if (++file < files.size()) {
                            open(files.get(file));
                        } else {
                            rows = null;
                            return false;
                        }
                    }
                    return true;
                }

                @Override
                public String[] next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return pending.poll();
                }

                private void open(Path f) {
                    rows = null;
                    if (Format.isTable(f)) {
                        Map<String, String> mapping = new LinkedHashMap<>();
                        for (String c : columns) {
                            mapping.put(c, c);
                        }
                        rows = Datasets.rows(f, ReadOptions.defaults().withFormat(Format.of(f))
                                .withColumns(mapping).withLimit(limit));
                    } else {
                        try {
                            text = Files.newBufferedReader(f, StandardCharsets.UTF_8);
                            textFile = f;
                            textLines = 0;
                        } catch (NoSuchFileException e) {
                            throw new CliException(f + ": file not found");
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }

                /**
                 * The next line ({@link Datasets#nextLine}: a carriage return that does not end a line is text), or
                 * {@code null} at the end of the file. A UTF-8 byte-order mark before the first line is not text (as
                 * in table files).
                 */
                private String readLine() {
                    try {
                        String line = Datasets.nextLine(text);
                        return line != null && textLines == 0 && line.startsWith(BOM) ? line.substring(1) : line;
                    } catch (CharacterCodingException e) {
                        // the reader decodes ahead of the line read: the file is scanned for the bad byte's line
                        closeText();
                        throw Datasets.notUtf8(textFile, e);
                    } catch (IOException e) {
                        closeText();
                        throw new CliException(textFile + ": cannot read (" + e.getMessage() + ")");
                    }
                }

                private void closeText() {
                    try {
                        text.close();
                    } catch (IOException ignored) {
                        // read-only file: nothing to lose
                    }
                    text = null;
                }
            };
        }

    }
}
