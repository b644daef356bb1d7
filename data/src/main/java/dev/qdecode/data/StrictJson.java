package dev.qdecode.data;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.qdecode.tokenizer.JsonErrors;
import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * Parses a JSON document strictly, for configuration files and JSON lines data: standard JSON only
 * (no comments, no unquoted keys or strings, nothing after the value) and no key twice in one
 * object, which a lenient reader would settle silently by keeping the last.
 */
public final class StrictJson {
  private StrictJson() {}

  /**
   * Parses {@code text}.
   *
   * @param text the JSON text
   * @param source where it came from, for messages (e.g. a file name)
   * @return the value
   * @throws DataException one line: {@code SOURCE:LINE: malformed JSON at column C: ...} saying
   *     what was expected there (a trailing comma named at the comma; see {@link
   *     JsonErrors#syntaxError(String, long, String, int[], String)}), or {@code SOURCE:LINE: key "k"
   *     appears twice in one object at column C: ...}
   * @throws NullPointerException naming {@code text} or {@code source} when it is null
   */
  public static JsonElement parse(String text, String source) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(text, "text");
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      JsonElement value = read(reader, source, 1, false);
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new DataException(
            JsonErrors.syntaxError(
                source, 1, null, where(reader), "text after the end of the value"));
      }
      return value;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw new DataException(describe(e, reader, text, source), e);
    }
  }

  /**
   * Gson's message, reworded: where, and what was wrong (without Gson's advice and links); a
   * trailing comma is named at the comma.
   */
  private static String describe(Exception e, JsonReader reader, String text, String source) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String what =
        m.startsWith("Use JsonReader.setStrictness")
            ? "not standard JSON (keys and strings need double quotes; no comments; nothing after the"
                + " value)"
            : JsonErrors.what(m);
    // at the end of the text there is no bracket after a comma to look for
    return JsonErrors.syntaxError(
        source, 1, e instanceof EOFException ? null : text, where(reader), what);
  }

  /**
   * Reads the next value from {@code r}, refusing a key given twice in one object.
   *
   * @param r a strict reader positioned before a value
   * @param source where the text came from, for messages (e.g. a file name)
   * @param firstLine the file's line number of the text's first line: 1 for a whole file, the data
   *     line for one line of JSON lines
   * @param numbersAsWritten numbers as Gson's own parser keeps them (their text as written, so a
   *     number read as text is unchanged) rather than as {@link BigDecimal}s
   * @return the value
   * @throws DataException {@code SOURCE:LINE: key "k" appears twice in one object at column C:
   *     expected each key once}
   * @throws IOException when the text is malformed (Gson's exception, with its position)
   */
  static JsonElement read(JsonReader r, String source, long firstLine, boolean numbersAsWritten)
      throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT -> {
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = whole(r.nextName(), r, source, firstLine, "a key");
          if (o.has(name)) {
            int[] at = where(r);
            String problem = "key \"" + name + "\" appears twice in one object";
            throw new DataException(
                at == null
                    ? source + ": " + problem + " (expected each key once)"
                    : JsonErrors.located(
                        source, firstLine - 1 + at[0], at[1], problem, "expected each key once"));
          }
          o.add(
              name,
              r.peek() == JsonToken.STRING
                  ? new JsonPrimitive(
                      whole(r.nextString(), r, source, firstLine, "key \"" + name + "\""))
                  : read(r, source, firstLine, numbersAsWritten));
        }
        r.endObject();
        return o;
      }
      case BEGIN_ARRAY -> {
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, source, firstLine, numbersAsWritten));
        }
        r.endArray();
        return a;
      }
      case STRING -> {
        return new JsonPrimitive(whole(r.nextString(), r, source, firstLine, "a string"));
      }
      case NUMBER -> {
        String number = r.nextString();
        return numbersAsWritten
            ? JsonParser.parseString(number)
            : new JsonPrimitive(new BigDecimal(number));
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

  /**
   * {@code s}, refused when it holds half a surrogate pair: a {@code \\uD800}-{@code \\uDFFF} escape
   * that is not part of a pair is no character (as UTF-8 bytes it is invalid), and would be written
   * out as '?'.
   *
   * @param what the string's place, for the message ({@code key "prompt"}, {@code a key})
   */
  private static String whole(String s, JsonReader r, String source, long firstLine, String what) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        int[] at = where(r);
        String problem =
            what + ": a lone surrogate " + String.format("\\u%04x", (int) c);
        String expected =
            "expected a character (a \\uD800-\\uDFFF escape only as half of a pair, e.g."
                + " \\ud83d\\ude00)";
        throw new DataException(
            at == null
                ? source + ": " + problem + " (" + expected + ")"
                : JsonErrors.located(source, firstLine - 1 + at[0], at[1], problem, expected));
      }
    }
    return s;
  }

  /** The reader's {line, column}, from Gson's location text (null when it has none). */
  private static int[] where(JsonReader r) {
    return JsonErrors.position(r.toString());
  }
}
