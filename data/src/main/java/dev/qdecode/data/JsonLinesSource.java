package dev.qdecode.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.qdecode.tokenizer.JsonErrors;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON lines: one JSON object per line, parsed strictly ({@link StrictJson}: a key given twice is
 * refused, not settled by keeping the last).
 */
final class JsonLinesSource implements RowSource {
  private final Path file;
  private final String source;
  private final BufferedReader reader;
  private long line;
  private long index = -1;

  JsonLinesSource(Path file, String source, InputStream in) {
    this.file = file;
    this.source = source;
    this.reader = new BufferedReader(Utf8.strictReader(in), 1 << 16);
  }

  @Override
  public Row next() {
    String text;
    try {
      text = readLine();
    } catch (CharacterCodingException e) {
      throw Utf8.notUtf8(file, source, e);
    } catch (IOException e) {
      throw new DataException(source + ":" + (line + 1) + ": cannot read: " + e.getMessage(), e);
    }
    if (text == null) {
      return null;
    }
    line++;
    index++;
    if (text.isBlank()) {
      throw DataException.badRow(source + ":" + line + ": empty line: expected a JSON object");
    }
    JsonElement element;
    try {
      JsonReader json = new JsonReader(new StringReader(text));
      json.setStrictness(Strictness.STRICT);
      element = StrictJson.read(json, source, line, true); // refuses a key given twice
      if (json.peek() != JsonToken.END_DOCUMENT) {
        throw new JsonParseException("text after the end of the JSON value");
      }
    } catch (JsonParseException | IOException | IllegalStateException e) {
      throw DataException.badRow(describe(e, text, source, line));
    } catch (DataException e) {
      throw DataException.badRow(e.getMessage());
    }
    if (!element.isJsonObject()) {
      throw DataException.badRow(
          source + ":" + line + ": expected a JSON object but found " + kind(element));
    }
    JsonObject object = element.getAsJsonObject();
    List<String> names = new ArrayList<>(object.size());
    Map<String, Integer> positions = new HashMap<>();
    Object[] values = new Object[object.size()];
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      positions.put(e.getKey(), names.size());
      values[names.size()] = value(e.getValue());
      names.add(e.getKey());
    }
    return new Row(
        source,
        line,
        index,
        Collections.unmodifiableList(names),
        Collections.unmodifiableMap(positions),
        values);
  }

  /**
   * The next line ({@link Datasets#nextLine}): a carriage return that does not end a line stays in it
   * (JSON whitespace between tokens; inside a string, strict JSON refuses it).
   */
  private String readLine() throws IOException {
    return Datasets.nextLine(reader);
  }


  /** A scalar as its text, an array of scalars as a list, null as null, anything else as is. */
  private static Object value(JsonElement v) {
    if (v.isJsonNull()) {
      return null;
    }
    if (v.isJsonPrimitive()) {
      return v.getAsString();
    }
    if (v.isJsonArray()) {
      List<String> list = new ArrayList<>(v.getAsJsonArray().size());
      for (JsonElement item : v.getAsJsonArray()) {
        if (!item.isJsonPrimitive()) {
          return v;
        }
        list.add(item.getAsString());
      }
      return Collections.unmodifiableList(list);
    }
    return v;
  }

  private static String kind(JsonElement e) {
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonNull()) {
      return "null";
    }
    return "the value " + Sources.quote(e.toString());
  }

  /**
   * Gson's message, reworded for a user: {@code SOURCE:LINE: malformed JSON at column C: ...}, what
   * was wrong there (a trailing comma named at the comma), as for any JSON file.
   */
  static String describe(Exception e, String text, String source, long line) {
    Throwable root = e instanceof JsonParseException && e.getCause() != null ? e.getCause() : e;
    String message = root.getMessage() == null ? "" : root.getMessage();
    String what;
    if (root instanceof EOFException) {
      what = "the line ends before the JSON value is complete";
    } else if (message.startsWith("Use JsonReader.setStrictness")) {
      what =
          "not strict JSON (keys and strings need double quotes; one value per line, nothing"
              + " after it)";
    } else {
      what = JsonErrors.what(message);
    }
    // at the end of the line there is no bracket after a comma to look for
    return JsonErrors.syntaxError(
        source,
        line,
        root instanceof EOFException ? null : text,
        JsonErrors.position(message),
        what);
  }

  @Override
  public List<String> header() {
    return null;
  }

  @Override
  public String source() {
    return source;
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new DataException(source + ": cannot close: " + e.getMessage(), e);
    }
  }
}
