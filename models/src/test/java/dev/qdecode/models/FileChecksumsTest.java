package dev.qdecode.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size and sha256 record of a directory's files, and what its check names. */
class FileChecksumsTest {

    @Test
    void aRecordedDirectoryChecksAndEachChangeIsNamed(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4});
        Path b = Files.writeString(dir.resolve("b.json"), "{\"x\": 1}");
        Files.writeString(dir.resolve("notes.txt"), "not recorded");
        assertFalse(FileChecksums.present(dir));
        assertEquals(Optional.of(dir.resolve(FileChecksums.FILE) + ": missing"), FileChecksums.check(dir, List.of()));
        FileChecksums.write(dir, List.of("a.bin", "b.json"));
        assertTrue(FileChecksums.present(dir));
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of("a.bin", "b.json")));
        Files.writeString(dir.resolve("notes.txt"), "changed, but not recorded");
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of("b.json")));

        Files.write(a, new byte[] {1, 2, 3, 5}); // same size, one byte changed
        String m = FileChecksums.check(dir, List.of()).orElseThrow();
        assertTrue(m.startsWith(a + ": sha256 ") && m.endsWith(", not the "
                + "9f64a747e1b97f131fabb6b447296c9b6f0201e79fb3c5356e6c77e89b6a806a that checksums.json records"), m);
        Files.write(a, new byte[] {1, 2, 3, 4, 0});
        assertEquals(Optional.of(a + ": 5 bytes, not the 4 that checksums.json records"),
                FileChecksums.check(dir, List.of()));
        Files.delete(a);
        assertEquals(Optional.of(a + ": missing"), FileChecksums.check(dir, List.of()));
        assertEquals(Optional.of(dir.resolve(FileChecksums.FILE) + ": records no \"c\" (expected the size and sha256 of"
                + " each of [b.json, c])"), FileChecksums.check(dir, List.of("b.json", "c")));

        Files.writeString(dir.resolve(FileChecksums.FILE), "{\"files\": {\"../b.json\": {\"bytes\": 8, \"sha256\": \""
                + ModelFiles.fileSha256(b) + "\"}}}");
        assertTrue(FileChecksums.check(dir, List.of()).orElseThrow().startsWith(dir.resolve(FileChecksums.FILE)
                + ": entry \"../b.json\": expected a file name in the directory"));
        Files.writeString(dir.resolve(FileChecksums.FILE), "[1");
        assertEquals(Optional.of(dir.resolve(FileChecksums.FILE) + ": not a record of the files (expected a JSON"
                + " object whose \"files\" gives each file's \"bytes\" and \"sha256\")"), FileChecksums.check(dir, List.of()));
    }

    @Test
    void anEntryEditedWithItsFileIsRefusedAsDamageOfTheRecordItself(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4});
        Files.write(dir.resolve("b.bin"), new byte[] {5});
        FileChecksums.write(dir, List.of("a.bin", "b.bin"));
        Path sums = dir.resolve(FileChecksums.FILE);
        String record = Files.readString(sums);
        // re-formatted by hand: the same entries, so it still checks
        Files.writeString(sums, record.replace("\n", "").replace("  ", ""));
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of("a.bin")));
        // a.bin changed and its entry edited to match: the record's own sha256 no longer matches its entries
        Files.write(a, new byte[] {9, 9, 9});
        Files.writeString(sums, record.replaceFirst("\"bytes\": 4", "\"bytes\": 3")
                .replaceFirst("[0-9a-f]{64}", ModelFiles.fileSha256(a)));
        String m = FileChecksums.check(dir, List.of()).orElseThrow();
        assertTrue(m.startsWith(sums + ": its entries were changed since it was written (their sha256 is ")
                && m.endsWith("that its \"files_sha256\" records)"), m);
        // an entry dropped: the same
        Files.write(a, new byte[] {1, 2, 3, 4});
        Files.writeString(sums, "{\"files\": {\"a.bin\": " + com.google.gson.JsonParser.parseString(record)
                .getAsJsonObject().getAsJsonObject("files").get("a.bin") + "}, \"files_sha256\": \""
                + com.google.gson.JsonParser.parseString(record).getAsJsonObject().get("files_sha256").getAsString()
                + "\"}");
        assertTrue(FileChecksums.check(dir, List.of()).orElseThrow().startsWith(sums + ": its entries were changed"));
    }

    @Test
    void aCompleteCheckRefusesAFileTheRecordDoesNotName(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("a.bin"), new byte[] {1});
        FileChecksums.write(dir, List.of("a.bin"));
        Files.writeString(dir.resolve(".hidden"), "editor state, not a file of the directory's");
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of(), true));
        Path extra = Files.writeString(dir.resolve("extra.json"), "{}");
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of(), false));
        assertEquals(Optional.of(extra + ": not recorded in checksums.json (expected every file of the directory"
                + " there)"), FileChecksums.check(dir, List.of(), true));
    }

    /**
     * What the record says of a file, without hashing it again: a caller that checked the directory (a classifier's
     * load, which also compares classifier.json's sha256 of its head) reads the head's sha256 from here.
     */
    @Test
    void theRecordedSha256OfAFileIsReadFromTheRecord(@TempDir Path dir) throws IOException {
        Path a = Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4});
        assertEquals(Optional.empty(), FileChecksums.recordedSha256(dir, "a.bin")); // no record yet
        FileChecksums.write(dir, List.of("a.bin"));
        assertEquals(Optional.of(ModelFiles.fileSha256(a)), FileChecksums.recordedSha256(dir, "a.bin"));
        assertEquals(Optional.empty(), FileChecksums.recordedSha256(dir, "b.bin"));
        Files.writeString(dir.resolve(FileChecksums.FILE), "{\"files\": ");
        assertEquals(Optional.empty(), FileChecksums.recordedSha256(dir, "a.bin")); // cut short: none read
    }

    @Test
    void whatIsExpectedJoinsTheProblemsOwnParenthesis() {
        assertEquals("X: missing (restore it)", FileChecksums.withExpected("X: missing", "restore it"));
        assertEquals("X: not a record (expected JSON; restore it)",
                FileChecksums.withExpected("X: not a record (expected JSON)", "restore it"));
    }

    @Test
    void onlyPlainFileNamesAreRecorded(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("f"), "x");
        for (String bad : List.of("../f", "sub/f", ".hidden", "", FileChecksums.FILE)) {
            assertThrows(IllegalArgumentException.class, () -> FileChecksums.write(dir, List.of(bad)), bad);
        }
        assertTrue(FileChecksums.plainName("head.safetensors"));
        assertFalse(FileChecksums.plainName(".."));
        assertFalse(FileChecksums.plainName("a\\b"));
    }

    /**
     * A caller that read a recorded file (TextClassifier reads classifier.json to parse it) has those bytes checked
     * rather than the file read a second time: an {@code evaluate} with a classifier reward opened classifier.json
     * twice (strace -e openat), once for this check's hash and once to parse, and what it parsed was not what was
     * checked if the file changed in between.
     */
    @Test
    void bytesAlreadyReadAreCheckedInsteadOfTheFile(@TempDir Path dir) throws IOException {
        byte[] saved = "{\"x\": 1}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Path b = Files.write(dir.resolve("b.json"), saved);
        Files.write(dir.resolve("a.bin"), new byte[] {1, 2, 3, 4});
        FileChecksums.write(dir, List.of("a.bin", "b.json"));
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of("b.json"), false, Map.of("b.json", saved)));
        // the file changed after the caller read it: the bytes it read, which it goes on to use, are what is checked
        Files.writeString(b, "{\"x\": 2}");
        assertEquals(Optional.empty(), FileChecksums.check(dir, List.of("b.json"), false, Map.of("b.json", saved)));
        assertTrue(FileChecksums.check(dir, List.of("b.json")).orElseThrow().startsWith(b + ": sha256 "));
        // bytes that differ from the record are named as the file's, as a changed file is
        byte[] other = "{\"x\": 3}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(FileChecksums.check(dir, List.of(), false, Map.of("b.json", other)).orElseThrow()
                .startsWith(b + ": sha256 "));
        assertEquals(Optional.of(b + ": 3 bytes, not the 8 that checksums.json records"),
                FileChecksums.check(dir, List.of(), false, Map.of("b.json", new byte[3])));
        // a file not given is read as before
        Files.write(dir.resolve("a.bin"), new byte[] {9});
        assertEquals(Optional.of(dir.resolve("a.bin") + ": 1 bytes, not the 4 that checksums.json records"),
                FileChecksums.check(dir, List.of(), false, Map.of("b.json", saved)));
    }
}
