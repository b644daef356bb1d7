package dev.qdecode.pipeline.generate;

import dev.qdecode.models.CausalLM;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Batched, KV-cached text generation from a causal language model: prompts of different lengths
 * are decoded together, finished rows leave the batch, and every prompt has its own seeded random
 * stream (so the batch size changes the output only through float rounding in the padded batch).
 * With {@link GenerationConfig#beams()} &gt; 1 it runs beam search instead (the text then arrives
 * whole, not piece by piece).
 */
public final class Generator {

    /** Receives progress after each finished batch. */
    @FunctionalInterface
    public interface Progress {
        /**
         * Called after a batch.
         *
         * @param donePrompts prompts finished so far
         * @param totalPrompts all prompts
         * @param newTokens tokens generated so far
         */
        void update(int donePrompts, int totalPrompts, long newTokens);
    }

    private final CausalLM model;
    private final TextTokenizer tokenizer;
    private final PromptEncoder encoder;
    private final GenerationConfig cfg;
    private final TokenPolicy policy;
    private final int[] eosIds;
    private long backboneNanos;
    private long samplingNanos;

    /**
     * Creates a generator.
     *
     * @param model the language model
     * @param tokenizer its tokenizer (null: only {@link #generateIds} can be used, without text)
     * @param format how prompt text becomes ids (null when there is no tokenizer)
     * @param cfg the generation settings
     * @throws NullPointerException naming {@code model}, {@code cfg}, or {@code format} when it is null (a
     *     format may be null only without a tokenizer)
     */
    public Generator(CausalLM model, TextTokenizer tokenizer, PromptFormat format, GenerationConfig cfg) {
        this(model, tokenizer, format, cfg, null);
    }

    /**
     * Creates a generator that decodes with a policy on top of the model.
     *
     * @param model the language model
     * @param tokenizer its tokenizer (null: only {@link #generateIds} can be used, without text)
     * @param format how prompt text becomes ids (null when there is no tokenizer)
     * @param cfg the generation settings
     * @param policy rescoring policy (null = the model's own logits)
     * @throws NullPointerException naming {@code model}, {@code cfg}, or {@code format} when it is null (a
     *     format may be null only without a tokenizer)
     */
    public Generator(CausalLM model, TextTokenizer tokenizer, PromptFormat format, GenerationConfig cfg,
            TokenPolicy policy) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(cfg, "cfg");
        if (tokenizer != null) { // without a format the first prompt failed deep inside encoding
            Objects.requireNonNull(format, "format");
        }
        this.model = model;
        this.tokenizer = tokenizer;
        this.cfg = cfg;
        this.policy = policy;
        this.encoder = tokenizer == null ? null : new PromptEncoder(tokenizer, format, cfg.tokenHealing(),
                cfg.truncatePrompt(), model.config().maxPositions());
        this.eosIds = eosIds(model, tokenizer);
    }

    private static int[] eosIds(CausalLM model, TextTokenizer tokenizer) {
        int[] fromTok = tokenizer == null ? null : tokenizer.eosIds();
        int[] fromCfg = model.config().eosTokenIds();
        return Arrays.stream(concat(fromTok, fromCfg)).distinct().toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = Arrays.copyOf(a == null ? new int[0] : a, (a == null ? 0 : a.length) + (b == null ? 0 : b.length));
        if (b != null) {
            System.arraycopy(b, 0, r, r.length - b.length, b.length);
        }
        return r;
    }

    /**
     * Generates a continuation for every prompt, in batches of the configured size.
     *
     * @param prompts the prompt texts
     * @param progress progress callback (may be null)
     * @return one generation per prompt, in input order
     * @throws IllegalStateException when the generator has no tokenizer
     * @throws GenerationException when a batch's estimated peak memory ({@link DecodeMemory}) exceeds the JVM's maximum heap,
     *     or a prompt is empty or too long for the context ({@link GenerationException#badInput()})
     * @throws NullPointerException naming {@code prompts} when it is null
     */
    public List<Generation> generate(List<String> prompts, Progress progress) {
        Objects.requireNonNull(prompts, "prompts");
        List<Generation> out = new ArrayList<>(prompts.size());
        generate(prompts, 0, progress, batch -> {
            out.addAll(batch);
            return true;
        });
        return out;
    }

    /**
     * Generates continuations for the prompts from index {@code from} on, handing each finished batch to
     * {@code sink} in input order. A prompt's random stream is seeded by its index in {@code prompts},
     * and batches start at {@code from}, so a job that stopped after some whole batches and continues
     * from there with the same batch size decodes the same batches as an uninterrupted one.
     *
     * @param prompts all prompt texts
     * @param from the index of the first prompt to generate for (earlier ones are skipped)
     * @param progress progress callback (may be null); counts include the skipped prompts
     * @param sink receives each batch's generations; returning false stops before the next batch
     * @return the number of prompts generated for (the last is {@code from + result - 1})
     * @throws IllegalArgumentException when {@code from} is outside 0..{@code prompts.size()}
     * @throws IllegalStateException when the generator has no tokenizer
     * @throws GenerationException when a batch's estimated peak memory ({@link DecodeMemory}) exceeds the JVM's maximum heap,
     *     or a prompt is empty or too long for the context ({@link GenerationException#badInput()})
     * @throws NullPointerException naming {@code prompts} or {@code sink} when it is null
     */
    public int generate(List<String> prompts, int from, Progress progress, Predicate<List<Generation>> sink) {
        Objects.requireNonNull(prompts, "prompts");
        Objects.requireNonNull(sink, "sink");
        if (from < 0 || from > prompts.size()) { // the JDK's subList message before ('fromIndex(5) > toIndex(3)')
            throw new IllegalArgumentException("from: expected a prompt index in 0.." + prompts.size() + " but got "
                    + from);
        }
        // Every prompt is encoded (and checked) before the first batch, so a bad one late in the list
        // does not throw away the batches before it.
        List<String> rest = prompts.subList(from, prompts.size());
        PromptEncoder.Encoded[] prep = encode(rest, from);
        long tokens = 0;
        for (int start = 0; start < rest.size(); start += cfg.batchSize()) {
            int end = Math.min(rest.size(), start + cfg.batchSize());
            List<Generation> batch = decode(Arrays.copyOfRange(prep, start, end), rest.subList(start, end),
                    from + start, null);
            for (Generation g : batch) {
                tokens += g.newTokens();
            }
            boolean more = sink.test(batch);
            if (progress != null) {
                progress.update(from + end, prompts.size(), tokens);
            }
            if (!more) {
                return end;
            }
        }
        return rest.size();
    }

    /**
     * Generates one continuation, handing each new piece of text to {@code sink} as soon as it is
     * complete (never half a character). With stop strings, an end of the text that could begin one is held
     * back until it is known not to, so the pieces always add up to {@link Generation#text()}.
     *
     * @param prompt the prompt text
     * @param sink receives text pieces
     * @return the generation
     * @throws IllegalStateException when the generator has no tokenizer
     * @throws GenerationException when a batch's estimated peak memory ({@link DecodeMemory}) exceeds the JVM's maximum heap,
     *     or a prompt is empty or too long for the context ({@link GenerationException#badInput()})
     * @throws NullPointerException naming {@code prompt} or {@code sink} when it is null
     */
    public Generation stream(String prompt, Consumer<String> sink) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sink, "sink");
        return decode(encode(List.of(prompt), 0), List.of(prompt), 0, sink).get(0);
    }

    private PromptEncoder.Encoded[] encode(List<String> prompts, int offset) {
        if (encoder == null) { // an NPE inside before
            throw new IllegalStateException("this generator has no tokenizer: it decodes prompts given as ids "
                    + "(generateIds); expected a tokenizer and a prompt format to generate from text");
        }
        PromptEncoder.Encoded[] prep = new PromptEncoder.Encoded[prompts.size()];
        for (int i = 0; i < prep.length; i++) {
            prep[i] = encoder.encode(prompts.get(i), offset + i, cfg.maxNewTokens());
        }
        return prep;
    }

    /**
     * Generates from prompts given as token ids (no prompt format, no token healing; text is
     * decoded only when the generator has a tokenizer). Used by benchmarks and random-weight models.
     *
     * @param prompts the prompt ids
     * @return one generation per prompt (empty prompt text)
     * @throws GenerationException when a batch's estimated peak memory ({@link DecodeMemory}) exceeds the JVM's maximum heap,
     *     or a prompt is empty, holds an id outside the model's vocabulary or is too long for the context
     *     ({@link GenerationException#badInput()}); every prompt is checked before the first batch
     * @throws NullPointerException naming {@code prompts} when it is null
     */
    public List<Generation> generateIds(int[][] prompts) {
        Objects.requireNonNull(prompts, "prompts");
        checkIds(prompts);
        List<Generation> out = new ArrayList<>(prompts.length);
        for (int start = 0; start < prompts.length; start += cfg.batchSize()) {
            int end = Math.min(prompts.length, start + cfg.batchSize());
            PromptEncoder.Encoded[] prep = new PromptEncoder.Encoded[end - start];
            for (int i = start; i < end; i++) {
                prep[i - start] = new PromptEncoder.Encoded(prompts[i], "", null);
            }
            out.addAll(decode(prep, java.util.Collections.nCopies(end - start, ""), start, null));
        }
        return out;
    }

    /**
     * The checks {@link PromptEncoder} makes of an encoded prompt, for prompts given as ids (the model's own
     * IllegalArgumentException came one batch at a time, after the batches before it were decoded).
     */
    private void checkIds(int[][] prompts) {
        int positions = model.config().maxPositions();
        int vocab = model.config().vocabSize();
        int room = positions - cfg.maxNewTokens();
        if (room < 1) {
            throw new GenerationException("--max-new-tokens " + cfg.maxNewTokens() + ": the model's context is "
                    + positions + " positions (max_position_embeddings; expected fewer new tokens, leaving room "
                    + "for the prompt)");
        }
        for (int i = 0; i < prompts.length; i++) {
            int[] p = prompts[i];
            if (p.length == 0) {
                throw new GenerationException("prompt " + (i + 1) + " is empty: expected at least one token id", true);
            }
            for (int j = 0; j < p.length; j++) {
                if (p[j] < 0 || p[j] >= vocab) {
                    throw new GenerationException("prompt " + (i + 1) + ": token id " + p[j] + " at position "
                            + (j + 1) + " is outside the model's vocabulary (expected 0.." + (vocab - 1) + ")", true);
                }
            }
            if (p.length > room) {
                throw new GenerationException("prompt " + (i + 1) + " has " + p.length + " tokens; with "
                        + cfg.maxNewTokens() + " new tokens it exceeds the model's max_position_embeddings "
                        + positions + " (expected at most " + room + " tokens: shorten it or lower --max-new-tokens)",
                        true);
            }
        }
    }

    /**
     * Time spent so far (since construction) in the backbone (prefill, steps, copying logits) and
     * in choosing tokens (policy, sampling, decoding text), in nanoseconds.
     *
     * @return {backbone, sampling}
     */
    public long[] timings() {
        return new long[] {backboneNanos, samplingNanos};
    }

    private List<Generation> decode(PromptEncoder.Encoded[] prep, List<String> prompts, int offset,
            Consumer<String> sink) {
        int n = prep.length;
        int[][] ids = new int[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = prep[i].ids();
        }
        DecodeMemory.check(model.config(), n, cfg.beams(), DecodeMemory.longest(ids), cfg.maxNewTokens(),
                "decoding " + n + (n == 1 ? " prompt" : " prompts")
                        + (cfg.beams() > 1 ? " with " + cfg.beams() + " beams each" : ""),
                "--beams, --max-new-tokens or (generate) --batch-size");
        if (cfg.beams() > 1) {
            long[] nanos = new long[2];
            List<Generation> res = BeamSearch.decode(model, tokenizer, cfg, policy, eosIds, prep, ids, prompts, offset,
                    nanos);
            backboneNanos += nanos[0];
            samplingNanos += nanos[1];
            if (sink != null) {
                res.forEach(g -> sink.accept(g.text()));
            }
            return res;
        }
        SplittableRandom[] rng = new SplittableRandom[n];
        for (int i = 0; i < n; i++) {
            rng[i] = new SplittableRandom(cfg.seed() * 0x9E3779B97F4A7C15L + offset + i);
        }
        int[][] gen = new int[n][cfg.maxNewTokens()];
        int[] len = new int[n];
        int[] streamed = new int[n]; // characters of text[b] already handed to the sink
        StopReason[] reason = new StopReason[n];
        StringBuilder[] text = new StringBuilder[n];
        ContinuationDecoder[] dec = new ContinuationDecoder[n];
        for (int i = 0; i < n; i++) {
            text[i] = new StringBuilder();
            dec[i] = tokenizer == null ? null : new ContinuationDecoder(tokenizer, prep[i]);
        }
        int[] active = new int[n]; // cache row -> batch row
        for (int i = 0; i < n; i++) {
            active[i] = i;
        }
        Sampler sampler = new Sampler(cfg.sampling());
        int vocab = model.config().vocabSize();
        int[] noEos = new int[0];
        long[] nanos = new long[2];
        DecodeLoop.run(model, ids, cfg.maxNewTokens(), policy, firstAllowed(prep), cfg.minNewTokens(), eosIds,
                nanos, (logits, nActive, step) -> {
            int[] next = new int[nActive];
            int kept = 0;
            int[] keepRows = new int[nActive];
            for (int r = 0; r < nActive; r++) {
                int b = active[r];
                int[] allowed = len[b] == 0 ? prep[b].allowedFirst() : null;
                int[] banned = len[b] < cfg.minNewTokens() ? eosIds : noEos;
                int tok = sampler.pick(logits, r * vocab, vocab, allowed, banned, rng[b]);
                gen[b][len[b]++] = tok;
                String piece = isEos(tok) || dec[b] == null ? "" : dec[b].push(tok);
                boolean stop = false;
                if (isEos(tok)) {
                    reason[b] = StopReason.EOS;
                    stop = true;
                    piece = dec[b] == null ? piece : piece + dec[b].flush();
                }
                int before = text[b].length();
                text[b].append(piece);
                if (!stop && !cfg.stopStrings().isEmpty()) {
                    int cut = findStop(text[b], before);
                    if (cut >= 0) {
                        text[b].setLength(cut);
                        reason[b] = StopReason.STOP_STRING;
                        stop = true;
                    }
                }
                if (!stop && len[b] == cfg.maxNewTokens()) {
                    String rest = dec[b] == null ? "" : dec[b].flush();
                    text[b].append(rest);
                    reason[b] = StopReason.MAX_TOKENS;
                    stop = true;
                }
                if (sink != null) {
                    // Hold back an end of the text that may begin a stop string, so that what is streamed
                    // is always a prefix of the final (cut) text.
                    int safe = stop ? text[b].length() : text[b].length() - stopPrefixAtEnd(text[b]);
                    if (safe > streamed[b]) {
                        sink.accept(text[b].substring(streamed[b], safe));
                        streamed[b] = safe;
                    }
                }
                if (!stop) {
                    keepRows[kept] = r;
                    next[kept] = tok;
                    active[kept] = b;
                    kept++;
                }
            }
            return new DecodeLoop.Step(Arrays.copyOf(keepRows, kept), Arrays.copyOf(next, kept));
        });
        backboneNanos += nanos[0];
        samplingNanos += nanos[1];
        List<Generation> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            res.add(new Generation(offset + i, prompts.get(i), text[i].toString(),
                    Arrays.copyOf(gen[i], len[i]), ids[i].length, reason[i]));
        }
        return res;
    }

    /** Each prompt's allowed first tokens (token healing), or null when no prompt has a constraint. */
    static int[][] firstAllowed(PromptEncoder.Encoded[] prep) {
        int[][] allowed = new int[prep.length][];
        boolean any = false;
        for (int i = 0; i < prep.length; i++) {
            allowed[i] = prep[i].allowedFirst();
            any |= allowed[i] != null;
        }
        return any ? allowed : null;
    }

    private int findStop(StringBuilder text, int newFrom) {
        int best = -1;
        for (String s : cfg.stopStrings()) {
            int from = Math.max(0, newFrom - s.length() + 1);
            int at = text.indexOf(s, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The length of the longest end of {@code text} that is a proper prefix of a stop string (0 when none). */
    private int stopPrefixAtEnd(StringBuilder text) {
        int held = 0;
        for (String s : cfg.stopStrings()) {
            for (int k = Math.min(s.length() - 1, text.length()); k > held; k--) {
                if (text.indexOf(s.substring(0, k), text.length() - k) == text.length() - k) {
                    held = k;
                    break;
                }
            }
        }
        return held;
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
