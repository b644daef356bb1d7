package dev.qdecode.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Paths into the shared read-only directory and golden-file helpers for the tests. */
final class Fixtures {
    private Fixtures() {}

    static Path shared() {
        String p = System.getProperty("qdecode.shared");
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("system property qdecode.shared is not set (surefire sets it)");
        }
        return Path.of(p);
    }

    static Path model(String name) {
        return shared().resolve("models").resolve(name);
    }

    static Path randomFixture(String name) {
        return shared().resolve("fixtures").resolve("random").resolve(name);
    }

    static JsonObject golden(String model) {
        Path file = shared().resolve("fixtures").resolve(model).resolve("golden.json");
        try {
            return JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }

    /** The prompts of the dev split of the story prompts (TSV without quoting: split on tab only). */
    static List<String> devPrompts() {
        Path file = shared().resolve("data").resolve("prompts").resolve("story_prompts.dev.tsv");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isEmpty()) {
                    out.add(line.split("\t", -1)[1]);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
