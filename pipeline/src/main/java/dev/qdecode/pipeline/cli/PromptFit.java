package dev.qdecode.pipeline.cli;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.PromptExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.pipeline.generate.GenerationException;
import dev.qdecode.pipeline.generate.PromptEncoder;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before a command writes anything, that every prompt of a prompts file leaves room for the
 * new tokens in the model's context, and names the file, line and id of the first that does not
 * ({@code FILE:LINE: prompt (id ID) has N tokens; ...}): the generator's own check, reached only
 * mid-output, knows just the prompt's position in its batch list.
 */
final class PromptFit {
    /** What to do about a too-long prompt, where the command has no other remedy. */
    static final String REMEDY = "shorten it or lower --max-new-tokens";

    private PromptFit() {}

    /**
     * Refuses the first prompt that is empty after encoding or longer than the context minus {@code
     * maxNewTokens}, counted as the generator will prefill it (prompt format and token healing).
     * Does nothing when {@code maxNewTokens} leaves no room at all: that is the option's fault, which
     * the generator reports as such.
     *
     * @param prompts the prompts, in file order (read without skipping rows, so the i-th is the i-th row)
     * @param file the prompts file
     * @param opts the options the prompts were read with (format, columns)
     * @param model the model, tokenizer and prompt format
     * @param tokenHealing whether the generator heals the prompt boundary
     * @param maxNewTokens the tokens generated after each prompt
     * @param remedy what the user can do, for the message, e.g. {@code shorten it or lower --max-new-tokens}
     * @throws CliException (bad input) naming the file, line, id, token count and the room
     */
    static void check(List<PromptExample> prompts, Path file, ReadOptions opts, ModelOptions.Loaded model,
            boolean tokenHealing, int maxNewTokens, String remedy) {
        int positions = model.model().config().maxPositions();
        int room = positions - maxNewTokens;
        if (room < 1) {
            return;
        }
        // The generator's encoder with no length limit: only counts (and refuses an empty prompt).
        PromptEncoder counter = new PromptEncoder(model.tokenizer(), model.format(), tokenHealing, false,
                Integer.MAX_VALUE);
        for (int i = 0; i < prompts.size(); i++) {
            int n;
            try {
                n = counter.encode(prompts.get(i).prompt(), i, 0).ids().length;
            } catch (GenerationException e) {
                throw new CliException(where(file, opts, i, prompts.get(i))
                        + " is empty after encoding (expected at least one token)");
            }
            if (n > room) {
                throw new CliException(where(file, opts, i, prompts.get(i)) + " has " + n + " tokens; with "
                        + maxNewTokens + " new tokens it exceeds the model's max_position_embeddings " + positions
                        + " (expected at most " + room + " tokens: " + remedy + ")");
            }
        }
    }

    /** {@code FILE:LINE: prompt (id ID)}, the line found by reading the file's rows again. */
    private static String where(Path file, ReadOptions opts, int index, PromptExample prompt) {
        return Datasets.rowLocation(file, opts, index) + ": prompt (id " + prompt.id() + ")";
    }
}
