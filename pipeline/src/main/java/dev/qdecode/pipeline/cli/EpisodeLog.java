package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The sampled episodes of {@code evaluate --task continuation|dialogue}, one JSON line each, written batch by
 * batch to {@code OUT/episodes.jsonl.part} (base model first, then the policy) with the run's record beside
 * it, as {@code generate --output} writes its rows: Ctrl-C stops after a batch, and the same command plus
 * {@code --resume} continues with the same episodes, hence the same metrics, as an uninterrupted evaluation.
 */
final class EpisodeLog implements DqnTrainer.EvalLog, AutoCloseable {
    /** The file in the evaluation's directory. */
    static final String FILE = "episodes.jsonl";
    private static final List<String> COLUMNS = List.of("policy", "prompt", "prompt_ids", "tokens", "text", "kl",
            "rng_state");
    /**
     * What the {@code kl} column holds ({@link DqnTrainer.EvalEpisode#kl}), recorded with the episodes
     * ({@link ResumableOutput#defineColumn}): a resume of episodes written under another definition (or, by an
     * earlier qdecode, none: the sampled-token estimate, then the exact KL to the full-vocabulary π_ref) is
     * refused. Change it whenever that definition changes.
     */
    static final String KL_DEFINITION = "exact KL(pi || pi_ref) summed over the episode's states, pi_ref the base "
            + "model renormalised over the candidates";

    private final ResumableOutput out;
    private final int perPolicy;
    private final Map<String, List<DqnTrainer.EvalEpisode>> done = new LinkedHashMap<>();
    private final Map<String, Long> rng = new LinkedHashMap<>();
    /** Episodes in the file: those an interrupted evaluation left and those written since. */
    private int rows;

    private EpisodeLog(ResumableOutput out, int perPolicy) {
        this.out = out;
        this.perPolicy = perPolicy;
        for (List<String> row : out.doneRows()) {
            done.computeIfAbsent(row.get(0), k -> new ArrayList<>()).add(new DqnTrainer.EvalEpisode(row.get(1),
                    ids(row.get(2)), ids(row.get(3)), row.get(4), Double.parseDouble(row.get(5))));
            rng.put(row.get(0), Long.parseLong(row.get(6)));
        }
        rows = out.doneRows().size();
    }

    /**
     * Opens the log (refusing an existing one unasked, or a resume whose settings or input differ).
     *
     * @param spec the command, for the record
     * @param dir the evaluation's directory
     * @param inputOption the option naming the input file ({@code --prompts} or {@code --data})
     * @param file the input file
     * @param identity the input rows, fingerprinted
     * @param perPolicy the episodes each policy samples
     * @param cfg the settings that decide the episodes (seed, samples)
     * @param limit the --limit in effect
     * @param unread the options of the command this evaluation does not read, left out of the record
     * @param resume whether --resume was given
     * @param overwrite whether --overwrite was given
     * @return the log; the episodes of an interrupted evaluation are in it
     */
    static EpisodeLog open(CommandSpec spec, Path dir, String inputOption, Path file, List<String> identity,
            int perPolicy, DqnConfig cfg, int limit, java.util.Collection<String> unread, boolean resume,
            boolean overwrite) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("--seed", Long.toString(cfg.seed()));
        settings.put("--samples", Integer.toString(cfg.evalSamples()));
        settings.put("--limit", Integer.toString(limit));
        ResumableOutput o = ResumableOutput.open(spec, "--out", dir.resolve(FILE), COLUMNS, identity, inputOption, file,
                settings, unread, rows -> keep(rows, perPolicy), resume, overwrite);
        // what the episodes are sampled with besides the options: the run's own lengths (its checkpoint,
        // compared on a resume, decides them)
        Map<String, Object> used = new LinkedHashMap<>();
        used.put("max_new_tokens", Integer.toString(cfg.maxNewTokens()));
        used.put("min_new_tokens", Integer.toString(cfg.minNewTokens()));
        o.note("policy_config", used);
        try {
            o.defineColumn("kl", KL_DEFINITION);
            return new EpisodeLog(o, perPolicy);
        } catch (RuntimeException e) {
            o.close();
            throw e;
        }
    }

    /**
     * The rows of an interrupted log a resume keeps: whole batches of each policy, the base model's first
     * (a policy's last batch may be short).
     *
     * @param rows the complete rows in the file
     * @param perPolicy the episodes each policy samples
     * @return the rows to keep
     */
    static int keep(int rows, int perPolicy) {
        java.util.function.IntUnaryOperator policy = ResumableOutput.wholeBatches(perPolicy, DqnTrainer.EVAL_BATCH);
        return rows < perPolicy ? policy.applyAsInt(rows)
                : perPolicy + policy.applyAsInt(Math.min(rows - perPolicy, perPolicy));
    }

    /**
     * The output the episodes go to.
     *
     * @return it
     */
    ResumableOutput output() {
        return out;
    }

    /**
     * The episodes each policy samples.
     *
     * @return the count
     */
    int perPolicy() {
        return perPolicy;
    }

    @Override
    public List<DqnTrainer.EvalEpisode> done(String policy) {
        return done.getOrDefault(policy, List.of());
    }

    @Override
    public long rngState(String policy) {
        return rng.getOrDefault(policy, 0L);
    }

    @Override
    public void batch(String policy, List<DqnTrainer.EvalEpisode> episodes, long rngState) {
        for (DqnTrainer.EvalEpisode e : episodes) {
            out.write(policy, e.prompt(), text(e.promptIds()), text(e.tokens()), e.text(), Double.toString(e.kl()),
                    Long.toString(rngState));
        }
        out.flush();
        rows += episodes.size();
    }

    /**
     * Episodes in the file so far.
     *
     * @return the count
     */
    int rows() {
        return rows;
    }

    @Override
    public void close() {
        out.close();
    }

    private static String text(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    private static int[] ids(String s) {
        return s.isEmpty() ? new int[0] : Arrays.stream(s.split(" ")).mapToInt(Integer::parseInt).toArray();
    }
}
