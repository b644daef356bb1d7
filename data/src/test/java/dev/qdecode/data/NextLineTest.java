package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Datasets#nextLine}: the one rule for where a line of a line-based file ends. */
class NextLineTest {

    private static List<String> lines(String text) throws IOException {
        Reader r = new StringReader(text);
        List<String> out = new ArrayList<>();
        for (String line; (line = Datasets.nextLine(r)) != null; ) {
            out.add(line);
        }
        return out;
    }

    @Test
    void aLineEndsAtNewlineOrCrlfAndALoneCarriageReturnIsText() throws IOException {
        assertEquals(List.of("a", "b\rc", "", "d"), lines("a\r\nb\rc\n\nd"));
        assertEquals(List.of("x"), lines("x\n"));
        assertEquals(List.of("x\r"), lines("x\r\r\n"));
        assertEquals(List.of("\r"), lines("\r"));
        assertEquals(List.of(), lines(""));
        assertEquals(List.of(""), lines("\n"));
        assertThrows(NullPointerException.class, () -> Datasets.nextLine(null), "reader");
    }

    /** Joining the lines with \n gives back any text without \r\n and with no final \n, exactly. */
    @Test
    void linesJoinedWithNewlinesAreTheTextAgain() throws IOException {
        Random rnd = new Random(7);
        String alphabet = "ab\r\n ß\u2581";
        for (int i = 0; i < 500; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(20);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String text = sb.toString();
            if (text.contains("\r\n") || text.endsWith("\n") || text.isEmpty()) {
                continue; // \r\n and a final \n are line ends that joining does not write back
            }
            assertEquals(text, String.join("\n", lines(text)), text);
        }
    }
}
