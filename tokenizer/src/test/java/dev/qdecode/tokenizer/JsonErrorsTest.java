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
        assertEquals("expected a key after the ',' at line 1 column 23 but got '}' (trailing comma?)",
                JsonErrors.describe(gson(oneLine), oneLine));
        String pretty = "{\n  \"model_type\": \"llama\",\n  \"vocab_size\": 512,\n}\n";
        assertEquals("expected a key after the ',' at line 3 column 20 but got '}' on line 4 (trailing comma?)",
                JsonErrors.describe(gson(pretty), pretty));
        // other errors keep their wording; a comma inside a string is not one
        String other = "{\"a\": \",}\" \"b\"}";
        assertEquals(JsonErrors.describe(gson(other)), JsonErrors.describe(gson(other), other));
        // a comma after the whole value is trailing text, not a trailing comma
        String after = "{\"a\": 1}  ,}";
        assertEquals(null, JsonErrors.trailingComma(after, 1, 13));
        assertEquals(new JsonErrors.TrailingComma(1, 6, "expected a value after ',' but got ']' (trailing comma?)"),
                JsonErrors.trailingComma("[1, 2,]", 1, 8));
    }
}
