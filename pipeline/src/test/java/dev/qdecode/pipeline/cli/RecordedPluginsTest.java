package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.qdecode.data.Datasets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The check of a run's recorded plug-in jars ({@code train --resume}, and {@code evaluate} scoring a run on its
 * own reward) is one piece of code, {@link DqnCli#recordedPlugins(Map, java.util.function.Function)}: each command
 * only words the refusal. {@code train --resume}'s copy read {@code plugins_sha256} without looking: a run that
 * recorded a jar but no sha256 for it failed with a NullPointerException (an internal error, exit 1) where
 * {@code evaluate}'s copy refused it as changed (exit 3).
 */
class RecordedPluginsTest {

    @Test
    void aJarGoneChangedOrWithoutARecordedHashIsRefusedInEachCommandsWords(@TempDir Path tmp) throws Exception {
        Path jar = Files.writeString(tmp.resolve("p.jar"), "not really a jar");
        String sha = Datasets.sha256(jar);
        String paths = "[\"" + jar + "\"]";
        Path run = tmp.resolve("run");

        assertEquals(List.of(jar), DqnCli.recordedPlugins(Map.of("plugins", paths, "plugins_sha256",
                "[\"" + sha + "\"]"), run));
        assertEquals(List.of(), DqnCli.recordedPlugins(Map.of(), run));

        // recorded without its sha256: refused as changed, not a NullPointerException
        CliException none = assertThrows(CliException.class, () -> DqnCli.recordedPlugins(Map.of("plugins", paths), run));
        assertEquals(ExitCodes.BAD_INPUT, none.exitCode());
        assertEquals("--resume " + run + ": the run's reward plug-in " + jar + " changed since the run started (sha256 "
                + sha + ", expected none: its rewards so far came from that jar; put it back to resume, or train the "
                + "changed jar in a new run: the command that started this one, plus --overwrite)", none.getMessage());

        // another sha256: the command's words, with both hashes
        String other = "0".repeat(64);
        CliException changed = assertThrows(CliException.class, () -> DqnCli.recordedPlugins(Map.of("plugins", paths,
                "plugins_sha256", "[\"" + other + "\"]"), m -> "evaluate: " + m.file() + " now " + m.sha256()
                + ", recorded " + m.recorded()));
        assertEquals(ExitCodes.BAD_INPUT, changed.exitCode());
        assertEquals("evaluate: " + jar + " now " + sha + ", recorded " + other, changed.getMessage());

        // gone
        Files.delete(jar);
        CliException gone = assertThrows(CliException.class, () -> DqnCli.recordedPlugins(Map.of("plugins", paths,
                "plugins_sha256", "[\"" + sha + "\"]"), run));
        assertEquals(ExitCodes.BAD_INPUT, gone.exitCode());
        assertEquals("--resume " + run + ": the run's reward plug-in " + jar + " is not there (expected it back in "
                + "place)", gone.getMessage());
    }
}
