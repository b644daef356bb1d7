package dev.qdecode.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.StrictJson;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trailing comma reads the same in every kind of JSON file qdecode reads: a {@code --config} file,
 * a model's {@code config.json}, a {@code tokenizer.json} and a line of JSON lines data all say
 * {@code FILE:LINE: malformed JSON at column C: expected ... (trailing comma?)}.
 */
class JsonErrorsAgreeTest {

    private static String message(Executable parse) {
        try {
            parse.execute();
        } catch (Throwable e) {
            return e.getMessage();
        }
        throw new AssertionError("parsed");
    }

    @Test
    void aTrailingCommaReadsTheSameInEveryKindOfFile(@TempDir Path tmp) throws Exception {
        // the comma on line 2, column 29, and the '}' after it on the same line, in every file
        String row = "\"sentence\": \"b\", \"label\": 0,}";
        String file = "{\n " + row + "\n";
        String expected = ":2: malformed JSON at column 29: expected a key after ',' but got '}' (trailing comma?)";

        Path config = Files.writeString(tmp.resolve("c.json"), file);
        Path model = Files.createDirectories(tmp.resolve("model"));
        Files.writeString(model.resolve("config.json"), file);
        Path tokenizer = Files.createDirectories(tmp.resolve("tokenizer"));
        Files.writeString(tokenizer.resolve("tokenizer.json"), file);
        Path lines = Files.writeString(tmp.resolve("d.jsonl"), "{\"sentence\": \"a\", \"label\": 1}\n{" + row + "\n");

        assertEquals(config + expected, message(() -> StrictJson.parse(file, config.toString())));
        assertEquals(model.resolve("config.json") + expected, message(() -> ModelConfig.load(model)));
        assertEquals(tokenizer.resolve("tokenizer.json") + expected, message(() -> TextTokenizer.load(tokenizer)));
        assertEquals(lines + expected, message(() -> Datasets.classification(
                lines, ReadOptions.defaults().withAllowedLabels(List.of("0", "1")))));
    }
}
