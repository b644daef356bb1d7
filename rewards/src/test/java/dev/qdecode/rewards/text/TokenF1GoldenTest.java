package dev.qdecode.rewards.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Token F1 against values of the SQuAD v1.1 script's {@code normalize_answer}/{@code f1_score}
 * semantics computed in Python ({@code src/test/resources/squad/make_golden.py}): XDailyDialog
 * test responses (rebuilt from the shared data by row index) and synthetic strings with articles,
 * ASCII and Unicode punctuation, accents, combining marks, odd whitespace, numbers and emoji.
 */
class TokenF1GoldenTest {

    private static JsonObject golden() throws IOException {
        try (InputStream in = TokenF1GoldenTest.class.getResourceAsStream(
                "/squad/squad-f1-golden.json")) {
            assertNotNull(in, "squad/squad-f1-golden.json on the test class path");
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
    }

    @Test
    void syntheticStrings() throws IOException {
        int n = 0;
        for (JsonElement el : golden().getAsJsonArray("synthetic")) {
            JsonObject c = el.getAsJsonObject();
            String hyp = c.get("hyp").getAsString();
            String ref = c.get("ref").getAsString();
            assertEquals(c.get("norm_hyp").getAsString(), Words.squadNormalize(hyp),
                    "hyp=" + hyp + " ref=" + ref);
            assertF1(c, hyp, ref);
            n++;
        }
        assertEquals(300, n);
    }

    @Test
    void dialogueResponses() throws IOException {
        Path tsv = Path.of(System.getProperty("qdecode.shared"), "data", "xdailydialog",
                "pairs_en_test.tsv");
        List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
        List<String> header = List.of(lines.get(0).split("\t", -1));
        int col = header.indexOf("response");
        int n = 0;
        for (JsonElement el : golden().getAsJsonArray("dialog")) {
            JsonObject c = el.getAsJsonObject();
            String hyp = lines.get(1 + c.get("hyp_row").getAsInt()).split("\t", -1)[col];
            String ref = lines.get(1 + c.get("ref_row").getAsInt()).split("\t", -1)[col];
            assertF1(c, hyp, ref);
            n++;
        }
        assertEquals(300, n);
    }

    /** The golden F1 with and without SQuAD normalisation, to the last bit. */
    private static void assertF1(JsonObject c, String hyp, String ref) {
        String where = "hyp=" + hyp + " ref=" + ref;
        assertEquals(c.get("squad").getAsDouble(), TokenF1Provider.f1(hyp, ref, true), 0.0, where);
        assertEquals(c.get("none").getAsDouble(), TokenF1Provider.f1(hyp, ref, false), 0.0, where);
    }
}
