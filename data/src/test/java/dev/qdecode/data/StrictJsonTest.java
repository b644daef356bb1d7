package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StrictJson}'s errors (for {@code --config} files) say where and what was expected, in
 * words rather than Gson's: a trailing comma is named at the comma, also in JSON lines data.
 */
class StrictJsonTest {
  @TempDir Path tmp;

  private static String error(String json) {
    return assertThrows(DataException.class, () -> StrictJson.parse(json, "c.json")).getMessage();
  }

  @Test
  void aTrailingCommaIsNamedAtTheComma() {
    assertEquals(
        "c.json:1: malformed JSON at column 16: expected a key after ',' but got '}' (trailing comma?)",
        error("{\"episodes\": 64,}"));
    assertEquals(
        "c.json:2: malformed JSON at column 17: expected a key after ',' but got '}' on line 3"
            + " (trailing comma?)",
        error("{\n  \"episodes\": 64,\n}\n"));
    // in an array Gson calls it a leniency problem ("not standard JSON")
    assertEquals(
        "c.json:1: malformed JSON at column 21: expected a value after ',' but got ']' (trailing"
            + " comma?)",
        error("{\"stop\": [\"a,\", \"b\" , ]}"));
    assertEquals(
        "c.json:1: malformed JSON at column 28: expected a key after ',' but got '}' (trailing comma?)",
        error("{\"a\": {\"b\": [1, 2], \"c\": {},}}"));
  }

  @Test
  void otherSyntaxErrorsSayWhatWasExpected() {
    assertEquals(
        "c.json:1: malformed JSON at column 14: expected ':' after the key",
        error("{\"episodes\" 64}"));
    assertEquals(
        "c.json:1: malformed JSON at column 14: expected a value", error("{\"episodes\": }"));
    assertEquals(
        "c.json:1: malformed JSON at column 18: expected ',' or '}' after the value",
        error("{\"episodes\": 64 \"lr\": 1}"));
    // a comma that follows no value is not called a trailing one
    assertEquals(
        "c.json:1: malformed JSON at column 3: not standard JSON (keys and strings need double quotes;"
            + " no comments; nothing after the value)",
        error("{,}"));
    assertEquals(
        "c.json:1: malformed JSON at column 16: the text ends before the JSON value is complete",
        error("{\"episodes\": 64"));
    assertEquals(
        "c.json:2: malformed JSON at column 3: not standard JSON (keys and strings need double quotes;"
            + " no comments; nothing after the value)",
        error("{\"episodes\": 64}\n {}"));
  }

  @Test
  void aKeyTwiceIsNamedWhereItIsSeenAgain() {
    assertEquals(
        "c.json:2: key \"episodes\" appears twice in one object at column 12: expected each key"
            + " once",
        error("{\"episodes\": 64,\n \"episodes\": 32}"));
  }

  @Test
  void aTrailingCommaInAJsonLinesRowIsNamedAtTheComma() {
    Path f = new TempFiles(tmp).write("t.jsonl", "{\"sentence\": \"a\", \"label\": 1,}\n");
    DataException e =
        assertThrows(
            DataException.class,
            () ->
                Datasets.classification(
                    f, ReadOptions.defaults().withAllowedLabels(List.of("0", "1"))));
    assertEquals(
        tmp + "/bad/t.jsonl:1: malformed JSON at column 29: expected a key after ',' but got '}'"
            + " (trailing comma?)",
        e.getMessage());
  }
}
