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
        assertEquals("Expected name at line 1 column 25", JsonErrors.describe(gson("{\"model_type\": \"llama\",} x")));
        assertEquals("not standard JSON at line 1 column 26", JsonErrors.describe(gson("{\"model_type\": \"llama\"} x")));
    }
}
