package dev.qdecode.pipeline.dqn;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.models.StepOutput;
import dev.qdecode.pipeline.generate.TokenPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decoding with a trained DQN head: a {@link TokenPolicy} for the
 * {@link dev.qdecode.pipeline.generate.Generator}. Per row it builds the candidate set C(s) from
 * the model's logits (top-k/top-p of π_ref, as in training) and returns
 * <ul>
 *   <li>{@link Mode#GUIDED}: log π_ref(a|s) (renormalised over C) + Q(s,a)/τ_Q on C — the
 *       KL-regularised soft-Q policy; sample from it or take its argmax with the generator's
 *       greedy/sample setting;</li>
 *   <li>{@link Mode#Q_GREEDY}: the argmax of Q over C scores highest, the other candidates follow in
 *       order of Q.</li>
 * </ul>
 * Tokens outside C get {@value #OUTSIDE} + log π_ref(a|s) instead of −∞: they are never chosen while
 * a candidate is allowed, but when the generator's own constraints exclude every candidate it falls back
 * to the most likely allowed tokens rather than to an arbitrary id. As in the training rollouts, C is drawn
 * from the tokens the generator accepts at that step: from the allowed tokens at token healing's first step,
 * and without end-of-sequence while {@code --min-new-tokens} bans it. Use it with temperature 1 and no extra top-k/top-p in the generator.
 * With a zero-initialised (untrained) head the guided policy equals π_ref restricted to C.
 * Threads may share one policy: scoring keeps its scratch state per thread.
 */
public final class DqnPolicy implements TokenPolicy, AutoCloseable {

    /** Offset that puts non-candidates below every candidate while keeping them finite. */
    public static final float OUTSIDE = -1.0e4f;
    private static final float RANK = 1.0e3f;

    /** How the head turns Q-values into scores. */
    public enum Mode {
        /** log π_ref + Q/τ_Q on the candidates (the default). */
        GUIDED,
        /** argmax of Q over the candidates. */
        Q_GREEDY;

        /**
         * Parses {@code guided} or {@code q-greedy} (case-insensitive).
         *
         * @param s the text
         * @return the mode
         * @throws IllegalArgumentException naming {@code --mode} when unknown
         * @throws NullPointerException naming {@code s} when it is null
         */
        public static Mode parse(String s) {
            Objects.requireNonNull(s, "s");
            String n = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (Mode m : values()) {
                if (m.name().equals(n)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--mode: expected guided or q-greedy but got '" + s + "'");
        }
    }

    /**
     * Decoding-time settings of a trained head (ILQL tunes the same two at inference).
     *
     * @param qWeight β in log π_ref + β·Q/τ_Q (guided mode; 1 = the policy trained; &gt; 0)
     * @param targetHead score with the target network (the Polyak average of the online head's recent
     *     weights, less noisy; with {@code targetSync} N its copy at the last sync) instead of the online head
     */
    public record Decoding(double qWeight, boolean targetHead) {
        /** The policy as trained: β = 1, online head. */
        public static final Decoding TRAINED = new Decoding(1.0, false);

        /**
         * Checks β.
         *
         * @param qWeight β, finite and {@code > 0}
         * @param targetHead score with the target network instead of the online head
         * @throws IllegalArgumentException naming {@code --q-weight} if β is not a finite number
         *     {@code > 0}
         */
        public Decoding {
            if (!(qWeight > 0) || !Double.isFinite(qWeight)) {
                throw new IllegalArgumentException("--q-weight: expected a number > 0 but got " + qWeight);
            }
        }

        /**
         * The scoring network's name, as {@code --head} takes it.
         *
         * @return {@code target} or {@code online}
         */
        public String headName() {
            return targetHead ? "target" : "online";
        }
    }

    /** The heads whose Q-values are averaged: the policy's run first, then the ensemble's others. */
    private final List<QHead> heads;
    /** The checkpoint files the heads came from (empty when built in memory). */
    private final List<Path> sources;
    private final DqnConfig cfg;
    private final Mode mode;
    /** Candidate selection keeps scratch arrays: one per thread, so threads may share the policy. */
    private final ThreadLocal<Candidates> candidates;
    private final Decoding decoding;
    /** The first run's provenance (empty when built in memory). */
    private final Map<String, String> provenance;
    /** Episodes done, by head (in loading order), of the runs whose training had not finished; empty otherwise. */
    private final List<Progress> unfinished;

    /**
     * Where an unfinished run stood when its checkpoint was written: its head is the one of that episode, not
     * the head the whole run trains.
     *
     * @param index the head's place in loading order (0: the {@code --policy} run, then the {@code --ensemble} runs)
     * @param checkpoint the checkpoint file
     * @param done episodes trained
     * @param total the episodes the run was started for ({@code train --episodes})
     */
    public record Progress(int index, Path checkpoint, long done, long total) {
        /**
         * Checks the fields.
         *
         * @throws NullPointerException naming {@code checkpoint} when it is null
         */
        public Progress {
            Objects.requireNonNull(checkpoint, "checkpoint");
        }
    }

    DqnPolicy(QHead head, DqnConfig cfg, Mode mode) {
        this(head, cfg, mode, Decoding.TRAINED);
    }

    DqnPolicy(QHead head, DqnConfig cfg, Mode mode, Decoding decoding) {
        this(List.of(head), List.of(), cfg, mode, decoding, Map.of(), List.of());
    }

    private DqnPolicy(List<QHead> heads, List<Path> sources, DqnConfig cfg, Mode mode, Decoding decoding,
            Map<String, String> provenance, List<Progress> unfinished) {
        this.unfinished = List.copyOf(unfinished);
        this.heads = List.copyOf(heads);
        this.sources = List.copyOf(sources);
        this.cfg = cfg;
        this.mode = mode;
        this.candidates = ThreadLocal.withInitial(() -> Candidates.of(cfg));
        this.decoding = decoding;
        this.provenance = Map.copyOf(provenance);
    }

    /**
     * Loads the head of a training run (its checkpoint file).
     *
     * @param runDirOrFile the run directory, or the checkpoint file itself
     * @param mode how to score
     * @return the policy (close it to free the head)
     * @throws IllegalArgumentException with one line naming the file when it is missing or corrupt
     * @throws NullPointerException naming {@code runDirOrFile} or {@code mode} when it is null
     */
    public static DqnPolicy load(Path runDirOrFile, Mode mode) {
        Objects.requireNonNull(runDirOrFile, "runDirOrFile");
        Objects.requireNonNull(mode, "mode");
        return load(runDirOrFile, mode, Decoding.TRAINED);
    }

    /**
     * Loads the head of a training run with decoding-time settings.
     *
     * @param runDirOrFile the run directory, or the checkpoint file itself
     * @param mode how to score
     * @param decoding β and which network scores
     * @return the policy (close it to free the head)
     * @throws IllegalArgumentException with one line naming the file when it is missing or corrupt
     * @throws NullPointerException naming {@code runDirOrFile}, {@code mode} or {@code decoding} when it is
     *     null
     */
    public static DqnPolicy load(Path runDirOrFile, Mode mode, Decoding decoding) {
        Objects.requireNonNull(runDirOrFile, "runDirOrFile");
        return load(List.of(runDirOrFile), mode, decoding);
    }

    /**
     * Loads an ensemble: the heads of several training runs on the same model (e.g. seeds), whose
     * Q-values are averaged before decoding (as a seed ensemble of value functions: the heads' errors
     * partly cancel, their shared signal stays). The first run's config (candidates, τ_Q) decodes; the
     * others must have been trained with the same candidate settings and τ_Q on states and a vocabulary
     * of the same size, for the same task and reward (translation: between the same source and target
     * columns).
     *
     * @param runs the run directories or checkpoint files, at least one
     * @param mode how to score
     * @param decoding β and which network scores
     * @return the policy (close it to free the heads)
     * @throws IllegalArgumentException with one line naming the checkpoint file when it is missing or corrupt, or
     *     the run as given (a directory or a checkpoint file, as in {@code runs}) when it is a classification run,
     *     given twice or does not fit the first run
     * @throws NullPointerException naming {@code runs} (or its element), {@code mode} or {@code decoding}
     *     when it is null
     */
    public static DqnPolicy load(List<Path> runs, Mode mode, Decoding decoding) {
        Objects.requireNonNull(runs, "runs");
        for (int i = 0; i < runs.size(); i++) {
            Objects.requireNonNull(runs.get(i), "runs[" + i + "]");
        }
        // a null mode scored as Q_GREEDY without a word
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(decoding, "decoding");
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("expected at least one run");
        }
        List<QHead> heads = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Progress> unfinished = new ArrayList<>();
        try {
            DqnConfig first = null;
            Map<String, String> firstProvenance = null;
            for (Path run : runs) {
                Path file = Checkpoint.fileOf(run);
                for (Path earlier : files) {
                    if (Datasets.sameFile(earlier, file)) {
                        throw new IllegalArgumentException(run + ": given twice (expected each run once: a head "
                                + "counted twice would weigh double in the mean Q)");
                    }
                }
                Checkpoint.Data d = Checkpoint.read(file, null);
                if ("classification".equals(d.provenance().get("task"))) {
                    // Its head scores a few label tokens after one prompt: no policy for generating text.
                    throw new IllegalArgumentException(run + ": a classification run (expected a run of --task "
                            + "continuation, translation or dialogue; label texts with it by evaluate --task "
                            + "classification)");
                }
                if (first == null) {
                    first = d.config();
                    firstProvenance = d.provenance();
                } else {
                    requireSameDecoding(run, first, d.config(), heads.get(0), d.head());
                    for (String key : List.of("task", "reward")) {
                        String mine = firstProvenance.getOrDefault(key, "task".equals(key) ? "continuation" : null);
                        String theirs = d.provenance().getOrDefault(key, "task".equals(key) ? "continuation" : null);
                        if (!Objects.equals(mine, theirs)) {
                            throw new IllegalArgumentException(run + ": its " + key + " " + theirs + " differs from "
                                    + "the first run's " + mine + " (expected heads trained for the same task and "
                                    + "reward, whose Q values mean the same)");
                        }
                    }
                    if ("translation".equals(firstProvenance.get("task"))) {
                        // a head trained into French and one into German value other tokens: no mean of the two
                        String mine = columns(firstProvenance);
                        String theirs = columns(d.provenance());
                        if (!mine.equals(theirs)) {
                            throw new IllegalArgumentException(run + ": its columns " + theirs + " differ from the "
                                    + "first run's " + mine + " (expected heads trained to translate between the same "
                                    + "--source-column and --target-column)");
                        }
                    }
                    String fa = firstProvenance.get("prompt_format");
                    String fb = d.provenance().get("prompt_format");
                    if (fa != null && fb != null && !fa.equals(fb)) { // the heads would score states they never saw
                        throw new IllegalArgumentException(run + ": its prompt_format '" + fb + "' differs from "
                                + "the first run's '" + fa + "' (expected heads trained on the same prompts, "
                                + "formatted alike)");
                    }
                    String a = firstProvenance.get("model_sha256");
                    String b = d.provenance().get("model_sha256");
                    if (a != null && b != null && !a.equals(b)) {
                        throw new IllegalArgumentException(run + ": its head was trained on "
                                + d.provenance().get("model_dir") + " but the first run's on "
                                + firstProvenance.get("model_dir") + " (expected heads trained on the same model)");
                    }
                }
                long done = d.counters().getOrDefault("episodes", 0L);
                if (done < d.config().episodes()) { // interrupted (or still training): an earlier head than its last
                    unfinished.add(new Progress(files.size(), file, done, d.config().episodes()));
                }
                heads.add(QHead.of(d.head()));
                files.add(file);
            }
            return new DqnPolicy(heads, files, first, mode, decoding, firstProvenance, unfinished);
        } catch (RuntimeException e) {
            heads.forEach(QHead::close);
            throw e;
        }
    }

    /** A translation run's columns as train recorded them (the default pair for a run that recorded none). */
    private static String columns(Map<String, String> provenance) {
        return provenance.getOrDefault("source_column", TranslationExample.DEFAULT_SOURCE_COLUMN) + " -> "
                + provenance.getOrDefault("target_column", TranslationExample.DEFAULT_TARGET_COLUMN);
    }

    /**
     * An ensemble member ({@code run}, as given, for messages) must score the same actions on the same states on the
     * same scale.
     */
    private static void requireSameDecoding(Path run, DqnConfig first, DqnConfig other, QHead firstHead,
            HeadState head) {
        if (head.in() != firstHead.inputSize() || head.vocab() != firstHead.vocabSize()) {
            throw new IllegalArgumentException(run + ": its head takes embeddings of size " + head.in() + " and "
                    + head.vocab() + " actions but the first run's takes " + firstHead.inputSize() + " and "
                    + firstHead.vocabSize() + " (expected heads trained on the same model)");
        }
        Object[][] keys = {
            {"candidatesTopK", first.candidatesTopK(), other.candidatesTopK()},
            {"candidatesTopP", first.candidatesTopP(), other.candidatesTopP()},
            {"minCandidates", first.minCandidates(), other.minCandidates()},
            {"tauQ", first.tauQ(), other.tauQ()},
        };
        for (Object[] k : keys) {
            if (!k[1].equals(k[2])) {
                throw new IllegalArgumentException(run + ": " + DqnConfig.optionOf((String) k[0]) + " " + k[2]
                        + " but the first run's is " + k[1] + " (expected the same candidate settings and tau_Q in "
                        + "every run of an ensemble)");
            }
        }
    }

    /**
     * The config the head was trained with (candidate settings, τ_Q, …).
     *
     * @return the config
     */
    public DqnConfig config() {
        return cfg;
    }

    /**
     * The decoding-time settings (β and which network scores).
     *
     * @return the settings
     */
    public Decoding decoding() {
        return decoding;
    }

    /**
     * The scoring mode.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * The vocabulary size the head was trained for.
     *
     * @return V
     */
    public int vocabSize() {
        return head().vocabSize();
    }

    /**
     * The embedding size the head expects.
     *
     * @return H
     */
    public int embeddingSize() {
        return head().inputSize();
    }

    /**
     * {@inheritDoc}
     *
     * @throws NullPointerException naming {@code out} or {@code logits} when it is null
     */
    @Override
    public float[] scores(StepOutput out, float[] logits, int rows, int vocab) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(logits, "logits");
        return scores(out.hidden().toFloatArray(), logits, rows, vocab);
    }

    /**
     * {@inheritDoc} A row's candidate set is drawn from its allowed tokens, as in the training rollouts.
     *
     * @throws NullPointerException naming {@code out} or {@code logits} when it is null
     */
    @Override
    public float[] scores(StepOutput out, float[] logits, int rows, int vocab, int[][] allowed) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(logits, "logits");
        return scores(out.hidden().toFloatArray(), logits, rows, vocab, allowed);
    }

    /**
     * {@inheritDoc} A row's candidate set is drawn from its allowed tokens without the banned ones, as in the
     * training rollouts.
     *
     * @throws NullPointerException naming {@code out} or {@code logits} when it is null
     */
    @Override
    public float[] scores(StepOutput out, float[] logits, int rows, int vocab, int[][] allowed, int[] banned) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(logits, "logits");
        return scores(out.hidden().toFloatArray(), logits, rows, vocab, allowed, banned);
    }

    /**
     * Scores from plain arrays (the engine-free core of {@link #scores(StepOutput, float[], int, int)}).
     *
     * @param embeddings state embeddings, row-major {@code rows × H}
     * @param logits the model's logits, row-major {@code rows × V} (modified in place and returned)
     * @param rows the number of rows
     * @param vocab the vocabulary size V
     * @return the scores, row-major {@code rows × V}
     * @throws IllegalArgumentException when the sizes do not match the head, or an array does not hold {@code rows} rows
     * @throws NullPointerException naming {@code embeddings} or {@code logits} when it is null
     */
    public float[] scores(float[] embeddings, float[] logits, int rows, int vocab) {
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(logits, "logits");
        return scores(embeddings, logits, rows, vocab, null);
    }

    /**
     * Scores from plain arrays, each row's candidates drawn only from its allowed tokens (the engine-free core
     * of {@link #scores(StepOutput, float[], int, int, int[][])}).
     *
     * @param embeddings state embeddings, row-major {@code rows × H}
     * @param logits the model's logits, row-major {@code rows × V} (modified in place and returned)
     * @param rows the number of rows
     * @param vocab the vocabulary size V
     * @param allowed per row, the only ids eligible as candidates (a null entry: all); null = all for every row
     * @return the scores, row-major {@code rows × V}
     * @throws IllegalArgumentException when the sizes do not match the head, or an array does not hold {@code rows} rows
     * @throws NullPointerException naming {@code embeddings} or {@code logits} when it is null
     */
    public float[] scores(float[] embeddings, float[] logits, int rows, int vocab, int[][] allowed) {
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(logits, "logits");
        return scores(embeddings, logits, rows, vocab, allowed, null);
    }

    /**
     * Scores from plain arrays, each row's candidates drawn only from its allowed tokens and never from the
     * banned ones (the engine-free core of {@link #scores(StepOutput, float[], int, int, int[][], int[])}).
     *
     * @param embeddings state embeddings, row-major {@code rows × H}
     * @param logits the model's logits, row-major {@code rows × V} (modified in place and returned)
     * @param rows the number of rows
     * @param vocab the vocabulary size V
     * @param allowed per row, the only ids eligible as candidates (a null entry: all); null = all for every row
     * @param banned ids no row may have as a candidate (null: none)
     * @return the scores, row-major {@code rows × V}
     * @throws IllegalArgumentException when the sizes do not match the head, or an array does not hold {@code rows} rows
     * @throws NullPointerException naming {@code embeddings} or {@code logits} when it is null
     */
    public float[] scores(float[] embeddings, float[] logits, int rows, int vocab, int[][] allowed, int[] banned) {
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(logits, "logits");
        if (vocab != head().vocabSize()) {
            throw new IllegalArgumentException("the DQN head was trained for a vocabulary of " + head().vocabSize()
                    + " tokens but the model has " + vocab);
        }
        if (embeddings.length != rows * head().inputSize()) {
            throw new IllegalArgumentException("the DQN head expects state embeddings of size " + head().inputSize()
                    + " but got " + (rows == 0 ? 0 : embeddings.length / rows));
        }
        if (logits.length != rows * vocab) { // an ArrayIndexOutOfBoundsException from candidate selection before
            throw new IllegalArgumentException("logits: expected " + rows + " rows of " + vocab + " (" + rows * vocab
                    + " values) but got " + logits.length + " values");
        }
        if (allowed != null && allowed.length < rows) {
            throw new IllegalArgumentException("allowed: expected an entry (null: all tokens) for each of the " + rows
                    + " rows but got " + allowed.length);
        }
        Candidates.Set[] sets = new Candidates.Set[rows];
        int kmax = 1;
        for (int r = 0; r < rows; r++) {
            sets[r] = candidates.get().select(logits, r * vocab, vocab, allowed == null ? null : allowed[r], banned);
            kmax = Math.max(kmax, sets[r].size());
        }
        int[] ids = new int[rows * kmax];
        for (int r = 0; r < rows; r++) {
            int[] c = sets[r].ids();
            for (int j = 0; j < kmax; j++) {
                ids[r * kmax + j] = c[Math.min(j, c.length - 1)];
            }
        }
        float[] q = QHead.mean(heads, decoding.targetHead(), embeddings, rows, ids, kmax);
        for (int r = 0; r < rows; r++) {
            score(sets[r], q, r * kmax, logits, r * vocab, vocab);
        }
        return logits;
    }

    /**
     * How many heads are averaged (1 unless loaded as an ensemble).
     *
     * @return the number of heads
     */
    public int ensembleSize() {
        return heads.size();
    }

    /**
     * The checkpoint files of the heads, in loading order (empty for a policy built in memory).
     *
     * @return the files
     */
    public List<Path> sources() {
        return sources;
    }

    /**
     * The runs among the loaded ones whose training had not finished when their checkpoint was written (stopped
     * by Ctrl-C, killed, or still training): each head is the one of its last checkpointed episode.
     *
     * @return their progress, in loading order; empty when every run finished or the policy was built in memory
     */
    public List<Progress> unfinishedRuns() {
        return unfinished;
    }

    /**
     * The provenance of the first run (its model directory and weights hash, data, seed…), as its
     * checkpoint recorded it; empty for a policy built in memory.
     *
     * @return the provenance, unmodifiable
     */
    public Map<String, String> provenance() {
        return provenance;
    }

    private void score(Candidates.Set c, float[] q, int qOff, float[] row, int off, int vocab) {
        // log π_ref over the whole vocabulary for the fallback tier.
        float lse = (float) TokenPolicy.logSumExp(row, off, vocab);
        for (int i = 0; i < vocab; i++) {
            row[off + i] = OUTSIDE + (row[off + i] - lse);
        }
        int k = c.size();
        if (mode == Mode.GUIDED) {
            double[] lp = PolicyMath.guidedLogProbs(c.logp(), q, qOff, k, cfg.tauQ() / decoding.qWeight());
            for (int j = 0; j < k; j++) {
                row[off + c.ids()[j]] = (float) lp[j];
            }
        } else {
            int best = Targets.argmax(q, qOff, k);
            float qb = q[qOff + best];
            for (int j = 0; j < k; j++) {
                // The argmax scores 0; the others stay above non-candidates, ordered by Q.
                row[off + c.ids()[j]] = j == best ? 0f : -RANK + Math.max(-RANK / 2, q[qOff + j] - qb);
            }
        }
    }

    /** The Q head (for evaluation inside this package). */
    QHead head() {
        return heads.get(0);
    }

    @Override
    public void close() {
        heads.forEach(QHead::close);
    }
}
