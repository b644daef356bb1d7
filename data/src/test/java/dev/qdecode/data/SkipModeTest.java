package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad rows are skipped only on request, and always counted. */
class SkipModeTest {
  static final ReadOptions SKIP =
      ReadOptions.defaults().withAllowedLabels(List.of("0", "1")).withSkipBadRows(true);

  @TempDir Path tmp;
  TempFiles files;

  @BeforeEach
  void setUp() {
    files = new TempFiles(tmp);
  }

  @Test
  void skipsCountsAndReports() {
    Path f =
        files.write(
            "t.tsv",
            "sentence\tlabel\n"
                + "a\t1\n"
                + "b\tx\n" // line 3: bad label
                + "c\t0\n"
                + "d\t1\textra\n" // line 5: three fields
                + "e\t0\n"
                + "\t1\n" // line 7: empty text
                + "f\t1\n");
    Dataset<ClassificationExample> ds = Datasets.classification(f, SKIP);
    assertEquals(
        List.of("a", "c", "e", "f"),
        ds.examples().stream().map(ClassificationExample::text).toList());
    assertEquals(
        List.of("0", "2", "4", "6"),
        ds.examples().stream().map(ClassificationExample::id).toList());
    ReadReport r = ds.report();
    assertEquals(7, r.rowsRead());
    assertEquals(4, r.accepted());
    assertEquals(3, r.skipped());
    assertEquals(
        List.of(
            tmp + "/bad/t.tsv:3: column 'label': expected one of 0,1 but found 'x'",
            tmp + "/bad/t.tsv:5: expected 2 tab-separated fields (sentence, label) but found 3",
            tmp + "/bad/t.tsv:7: column 'sentence': expected a non-blank value (field 'text' of task"
                + " classification) but found ''"),
        r.firstErrors());
    assertEquals(
        tmp + "/bad/t.tsv: 7 rows read, 4 accepted, 3 skipped (first: " + tmp + "/bad/t.tsv:3: column 'label':"
            + " expected one of 0,1 but found 'x')",
        r.summary());
    // Without the option the first bad row throws.
    assertThrows(
        DataException.class, () -> Datasets.classification(f, SKIP.withSkipBadRows(false)));
  }

  @Test
  void keepsOnlyTheFirstMessagesButCountsAll() {
    StringBuilder sb = new StringBuilder("sentence\tlabel\n");
    for (int i = 0; i < 25; i++) {
      sb.append("t").append(i).append('\t').append(i % 5 == 0 ? "1" : "bad").append('\n');
    }
    Dataset<ClassificationExample> ds =
        Datasets.classification(files.write("t.tsv", sb.toString()), SKIP);
    assertEquals(5, ds.size());
    assertEquals(20, ds.report().skipped());
    assertEquals(ReadReport.MAX_MESSAGES, ds.report().firstErrors().size());
    assertEquals(
        tmp + "/bad/t.tsv:3: column 'label': expected one of 0,1 but found 'bad'",
        ds.report().firstErrors().get(0));
  }

  @Test
  void limitCountsGoodExamplesOnly() {
    Path f = files.write("t.tsv", "sentence\tlabel\na\t1\nb\t2\nc\t0\nd\t1\n");
    Dataset<ClassificationExample> ds = Datasets.classification(f, SKIP.withLimit(2));
    assertEquals(
        List.of("a", "c"), ds.examples().stream().map(ClassificationExample::text).toList());
    assertEquals(
        new ReadReport(
            tmp + "/bad/t.tsv",
            3,
            2,
            1,
            List.of(tmp + "/bad/t.tsv:3: column 'label': expected one of 0,1 but found '2'")),
        ds.report());
  }

  @Test
  void jsonLinesSkipMalformedLines() {
    Path f =
        files.write(
            "t.jsonl",
            "{\"sentence\": \"a\", \"label\": 1}\n"
                + "{\"sentence\": \"b\", \"label\": \n"
                + "\n"
                + "{\"sentence\": \"c\", \"label\": 0}\n");
    Dataset<ClassificationExample> ds = Datasets.classification(f, SKIP);
    assertEquals(
        List.of("a", "c"), ds.examples().stream().map(ClassificationExample::text).toList());
    assertEquals(2, ds.report().skipped());
    assertEquals(
        tmp + "/bad/t.jsonl:3: empty line: expected a JSON object", ds.report().firstErrors().get(1));
  }

  @Test
  void fileLevelProblemsAreNeverSkipped() {
    Path f = files.write("t.tsv", "text\tlabel\na\t1\n");
    assertThrows(DataException.class, () -> Datasets.classification(f, SKIP));
  }
}
