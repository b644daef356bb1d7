package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.data.DataReader;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.data.TsvEscapes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TSV file written whole (evaluate's comparison.tsv and predictions.tsv) gets the record that declares
 * its escapes, so qdecode reads a field with a tab, line break or backslash back as it was; a JSON-lines
 * file needs none.
 */
class RecordWriterTest {
    private static final List<String> TEXTS = List.of("one\tline", "two\nlines", "back\\slash", "plain");

    @Test
    void aTsvWrittenWholeReadsBackAsWritten(@TempDir Path tmp) throws Exception {
        Path tsv = tmp.resolve("out.tsv");
        try (RecordWriter w = RecordWriter.open(tsv, List.of("id", "text"))) {
            for (int i = 0; i < TEXTS.size(); i++) {
                w.write(i, TEXTS.get(i));
            }
            w.commit();
        }
        assertEquals(TEXTS.size() + 1, Files.readAllLines(tsv).size()); // one line per row: escaped
        assertTrue(Files.readString(TsvEscapes.recordOf(tsv)).contains("\"tsv_escapes\": \"backslash\""));
        List<String> back = new ArrayList<>();
        try (DataReader<Row> rows = Datasets.rows(tsv, ReadOptions.defaults())) {
            rows.forEachRemaining(r -> back.add(r.get("text")));
        }
        assertEquals(TEXTS, back);

        Path jsonl = tmp.resolve("out.jsonl");
        try (RecordWriter w = RecordWriter.open(jsonl, List.of("id", "text"))) {
            w.write(0, TEXTS.get(0));
            w.commit();
        }
        assertFalse(Files.exists(TsvEscapes.recordOf(jsonl)));
    }
}
