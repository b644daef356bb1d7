package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.dqn.DqnPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Decoding-time options of a trained head, shared by {@code generate} and {@code evaluate}: β in
 * log π_ref + β·Q/τ_Q (as ILQL's β, chosen at inference on a dev set) and which network scores.
 */
final class PolicyOptions {
    /** The command this mixin belongs to: which of its options were given. */
    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

    @Option(names = "--q-weight", paramLabel = "BETA", defaultValue = "1.0",
            description = "With --policy: decode with log pi_ref + BETA*Q/tau_Q (1 = the trained policy; smaller keeps "
                    + "closer to the model) (default: ${DEFAULT-VALUE}).")
    double qWeight;

    @Option(names = "--head", paramLabel = "online|target",
            description = "With --policy: score with the online head or the target head (the Polyak average of its "
                    + "recent weights, or for a run trained with --target-sync N its copy at the last sync) (default: online; evaluate --task classification: target, the head its training evaluated).")
    String head;

    @Option(names = "--ensemble", paramLabel = "RUN_DIR",
            description = "With --policy: average Q over --policy's head and this run's (repeatable), e.g. the same "
                    + "training with other seeds; every run must share the model, task, reward, candidate settings "
                    + "and tau_Q (translation: also the source and target columns; classification: labels, template and "
                    + "backbone).")
    List<Path> ensemble = new ArrayList<>();

    /**
     * Refuses the decoding-time options where a command scores the run's policy as trained.
     *
     * @param where what does so, for the message (e.g. {@code "evaluate --task continuation"})
     * @param headToo whether {@code --head} is refused as well (it is where the online head is used)
     * @param ensembleToo whether {@code --ensemble} is refused as well
     * @return the options refused ({@code --q-weight}, then {@code --head} and {@code --ensemble} as asked), none
     *     of which was given: such a command does not read them
     * @throws CommandLine.ParameterException naming the first option given (bad usage: the message is followed by
     *     the line pointing to the command's {@code --help}, as for every option that does not belong with the others)
     */
    List<String> requireAsTrained(String where, boolean headToo, boolean ensembleToo) {
        // given, whatever its value: --q-weight 1 is refused too, as --head online is
        boolean weightGiven = mixee.commandLine().getParseResult().hasMatchedOption("--q-weight");
        String given = ensembleToo && !ensemble.isEmpty() ? "--ensemble" : weightGiven ? "--q-weight"
                : headToo && head != null ? "--head" : null;
        if (given != null) {
            throw new CommandLine.ParameterException(mixee.commandLine(), given + ": not for " + where
                    + ", which scores the run's policy as trained (expected it only with generate or evaluate --task "
                    + "translation" + (given.equals("--q-weight") ? "" : ", or evaluate --task classification") + ")");
        }
        List<String> refused = new ArrayList<>(List.of("--q-weight"));
        if (headToo) {
            refused.add("--head");
        }
        if (ensembleToo) {
            refused.add("--ensemble");
        }
        return refused;
    }

    /**
     * Whether to score with the target head.
     *
     * @param byDefault the task's choice when --head is not given
     * @return true for the target head
     * @throws CommandLine.ParameterException (usage, with the hint to the command's --help) when --head is neither
     *     online nor target
     */
    boolean targetHead(boolean byDefault) {
        if (head == null) {
            return byDefault;
        }
        String h = head.strip().toLowerCase(Locale.ROOT);
        if (!h.equals("online") && !h.equals("target")) {
            throw new CommandLine.ParameterException(mixee.commandLine(),
                    "--head: expected online or target but got '" + head + "'");
        }
        return h.equals("target");
    }

    /**
     * Sets {@code --head} to the head that scores, {@code online} or {@code target} ({@code byDefault} when it was
     * not given), so that an output's record of its options holds the value used, as it does for every option
     * with a default, instead of null.
     *
     * @param byDefault the task's choice when --head is not given (true: the target head)
     * @throws CommandLine.ParameterException (usage, with the hint to the command's --help) when --head is neither
     *     online nor target
     */
    void resolveHead(boolean byDefault) {
        head = targetHead(byDefault) ? "target" : "online";
    }

    /**
     * Loads a run's head with these settings.
     *
     * @param policy the run directory or checkpoint
     * @param mode guided or q-greedy
     * @return the policy
     * @throws CommandLine.ParameterException (usage) for a --q-weight or --head value out of range
     * @throws CliException (bad input) naming the option or file
     */
    DqnPolicy load(Path policy, DqnPolicy.Mode mode) {
        DqnPolicy.Decoding d;
        try {
            d = new DqnPolicy.Decoding(qWeight, targetHead(false));
        } catch (IllegalArgumentException e) { // --q-weight 0: a value out of range, usage with the --help hint
            throw new CommandLine.ParameterException(mixee.commandLine(), e.getMessage());
        }
        try {
            List<Path> runs = new ArrayList<>();
            runs.add(policy);
            runs.addAll(ensemble);
            DqnPolicy p = DqnPolicy.load(runs, mode, d);
            warnUnfinished(p, runs, mixee.commandLine().getErr());
            return p;
        } catch (IllegalArgumentException e) {
            throw new CliException((ensemble.isEmpty() ? "--policy " : "--policy/--ensemble ") + e.getMessage(),
                    ExitCodes.BAD_INPUT);
        }
    }

    /**
     * Says, one warning line per run, that a run's training had not finished (Ctrl-C, a kill, or still running):
     * its checkpoint holds the head of an earlier episode than the run trains, so what it decodes is not the
     * trained policy; the line says how to finish the run.
     *
     * @param p the loaded policy
     * @param runs the runs as given ({@code --policy} first, then each {@code --ensemble}), for the message
     * @param err where the warnings go
     */
    static void warnUnfinished(DqnPolicy p, List<Path> runs, java.io.PrintWriter err) {
        for (DqnPolicy.Progress u : p.unfinishedRuns()) {
            Path run = runs.get(u.index());
            Path dir = u.checkpoint().toAbsolutePath().getParent();
            err.printf(Locale.ROOT, "qdecode: warning: %s %s: an unfinished run (%d of %d episodes, as its checkpoint "
                    + "was written): its head is the one of episode %d, not the run's trained head (finish it with: "
                    + "qdecode train --resume --out %s)%n", u.index() == 0 ? "--policy" : "--ensemble", run, u.done(),
                    u.total(), u.done(), dir);
        }
        err.flush();
    }

    /**
     * Loads the model a run's head works on: {@code --model} when given, else the run's own model (the
     * directory its provenance records, and its prompt format when recorded).
     *
     * A {@code --prompt-format} given that is not the run's recorded one is used, with one warning line on
     * {@code err} ({@link #warnOtherPromptFormat}).
     *
     * @param models the --model / --prompt-format options (filled in from the run where not given)
     * @param provenance the run's provenance
     * @param policy the --policy path, for messages
     * @param err where the warning goes
     * @return the loaded model (the caller closes it)
     * @throws CliException (bad input) when the model's weights are not the ones the run was trained on
     */
    static ModelOptions.Loaded runModel(ModelOptions models, Map<String, String> provenance, Path policy,
            java.io.PrintWriter err) {
        warnOtherPromptFormat(models, provenance, "--policy " + policy, err);
        return runModel(models, provenance, "--policy " + policy);
    }

    /**
     * Says, in one warning line, that {@code --prompt-format} was given with another format than the run was trained
     * with: its head learned on the model's states of prompts in the run's format, so decoding (or labelling) with
     * another is almost surely a mistake, yet it is allowed (as {@code sft} warns of another {@code --template}), for
     * a deliberate comparison. Nothing is said when the option is not given (the run's own format is then used), or
     * the run recorded no format.
     *
     * @param models the --model / --prompt-format options, before the run's format fills them in
     * @param provenance the run's provenance
     * @param run the option and run, for the message (e.g. {@code --policy RUN})
     * @param err where the warning goes
     */
    static void warnOtherPromptFormat(ModelOptions models, Map<String, String> provenance, String run,
            java.io.PrintWriter err) {
        String recorded = provenance.get("prompt_format");
        if (models.promptFormat == null || recorded == null
                || TrainCommand.samePromptFormat(models.promptFormat.format(), recorded)) {
            return;
        }
        err.println("qdecode: warning: --prompt-format '" + models.promptFormat + "' is not the format " + run
                + " was trained with ('" + recorded + "'): its head learned on the model's states of prompts in "
                + "that format, and another is almost surely a mistake (leave out --prompt-format to use the run's)");
        err.flush();
    }

    /**
     * {@link #runModel(ModelOptions, Map, Path)} with the run named for messages as {@code run} (e.g.
     * "--resume RUN_DIR").
     *
     * @param models the --model / --prompt-format options (filled in from the run where not given)
     * @param provenance the run's provenance
     * @param run the option and run, for messages
     * @return the loaded model (the caller closes it)
     * @throws CliException (bad input) when the model's weights are not the ones the run was trained on
     */
    static ModelOptions.Loaded runModel(ModelOptions models, Map<String, String> provenance, String run) {
        String dir = provenance.get("model_dir");
        if (models.model == null && dir == null) { // e.g. a run trained through the library without provenance
            throw new CliException(run + ": the run does not record its model (expected --model DIR with the "
                    + "model it was trained on; DqnTrainer.modelProvenance records it)", ExitCodes.USAGE);
        }
        if (models.model == null && dir != null) {
            if (!Files.isDirectory(Path.of(dir))) {
                throw new CliException(run + ": the run's model " + dir + " is not there (expected "
                        + "it, or --model DIR with the same weights)", ExitCodes.BAD_INPUT);
            }
            models.model = Path.of(dir);
        }
        if (models.promptFormat == null && provenance.containsKey("prompt_format")) {
            models.useRecordedFormat(provenance.get("prompt_format"));
        }
        ModelOptions.Loaded m = models.load();
        String sha = provenance.get("model_sha256");
        if (sha != null && !sha.equals(m.weightsId())) {
            m.close();
            throw new CliException(run + ": its head was trained on " + dir + " (weights sha256 "
                    + sha + ") but --model " + m.dir() + " has other weights (expected the run's model; without "
                    + "--model the run's own is used)", ExitCodes.BAD_INPUT);
        }
        String tok = provenance.get("tokenizer_sha256"); // absent from the provenance of older runs
        if (tok != null && !tok.equals(m.tokenizerId())) {
            m.close();
            throw new CliException(run + ": its head was trained with the tokenizer of " + dir + " (tokenizer.json "
                    + "sha256 " + tok + ") but --model " + m.dir() + " has " + (m.tokenizerId() == null ? "none"
                    : "another (sha256 " + m.tokenizerId() + ")") + " (expected the run's model's tokenizer: the head's "
                    + "token ids mean other pieces under another)", ExitCodes.BAD_INPUT);
        }
        return m;
    }

    /**
     * {@link #runModel} for a token-level head, which must also fit the model's sizes.
     *
     * @param models the --model / --prompt-format options
     * @param p the loaded policy
     * @param policy the --policy path, for messages
     * @param err where a warning of a --prompt-format that is not the run's goes
     * @return the loaded model (the caller closes it)
     * @throws CliException (bad input) when the weights or the sizes do not fit the head
     */
    static ModelOptions.Loaded runModel(ModelOptions models, DqnPolicy p, Path policy, java.io.PrintWriter err) {
        ModelOptions.Loaded m = runModel(models, p.provenance(), policy, err);
        if (p.vocabSize() != m.model().config().vocabSize() || p.embeddingSize() != m.model().config().hiddenSize()) {
            m.close();
            throw new CliException("--policy " + policy + ": its head was trained for vocabulary " + p.vocabSize()
                    + " and embedding " + p.embeddingSize() + " but --model " + m.dir() + " has "
                    + m.model().config().vocabSize() + " and " + m.model().config().hiddenSize(), ExitCodes.BAD_INPUT);
        }
        return m;
    }
}
