package dev.qdecode.pipeline.sft;

import java.util.List;

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
 * newline (the turn separator). {@code qdecode sft --task dialogue} trains the response followed by
 * EOS, so EOS is the end-of-turn token when decoding.
 */
public final class DialogueFormat {
    private DialogueFormat() {}

    /**
     * The prompt of a context.
     *
     * @param turns the context turns, oldest first (at least one)
     * @return the prompt text, ending with the responder's cue ({@code "A:"} or {@code "B:"})
     * @throws IllegalArgumentException when there are no turns
     */
    public static String render(List<String> turns) {
        if (turns.isEmpty()) {
            throw new IllegalArgumentException("dialogue context: expected at least one turn");
        }
        StringBuilder b = new StringBuilder();
        int n = turns.size();
        for (int i = 0; i < n; i++) {
            // The responder is the speaker of turn n; turn i has the same speaker when n - i is even.
            b.append((n - i) % 2 == 0 ? "A: " : "B: ").append(turns.get(i).strip()).append('\n');
        }
        return b.append("A:").toString();
    }
}
