package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input gives one line naming file, line and column and what was expected. */
class BadInputTest {
  static final ReadOptions BINARY = ReadOptions.defaults().withAllowedLabels(List.of("0", "1"));

  @TempDir Path tmp;
  TempFiles files;

  @BeforeEach
  void setUp() {
    files = new TempFiles(tmp);
  }

  static String message(Executable e) {
    DataException ex = assertThrows(DataException.class, e);
    assertFalse(ex.getMessage().contains("\n"), "one line: " + ex.getMessage());
    return ex.getMessage();
  }

  String classificationError(String content) {
    Path f = files.write("t.tsv", content);
    return message(() -> Datasets.classification(f, BINARY));
  }

  @Test
  void labelWithSurroundingSpacesIsNotAClassOfItsOwn() {
    Path f = files.write("t.tsv", "sentence\tlabel\ngood\t1\nbad\t1 \n");
    assertEquals(
        tmp
            + "/bad/t.tsv:3: column 'label': expected no leading or trailing spaces (field 'label' of task"
            + " classification) but found '1 '",
        message(() -> Datasets.classification(f, ReadOptions.defaults())));
  }

  /** {@code 0} and {@code 0.0} (or a JSON {@code true} after {@code 1}) would silently be two classes. */
  @Test
  void oneNumberSpelledTwoWaysIsNotTwoClasses() {
    Path f =
        files.write(
            "t.jsonl",
            "{\"sentence\": \"a\", \"label\": 0}\n{\"sentence\": \"b\", \"label\": 1}\n"
                + "{\"sentence\": \"c\", \"label\": 1}\n{\"sentence\": \"d\", \"label\": 0.0}\n");
    assertEquals(
        tmp
            + "/bad/t.jsonl:4: column 'label': expected one spelling per label but found '0.0', the same"
            + " number as '0' on line 1",
        message(() -> Datasets.classification(f, ReadOptions.defaults())));
    Path b =
        files.write(
            "b.jsonl",
            "{\"sentence\": \"a\", \"label\": 1}\n{\"sentence\": \"b\", \"label\": 0}\n"
                + "{\"sentence\": \"c\", \"label\": true}\n");
    assertEquals(
        tmp
            + "/bad/b.jsonl:3: column 'label': expected one spelling per label but found 'true', the same"
            + " number as '1' on line 1",
        message(() -> Datasets.classification(b, ReadOptions.defaults())));
    // one spelling each, numbers or not, is fine; so are numbers that differ
    Path ok = files.write("ok.tsv", "sentence\tlabel\na\t1.0\nb\t0.5\nc\t1.0\nd\tpos\ne\t10\n");
    assertEquals(5, Datasets.classification(ok, ReadOptions.defaults()).size());
    // codes: section numbers that are not whole numbers, and integer literals with leading zeros
    Path codes = files.write("codes.tsv", "sentence\tlabel\na\t1.1\nb\t1.10\nc\t07\nd\t7\ne\t1.1\n");
    assertEquals(5, Datasets.classification(codes, ReadOptions.defaults()).size());
    assertEquals("1E1", Binding.numberSpelled("+10.00"));
    assertEquals(null, Binding.numberSpelled("1.10"));
    assertEquals("1E0", Binding.numberSpelled("1e0"));
    assertEquals("0E0", Binding.numberSpelled("-0.0"));
    assertEquals(null, Binding.numberSpelled("1e99999999999"));
    assertEquals(null, Binding.numberSpelled("one"));
  }

  @Test
  void labelNotAllowed() {
    assertEquals(
        tmp + "/bad/t.tsv:3: column 'label': expected one of 0,1 but found 'x'",
        classificationError("sentence\tlabel\ngood\t1\nbad\tx\n"));
  }

  @Test
  void tooManyAndTooFewFields() {
    assertEquals(
        tmp + "/bad/t.tsv:3: expected 2 tab-separated fields (sentence, label) but found 3",
        classificationError("sentence\tlabel\ngood\t1\na\tb\t0\n"));
    assertEquals(
        tmp + "/bad/t.tsv:2: expected 2 tab-separated fields (sentence, label) but found 1",
        classificationError("sentence\tlabel\nno label here\n"));
  }

  @Test
  void emptyRequiredField() {
    assertEquals(
        tmp + "/bad/t.tsv:2: column 'sentence': expected a non-blank value (field 'text' of task"
            + " classification) but found ' '",
        classificationError("sentence\tlabel\n \t1\n"));
    // no-break spaces are blank too (BLEU and chrF skip such a reference: it would fail after decoding)
    Path f =
        files.write(
            "nbsp.tsv", "id\ten\tde\n0\tA dog.\tEin Hund.\n1\tA cat.\t\u00a0\u202f\n");
    assertEquals(
        tmp + "/bad/nbsp.tsv:3: column 'de': expected a non-blank value (field 'target' of task"
            + " translation) but found '\u00a0\u202f'",
        message(
            () ->
                Datasets.translation(
                    f, ReadOptions.defaults().withColumn("source", "en").withColumn("target", "de"))));
  }

  @Test
  void emptyLine() {
    assertEquals(
        tmp + "/bad/t.tsv:3: empty line: expected 2 tab-separated fields (sentence, label)",
        classificationError("sentence\tlabel\na\t1\n\nb\t0\n"));
  }

  /**
   * TSV lines end at {@code \n} (or {@code \r\n}); a carriage return inside a line used to end the
   * record there (Commons CSV reads a lone CR as a line break): one line became two rows with no
   * message, or an error named the wrong line.
   */
  @Test
  void tsvCarriageReturnInsideALineIsNamedNotReadAsALineBreak() {
    Path split = files.write("s.tsv", "id\tprompt\n0\tOnce upon\r1\ta time,\n");
    String expected =
        tmp
            + "/bad/s.tsv:2: a carriage return (\\r) inside the line at character 12: expected lines"
            + " ending in \\n or \\r\\n (a TSV field cannot hold a line break)";
    assertEquals(expected, message(() -> Datasets.prompts(split, ReadOptions.defaults())));
    // fatal for the file, as a broken encoding is: rows after it could not be told apart
    assertEquals(
        expected,
        message(() -> Datasets.prompts(split, ReadOptions.defaults().withSkipBadRows(true))));
    Path later =
        files.write("l.tsv", "id\tprompt\r\n0\tA\r\n1\tB\r\n2\tC \rD\r\n3\tE\r\n");
    assertEquals(
        tmp
            + "/bad/l.tsv:4: a carriage return (\\r) inside the line at character 5: expected lines"
            + " ending in \\n or \\r\\n (a TSV field cannot hold a line break)",
        message(() -> Datasets.prompts(later, ReadOptions.defaults())));
    // CRLF line ends, also split across the reader's buffers, and a CR ending the file are fine
    StringBuilder big = new StringBuilder("id\tprompt\r\n");
    for (int i = 0; i < 20000; i++) {
      big.append(i).append("\tprompt ").append(i).append("\r\n");
    }
    Path crlf = files.write("c.tsv", big.toString());
    assertEquals(20000, Datasets.prompts(crlf, ReadOptions.defaults()).size());
    Path lastCr = files.write("e.tsv", "id\tprompt\n0\tA\r");
    assertEquals(1, Datasets.prompts(lastCr, ReadOptions.defaults()).size());
  }

  /**
   * A JSON line ends at {@code \n} (or {@code \r\n}); a carriage return inside it used to end it
   * (BufferedReader.readLine): two objects on one line became two rows, every later line number was
   * off by one, and a CR between tokens (JSON whitespace) cut a valid object in two.
   */
  @Test
  void jsonLinesEndAtLineFeedsOnly() {
    Path two =
        files.write(
            "t.jsonl",
            "{\"id\": \"0\", \"prompt\": \"A\"}\r{\"id\": \"1\", \"prompt\": \"B\"}\n{\"id\": \"2\"}\n");
    assertEquals(
        tmp
            + "/bad/t.jsonl:1: malformed JSON at column 29: not strict JSON (keys and strings need"
            + " double quotes; one value per line, nothing after it)",
        message(() -> Datasets.prompts(two, ReadOptions.defaults())));
    Path later =
        files.write(
            "l.jsonl",
            "{\"id\": \"0\",\r\"prompt\": \"A\"}\r\n{\"id\": \"1\", \"prompt\": \"B\"}\r\n{\"id\": \"2\"}");
    assertEquals(
        tmp + "/bad/l.jsonl:3: column 'prompt': missing; the row has columns: id",
        message(() -> Datasets.prompts(later, ReadOptions.defaults())));
    Path ok =
        files.write(
            "ok.jsonl", "{\"id\": \"0\",\r\"prompt\": \"A\"}\r\n{\"id\": \"1\", \"prompt\": \"B\"}");
    assertEquals(
        List.of("A", "B"),
        Datasets.prompts(ok, ReadOptions.defaults()).examples().stream()
            .map(PromptExample::prompt)
            .toList());
  }

  /**
   * A JSON escape of half a surrogate pair is not a character: it used to be read as text and come
   * out as '?' in the tokens and the output files, where the same text as UTF-8 bytes is refused.
   */
  @Test
  void jsonLinesLoneSurrogateEscapeIsRefused() {
    Path f =
        files.write(
            "s.jsonl",
            "{\"id\": \"0\", \"prompt\": \"ok \\ud83d\\ude00\"}\n{\"id\": \"1\", \"prompt\": \"a \\ud800 b\"}\n");
    assertEquals(
        tmp
            + "/bad/s.jsonl:2: key \"prompt\": a lone surrogate \\ud800 at column 35: expected a"
            + " character (a \\uD800-\\uDFFF escape only as half of a pair, e.g. \\ud83d\\ude00)",
        message(() -> Datasets.prompts(f, ReadOptions.defaults())));
    Path key = files.write("k.jsonl", "{\"prompt\": \"a\", \"\\udc00x\": 1}\n");
    assertEquals(
        tmp
            + "/bad/k.jsonl:1: a key: a lone surrogate \\udc00 at column 26: expected a character (a"
            + " \\uD800-\\uDFFF escape only as half of a pair, e.g. \\ud83d\\ude00)",
        message(() -> Datasets.prompts(key, ReadOptions.defaults())));
    // a pair is one character
    Path ok = files.write("p.jsonl", "{\"id\": \"0\", \"prompt\": \"ok \\ud83d\\ude00\"}\n");
    assertEquals(
        "ok \uD83D\uDE00", Datasets.prompts(ok, ReadOptions.defaults()).examples().get(0).prompt());
  }

  @Test
  void missingColumnListsTheHeader() {
    assertEquals(
        tmp + "/bad/t.tsv:1: missing column 'sentence' (field 'text' of task classification); the header"
            + " has columns: text, label",
        classificationError("text\tlabel\na\t1\n"));
  }

  @Test
  void explicitlyMappedOptionalColumnMustExist() {
    Path f = files.write("t.tsv", "sentence\tlabel\na\t1\n");
    assertEquals(
        tmp + "/bad/t.tsv:1: missing column 'ident' (field 'id' of task classification); the header has"
            + " columns: sentence, label",
        message(
            () -> Datasets.classification(f, ReadOptions.defaults().withColumn("id", "ident"))));
  }

  @Test
  void headerProblems() {
    assertEquals(
        tmp + "/bad/t.tsv:1: header: column 'label' appears twice; the header is: sentence, label, label",
        classificationError("sentence\tlabel\tlabel\na\t1\t1\n"));
    assertEquals(
        tmp + "/bad/t.tsv:1: header: column 2 has an empty name; the header is: sentence, , label",
        classificationError("sentence\t\tlabel\na\t\t1\n"));
    assertEquals(tmp + "/bad/t.tsv: the file is empty: expected a header row", classificationError(""));
  }

  @Test
  void missingFile() {
    Path f = files.path("nope.tsv");
    String m = message(() -> Datasets.classification(f, BINARY));
    assertEquals(tmp + "/bad/nope.tsv: file not found", m);
    assertEquals(tmp + "/bad/nope.tsv: file not found", message(() -> Datasets.sha256(f)));
  }

  @Test
  void notUtf8NamesLineAndByteOffset() {
    byte[] head = "sentence\tlabel\ngood\t1\nbad ".getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head);
    out.write(0xFF);
    out.writeBytes("\t0\n".getBytes(StandardCharsets.UTF_8));
    Path f = files.write("t.tsv", out.toByteArray());
    String expected =
        tmp + "/bad/t.tsv:3: not valid UTF-8: byte 0xFF at byte offset "
            + head.length
            + " (the file must be UTF-8)";
    assertEquals(expected, message(() -> Datasets.classification(f, BINARY)));
    // Fatal even when skipping bad rows: the file as a whole is wrong.
    assertEquals(expected, message(() -> Datasets.classification(f, BINARY.withSkipBadRows(true))));
  }

  @Test
  void notUtf8FarIntoTheFile() {
    StringBuilder sb = new StringBuilder("sentence\tlabel\n");
    for (int i = 0; i < 5000; i++) {
      sb.append("row number ").append(i).append(" é\t1\n");
    }
    byte[] good = sb.toString().getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(good);
    out.writeBytes(new byte[] {'x', (byte) 0xC3, '(', '\t', '1', '\n'}); // truncated sequence
    Path f = files.write("t.tsv", out.toByteArray());
    assertEquals(
        tmp + "/bad/t.tsv:5002: not valid UTF-8: byte 0xC3 at byte offset "
            + (good.length + 1)
            + " (the file must be UTF-8)",
        message(() -> Datasets.classification(f, BINARY)));
  }

  @Test
  void unknownExtension() {
    Path f = files.write("t.txt", "sentence\tlabel\na\t1\n");
    assertEquals(
        tmp + "/bad/t.txt: cannot tell the format from the file name: expected an extension .tsv, .csv,"
            + " .jsonl or .json, or an explicit format (tsv, csv, jsonl)",
        message(() -> Datasets.classification(f, BINARY)));
  }

  @Test
  void optionProblemsAreIllegalArguments() {
    Path f = files.write("t.tsv", "sentence\tlabel\na\t1\n");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Datasets.classification(f, ReadOptions.defaults().withColumn("txt", "sentence")));
    assertEquals(
        "column mapping: unknown field 'txt' for task classification: expected one of id, text,"
            + " label",
        e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Datasets.classification(f, ReadOptions.defaults().withColumn("text", "")));
    assertThrows(IllegalArgumentException.class, () -> ReadOptions.defaults().withLimit(-1));
    assertThrows(IllegalArgumentException.class, () -> Format.parse("xml"));
    assertThrows(IllegalArgumentException.class, () -> Task.byName("summarise"));
  }

  @Test
  void translationNeedsATargetColumn() {
    Path f = files.write("t.tsv", "id\ten\tde\n0\tA dog.\tEin Hund.\n");
    assertEquals(
        tmp + "/bad/t.tsv: task translation needs a column for field 'target': map it (e.g."
            + " target=<column>); the header has columns: id, en, de",
        message(() -> Datasets.translation(f, ReadOptions.defaults())));
  }

  @Test
  void dialogueChecks() {
    String header = "dialog_id\tturn\ttopic\tresponse_act\tresponse_emotion\tcontext\tresponse\n";
    Path mismatch = files.write("d.tsv", header + "0\t2\t1\t1\t0\tHi .\tHello .\n");
    assertEquals(
        tmp + "/bad/d.tsv:2: column 'context': expected 2 turns (column 'turn' is 2) but found 1",
        message(() -> Datasets.dialogue(mismatch, ReadOptions.defaults())));
    Path emotion = files.write("e.tsv", header + "0\t1\t1\t1\t9\tHi .\tHello .\n");
    assertEquals(
        tmp + "/bad/e.tsv:2: column 'response_emotion': expected one of 0,1,2,3,4,5,6 but found '9'",
        message(() -> Datasets.dialogue(emotion, ReadOptions.defaults())));
    Path emptyTurn =
        files.write("f.tsv", header + "0\t3\t1\t1\t0\tHi . __eou__  __eou__ Yo .\tHello .\n");
    assertEquals(
        tmp + "/bad/f.tsv:2: column 'context': turn 2 of 3 is empty (turns are joined with ' __eou__ ')",
        message(() -> Datasets.dialogue(emptyTurn, ReadOptions.defaults())));
    Path badTurn = files.write("g.tsv", header + "0\tone\t1\t1\t0\tHi .\tHello .\n");
    assertEquals(
        tmp + "/bad/g.tsv:2: column 'turn': expected a whole number >= 1 but found 'one'",
        message(() -> Datasets.dialogue(badTurn, ReadOptions.defaults())));
  }

  @Test
  void csvBrokenQuoting() {
    Path f = files.write("t.csv", "sentence,label\n\"fine, quoted\",1\n\"never closed,0\n");
    assertEquals(
        tmp + "/bad/t.csv:3: malformed CSV (RFC 4180): a quoted field starting on this line is never"
            + " closed",
        message(() -> Datasets.classification(f, BINARY)));
    Path g = files.write("u.csv", "sentence,label\n\"a\"b,1\n");
    assertEquals(
        tmp + "/bad/u.csv:2: malformed CSV (RFC 4180): text after a closing quote (a quote inside a"
            + " quoted field is written \"\")",
        message(() -> Datasets.classification(g, BINARY)));
  }

  @Test
  void jsonLinesProblems() {
    Path malformed =
        files.write("m.jsonl", "{\"sentence\": \"a\", \"label\": 1}\n{\"sentence\": \"b\",\n");
    assertEquals(
        tmp + "/bad/m.jsonl:2: malformed JSON at column 18: the line ends before the JSON value is"
            + " complete",
        message(() -> Datasets.classification(malformed, BINARY)));

    Path notObject = files.write("n.jsonl", "[1, 2]\n");
    assertEquals(
        tmp + "/bad/n.jsonl:1: expected a JSON object but found an array",
        message(() -> Datasets.classification(notObject, BINARY)));

    Path missing = files.write("k.jsonl", "{\"sentence\": \"a\"}\n");
    assertEquals(
        tmp + "/bad/k.jsonl:1: column 'label': missing; the row has columns: sentence",
        message(() -> Datasets.classification(missing, BINARY)));

    Path wrongType = files.write("w.jsonl", "{\"sentence\": {\"x\": 1}, \"label\": 1}\n");
    assertEquals(
        tmp + "/bad/w.jsonl:1: column 'sentence': expected a string but found a JSON object",
        message(() -> Datasets.classification(wrongType, BINARY)));

    Path trailing = files.write("x.jsonl", "{\"sentence\": \"a\", \"label\": 1} 7\n");
    assertEquals(
        tmp + "/bad/x.jsonl:1: malformed JSON at column 32: not strict JSON (keys and strings need double"
            + " quotes; one value per line, nothing after it)",
        message(() -> Datasets.classification(trailing, BINARY)));

    Path lenientSyntax = files.write("l.jsonl", "{sentence: 'a', label: 1}\n");
    assertEquals(
        tmp + "/bad/l.jsonl:1: malformed JSON at column 3: not strict JSON (keys and strings need double"
            + " quotes; one value per line, nothing after it)",
        message(() -> Datasets.classification(lenientSyntax, BINARY)));
  }

  @Test
  void jsonLinesKeyGivenTwiceIsRefusedNotSettledByTheLast() {
    // a lenient reader keeps the last value: label 1 here, "bad" below
    Path label =
        files.write(
            "d.jsonl",
            "{\"sentence\": \"fine\", \"label\": \"0\"}\n"
                + "{\"sentence\": \"a great film\", \"label\": \"0\", \"label\": \"1\"}\n");
    assertEquals(
        tmp
            + "/bad/d.jsonl:2: key \"label\" appears twice in one object at column 51: expected each"
            + " key once",
        message(() -> Datasets.classification(label, BINARY)));
    Path text = files.write("p.jsonl", "{\"text\": \"good\", \"text\": \"bad\"}\n");
    assertEquals(
        tmp + "/bad/p.jsonl:1: key \"text\" appears twice in one object at column 24: expected each"
            + " key once",
        message(() -> Datasets.prompts(text, ReadOptions.defaults())));
    // inside a nested object too; and with --skip-bad-rows it is a row problem, counted and reported
    Path nested = files.write("n.jsonl", "{\"text\": \"a\", \"meta\": {\"k\": 1, \"k\": 2}}\n");
    assertEquals(
        tmp + "/bad/n.jsonl:1: key \"k\" appears twice in one object at column 35: expected each key"
            + " once",
        message(() -> Datasets.prompts(nested, ReadOptions.defaults())));
    Dataset<ClassificationExample> skipped =
        Datasets.classification(label, BINARY.withSkipBadRows(true));
    assertEquals(List.of("fine"), skipped.examples().stream().map(ClassificationExample::text).toList());
    assertEquals(1, skipped.report().skipped());
  }

  @Test
  void jsonLinesNumbersForTextAreReadAsWritten() {
    Path f =
        files.write(
            "num.jsonl",
            "{\"sentence\": 12345, \"label\": 1}\n{\"sentence\": 1.50e3, \"label\": 0}\n");
    assertEquals(
        List.of("12345", "1.50e3"),
        Datasets.classification(f, BINARY).examples().stream()
            .map(ClassificationExample::text)
            .toList());
  }

  @Test
  void rawRowsRequireMappedColumns() {
    Path f = files.write("t.tsv", "sentence\tlabel\na\t1\n");
    assertEquals(
        tmp + "/bad/t.tsv:1: missing column 'text'; the header has columns: sentence, label",
        message(() -> Datasets.rows(f, ReadOptions.defaults().withColumn("x", "text"))));
    try (DataReader<Row> rows = Datasets.rows(f, ReadOptions.defaults())) {
      Row r = rows.next();
      assertEquals(
          tmp + "/bad/t.tsv:2: column 'text': missing; the row has columns: sentence, label",
          message(() -> r.get("text")));
    }
  }
}
