package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint, of a train run ({@code checkpoint.qdq}): train --resume, generate --policy and
 * evaluate --policy each say in one line (exit 3) which file, what is wrong and what was expected, and
 * leave the file as it was. Before, they said only "truncated checkpoint" (also of an empty file),
 * "corrupt checkpoint (checksum mismatch)", or, for a changed byte in the header, Gson's exception with
 * the damaged bytes quoted.
 */
class DamagedCheckpointTest {
    private static final String DQN_DAMAGED = "expected a checkpoint as qdecode train writes it; it may have been cut "
            + "short or damaged since it was written: restore it, or train again with --overwrite";

    @TempDir
    static Path tmp;

    static Path run;

    @BeforeAll
    static void trainedRun() {
        run = CliRunner.tinyRun(tmp.resolve("run"));
    }

    private static Path copy(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
        return to;
    }

    /** Each command refuses the run in one line, exit 3, and leaves its checkpoint byte for byte. */
    private static void refusedByEveryCommand(Path dir, String problem) throws IOException {
        Path file = dir.resolve("checkpoint.qdq");
        byte[] before = Files.readAllBytes(file);
        String line = file + ": " + problem;
        for (List<String> args : List.of(
                List.of("train", "--resume", "--episodes", "8", "--out", dir.toString()),
                List.of("generate", "--policy", dir.toString(), "--prompt", "Once"),
                List.of("evaluate", "--policy", dir.toString(), "--out", tmp.resolve("ev-" + dir.getFileName()).toString()))) {
            CliRunner.Result r = CliRunner.run(args.toArray(String[]::new));
            assertEquals(ExitCodes.BAD_INPUT, r.code(), args + ": " + r.err());
            String prefix = args.get(0).equals("train") ? "--resume: " : "--policy ";
            assertEquals(List.of("qdecode: error: " + prefix + line), r.err().lines().toList(), args.toString());
            assertArrayEquals(before, Files.readAllBytes(file), args.toString());
        }
        assertFalse(Files.exists(tmp.resolve("ev-" + dir.getFileName())));
    }

    @Test
    void aTruncatedCheckpoint() throws IOException {
        Path dir = copy(run, "truncated");
        Path file = dir.resolve("checkpoint.qdq");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        refusedByEveryCommand(dir, "truncated checkpoint (" + bytes.length / 2 + " bytes; " + DQN_DAMAGED + ")");
    }

    @Test
    void anEmptyCheckpoint() throws IOException {
        Path dir = copy(run, "empty");
        Files.write(dir.resolve("checkpoint.qdq"), new byte[0]);
        refusedByEveryCommand(dir, "empty checkpoint (0 bytes; " + DQN_DAMAGED + ")");
    }

    @Test
    void aChangedByteInTheParametersOrTheHeader() throws IOException {
        for (int at : new int[] {-1, 20}) {
            Path dir = copy(run, "flipped" + at);
            Path file = dir.resolve("checkpoint.qdq");
            byte[] bytes = Files.readAllBytes(file);
            bytes[at < 0 ? bytes.length / 2 : at] ^= (byte) 0xff;
            Files.write(file, bytes);
            refusedByEveryCommand(dir, "corrupt checkpoint (checksum mismatch; " + DQN_DAMAGED + ")");
        }
    }
}
