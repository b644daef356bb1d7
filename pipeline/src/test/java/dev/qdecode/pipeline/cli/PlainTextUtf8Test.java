package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain-text file (one segment per line) that is not valid UTF-8 is named with the line and byte offset of its
 * first bad byte, as the table readers name theirs. {@code tokenizer train} named the line its reader had reached
 * when the decoder, reading ahead, met the byte: line 1 for a bad byte on line 2, line 4497 for one on line 5001;
 * {@code rewards score --hyp} named no line at all.
 */
class PlainTextUtf8Test {

    @Test
    void theBadBytesLineAndOffsetAreNamed(@TempDir Path tmp) throws Exception {
        Path small = Files.write(tmp.resolve("small.txt"), bytes("hello\n", "\u0000bad\n"));
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        for (int i = 0; i < 5000; i++) {
            big.writeBytes(("line " + i + " ok\n").getBytes(StandardCharsets.UTF_8));
        }
        long offset = big.size();
        big.writeBytes(bytes("\u0000bad\n"));
        Path large = Files.write(tmp.resolve("large.txt"), big.toByteArray());

        Object[][] cases = {{small, 2, 6L}, {large, 5001, offset}};
        for (Object[] c : cases) {
            Path file = (Path) c[0];
            String expected = "qdecode: error: " + file + ":" + c[1] + ": not valid UTF-8: byte 0xFF at byte offset "
                    + c[2] + " (the file must be UTF-8)";
            CliRunner.Result r = CliRunner.run("tokenizer", "train", "--data", file.toString(), "--vocab-size", "300",
                    "--out", tmp.resolve("tok").toString(), "--overwrite");
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(List.of(expected), r.err().lines().toList());
            r = CliRunner.run("rewards", "score", "--reward", "length", "--hyp", file.toString());
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(List.of(expected), r.err().lines().toList());
        }
    }

    /** The lines as UTF-8, with each U+0000 written as the byte 0xFF, which no UTF-8 text holds. */
    private static byte[] bytes(String... lines) {
        byte[] b = String.join("", lines).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = (byte) 0xFF;
            }
        }
        return b;
    }
}
