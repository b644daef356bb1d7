package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Loads every task file in the shared data folder, as is, and checks it against the README. */
class SharedDataTest {
  static final Path DATA = Path.of(System.getProperty("qdecode.shared"), "data");

  /** The file's data lines split on tabs only: an independent reading to compare with. */
  static List<String[]> rawRows(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    return lines.subList(1, lines.size()).stream().map(l -> l.split("\t", -1)).toList();
  }

  @ParameterizedTest
  @CsvSource({"train.tsv, 67349", "dev.tsv, 872"})
  void sst2LoadsEveryRowExactly(String name, int rows) throws IOException {
    Path file = DATA.resolve("sst2").resolve(name);
    Dataset<ClassificationExample> ds =
        Datasets.classification(file, ReadOptions.defaults().withAllowedLabels(List.of("0", "1")));
    assertEquals(rows, ds.size());
    assertEquals(new ReadReport(file.toString(), rows, rows, 0, List.of()), ds.report());
    List<String[]> raw = rawRows(file);
    assertEquals(rows, raw.size());
    for (int i = 0; i < rows; i++) {
      ClassificationExample e = ds.examples().get(i);
      assertEquals(Integer.toString(i), e.id());
      assertEquals(raw.get(i)[0], e.text(), "text of row " + i); // trailing space kept
      assertEquals(raw.get(i)[1], e.label());
    }
    assertTrue(ds.examples().get(0).text().endsWith(" "), "SST-2 sentences end with a space");
  }

  @ParameterizedTest
  @CsvSource({
    "en-de.train.tsv, de, 29000",
    "en-de.val.tsv, de, 1014",
    "en-de.test_2016_flickr.tsv, de, 1000",
    "en-fr.train.tsv, fr, 29000",
    "en-fr.val.tsv, fr, 1014",
    "en-fr.test_2016_flickr.tsv, fr, 1000"
  })
  void multi30kLoadsWithChosenTarget(String name, String target, int rows) throws IOException {
    Path file = DATA.resolve("multi30k").resolve(name);
    Dataset<TranslationExample> ds =
        Datasets.translation(file, ReadOptions.defaults().withColumn("target", target));
    assertEquals(rows, ds.size());
    List<String[]> raw = rawRows(file);
    for (int i = 0; i < rows; i++) {
      TranslationExample e = ds.examples().get(i);
      assertEquals(raw.get(i)[0], e.id());
      assertEquals(raw.get(i)[1], e.source());
      assertEquals(List.of(raw.get(i)[2]), e.references());
    }
  }

  @Test
  void multi30kQuoteAtStartOfFieldSurvives() {
    Path file = DATA.resolve("multi30k/en-de.train.tsv");
    TranslationExample e =
        Datasets.translation(file, ReadOptions.defaults().withColumn("target", "de"))
            .examples()
            .get(7365); // id 7365, file line 7367
    assertEquals("7365", e.id());
    String ref = e.references().get(0);
    assertTrue(ref.startsWith("\"Zwei männliche"), ref);
    assertTrue(ref.endsWith("Wasserfontäne.\""), ref);
  }

  @Test
  void multi30kReversedDirection() {
    Path file = DATA.resolve("multi30k/en-fr.val.tsv");
    TranslationExample e =
        Datasets.translation(
                file, ReadOptions.defaults().withColumn("source", "fr").withColumn("target", "en"))
            .examples()
            .get(0);
    assertEquals("A group of men are loading cotton onto a truck", e.references().get(0));
    assertTrue(e.source().startsWith("Un groupe d'hommes"), e.source());
  }

  @ParameterizedTest
  @CsvSource({"pairs_en_dev.tsv, 7030, 995", "pairs_en_test.tsv, 6720, 996"})
  void xdailydialogPairs(String name, int rows, int dialogues) throws IOException {
    Path file = DATA.resolve("xdailydialog").resolve(name);
    Dataset<DialogueExample> ds = Datasets.dialogue(file, ReadOptions.defaults());
    assertEquals(rows, ds.size());
    List<String[]> raw = rawRows(file);
    Set<String> dialogIds = new HashSet<>();
    for (int i = 0; i < rows; i++) {
      DialogueExample e = ds.examples().get(i);
      String[] r = raw.get(i);
      assertEquals(r[0] + "#" + r[1], e.id());
      assertEquals(r[0], e.dialogId());
      assertEquals(Integer.parseInt(r[1]), e.contextTurns().size());
      assertEquals(
          List.of("topic", "response_act", "response_emotion"), List.copyOf(e.labels().keySet()));
      assertEquals(r[2], e.labels().get("topic"));
      assertEquals(r[3], e.labels().get("response_act"));
      assertEquals(r[4], e.labels().get("response_emotion"));
      assertEquals(r[5], e.joinedContext());
      assertEquals(r[6], e.response());
      dialogIds.add(e.dialogId());
    }
    assertEquals(dialogues, dialogIds.size());
  }

  @ParameterizedTest
  @CsvSource({"story_prompts.train.tsv, 300", "story_prompts.dev.tsv, 100"})
  void prompts(String name, int rows) throws IOException {
    Path file = DATA.resolve("prompts").resolve(name);
    Dataset<PromptExample> ds = Datasets.prompts(file, ReadOptions.defaults());
    assertEquals(rows, ds.size());
    List<String[]> raw = rawRows(file);
    for (int i = 0; i < rows; i++) {
      assertEquals(raw.get(i)[0], ds.examples().get(i).id());
      assertEquals(raw.get(i)[1], ds.examples().get(i).prompt());
      String prompt = ds.examples().get(i).prompt();
      assertEquals(prompt.strip(), prompt, "no trailing space after the last word");
    }
  }

  @Test
  void rawRowsOfAnyColumn() {
    Path file = DATA.resolve("sst2/dev.tsv");
    try (DataReader<Row> rows =
        Datasets.rows(file, ReadOptions.defaults().withColumn("text", "sentence"))) {
      assertEquals(List.of("sentence", "label"), rows.header());
      Row first = rows.next();
      assertEquals(2, first.line());
      assertEquals(0, first.index());
      assertEquals("it 's a charming and often affecting journey . ", first.get("sentence"));
      assertEquals(872, 1 + rows.stream().count());
      assertEquals(872, rows.report().accepted());
    }
  }

  @Test
  void limitStopsReadingEarly() {
    Path file = DATA.resolve("sst2/train.tsv");
    try (DataReader<ClassificationExample> r =
        Datasets.open(file, Task.CLASSIFICATION, ReadOptions.defaults().withLimit(5))) {
      assertEquals(5, r.stream().count());
      assertEquals(5, r.report().rowsRead());
    }
  }

  @Test
  void sha256MatchesDigestOfAllBytes() throws Exception {
    Path file = DATA.resolve("sst2/dev.tsv");
    String expected =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    assertEquals(expected, Datasets.sha256(file));
  }
}
