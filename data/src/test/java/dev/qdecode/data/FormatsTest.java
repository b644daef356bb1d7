package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TSV without quoting, RFC 4180 CSV and JSON lines, chosen by extension or explicitly. */
class FormatsTest {
  @TempDir Path tmp;
  TempFiles files;

  @BeforeEach
  void setUp() {
    files = new TempFiles(tmp);
  }

  static List<String> texts(Dataset<ClassificationExample> ds) {
    return ds.examples().stream().map(ClassificationExample::text).toList();
  }

  @Test
  void tsvKeepsQuotesAndSpaces() {
    Path f =
        files.write(
            "t.tsv",
            "sentence\tlabel\n"
                + "\"starts with a quote\t1\n"
                + "says \"hi\" twice\"\"\t0\n"
                + "  padded  \t1\n"
                + "\"\t0\n");
    Dataset<ClassificationExample> ds = Datasets.classification(f, ReadOptions.defaults());
    assertEquals(
        List.of("\"starts with a quote", "says \"hi\" twice\"\"", "  padded  ", "\""), texts(ds));
  }

  @Test
  void tsvWithCrLfAndByteOrderMark() {
    byte[] body = "sentence\tlabel\r\na\t1\r\nb\t0\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] withBom = new byte[body.length + 3];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    System.arraycopy(body, 0, withBom, 3, body.length);
    Path f = files.write("t.tsv", withBom);
    Dataset<ClassificationExample> ds = Datasets.classification(f, ReadOptions.defaults());
    assertEquals(List.of("a", "b"), texts(ds));
    assertEquals(
        List.of("1", "0"), ds.examples().stream().map(ClassificationExample::label).toList());
  }

  @Test
  void csvQuotingAndLineNumbersAfterMultiLineFields() {
    Path f =
        files.write(
            "t.csv",
            "id,sentence,label\n"
                + "a,\"comma, inside\",1\n"
                + "b,\"two\nlines\",0\n"
                + "c,\"doubled \"\"quotes\"\"\",1\n"
                + "d,,1\n");
    String m =
        assertThrows(DataException.class, () -> Datasets.classification(f, ReadOptions.defaults()))
            .getMessage();
    // Record d starts on line 6: the quoted newline in record b is counted.
    assertEquals(
        tmp + "/bad/t.csv:6: column 'sentence': expected a non-blank value (field 'text' of task"
            + " classification) but found ''",
        m);
    Dataset<ClassificationExample> ds =
        Datasets.classification(f, ReadOptions.defaults().withSkipBadRows(true));
    assertEquals(List.of("comma, inside", "two\nlines", "doubled \"quotes\""), texts(ds));
    assertEquals(
        List.of("a", "b", "c"), ds.examples().stream().map(ClassificationExample::id).toList());
  }

  @Test
  void csvRowLineNumbers() {
    Path f = files.write("t.csv", "x,y\n1,\"a\nb\nc\"\n2,z\r\n3,w");
    try (DataReader<Row> rows = Datasets.rows(f, ReadOptions.defaults())) {
      assertEquals(List.of(2L, 5L, 6L), rows.stream().map(Row::line).toList());
    }
  }

  @Test
  void jsonLines() {
    Path f =
        files.write(
            "t.jsonl",
            "{\"id\": \"x1\", \"sentence\": \"great\", \"label\": 1}\n"
                + "{\"sentence\": \"awful\", \"label\": \"0\", \"extra\": [1, 2]}\n");
    Dataset<ClassificationExample> ds =
        Datasets.classification(f, ReadOptions.defaults().withAllowedLabels(List.of("0", "1")));
    assertEquals(
        List.of(
            new ClassificationExample("x1", "great", "1"),
            new ClassificationExample("1", "awful", "0")),
        ds.examples());
  }

  @Test
  void jsonLinesArraysGiveReferencesAndTurns() {
    Path t =
        files.write(
            "t.json",
            "{\"id\": 7, \"en\": \"A dog.\", \"refs\": [\"Ein Hund.\", \"Ein Köter.\"]}\n");
    TranslationExample e =
        Datasets.translation(t, ReadOptions.defaults().withColumn("target", "refs"))
            .examples()
            .get(0);
    assertEquals(new TranslationExample("7", "A dog.", List.of("Ein Hund.", "Ein Köter.")), e);

    Path d =
        files.write(
            "d.jsonl",
            "{\"context\": [\"Hi .\", \"Hello !\"], \"response\": \"How are you ?\", \"topic\":"
                + " 3}\n");
    DialogueExample de = Datasets.dialogue(d, ReadOptions.defaults()).examples().get(0);
    assertEquals(
        new DialogueExample("0", List.of("Hi .", "Hello !"), "How are you ?", Map.of("topic", "3")),
        de);
    assertEquals("Hi . __eou__ Hello !", de.joinedContext());
  }

  /**
   * Only JSON lines have arrays: a TSV or CSV cell is always one string, so a cell written as a JSON array
   * is one reference, read as those characters (as the README says).
   */
  @Test
  void aJsonArrayInATsvOrCsvCellIsOneReferenceOfThoseCharacters() {
    String cell = "[\"Ein Hund.\", \"Ein Köter.\"]";
    Path tsv = files.write("t.tsv", "id\ten\tde\n7\tA dog.\t" + cell + "\n");
    Path csv = files.write("t.csv", "id,en,de\n7,A dog.,\"" + cell.replace("\"", "\"\"") + "\"\n");
    for (Path f : List.of(tsv, csv)) {
      TranslationExample e =
          Datasets.translation(f, ReadOptions.defaults().withColumn("target", "de")).examples().get(0);
      assertEquals(new TranslationExample("7", "A dog.", List.of(cell)), e, f.toString());
    }
  }

  @Test
  void aJsonArrayOfOneTurnIsThatTurn() {
    // the elements of an array are the turns: one element is one turn, as each of two is, even when
    // its text holds the separator
    Path d =
        files.write(
            "d1.jsonl",
            "{\"context\": [\"Hi . __eou__ there\"], \"response\": \"Yo .\", \"turn\": 1}\n"
                + "{\"context\": [\"Hi . __eou__ there\", \"Hello !\"], \"response\": \"Yo .\","
                + " \"turn\": 2}\n"
                + "{\"context\": \"Hi . __eou__ there\", \"response\": \"Yo .\", \"turn\": 2}\n");
    List<DialogueExample> es = Datasets.dialogue(d, ReadOptions.defaults()).examples();
    assertEquals(List.of("Hi . __eou__ there"), es.get(0).contextTurns());
    assertEquals(List.of("Hi . __eou__ there", "Hello !"), es.get(1).contextTurns());
    assertEquals(List.of("Hi .", "there"), es.get(2).contextTurns()); // a string is split
    Path blank = files.write("d2.jsonl", "{\"context\": [\"Hi .\", \" \"], \"response\": \"Yo .\"}\n");
    DataException e =
        assertThrows(DataException.class, () -> Datasets.dialogue(blank, ReadOptions.defaults()));
    assertEquals(
        blank
            + ":1: column 'context': turn 2 of 2 is empty (expected a non-blank string for each element"
            + " of the array)",
        e.getMessage());
  }

  @Test
  void formatOverridesExtension() {
    Path f = files.write("t.txt", "sentence,label\n\"a, b\",1\n");
    Dataset<ClassificationExample> ds =
        Datasets.classification(f, ReadOptions.defaults().withFormat(Format.CSV));
    assertEquals(List.of("a, b"), texts(ds));
    assertEquals(Format.TSV, Format.of(Path.of("x/train.TSV")));
    assertEquals(Format.JSONL, Format.of(Path.of("x.ndjson")));
    assertEquals(Format.CSV, Format.parse(" CSV "));
    // isTable agrees with of: a name of(...) reads is a table; any other is plain text to the CLI.
    for (String name : List.of("a.tsv", "b.TAB", "c.csv", "d.jsonl", "e.json", "f.ndjson")) {
      assertTrue(Format.isTable(Path.of("dir", name)), name);
    }
    for (String name : List.of("a.txt", "b.tsv.gz", "c", "d.jsonl.bak")) {
      assertFalse(Format.isTable(Path.of("dir", name)), name);
      assertThrows(DataException.class, () -> Format.of(Path.of("dir", name)));
    }
  }

  @Test
  void optionalFieldsSwitchedOffAndRemapped() {
    String header = "dialog_id\tturn\ttopic\tresponse_act\tresponse_emotion\tcontext\tresponse\n";
    Path f = files.write("d.tsv", header + "5\t2\t1\t3\t0\tHi . __eou__ Yo .\tBye .\n");
    DialogueExample e =
        Datasets.dialogue(
                f,
                ReadOptions.defaults()
                    .withColumns(Map.of("topic", "", "response_emotion", ""))
                    .withAllowedValues("response_act", List.of("3")))
            .examples()
            .get(0);
    assertEquals(
        new DialogueExample("5#2", List.of("Hi .", "Yo ."), "Bye .", Map.of("response_act", "3")),
        e);
    assertEquals("5", e.dialogId());
  }

  @Test
  void taskDescriptions() {
    assertEquals(List.of("id", "text", "label"), Task.CLASSIFICATION.fields());
    assertEquals("", Task.TRANSLATION.defaultColumns().get("target"));
    assertEquals(Task.DIALOGUE, Task.byName("Dialogue"));
    assertEquals(4, Task.all().size());
  }

  @Test
  void sameFileSeesLinksAndSpellingsButNotOtherFiles() throws Exception {
    Path f = files.write("a.tsv", "sentence\tlabel\nx\t1\n");
    Path other = files.write("b.tsv", "sentence\tlabel\nx\t1\n");
    Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link.tsv"), f);
    assertTrue(Datasets.sameFile(f, link));
    assertTrue(Datasets.sameFile(f, f.getParent().resolve("sub/../a.tsv")));
    assertFalse(Datasets.sameFile(f, other), "same bytes, another file");
    // paths that do not exist (an output not written yet) are compared as normalized paths
    assertTrue(Datasets.sameFile(tmp.resolve("new/out.tsv"), tmp.resolve("new/./out.tsv")));
    assertFalse(Datasets.sameFile(tmp.resolve("new/out.tsv"), f));
  }

  @Test
  void tsvEscapesAreUndoneOnlyForFilesWhoseRecordDeclaresThem() throws Exception {
    String text = "a line\nanother\ttab \\ back\\slash\r";
    String quote = "I \\ ' ll"; // as in xdailydialog: a literal backslash
    assertEquals(text, TsvEscapes.unescape(TsvEscapes.escape(text)));
    assertFalse(TsvEscapes.escape(text).contains("\n") || TsvEscapes.escape(text).contains("\t"));
    List<String> written = List.of(TsvEscapes.escape(text), TsvEscapes.escape(quote));
    Path f = files.write("gen.tsv", "id\tgenerated\n0\t" + written.get(0) + "\n1\t" + written.get(1) + "\n");
    // no record, or one without the key: read as it is (any TSV may hold literal backslashes)
    assertEquals(written, generated(f));
    java.nio.file.Files.writeString(TsvEscapes.recordOf(f), "{\"command\": \"qdecode generate\"}");
    assertEquals(written, generated(f), "a record without the key");
    java.nio.file.Files.writeString(
        TsvEscapes.recordOf(f), "{\"" + TsvEscapes.RECORD_KEY + "\": \"" + TsvEscapes.BACKSLASH + "\"}");
    assertEquals(List.of(text, quote), generated(f));
  }

  private static List<String> generated(Path f) {
    try (DataReader<Row> r = Datasets.rows(f, ReadOptions.defaults())) {
      return r.stream().map(row -> row.get("generated")).toList();
    }
  }

  @Test
  void rowLocationNamesTheLineARowStartsOnAfterAMultiLineField() {
    Path f = files.write("m.csv", "sentence,label\n\"two\nlines\",1\nthird,0\n");
    ReadOptions opts = ReadOptions.defaults();
    assertEquals(List.of("two\nlines", "third"), texts(Datasets.classification(f, opts)));
    assertEquals(f + ":2", Datasets.rowLocation(f, opts, 0));
    assertEquals(f + ":4", Datasets.rowLocation(f, opts, 1));
    assertEquals(f.toString(), Datasets.rowLocation(f, opts, 2), "no such row: the file alone");
  }
}
