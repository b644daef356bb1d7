package dev.qdecode.pipeline.sft;

import dev.qdecode.data.DataException;
import dev.qdecode.data.DataReader;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.DialogueExample;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.data.TranslationExample;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prompt/target pairs of one file, tokenized: each row is {@code prompt ids + target ids + EOS},
 * and the loss covers the positions from {@code promptLength[i]} on.
 *
 * @param rows token ids per example
 * @param promptLength per example, the number of prompt tokens
 * @param sources the source texts (for decoding)
 * @param targets the target texts trained on (and scored by the dev loss): a row's first reference (dialogue:
 *     the response on one line, {@link DialogueFormat#line})
 * @param references per example, every reference of its row (translation: a JSON array target gives several,
 *     which dev BLEU scores against, as {@code evaluate --task translation} does; other tasks: the target alone)
 * @param shortened dialogue contexts shortened to fit the model (0 for other tasks)
 * @param file the file the examples were read from
 * @param options the options they were read with (the i-th example is the file's i-th data row)
 * @param ids per example, its id
 */
record SftData(int[][] rows, int[] promptLength, List<String> sources, List<String> targets,
        List<List<String>> references, int shortened, Path file, ReadOptions options, List<String> ids) {

    /** Number of examples. */
    int size() {
        return rows.length;
    }

    /** Target tokens (the scored ones, EOS included) of an example. */
    int targetTokens(int i) {
        return rows[i].length - promptLength[i];
    }

    /**
     * Reads and tokenizes a file.
     *
     * @param cfg the run's config (task, columns)
     * @param file the TSV/JSONL file
     * @param tok the tokenizer
     * @param format the prompt format (SFT template inside the model's own format)
     * @param eos the id appended to every target
     * @param maxLength longest allowed row (the model's max_position_embeddings)
     * @return the encoded pairs
     * @throws dev.qdecode.data.DataException (one line, file:line) on a missing column or an empty
     *     source/target
     * @throws SftException when the file has no examples or a row is too long ({@code FILE:LINE: example (id
     *     ID) has N tokens ...})
     */
    static SftData read(SftConfig cfg, Path file, TextTokenizer tok, PromptFormat format, int eos, int maxLength) {
        List<String> sources = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<List<String>> references = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<List<String>> turns = new ArrayList<>();
        ReadOptions opts; // as the examples were read (no row skipped): the i-th example is the i-th data row
        if (cfg.task().equals("dialogue")) {
            opts = ReadOptions.defaults().withColumn("context", cfg.effectiveSourceColumn())
                    .withColumn("response", cfg.effectiveTargetColumn());
            for (DialogueExample e : Datasets.dialogue(file, opts).examples()) {
                List<String> recent = DialogueFormat.recent(e.contextTurns()); // as train rolls out from
                sources.add(DialogueFormat.render(recent));
                turns.add(recent);
                // the response is the next turn, one line like the context's (a line break inside it would teach
                // the model to start another speaker's turn before its EOS)
                targets.add(DialogueFormat.line(e.response()));
                ids.add(e.id());
            }
        } else if (cfg.task().equals("continuation")) {
            opts = ReadOptions.defaults();
            readContinuation(cfg, file, opts, ids, sources, targets);
        } else {
            opts = ReadOptions.defaults().withColumn("source", cfg.effectiveSourceColumn())
                    .withColumn("target", cfg.effectiveTargetColumn());
            for (TranslationExample e : Datasets.translation(file, opts).examples()) {
                sources.add(e.source());
                targets.add(e.references().get(0));
                references.add(e.references());
                ids.add(e.id());
            }
        }
        if (sources.isEmpty()) {
            throw new SftException(file + ": no examples (expected a header row and at least one pair)");
        }
        int[][] prompts = format.encodeBatch(tok, sources);
        int[][] tgts = tok.encodeBatch(targets, false);
        for (int i = 0; i < tgts.length; i++) {
            tgts[i] = withoutDoubleMarker(tok, targets.get(i), tgts[i]);
        }
        int[][] rows = new int[sources.size()][];
        int[] plen = new int[rows.length];
        int shortened = 0;
        for (int i = 0; i < rows.length; i++) {
            int[] p = prompts[i];
            int[] t = tgts[i];
            if (p.length == 0) {
                throw new SftException(where(file, opts, i, ids.get(i))
                        + ": the prompt encodes to no tokens (expected at least one)");
            }
            // A dialogue too long for the model keeps its most recent turns (the oldest are dropped), and a
            // single turn still too long keeps its end, after its speaker cue (DialogueFormat.fit, as train does).
            int room = maxLength - t.length - 1;
            if (!turns.isEmpty() && p.length > room && room > 0) {
                DialogueFormat.Fitted f = DialogueFormat.fit(turns.get(i), tok, format, room);
                if (f.shortened()) {
                    p = format.encode(tok, f.prompt());
                    shortened++;
                }
            }
            int[] r = new int[p.length + t.length + 1];
            System.arraycopy(p, 0, r, 0, p.length);
            System.arraycopy(t, 0, r, p.length, t.length);
            r[r.length - 1] = eos;
            if (r.length > maxLength) {
                throw new SftException(where(file, opts, i, ids.get(i)) + " has " + r.length
                        + " tokens (prompt + target + EOS); it exceeds the model's max_position_embeddings " + maxLength
                        + " (expected at most " + maxLength + " tokens: shorten it or leave it out)");
            }
            rows[i] = r;
            plen[i] = p.length;
        }
        if (references.isEmpty()) { // dialogue, continuation: one target per row, its only reference
            targets.forEach(t -> references.add(List.of(t)));
        }
        return new SftData(rows, plen, List.copyOf(sources), List.copyOf(targets), List.copyOf(references), shortened,
                file, opts, List.copyOf(ids));
    }

    /**
     * {@code FILE:LINE, id ID} of an example, for a message about it (the file's rows are read again).
     *
     * @param index the example's position
     * @return where it is
     */
    String location(int index) {
        return Datasets.rowLocation(file, options, index) + ", id " + ids.get(index);
    }

    /**
     * {@code FILE:LINE: example (id ID)}, for a message about the {@code index}-th example: the line is
     * found by reading the file's rows again (only on this error path), as {@code PromptFit} does for prompts.
     */
    private static String where(Path file, ReadOptions opts, int index, String id) {
        return Datasets.rowLocation(file, opts, index) + ": example (id " + id + ")";
    }

    /**
     * A target's tokens without the second word marker its own leading space adds under a tokenizer that
     * marks the start of every text (SentencePiece's prepended {@code ▁}, as TinyStories' and qdecode's
     * trained tokenizers do): {@code " there"} encodes to {@code ▁ ▁there}, which the model would learn to
     * emit and which decodes with two spaces, while {@code "there"} encodes to {@code ▁there}, the same
     * text after a prompt. A target whose encoding is not that marker followed by its encoding without the
     * space (a byte-level tokenizer's {@code Ġthere}) is kept as it is.
     */
    static int[] withoutDoubleMarker(TextTokenizer tok, String target, int[] ids) {
        if (!target.startsWith(" ") || ids.length < 2) {
            return ids;
        }
        int[] rest = tok.encode(target.substring(1), false);
        return rest.length == ids.length - 1 && Arrays.equals(rest, Arrays.copyOfRange(ids, 1, ids.length))
                && rest.length > 0 && rest[0] == ids[0] ? rest : ids;
    }

    /**
     * Reads prompt/continuation pairs as raw rows (the data module has no continuation task, and its
     * translation task would name the wrong task and fields in errors).
     */
    private static void readContinuation(SftConfig cfg, Path file, ReadOptions opts, List<String> ids,
            List<String> sources, List<String> targets) {
        String[][] columns = {
            {cfg.effectiveSourceColumn(), "source", "--source-column"},
            {cfg.effectiveTargetColumn(), "target", "--target-column"}};
        try (DataReader<Row> reader = Datasets.rows(file, opts)) {
            List<String> header = reader.header();
            for (String[] c : columns) {
                if (header != null && !header.contains(c[0])) {
                    throw new DataException(file + ":1: missing column '" + c[0] + "' (the " + c[1]
                            + " column of sft --task continuation; choose another with " + c[2]
                            + "); the header has columns: " + String.join(", ", header));
                }
            }
            while (reader.hasNext()) {
                Row row = reader.next();
                String[] values = new String[2];
                for (int i = 0; i < 2; i++) {
                    values[i] = row.get(columns[i][0]);
                    if (values[i].isBlank()) {
                        throw new DataException(row + ": column '" + columns[i][0] + "': expected a non-blank value (the "
                                + columns[i][1] + " of sft --task continuation) but found '" + values[i] + "'");
                    }
                }
                ids.add(row.has("id") ? row.get("id") : Long.toString(row.index()));
                sources.add(values[0]);
                targets.add(values[1]);
            }
        }
    }
}
