package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qdecode.pipeline.cli.ExitCodes;
import dev.qdecode.pipeline.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --resume} on a directory whose checkpoint was not written by {@code qdecode train} (through the
 * library, without the provenance the CLI records) is refused in one line that names what is missing and what
 * a train run's checkpoint records. (In this package: only here can a test write such a checkpoint.)
 */
class ResumeNotATrainRunTest {
    @TempDir
    Path tmp;

    private Path run(String name, Map<String, String> provenance) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        DqnConfig cfg = DqnConfig.defaults();
        try (QHead h = new QHead(8, 4, 16, cfg.activation(), cfg.seed())) {
            Checkpoint.write(dir.resolve(Checkpoint.FILE_NAME), new Checkpoint.Data(cfg, Map.of("episodes", 4L),
                    Map.of(), Map.of("train", 1L), provenance, h.export(), false), null);
        }
        return dir;
    }

    private static String[] resume(Path dir) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out), new PrintWriter(err), "train", "--resume", "--out",
                dir.toString());
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void aCheckpointWithoutTheTrainRunsRecordsIsRefusedSayingWhatWasExpected() throws IOException {
        String expected = " (expected the --out of an unfinished qdecode train run, whose checkpoint.qdq records its "
                + "prompts, eval_prompts, eval_limit, reward, positive_threshold, seed; to start a new run there, "
                + "leave out --resume and add --overwrite)";

        Path bare = run("bare", Map.of());
        String[] r = resume(bare);
        assertEquals(Integer.toString(ExitCodes.BAD_INPUT), r[0]);
        assertEquals("qdecode: error: --resume: " + bare + " was not written by 'qdecode train': its checkpoint.qdq "
                + "records no prompts, eval_prompts, eval_limit, reward, positive_threshold, seed" + expected + "\n",
                r[1]);

        // a checkpoint with some of the entries names only the missing ones
        Path partial = run("partial", Map.of("prompts", "p.tsv", "eval_prompts", "e.tsv", "reward", "[\"vader\"]",
                "seed", "1"));
        r = resume(partial);
        assertEquals(Integer.toString(ExitCodes.BAD_INPUT), r[0]);
        assertEquals("qdecode: error: --resume: " + partial + " was not written by 'qdecode train': its "
                + "checkpoint.qdq records no eval_limit, positive_threshold" + expected + "\n", r[1]);
    }
}
