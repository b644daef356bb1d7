package dev.qdecode.pipeline.cli;

import dev.qdecode.data.DataException;
import dev.qdecode.data.Dataset;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.Format;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.generate.Generation;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code qdecode generate}: text from the base model (or, later, a trained policy). */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Generate text from a pretrained model.",
            "A single --prompt streams to the terminal; a --prompts file writes one row per prompt "
                    + "(generated text, token count, reason for stopping) with a progress bar.",
            "With --output, rows are written batch by batch to FILE.part and the run's settings to "
                    + "FILE.part.run.json (renamed to FILE and FILE.run.json when all are done); after Ctrl-C or a "
                    + "crash, the same command with --resume continues after the last whole batch written, with the "
                    + "same result as an uninterrupted run."
        })
final class GenerateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Mixin ModelOptions modelOptions;

    static final class Input {
        @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "One prompt; the output streams to the terminal.")
        String prompt;

        @Option(names = "--prompts", paramLabel = "FILE", required = true,
                description = "A .tsv/.csv/.jsonl file of prompts (TSV: header row, tab-separated, no quoting).")
        Path prompts;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--column", paramLabel = "NAME", defaultValue = "prompt",
            description = "Column of the prompts file holding the prompt text (default: ${DEFAULT-VALUE}).")
    String column;

    @Option(names = "--format", paramLabel = "tsv|csv|jsonl", description = "Prompts file format (default: from the extension).")
    String format;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts; 0 = all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--output", paramLabel = "FILE.tsv|FILE.jsonl",
            description = "Where to write the rows for a prompts file (default: print TSV to standard output). "
                    + "TSV escapes a field's backslash, tab and line breaks as \\\\ \\t \\n \\r; qdecode undoes them "
                    + "when it reads an --output FILE back (FILE.run.json declares them), not TSV printed to standard "
                    + "output; .jsonl keeps text as it is. An existing FILE or FILE.part is refused without "
                    + "--overwrite or --resume.")
    Path output;

    @Option(names = "--resume", description = "Continue the interrupted --output FILE (rows in FILE.part): give the "
            + "command that started it plus --resume; settings that differ are named and refused.")
    boolean resume;

    @Option(names = "--overwrite", description = "Replace an existing --output FILE, or start an interrupted one again "
            + "(default: refuse, so earlier work is not lost).")
    boolean overwrite;

    @Mixin DecodeOptions decode;

    @Mixin BeamOptions beam;

    @Option(names = "--policy", paramLabel = "RUN_DIR",
            description = "Decode with a trained DQN head (a 'qdecode train' run directory or its checkpoint.qdq). "
                    + "Keep temperature 1 and no --top-k/--top-p: the policy restricts tokens to its candidate set "
                    + "(with --policy, --top-k defaults to 0).")
    Path policy;

    @Mixin PolicyOptions policyOptions;

    @Option(names = "--mode", paramLabel = "guided|q-greedy", defaultValue = "guided",
            description = "With --policy: guided samples (or, greedy, takes the argmax of) log pi_ref + Q/tau_Q over "
                    + "the candidates; q-greedy takes argmax Q over the candidates (default: ${DEFAULT-VALUE}).")
    String mode;

    /**
     * Options this use does not read (refused when given): left out of the --output record, whose options
     * are then the ones that took effect.
     */
    private final java.util.Set<String> unread = new java.util.LinkedHashSet<>(List.of("--prompt"));

    /** Refuses {@code options} given here ({@link OptionScope#refuse}); none of them is read. */
    private void refuse(String where, String expected, List<String> options) {
        OptionScope.refuse(spec, where, expected, options, unread);
    }

    @Override
    public Integer call() {
        if (policy == null) {
            refuse("generate without --policy", "with --policy RUN_DIR", List.of("--mode", "--ensemble", "--q-weight",
                    "--head"));
        }
        if (input.prompts == null) {
            OptionScope.refuse(spec, "generate --prompt", "with --prompts FILE",
                    List.of("--column", "--format", "--limit", "--output", "--batch-size", "--resume", "--overwrite"));
        } else if (output == null) {
            OptionScope.refuse(spec, "generate without --output (rows go to standard output)", "with --output FILE",
                    List.of("--resume", "--overwrite"));
        }
        if (decode.strategy == DecodeOptions.Strategy.greedy || beam.beams > 1) {
            refuse("greedy decoding (--strategy greedy or --beams)", "with --strategy sample",
                    List.of("--temperature", "--top-k", "--top-p", "--seed"));
        }
        if (policy != null && !spec.commandLine().getParseResult().hasMatchedOption("--top-k")) {
            decode.topK = 0; // the policy's scores already keep only its candidates: sample all of them
        }
        GenerationConfig cfg = beam.apply(decode.toConfig(spec), spec, unread);
        if (cfg.sampling().greedy()) {
            decode.strategy = DecodeOptions.Strategy.greedy; // as --beams implies: the record shows what decodes
        }
        if (limit < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit: expected 0 (all) or a positive count but got " + limit);
        }
        if (output != null) {
            RecordWriter.checkTarget("--output", output, input.prompts);
            OtherWork.refuseFile("--output", output, spec);
        }
        List<PromptExample> prompts = input.prompts != null ? readPrompts() : null;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DqnPolicy.Mode policyMode;
        try {
            policyMode = DqnPolicy.Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (policy != null && policyMode == DqnPolicy.Mode.Q_GREEDY) {
            // its scores rank the candidates by Q, far apart: sampling and beta cannot change the choice
            refuse("--mode q-greedy, which always takes the candidate of highest Q",
                    "with --mode guided", List.of("--strategy", "--temperature", "--top-k", "--top-p", "--seed", "--q-weight"));
        }
        if (policy != null && policyMode == DqnPolicy.Mode.Q_GREEDY && cfg.beams() > 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--mode q-greedy: ranks by Q, which "
                    + "is not a log-probability to sum over a beam (expected --mode guided with --beams " + cfg.beams()
                    + ")");
        }
        if (policy != null) {
            policyOptions.resolveHead(false); // the record shows the head that scores, not null when --head is not given
        }
        if (output != null) {
            // from here on Ctrl-C stops at the next batch boundary, so the output is closed properly
            Interrupts.install(err, "the rows generated so far, after the current batch");
        }
        // the output is checked (and a resume's rows read) before the model loads, so a refusal is quick
        try (ResumableOutput o = output == null ? null : openOutput(prompts, cfg, policy != null && policyMode == DqnPolicy.Mode.Q_GREEDY);
                DqnPolicy p = loadPolicy(policyMode);
                ModelOptions.Loaded m = p == null ? modelOptions.load() : PolicyOptions.runModel(modelOptions, p, policy, err)) {
            if (o != null && !o.bindLoaded(m, p, err, "rows")) {
                return Interrupts.status();
            }
            Generator gen = new Generator(m.model(), m.tokenizer(), m.format(), cfg, p);
            if (prompts == null) {
                // the prompt is printed with the first new piece, once it is encoded and checked: a prompt too long
                // for the context, or a refusal before decoding, leaves standard output empty (a script that saves it
                // gets no text from a failed command)
                boolean[] started = {false};
                long t0 = System.nanoTime();
                Generation g;
                try {
                    g = gen.stream(input.prompt, piece -> {
                        if (!started[0]) {
                            started[0] = true;
                            out.print(input.prompt);
                        }
                        out.print(piece);
                        out.flush();
                    });
                    if (!started[0]) { // nothing generated (end of sequence first): the prompt alone
                        started[0] = true;
                        out.print(input.prompt);
                    }
                } finally {
                    if (started[0]) {
                        out.println(); // the error, if any, starts on a line of its own
                    }
                    out.flush();
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                err.printf(Locale.ROOT, "[%d new tokens, stop: %s, %.0f tokens/s]%n", g.newTokens(),
                        g.stopReason().label(), g.newTokens() / Math.max(secs, 1e-9));
                return ExitCodes.OK;
            }
            if (!cfg.truncatePrompt()) { // before the header or any row is written
                PromptFit.check(prompts, input.prompts, readOptions(), m, cfg.tokenHealing(), cfg.maxNewTokens(),
                        "shorten it, lower --max-new-tokens or add --truncate-prompt");
            }
            List<String> texts = prompts.stream().map(PromptExample::prompt).toList();
            if (output == null) {
                printRows(gen, prompts, texts, out, err);
            } else {
                return writeRows(o, gen, prompts, texts, err);
            }
        }
        return ExitCodes.OK;
    }

    private static final List<String> COLUMNS = List.of("id", "prompt", "generated", "new_tokens", "stop_reason");

    /** Rows to standard output as TSV, each batch as it finishes. */
    private void printRows(Generator gen, List<PromptExample> prompts, List<String> texts, PrintWriter out,
            PrintWriter err) {
        out.println(String.join("\t", COLUMNS));
        try (ProgressBar bar = new ProgressBar(err, "prompts", texts.size())) {
            gen.generate(texts, 0, progress(bar, System.nanoTime()), batch -> {
                for (Generation g : batch) {
                    out.println(RecordWriter.tsvRow(prompts.get(g.index()).id(), g.prompt(), g.text(), g.newTokens(),
                            g.stopReason().label()));
                }
                out.flush();
                return true;
            });
        }
    }

    /** Opens --output (refusing one that exists unasked) and checks a resumed run's rows against the prompts. */
    private ResumableOutput openOutput(List<PromptExample> prompts, GenerationConfig cfg, boolean qGreedy) {
        List<String> identity = new java.util.ArrayList<>(prompts.size());
        for (PromptExample p : prompts) {
            identity.add(p.id() + "\t" + p.prompt());
        }
        Map<String, Object> settings = settings(cfg, qGreedy);
        settings.put("--column", column); // another column or format reads other rows from the same file
        // the format read, however it was named: --format tsv, --format TSV and the .tsv extension read the same rows
        Format given = readOptions().format();
        Format read = given != null ? given : Format.of(input.prompts);
        settings.put("--format", read.toString());
        ResumableOutput o = ResumableOutput.open(spec, "--output", output, COLUMNS, identity, "--prompts", input.prompts,
                settings, unread, ResumableOutput.wholeBatches(prompts.size(), cfg.batchSize()), resume, overwrite);
        try {
            o.resolveOption("--format", read.name().toLowerCase(Locale.ROOT)); // from the extension when not given
            o.checkDoneRows(prompts.stream().map(p -> List.of(p.id(), p.prompt())).toList(), "prompts");
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
        return o;
    }

    /**
     * The decoding settings that decide the rows, as the option names them; those the decoding does not
     * read (sampling settings under greedy decoding or beams, all of them, {@code --strategy} included, under
     * {@code --mode q-greedy}, which always takes the candidate of highest Q; the length penalty without beams) are
     * left out, so giving or leaving out their defaults does not matter on a resume, and a refusal does not name a
     * setting the run never used.
     */
    private static Map<String, Object> settings(GenerationConfig cfg, boolean qGreedy) {
        Map<String, Object> s = new java.util.LinkedHashMap<>();
        dev.qdecode.pipeline.generate.SamplingConfig sc = cfg.sampling();
        if (!qGreedy) {
            s.put("--strategy", sc.greedy() ? "greedy" : "sample");
        }
        if (!sc.greedy() && !qGreedy) {
            s.put("--temperature", Double.toString(sc.temperature()));
            s.put("--top-k", Integer.toString(sc.topK()));
            s.put("--top-p", Double.toString(sc.topP()));
            s.put("--seed", Long.toString(cfg.seed()));
        }
        s.put("--max-new-tokens", Integer.toString(cfg.maxNewTokens()));
        s.put("--min-new-tokens", Integer.toString(cfg.minNewTokens()));
        List<String> stops = new java.util.ArrayList<>(cfg.stopStrings());
        stops.sort(null); // the earliest match stops, whatever the order they were given in
        s.put("--stop", stops);
        s.put("--batch-size", Integer.toString(cfg.batchSize()));
        s.put("--no-token-healing", Boolean.toString(!cfg.tokenHealing()));
        s.put("--truncate-prompt", Boolean.toString(cfg.truncatePrompt()));
        s.put("--beams", Integer.toString(cfg.beams()));
        if (cfg.beams() > 1) {
            s.put("--length-penalty", Double.toString(cfg.lengthPenalty()));
        }
        return s;
    }

    /** Rows to --output, batch by batch; Ctrl-C stops after the current batch, and --resume continues. */
    private int writeRows(ResumableOutput o, Generator gen, List<PromptExample> prompts, List<String> texts,
            PrintWriter err) {
        int from = o.done();
        o.announce(err, prompts.size(), "prompts", "all " + prompts.size() + " rows were already written; finishing "
                + output);
        int done;
        try (ProgressBar bar = new ProgressBar(err, "prompts", texts.size(), from)) {
            done = from + gen.generate(texts, from, progress(bar, System.nanoTime()), batch -> {
                for (Generation g : batch) {
                    o.write(prompts.get(g.index()).id(), g.prompt(), g.text(), g.newTokens(),
                            g.stopReason().label());
                }
                o.flush();
                return !Interrupts.requested();
            });
        }
        if (done < prompts.size()) {
            o.interrupted(err, done, prompts.size(), "prompts", "rows");
            return Interrupts.status();
        }
        int rows = o.finish();
        Interrupts.restoreDefault();
        err.println("wrote " + rows + " rows to " + output + " (settings in " + ResumableOutput.runFile(output)
                + ")");
        return ExitCodes.OK;
    }

    private static Generator.Progress progress(ProgressBar bar, long t0) {
        return (done, total, tokens) -> bar.update(done, String.format(Locale.ROOT, "%.0f tokens/s",
                tokens / Math.max(1e-9, (System.nanoTime() - t0) / 1e9)));
    }

    private DqnPolicy loadPolicy(DqnPolicy.Mode policyMode) {
        if (policy == null) {
            return null;
        }
        return policyOptions.load(policy, policyMode);
    }

    /** How the --prompts file is read: --column, --limit, --format. */
    private ReadOptions readOptions() {
        ReadOptions opts = ReadOptions.defaults().withColumn("prompt", column).withLimit(limit);
        if (format != null) {
            try {
                opts = opts.withFormat(Format.parse(format));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format: " + e.getMessage());
            }
        }
        return opts;
    }

    private List<PromptExample> readPrompts() {
        Dataset<PromptExample> ds = Datasets.prompts(input.prompts, readOptions());
        if (ds.examples().isEmpty()) {
            throw new DataException(input.prompts + ": no prompts found (expected at least one data row)");
        }
        return ds.examples();
    }
}
