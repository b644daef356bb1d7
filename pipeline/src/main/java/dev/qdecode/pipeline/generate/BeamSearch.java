package dev.qdecode.pipeline.generate;

import dev.qdecode.models.CausalLM;
import dev.qdecode.models.KvCache;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Batched beam search over the KV cache, in the manner of fairseq: every prompt keeps N beams; at
 * each step the 2N best extensions (by the sum of log-probabilities of the scores' log-softmax: the
 * model's logits, or a {@link TokenPolicy}'s log-probabilities; a score of −∞ excludes a token) are
 * ranked; an end-of-sequence among
 * the first N finishes a hypothesis, the best N others continue. A prompt is done when it has N
 * finished hypotheses (or at the token limit, where its live beams finish); it returns the one with
 * the highest score / length^α (length counts the end-of-sequence token). Cache rows follow their
 * beams by {@link KvCache#retainRows} with repeated indices (the first step widens each prompt's row
 * into its beams).
 */
final class BeamSearch {
    private BeamSearch() {}

    /** A finished hypothesis. */
    private record Done(int[] tokens, double score, StopReason reason) {}

    /** A scored extension: beam {@code beam} of its prompt followed by {@code token}. */
    private record Ext(double score, int beam, int token) {}

    /**
     * Decodes a batch of encoded prompts.
     *
     * @param model the model
     * @param tokenizer the tokenizer (null: no text)
     * @param cfg the settings ({@code beams > 1})
     * @param policy rescoring policy (null = the model's logits)
     * @param eosIds end-of-sequence ids
     * @param prep the encoded prompts
     * @param ids their token ids ({@code prep[i].ids()})
     * @param prompts their texts
     * @param offset index of the first prompt
     * @param nanos accumulates {backbone, choosing} time
     * @return one generation per prompt
     */
    static List<Generation> decode(CausalLM model, TextTokenizer tokenizer, GenerationConfig cfg, TokenPolicy policy,
            int[] eosIds, PromptEncoder.Encoded[] prep, int[][] ids, List<String> prompts, int offset, long[] nanos) {
        int n = prep.length;
        int k = cfg.beams();
        int maxNew = cfg.maxNewTokens();
        int vocab = model.config().vocabSize();
        // Per prompt: its live beams' tokens and scores (dead beams have score -inf), and its finished ones.
        int[][][] beamTok = new int[n][k][maxNew];
        double[][] beamScore = new double[n][k];
        List<List<Done>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Arrays.fill(beamScore[i], Double.NEGATIVE_INFINITY);
            beamScore[i][0] = 0; // all beams start identical: expand only the first
            done.add(new ArrayList<>());
        }
        int[] active = new int[n]; // prompt of each active block of cache rows
        for (int i = 0; i < n; i++) {
            active[i] = i;
        }
        DecodeLoop.run(model, ids, maxNew, policy, Generator.firstAllowed(prep), cfg.minNewTokens(), eosIds, nanos, (scores, rows, len) -> {
            // Right after the prompts each has one row; from then on k (dead beams padded).
            int width = len == 0 ? 1 : k;
            int nActive = rows / width;
            int[] keepRows = new int[nActive * k];
            int[] next = new int[nActive * k];
            int kept = 0;
            for (int a = 0; a < nActive; a++) {
                int p = active[a];
                List<Ext> ranked = best(scores, a * width, width, vocab, beamScore[p],
                        len == 0 ? prep[p].allowedFirst() : null, len < cfg.minNewTokens() ? eosIds : null);
                int[][] newTok = new int[k][];
                double[] newScore = new double[k];
                int filled = 0;
                for (int j = 0; j < ranked.size() && filled < k && done.get(p).size() < k; j++) {
                    Ext e = ranked.get(j);
                    int[] t = beamTok[p][e.beam()].clone();
                    t[len] = e.token();
                    if (contains(eosIds, e.token())) {
                        if (j < k) {
                            done.get(p).add(new Done(Arrays.copyOf(t, len + 1), e.score(), StopReason.EOS));
                        }
                    } else {
                        keepRows[kept + filled] = a * width + e.beam();
                        next[kept + filled] = e.token();
                        newTok[filled] = t;
                        newScore[filled] = e.score();
                        filled++;
                    }
                }
                if (done.get(p).size() >= k || filled == 0) {
                    continue;
                }
                if (len + 1 == maxNew) {
                    for (int b = 0; b < filled; b++) {
                        done.get(p).add(new Done(newTok[b], newScore[b], StopReason.MAX_TOKENS));
                    }
                    continue;
                }
                for (int b = filled; b < k; b++) { // pad with dead copies of the best beam
                    keepRows[kept + b] = keepRows[kept];
                    next[kept + b] = next[kept];
                    newTok[b] = newTok[0];
                    newScore[b] = Double.NEGATIVE_INFINITY;
                }
                beamTok[p] = newTok;
                beamScore[p] = newScore;
                active[kept / k] = p;
                kept += k;
            }
            return new DecodeLoop.Step(Arrays.copyOf(keepRows, kept), Arrays.copyOf(next, kept));
        });
        List<Generation> res = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Done best = null;
            double bestNorm = Double.NEGATIVE_INFINITY;
            for (Done d : done.get(i)) {
                double norm = d.score() / Math.pow(d.tokens().length, cfg.lengthPenalty());
                if (best == null || norm > bestNorm) {
                    best = d;
                    bestNorm = norm;
                }
            }
            if (best == null) { // every token excluded (score -inf) at the first step: nothing to return
                throw new IllegalStateException("prompt " + (offset + i + 1)
                        + ": beam search found no token with a finite score (expected the policy to allow at least one)");
            }
            res.add(new Generation(offset + i, prompts.get(i), text(tokenizer, prep[i], best.tokens(), eosIds),
                    best.tokens(), ids[i].length, best.reason()));
        }
        return res;
    }

    /**
     * The 2k best extensions of one prompt's beams, best first.
     *
     * @param scores row-major scores of all rows
     * @param row0 the prompt's first row
     * @param k the prompt's rows (its beams)
     * @param vocab V
     * @param beamScore the beams' scores (-inf: dead)
     * @param allowed the only tokens allowed (null: all)
     * @param banned tokens not allowed (null: none)
     */
    private static List<Ext> best(float[] scores, int row0, int k, int vocab, double[] beamScore, int[] allowed,
            int[] banned) {
        int want = 2 * beamScore.length;
        PriorityQueue<Ext> heap = new PriorityQueue<>((x, y) -> Double.compare(x.score(), y.score()));
        for (int b = 0; b < k; b++) {
            if (beamScore[b] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            int off = (row0 + b) * vocab;
            double lse = TokenPolicy.logSumExp(scores, off, vocab);
            for (int v = 0; v < vocab; v++) {
                float x = scores[off + v];
                if (x == Float.NEGATIVE_INFINITY || (allowed != null && !contains(allowed, v))
                        || (banned != null && contains(banned, v))) {
                    continue;
                }
                double s = beamScore[b] + x - lse;
                if (heap.size() < want) {
                    heap.add(new Ext(s, b, v));
                } else if (s > heap.peek().score()) {
                    heap.poll();
                    heap.add(new Ext(s, b, v));
                }
            }
        }
        List<Ext> ranked = new ArrayList<>(heap);
        // Best first; ties by beam, then token id, so the order does not depend on the heap.
        ranked.sort((x, y) -> x.score() != y.score() ? Double.compare(y.score(), x.score())
                : x.beam() != y.beam() ? Integer.compare(x.beam(), y.beam()) : Integer.compare(x.token(), y.token()));
        return ranked;
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    /** The text of a finished hypothesis, decoded as the step-by-step generator decodes it. */
    private static String text(TextTokenizer tokenizer, PromptEncoder.Encoded prep, int[] tokens, int[] eosIds) {
        if (tokenizer == null) {
            return "";
        }
        ContinuationDecoder dec = new ContinuationDecoder(tokenizer, prep);
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            if (!contains(eosIds, t)) {
                sb.append(dec.push(t));
            }
        }
        return sb.append(dec.flush()).toString();
    }
}
