package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --prompts FILE} without {@code --output} prints the same TSV rows as {@code --output
 * FILE.tsv} writes: a tab, line break, carriage return or backslash in a prompt or a generated text is
 * escaped, so every row is one line of five fields.
 */
class GenerateStdoutTsvTest {

    @Test
    void standardOutputRowsAreEscapedAsTheOutputFilesAre(@TempDir Path tmp) throws Exception {
        Path prompts = Files.writeString(tmp.resolve("prompts.jsonl"),
                "{\"id\":\"p1\",\"prompt\":\"Tab\\there\\rand\\\\ back\"}\n{\"id\":\"p2\",\"prompt\":\"Once upon a time\"}\n");
        String[] common = {"generate", "--model", CliRunner.model("stories260K"), "--prompts", prompts.toString(),
            "--strategy", "greedy", "--max-new-tokens", "120"};
        CliRunner.Result printed = CliRunner.run(common);
        assertEquals(ExitCodes.OK, printed.code(), printed.err());
        Path file = tmp.resolve("out.tsv");
        String[] toFile = java.util.Arrays.copyOf(common, common.length + 2);
        toFile[common.length] = "--output";
        toFile[common.length + 1] = file.toString();
        CliRunner.Result written = CliRunner.run(toFile);
        assertEquals(ExitCodes.OK, written.code(), written.err());

        assertEquals(Files.readString(file), printed.out());
        List<String> rows = printed.out().lines().toList();
        assertEquals(3, rows.size(), printed.out()); // header + one line per prompt
        for (String row : rows) {
            assertEquals(5, row.split("\t", -1).length, row);
        }
        assertTrue(rows.get(1).startsWith("p1\tTab\\there\\rand\\\\ back\t"), rows.get(1));
        // the tiny model's stories break lines within 120 tokens: the break is escaped, not printed
        assertTrue(rows.get(1).contains("\\n") || rows.get(2).contains("\\n"), printed.out());
    }
}
