package dev.qdecode.pipeline.dqn;

import ai.djl.ndarray.NDManager;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.KvCache;
import dev.qdecode.models.StepOutput;
import dev.qdecode.pipeline.generate.ContinuationDecoder;
import dev.qdecode.pipeline.generate.DecodeMemory;
import dev.qdecode.pipeline.generate.PromptEncoder;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Batched, KV-cached episodes with the behaviour policy: at each step the candidate set C(s) of
 * π_ref, the head's Q on it, the guided distribution log π_ref + Q/τ_Q (or π_ref alone when no head is
 * given: the base model restricted to C), ε-greedy over C. Records φ(s), candidates and actions into
 * {@link ReplayEpisode.Builder}s when asked. Mirrors {@code Generator}'s loop, including token healing
 * at the prompt boundary; every step's arrays live in a sub-manager that is closed at once.
 */
final class Rollouts {

    /**
     * One finished episode.
     *
     * @param kl Σ_t (log π(a_t|s_t) − log π_ref(a_t|s_t)) over its tokens, π_ref renormalised over C(s_t)
     *     (0 without a head): the sampled-token estimate that the {@code --kl-beta} penalty and the
     *     {@code --kl-target} controller use; it can be negative
     * @param klSteps the terms of {@code kl}, one per token (null where not kept)
     * @param exactKl Σ_t KL(π(·|s_t) ‖ π_ref(·|s_t)) over the visited states, from the two distributions
     *     ({@link PolicyMath#exactKl}): π the policy over C(s_t) (the guided policy, or π_ref restricted to
     *     C(s_t) without a head) as evaluation samples it, without the ε and temperature of training rollouts, π_ref the base
     *     model renormalised over C(s_t), as in the guided policy; ≥ 0 (0 without a head and for demonstrations)
     */
    record Episode(String prompt, int[] promptIds, int[] tokens, String text, int[] prefixEnds, double kl,
            ReplayEpisode.Builder steps, double[] klSteps, double exactKl) {
        /** Text of the first {@code p} generated tokens (as decoded so far). */
        String prefix(int p) {
            return p == 0 ? "" : text.substring(0, Math.min(text.length(), prefixEnds[p - 1]));
        }
    }

    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final PromptEncoder encoder;
    private final DqnConfig cfg;
    private final Candidates candidates;
    private final PromptFormat format;
    private final int[] eosIds;
    private long tokens;
    private long nanos;

    Rollouts(CausalLM model, TextTokenizer tokenizer, PromptFormat format, DqnConfig cfg) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.format = format;
        this.cfg = cfg;
        this.encoder = new PromptEncoder(tokenizer, format, true, false, model.config().maxPositions());
        this.candidates = Candidates.of(cfg);
        int[] a = tokenizer.eosIds() == null ? new int[0] : tokenizer.eosIds();
        int[] b = model.config().eosTokenIds() == null ? new int[0] : model.config().eosTokenIds();
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        this.eosIds = Arrays.stream(all).distinct().toArray();
    }

    /**
     * Refuses a prompt that cannot be followed by {@code maxNewTokens} tokens within the model's context. Its
     * tokens are counted as the rollouts feed them to the model: after token healing, whose backed-up last token
     * is re-created by the first new token (as {@code generate} counts them).
     *
     * @param prompts the prompts
     * @param what what they are, for the message (e.g. "training prompt")
     * @param file the file they came from (null: not named)
     * @throws IllegalArgumentException naming the file, the prompt's position and its length
     */
    void checkFit(List<String> prompts, String what, String file) {
        int room = model.config().maxPositions() - cfg.maxNewTokens();
        if (room < 1) {
            throw new IllegalArgumentException("--max-new-tokens " + cfg.maxNewTokens() + ": the model's context is "
                    + model.config().maxPositions() + " positions (max_position_embeddings; expected fewer new tokens, "
                    + "leaving room for the prompt)");
        }
        PromptEncoder counter = new PromptEncoder(tokenizer, format, true, false, Integer.MAX_VALUE);
        for (int i = 0; i < prompts.size(); i++) {
            int[] all = format.encode(tokenizer, prompts.get(i));
            int n = all.length == 0 ? 0 : counter.encodeFormatted(all, i, 0).ids().length; // tokenized once
            if (n > room) {
                throw new IllegalArgumentException((file == null ? "" : file + ": ") + what + " " + (i + 1) + " has "
                        + n + " tokens; with --max-new-tokens " + cfg.maxNewTokens() + " it exceeds the model's "
                        + "max_position_embeddings " + model.config().maxPositions() + " (expected at most " + room
                        + " tokens: shorten it or lower --max-new-tokens)");
            }
        }
    }

    /** Generated tokens so far (all calls). */
    long tokens() {
        return tokens;
    }

    /** Wall time spent in rollouts so far, nanoseconds. */
    long nanos() {
        return nanos;
    }

    /**
     * Runs one batch of training episodes: sampled at the config's {@code rolloutTemperature}.
     *
     * @param prompts the prompt texts, one episode each
     * @param head the Q head, or null for the base model restricted to C(s)
     * @param epsilon ε of ε-greedy over C(s)
     * @param rng the random stream (consumed in row order)
     * @param record whether to record transitions for the replay buffer
     * @return the episodes, in prompt order
     */
    List<Episode> run(List<String> prompts, QHead head, double epsilon, Rng rng, boolean record) {
        return run(prompts, null, null, head, epsilon, rng, record, cfg.rolloutTemperature());
    }

    /**
     * Runs one batch of evaluation episodes: sampled from the policy itself (the guided policy, or the base model
     * restricted to C(s)), without ε and at temperature 1 whatever {@code rolloutTemperature} the training
     * rollouts use; nothing is recorded.
     *
     * @param prompts the prompt texts, one episode each
     * @param head the Q head, or null for the base model restricted to C(s)
     * @param rng the random stream (consumed in row order)
     * @return the episodes, in prompt order
     */
    List<Episode> sample(List<String> prompts, QHead head, Rng rng) {
        return run(prompts, null, null, head, 0.0, rng, false, 1.0);
    }

    /**
     * Runs one batch of demonstrations: each episode takes the given tokens (teacher forcing) up to the first
     * EOS or the new-token limit; a token outside C(s) joins it. The prompt is encoded as for rollouts, with
     * token healing ({@link #checkFit} counts it so): the episode starts from the same state as a rollout of the
     * prompt, and its first forced token is the one that healing backed up, so the model sees the formatted
     * prompt followed by the target. States, candidates and rewards are recorded as for rollouts, so a
     * demonstration is an ordinary replay episode.
     *
     * @param prompts the prompt texts
     * @param targets the target tokens after each prompt, without EOS (the model's first EOS id, as
     *     {@code qdecode sft} trains it, is appended)
     * @return the episodes, in prompt order, with their steps recorded; their tokens start with the backed-up
     *     prompt token, if any, whose text is not part of the episode's text
     */
    List<Episode> demonstrate(List<String> prompts, List<int[]> targets) {
        int[] b = model.config().eosTokenIds();
        int eos = b != null && b.length > 0 ? b[0] : eosIds.length > 0 ? eosIds[0] : -1;
        int[][] forced = new int[targets.size()][];
        PromptEncoder.Encoded[] prep = new PromptEncoder.Encoded[prompts.size()];
        for (int i = 0; i < forced.length; i++) {
            int[] t = targets.get(i);
            if (t.length == 0 && eos < 0) {
                throw new IllegalArgumentException("demonstration " + (i + 1) + ": expected at least one target token");
            }
            int[] all = format.encode(tokenizer, prompts.get(i));
            prep[i] = encoder.encodeFormatted(all, i, cfg.maxNewTokens());
            int backedUp = all.length - prep[i].ids().length; // re-created by the first forced token
            forced[i] = new int[backedUp + t.length + (eos < 0 ? 0 : 1)];
            System.arraycopy(all, prep[i].ids().length, forced[i], 0, backedUp);
            System.arraycopy(t, 0, forced[i], backedUp, t.length);
            if (eos >= 0) {
                forced[i][forced[i].length - 1] = eos;
            }
        }
        return run(prompts, prep, forced, null, 0.0, null, true, 1.0);
    }

    /** Refuses a batch of {@code n} episodes whose estimated memory ({@link DecodeMemory}) exceeds the heap. */
    private void checkMemory(int n, int longestPrompt) {
        DecodeMemory.check(model.config(), n, 1, longestPrompt, cfg.maxNewTokens(),
                "rolling out " + n + (n == 1 ? " episode" : " episodes") + " together",
                "--rollout-episodes or --max-new-tokens");
    }

    /**
     * The episodes of a batch.
     *
     * @param encoded the prompts as {@link #encoder} encodes them, or null to encode them here
     * @param forced per prompt, the tokens to take (demonstrations), or null to choose them
     */
    private List<Episode> run(List<String> prompts, PromptEncoder.Encoded[] encoded, int[][] forced, QHead head,
            double epsilon, Rng rng, boolean record, double temperature) {
        long start = System.nanoTime();
        int n = prompts.size();
        int vocab = model.config().vocabSize();
        int dim = model.config().hiddenSize();
        checkMemory(n, 0); // before encoding: what cannot fit even without its prompts is refused at once
        PromptEncoder.Encoded[] prep = encoded != null ? encoded : new PromptEncoder.Encoded[n];
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            if (encoded == null) {
                prep[i] = encoder.encode(prompts.get(i), i, cfg.maxNewTokens());
            }
            ids[i] = prep[i].ids();
        }
        checkMemory(n, DecodeMemory.longest(ids));
        int[][] gen = new int[n][cfg.maxNewTokens()];
        int[][] ends = new int[n][cfg.maxNewTokens()];
        int[] len = new int[n];
        double[] kl = new double[n];
        double[][] klStep = new double[n][cfg.maxNewTokens()];
        double[] exactKl = new double[n];
        StringBuilder[] text = new StringBuilder[n];
        ContinuationDecoder[] dec = new ContinuationDecoder[n];
        ReplayEpisode.Builder[] steps = new ReplayEpisode.Builder[n];
        int[] active = new int[n];
        for (int i = 0; i < n; i++) {
            text[i] = new StringBuilder();
            dec[i] = new ContinuationDecoder(tokenizer, prep[i]);
            steps[i] = record ? new ReplayEpisode.Builder(dim) : null;
            active[i] = i;
        }
        int nActive = n;
        try (NDManager root = NDManager.newBaseManager()) {
            NDManager stepManager = root.newSubManager();
            KvCache cache = model.prefill(stepManager, ids, cfg.maxNewTokens());
            try {
                StepOutput out = cache.last();
                while (true) {
                    float[] logits = out.logits().toFloatArray();
                    float[] hidden = out.hidden().toFloatArray();
                    stepManager.close();
                    Candidates.Set[] sets = new Candidates.Set[nActive];
                    int kmax = 1;
                    for (int r = 0; r < nActive; r++) {
                        int b = active[r];
                        int[] allowed = len[b] == 0 ? prep[b].allowedFirst() : null;
                        int[] banned = len[b] < cfg.minNewTokens() ? eosIds : null;
                        sets[r] = candidates.select(logits, r * vocab, vocab, allowed, banned);
                        if (forced != null) {
                            sets[r] = Candidates.include(sets[r], logits, r * vocab, forced[b][len[b]]);
                        }
                        kmax = Math.max(kmax, sets[r].size());
                    }
                    float[] q;
                    if (head != null) {
                        int[] cand = new int[nActive * kmax];
                        for (int r = 0; r < nActive; r++) {
                            int[] c = sets[r].ids();
                            for (int j = 0; j < kmax; j++) {
                                cand[r * kmax + j] = c[Math.min(j, c.length - 1)];
                            }
                        }
                        q = head.q(hidden, nActive, cand, kmax);
                    } else {
                        q = new float[nActive * kmax];
                    }
                    int[] next = new int[nActive];
                    int[] keep = new int[nActive];
                    int kept = 0;
                    for (int r = 0; r < nActive; r++) {
                        int b = active[r];
                        Candidates.Set set = sets[r];
                        int chosen;
                        double[] logPi = null;
                        if (forced != null) {
                            chosen = set.indexOf(forced[b][len[b]]);
                        } else {
                            logPi = PolicyMath.guidedLogProbs(set.logp(), q, r * kmax, set.size(), cfg.tauQ());
                            chosen = PolicyMath.choose(DqnPolicy.Mode.GUIDED, false, epsilon, logPi, q, r * kmax, rng,
                                    temperature);
                            if (head != null) { // the base model is its own reference: 0, not float rounding
                                exactKl[b] += PolicyMath.exactKl(logPi, set.logp());
                            }
                        }
                        if (head != null) {
                            klStep[b][len[b]] = logPi[chosen] - set.logp()[chosen];
                            kl[b] += klStep[b][len[b]];
                        }
                        if (record) {
                            steps[b].step(hidden, r * dim, set, chosen);
                        }
                        int tok = set.ids()[chosen];
                        gen[b][len[b]] = tok;
                        boolean eos = isEos(tok);
                        String piece = eos ? "" : dec[b].push(tok);
                        boolean stop = eos || len[b] + 1 == cfg.maxNewTokens()
                                || forced != null && len[b] + 1 == forced[b].length;
                        if (stop) {
                            piece += dec[b].flush();
                        }
                        text[b].append(piece);
                        ends[b][len[b]] = text[b].length();
                        len[b]++;
                        if (!stop) {
                            keep[kept] = r;
                            next[kept] = tok;
                            active[kept] = b;
                            kept++;
                        }
                    }
                    tokens += nActive;
                    if (kept == 0) {
                        break;
                    }
                    if (kept < nActive) {
                        cache.retainRows(Arrays.copyOf(keep, kept));
                    }
                    nActive = kept;
                    stepManager = root.newSubManager();
                    out = cache.step(stepManager, Arrays.copyOf(next, kept));
                }
            } finally {
                cache.close();
            }
        }
        List<Episode> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            res.add(new Episode(prompts.get(i), ids[i], Arrays.copyOf(gen[i], len[i]), text[i].toString(),
                    Arrays.copyOf(ends[i], len[i]), kl[i], steps[i], Arrays.copyOf(klStep[i], len[i]), exactKl[i]));
        }
        nanos += System.nanoTime() - start;
        return res;
    }

    private boolean isEos(int tok) {
        for (int e : eosIds) {
            if (e == tok) {
                return true;
            }
        }
        return false;
    }
}
