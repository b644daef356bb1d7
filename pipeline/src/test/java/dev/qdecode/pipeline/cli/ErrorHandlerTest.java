package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How parse errors reach the user: one line under qdecode's own prefix, then where to find help. */
class ErrorHandlerTest {
    /** picocli starts its argument-group errors with "Error: ", which read "qdecode: error: Error: ..." before. */
    @Test
    void argumentGroupErrorsCarryOnePrefix() {
        CliRunner.Result both = CliRunner.run("generate", "--prompt", "a", "--prompts", "b");
        assertEquals(ExitCodes.USAGE, both.code(), both.err());
        assertEquals(List.of("qdecode: error: --prompt=TEXT, --prompts=FILE are mutually exclusive (specify only one)",
                "Try 'qdecode generate --help' for the options."), both.err().lines().toList());
        CliRunner.Result neither = CliRunner.run("generate");
        assertEquals(ExitCodes.USAGE, neither.code(), neither.err());
        assertEquals("qdecode: error: Missing required argument (specify one of these): (--prompt=TEXT | --prompts=FILE)",
                neither.err().lines().findFirst().orElse(""));
    }

    @Test
    void onlyALeadingPicocliPrefixIsRemoved() {
        assertEquals("x", ErrorHandler.withoutPicocliPrefix("Error: x"));
        assertEquals("--data a: Error: b", ErrorHandler.withoutPicocliPrefix("--data a: Error: b"));
        assertEquals("Errors: x", ErrorHandler.withoutPicocliPrefix("Errors: x"));
    }
}
