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
 * Prompt/target pairs of one file, tokenized: each example is {@code prompt ids + target ids + EOS},
 * and the loss covers the positions from {@code promptLength[i]} on.
 *
 * <p>A row gives one example per distinct reference: a translation row whose target is a JSON array of several
 * references gives one example per distinct reference text, in first-seen order (same prompt, that reference
 * as target; a text repeated in the array, {@code ["X", "X"]}, is one example, as train's pooled references
 * keep it once), so training and the dev loss cover every pair once, as multi-reference training does; every other
 * row (dialogue, continuation, a translation row with one reference) gives one example. The examples of a
 * row are consecutive: {@code rowOf[i]} is the data row an example came from, {@code firstOfRow[r]} the
 * first example of row {@code r}, which dev BLEU decodes (once per row) and scores against
 * {@code references}. A file without JSON-array targets has one example per row, in the file's order.
 *
 * @param rows token ids per example
 * @param promptLength per example, the number of prompt tokens
 * @param sources per example, its row's source text (for decoding)
 * @param targets per example, the target text trained on (and scored by the dev loss): one reference of its
 *     row (dialogue: the response on one line, {@link DialogueFormat#line})
 * @param references per example, every reference of its row as the file gives them, repeats included
 *     (translation: a JSON array target gives several, which dev BLEU scores against, as {@code evaluate --task
 *     translation} does; other tasks: the target alone)
 * @param shortened dialogue contexts shortened to fit the model (0 for other tasks)
 * @param file the file the examples were read from
 * @param options the options they were read with (no row skipped: data row {@code r} is the file's
 *     {@code r}-th data row)
 * @param ids per example, its row's id
 * @param rowOf per example, the index of its data row in the file (0-based, non-decreasing)
 * @param firstOfRow per data row, the index of its first example (one example per distinct reference of the
 *     row follows from there)
 * @param referenceOf per example, the position of its target in its row's {@code references} (0-based; the
 *     first occurrence of a repeated text), for messages naming {@code reference K of N}
 */
record SftData(int[][] rows, int[] promptLength, List<String> sources, List<String> targets,
        List<List<String>> references, int shortened, Path file, ReadOptions options, List<String> ids,
        int[] rowOf, int[] firstOfRow, int[] referenceOf) {

    /** Number of examples (prompt/target pairs): the number of rows, plus one per extra distinct reference. */
    int size() {
        return rows.length;
    }

    /** Number of data rows the examples came from (each decoded once by dev BLEU). */
    int rowCount() {
        return firstOfRow.length;
    }

    /** Target tokens (the scored ones, EOS included) of an example. */
    int targetTokens(int i) {
        return rows[i].length - promptLength[i];
    }

    /** The examples of data row {@code r}: from {@code firstOfRow[r]} (inclusive) to the returned index (exclusive). */
    int endOfRow(int r) {
        return r + 1 < firstOfRow.length ? firstOfRow[r + 1] : rows.length;
    }

    /**
     * Reads and tokenizes a file: one example per distinct reference of each row (see the class comment).
     *
     * @param cfg the run's config (task, columns)
     * @param file the TSV/JSONL file
     * @param tok the tokenizer
     * @param format the prompt format (SFT template inside the model's own format)
     * @param eos the id appended to every target
     * @param maxLength longest allowed example (the model's max_position_embeddings)
     * @return the encoded pairs
     * @throws dev.qdecode.data.DataException (one line, file:line) on a missing column or an empty
     *     source/target
     * @throws SftException when the file has no examples or an example is too long ({@code FILE:LINE: example (id
     *     ID) has N tokens ...}; {@code (id ID, reference K of N)} for one of a row's several references)
     */
    static SftData read(SftConfig cfg, Path file, TextTokenizer tok, PromptFormat format, int eos, int maxLength) {
        // per data row
        List<String> sources = new ArrayList<>();
        List<List<String>> references = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<List<String>> turns = new ArrayList<>();
        ReadOptions opts; // as the rows were read (no row skipped): row r is the file's r-th data row
        if (cfg.task().equals("dialogue")) {
            opts = ReadOptions.defaults().withColumn("context", cfg.effectiveSourceColumn())
                    .withColumn("response", cfg.effectiveTargetColumn());
            for (DialogueExample e : Datasets.dialogue(file, opts).examples()) {
                List<String> recent = DialogueFormat.recent(e.contextTurns()); // as train rolls out from
                sources.add(DialogueFormat.render(recent));
                turns.add(recent);
                // the response is the next turn, one line like the context's (a line break inside it would teach
                // the model to start another speaker's turn before its EOS)
                references.add(List.of(DialogueFormat.line(e.response())));
                ids.add(e.id());
            }
        } else if (cfg.task().equals("continuation")) {
            opts = ReadOptions.defaults();
            List<String> targets = new ArrayList<>();
            readContinuation(cfg, file, opts, ids, sources, targets);
            targets.forEach(t -> references.add(List.of(t)));
        } else {
            opts = ReadOptions.defaults().withColumn("source", cfg.effectiveSourceColumn())
                    .withColumn("target", cfg.effectiveTargetColumn());
            for (TranslationExample e : Datasets.translation(file, opts).examples()) {
                sources.add(e.source());
                references.add(List.copyOf(e.references()));
                ids.add(e.id());
            }
        }
        if (sources.isEmpty()) {
            throw new SftException(file + ": no examples (expected a header row and at least one pair)");
        }
        // one example per distinct reference of each row (first-seen order), a row's examples consecutive
        int[] firstOfRow = new int[sources.size()];
        List<String> targets = new ArrayList<>();
        List<Integer> rowOf = new ArrayList<>();
        List<Integer> refOf = new ArrayList<>();
        for (int r = 0; r < sources.size(); r++) {
            firstOfRow[r] = targets.size();
            List<String> refs = references.get(r);
            for (int k = 0; k < refs.size(); k++) {
                if (refs.indexOf(refs.get(k)) == k) { // a repeat of an earlier reference of the row is trained once
                    targets.add(refs.get(k));
                    rowOf.add(r);
                    refOf.add(k);
                }
            }
        }
        int[][] prompts = format.encodeBatch(tok, sources); // once per row
        int[][] tgts = tok.encodeBatch(targets, false);
        for (int i = 0; i < tgts.length; i++) {
            tgts[i] = withoutDoubleMarker(tok, targets.get(i), tgts[i]);
        }
        int[][] rows = new int[targets.size()][];
        int[] plen = new int[rows.length];
        int[] rowIndex = new int[rows.length];
        int[] referenceOf = refOf.stream().mapToInt(Integer::intValue).toArray();
        List<String> exSources = new ArrayList<>(rows.length);
        List<String> exIds = new ArrayList<>(rows.length);
        List<List<String>> exRefs = new ArrayList<>(rows.length);
        int shortened = 0;
        for (int i = 0; i < rows.length; i++) {
            int row = rowOf.get(i);
            rowIndex[i] = row;
            exSources.add(sources.get(row));
            exIds.add(ids.get(row));
            exRefs.add(references.get(row));
            int[] p = prompts[row];
            int[] t = tgts[i];
            if (p.length == 0) {
                throw new SftException(where(file, opts, row, ids.get(row), referenceOf[i],
                        references.get(row).size()) + ": the prompt encodes to no tokens (expected at least one)");
            }
            // A dialogue too long for the model keeps its most recent turns (the oldest are dropped), and a
            // single turn still too long keeps its end, after its speaker cue (DialogueFormat.fit, as train does).
            int room = maxLength - t.length - 1;
            if (!turns.isEmpty() && p.length > room && room > 0) {
                DialogueFormat.Fitted f = DialogueFormat.fit(turns.get(row), tok, format, room);
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
                throw new SftException(where(file, opts, row, ids.get(row), referenceOf[i],
                        references.get(row).size()) + " has " + r.length
                        + " tokens (prompt + target + EOS); it exceeds the model's max_position_embeddings " + maxLength
                        + " (expected at most " + maxLength + " tokens: shorten it or leave it out)");
            }
            rows[i] = r;
            plen[i] = p.length;
        }
        return new SftData(rows, plen, List.copyOf(exSources), List.copyOf(targets), List.copyOf(exRefs), shortened,
                file, opts, List.copyOf(exIds), rowIndex, firstOfRow, referenceOf);
    }

    /**
     * {@code FILE:LINE, id ID} of an example, for a message about it (the file's rows are read again), with
     * {@code , reference K of N} when its row has several references.
     *
     * @param index the example's position
     * @return where it is
     */
    String location(int index) {
        int row = rowOf[index];
        return Datasets.rowLocation(file, options, row) + ", id " + ids.get(index)
                + reference(referenceOf[index], references.get(index).size());
    }

    /**
     * {@code FILE:LINE: example (id ID)}, for a message about an example of data row {@code row} ({@code
     * (id ID, reference K of N)} when the row has several references): the line is found by reading the
     * file's rows again (only on this error path), as {@code PromptFit} does for prompts.
     */
    private static String where(Path file, ReadOptions opts, int row, String id, int reference, int references) {
        return Datasets.rowLocation(file, opts, row) + ": example (id " + id + reference(reference, references) + ")";
    }

    /** {@code , reference K of N} (1-based) for one of a row's several references; empty for a row's only one. */
    private static String reference(int index, int count) {
        return count > 1 ? ", reference " + (index + 1) + " of " + count : "";
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
