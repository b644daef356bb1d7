package dev.qdecode.pipeline.sft;

import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.util.List;
import java.util.Objects;

/**
 * How a dialogue context becomes a prompt: one line per turn with alternating speakers, ending with
 * the responder's cue, so that the response is the next turn:
 *
 * <pre>
 * A: Can you manage chopsticks ?
 * B: Why not ? See .
 * A:</pre>
 *
 * <p>The speaker of the last context turn and the responder always differ; turns are separated by a
 * newline (the turn separator), so a turn whose text holds line breaks of its own (a CSV or JSON-lines cell
 * can) is rendered on one line, each line break with the blanks around it becoming one space
 * ({@link #line}): otherwise its second line would read as a turn without a speaker. A context keeps its last {@value #CONTEXT_TURNS} turns ({@link #recent}),
 * fewer where even these do not fit the model ({@link #fit}). {@code qdecode sft --task dialogue} trains the response followed by
 * EOS, so EOS is the end-of-turn token when decoding.
 */
public final class DialogueFormat {
    /**
     * Context turns a prompt keeps at most, the most recent: {@code sft} trains on the contexts that
     * {@code train} and {@code evaluate} roll out from, so both keep the same turns.
     */
    public static final int CONTEXT_TURNS = 4;

    private DialogueFormat() {}

    /**
     * The last {@value #CONTEXT_TURNS} turns of a context (all of them when it has fewer).
     *
     * @param turns the context turns, oldest first
     * @return the most recent turns, oldest first
     * @throws NullPointerException naming {@code turns} when it is null
     */
    public static List<String> recent(List<String> turns) {
        Objects.requireNonNull(turns, "turns");
        return turns.subList(Math.max(0, turns.size() - CONTEXT_TURNS), turns.size());
    }

    /**
     * A context rendered within a token budget by {@link #fit}.
     *
     * @param prompt the prompt text, ending with the responder's cue
     * @param droppedTurns the oldest turns left out
     * @param cut whether the beginning of the last turn was cut as well
     */
    public record Fitted(String prompt, int droppedTurns, boolean cut) {

        /**
         * Checks that {@code prompt} is given.
         *
         * @param prompt see the record description
         * @param droppedTurns see the record description
         * @param cut see the record description
         * @throws NullPointerException naming {@code prompt} when it is null
         */
        public Fitted {
            Objects.requireNonNull(prompt, "prompt");
        }

        /**
         * Whether the prompt is shorter than the whole context.
         *
         * @return true when turns were dropped or the last turn was cut
         */
        public boolean shortened() {
            return droppedTurns > 0 || cut;
        }
    }

    /**
     * The prompt of a context within a token budget, as chat systems keep a conversation: the most
     * recent turns that fit; the oldest are dropped first, and when even the last turn alone does not fit,
     * its end is kept (its beginning cut at a token boundary), so the prompt still ends with the
     * responder's cue. Lengths are those of {@code format.encode(tok, prompt)}, as the model sees it.
     *
     * @param turns the context turns, oldest first (at least one)
     * @param tok the model's tokenizer
     * @param format the model's prompt format
     * @param maxTokens the most prompt tokens
     * @return the fitted prompt; the whole context, unshortened, when no cut fits (the caller then refuses
     *     it by its length)
     * @throws IllegalArgumentException when there are no turns
     * @throws NullPointerException naming {@code tok} or {@code format} when it is null
     */
    public static Fitted fit(List<String> turns, TextTokenizer tok, PromptFormat format, int maxTokens) {
        Objects.requireNonNull(tok, "tok");
        Objects.requireNonNull(format, "format");
        String whole = render(turns);
        int n = turns.size();
        if (format.encode(tok, whole).length <= maxTokens) {
            return new Fitted(whole, 0, false);
        }
        for (int drop = 1; drop < n; drop++) {
            String p = render(turns.subList(drop, n));
            if (format.encode(tok, p).length <= maxTokens) {
                return new Fitted(p, drop, false);
            }
        }
        // The last turn alone is too long: drop tokens from its start, first as many as it overflows by; a
        // suffix re-encodes to about as many tokens (not always exactly), so each candidate is checked, and
        // fewer are dropped when fewer suffice.
        String last = line(turns.get(n - 1));
        int[] starts = tok.tokenStarts(last);
        int over = format.encode(tok, render(List.of(last))).length - maxTokens;
        String best = null;
        for (int from = Math.max(1, over); from < starts.length && best == null; from++) {
            best = cut(last, starts, from, tok, format, maxTokens);
        }
        for (int fewer = Math.max(1, over) - 1; best != null && fewer >= 1; fewer--) {
            String p = cut(last, starts, fewer, tok, format, maxTokens);
            if (p == null) {
                break;
            }
            best = p;
        }
        if (best != null) {
            return new Fitted(best, n - 1, true);
        }
        return new Fitted(whole, 0, false);
    }

    /**
     * The prompt of the last turn without its first {@code from} tokens, or null when token {@code from} does
     * not start a character (a byte of one split into several tokens), nothing is left, or it still does not
     * fit.
     */
    private static String cut(String turn, int[] starts, int from, TextTokenizer tok, PromptFormat format,
            int maxTokens) {
        if (starts[from] < 0 || starts[from] <= starts[from - 1]) {
            return null;
        }
        String end = turn.substring(starts[from]).strip();
        if (end.isEmpty()) {
            return null;
        }
        String p = render(List.of(end));
        return format.encode(tok, p).length <= maxTokens ? p : null;
    }

    /** Line breaks (with the blanks around them) inside a turn, which would end its line early. */
    private static final java.util.regex.Pattern LINE_BREAK =
            java.util.regex.Pattern.compile("\\h*(?:\\R\\s*)+");

    /**
     * A turn as one line of a prompt: stripped, each line break inside it (with the blanks around it) one
     * space, so that the newline stays the turn separator.
     *
     * @param turn a context turn
     * @return the turn on one line
     * @throws NullPointerException naming {@code turn} when it is null
     */
    public static String line(String turn) {
        Objects.requireNonNull(turn, "turn");
        return LINE_BREAK.matcher(turn.strip()).replaceAll(" ");
    }

    /**
     * The prompt of a context.
     *
     * @param turns the context turns, oldest first (at least one)
     * @return the prompt text, one line per turn ({@link #line}), ending with the responder's cue ({@code "A:"}
     *     or {@code "B:"})
     * @throws IllegalArgumentException when there are no turns
     * @throws NullPointerException naming {@code turns} when it is null
     */
    public static String render(List<String> turns) {
        Objects.requireNonNull(turns, "turns");
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("dialogue context: expected at least one turn");
        }
        StringBuilder b = new StringBuilder();
        int n = turns.size();
        for (int i = 0; i < n; i++) {
            // The responder is the speaker of turn n; turn i has the same speaker when n - i is even.
            b.append((n - i) % 2 == 0 ? "A: " : "B: ").append(line(turns.get(i))).append('\n');
        }
        return b.append("A:").toString();
    }
}
