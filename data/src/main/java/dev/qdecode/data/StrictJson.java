package dev.qdecode.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.qdecode.tokenizer.JsonErrors;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;

/**
 * Parses a JSON document strictly, for configuration files: standard JSON only (no comments, no
 * unquoted keys or strings, nothing after the value) and no key twice in one object, which a
 * lenient reader would settle silently by keeping the last.
 */
public final class StrictJson {
  private StrictJson() {}

  /**
   * Parses {@code text}.
   *
   * @param text the JSON text
   * @param source where it came from, for messages (e.g. a file name)
   * @return the value
   * @throws DataException one line: {@code SOURCE: not valid JSON (...)} with the line and column and
   *     what was expected there (a trailing comma named at the comma), or {@code SOURCE: key "k"
   *     appears twice in one object (...)}
   */
  public static JsonElement parse(String text, String source) {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement value = read(reader, source);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new DataException(
            source + ": not valid JSON (" + where(reader) + ": text after the end of the value)");
      }
      return value;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw new DataException(source + ": not valid JSON (" + describe(e, reader, text) + ")", e);
    }
  }

  /**
   * Gson's message, reworded: where, and what was wrong (without Gson's advice and links); a
   * trailing comma is named at the comma.
   */
  private static String describe(Exception e, JsonReader reader, String text) {
    int[] at = JsonErrors.position(reader.toString());
    JsonErrors.TrailingComma comma =
        at == null || e instanceof EOFException ? null : JsonErrors.trailingComma(text, at[0], at[1]);
    if (comma != null) {
      return "line " + comma.line() + " column " + comma.column() + ": " + comma.what();
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (String cut : new String[] {"\n", " at line ", " See https", " at path "}) {
      int i = m.indexOf(cut);
      m = i < 0 ? m : m.substring(0, i);
    }
    if (e instanceof EOFException) {
      m = "the text ends before the JSON value is complete";
    } else if (m.startsWith("Use JsonReader.setStrictness")) {
      m = "not standard JSON (keys and strings need double quotes; no comments; nothing after the value)";
    }
    return where(reader) + ": " + JsonErrors.reword(m);
  }

  private static JsonElement read(JsonReader r, String source) throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          if (o.has(name)) {
            throw new DataException(
                source
                    + ": key \""
                    + name
                    + "\" appears twice in one object ("
                    + where(r)
                    + "; expected each key once)");
          }
          o.add(name, read(r, source));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, source));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(r.nextString());
      }
      case NUMBER -> {
        return new JsonPrimitive(new BigDecimal(r.nextString()));
      }
      case BOOLEAN -> {
        return new JsonPrimitive(r.nextBoolean());
      }
      case NULL -> {
        r.nextNull();
        return JsonNull.INSTANCE;
      }
      default -> throw new IllegalStateException("unexpected " + r.peek());
    }
  }

  /** "line L column C" of the reader's position, from Gson's location text. */
  private static String where(JsonReader r) {
    String s = r.toString();
    int at = s.indexOf(" at line ");
    if (at < 0) {
      return "here";
    }
    String loc = s.substring(at + 4);
    int path = loc.indexOf(" path ");
    return path < 0 ? loc : loc.substring(0, path);
  }
}
