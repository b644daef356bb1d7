package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

/** Gson's own messages become what-and-where, without class names, paths or links. */
class JsonErrorsTest {

    private static String gson(String json) {
        try {
            JsonParser.parseString(json);
        } catch (JsonParseException e) {
            return e.getMessage();
        }
        throw new AssertionError("parsed: " + json);
    }

    @Test
    void keepsWhatAndWhere() {
        assertEquals("expected a key (a string in double quotes) at line 1 column 25",
                JsonErrors.describe(gson("{\"model_type\": \"llama\",} x")));
        assertEquals("not standard JSON at line 1 column 26", JsonErrors.describe(gson("{\"model_type\": \"llama\"} x")));
        assertEquals("expected ':' after the key at line 1 column 16",
                JsonErrors.describe(gson("{\"model_type\" \"llama\"}")));
    }

    @Test
    void givenTheTextATrailingCommaIsNamedAtTheComma() {
        String oneLine = "{\"model_type\": \"llama\",}";
        assertEquals("f.json:1: malformed JSON at column 23: expected a key after ',' but got '}' (trailing comma?)",
                JsonErrors.syntaxError("f.json", gson(oneLine), oneLine));
        String pretty = "{\n  \"model_type\": \"llama\",\n  \"vocab_size\": 512,\n}\n";
        assertEquals("f.json:3: malformed JSON at column 20: expected a key after ',' but got '}' on line 4"
                + " (trailing comma?)", JsonErrors.syntaxError("f.json", gson(pretty), pretty));
        // other errors keep their wording; a comma inside a string is not one
        String other = "{\"a\": \",}\" \"b\"}";
        assertEquals("f.json:1: malformed JSON at column 13: expected ',' or '}' after the value",
                JsonErrors.syntaxError("f.json", gson(other), other));
        // a comma after the whole value is trailing text, not a trailing comma
        String after = "{\"a\": 1}  ,}";
        assertEquals(null, JsonErrors.trailingComma(after, 1, 13));
        assertEquals(new JsonErrors.TrailingComma(1, 6, "expected a value after ',' but got ']' (trailing comma?)"),
                JsonErrors.trailingComma("[1, 2,]", 1, 8));
    }

    @Test
    void everyFileKindGetsTheSameShape() {
        // a whole file, and line 7 of JSON lines (Gson's line 1 of that line's text): the same shape
        String object = "{\"a\": 1,}";
        assertEquals("f.json:1: malformed JSON at column 8: expected a key after ',' but got '}' (trailing comma?)",
                JsonErrors.syntaxError("f.json", 1, object, JsonErrors.position(gson(object)), "unused"));
        assertEquals("d.jsonl:7: malformed JSON at column 8: expected a key after ',' but got '}' (trailing comma?)",
                JsonErrors.syntaxError("d.jsonl", 7, object, JsonErrors.position(gson(object)), "unused"));
        // without the text (at the end of the input) or without a position, what the caller says
        assertEquals("d.jsonl:7: malformed JSON at column 9: the line ends early",
                JsonErrors.syntaxError("d.jsonl", 7, null, new int[] {1, 9}, "the line ends early"));
        assertEquals("f.json: malformed JSON: parse error", JsonErrors.syntaxError("f.json", null, "{"));
        assertEquals("f.json:1: malformed JSON at column 15: the text ends before the JSON value is complete",
                JsonErrors.syntaxError("f.json", gson("{\"model_type\":"), "{\"model_type\":"));
        assertEquals("f.json:2: key \"a\" appears twice at column 3: expected each key once",
                JsonErrors.located("f.json", 2, 3, "key \"a\" appears twice", "expected each key once"));
    }
}
