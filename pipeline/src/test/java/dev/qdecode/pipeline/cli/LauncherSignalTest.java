package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./qdecode} launcher under a signal while it rebuilds with Maven. Before, bash ran its trap-less default:
 * SIGTERM or SIGHUP ended the launcher at once and left Maven building on, an orphan, whose jar the next run took as
 * built; Ctrl-C said {@code build failed (see the Maven output above)} and exited 1. Now it stops Maven, removes the
 * jar it may have cut short (so the next run builds again), says so in one line and exits 128 + the signal's number.
 * The checkout is a stand-in (a pom naming one module, no jar) and {@code mvn} and {@code java} are scripts that
 * record their process id and wait: the launcher itself is the real one. Asserted on states, not durations.
 */
class LauncherSignalTest {
    private static final Path LAUNCHER = Path.of("..", "qdecode").toAbsolutePath().normalize();

    @Test
    void sigtermDuringTheBuildStopsMavenRemovesTheJarAndExits143(@TempDir Path tmp) throws Exception {
        signalDuringTheBuild(tmp, "TERM", ExitCodes.TERMINATED, "qdecode: interrupted by SIGTERM while building; nothing was run "
                + "(the next run builds again)");
    }

    @Test
    void sigintDuringTheBuildStopsMavenRemovesTheJarAndExits130(@TempDir Path tmp) throws Exception {
        assumeFalse(CliRunner.ignored(2), "SIGINT is ignored in this process, so the launcher cannot trap it");
        signalDuringTheBuild(tmp, "INT", ExitCodes.INTERRUPTED, "qdecode: interrupted while building; nothing was run "
                + "(the next run builds again)");
    }

    @Test
    void sighupDuringTheBuildStopsMavenRemovesTheJarAndExits129(@TempDir Path tmp) throws Exception {
        assumeFalse(CliRunner.ignored(1), "SIGHUP is ignored in this process, so the launcher cannot trap it");
        signalDuringTheBuild(tmp, "HUP", ExitCodes.HANGUP, "qdecode: interrupted by SIGHUP while building; nothing "
                + "was run (the next run builds again)");
    }

    /** Once built, the command runs in the launcher's own process (exec), which thus gets later signals itself. */
    @Test
    void afterTheBuildTheCommandRunsInTheLaunchersProcess(@TempDir Path tmp) throws Exception {
        Path root = checkout(tmp, "mkdir -p pipeline/target && echo jar > pipeline/target/qdecode.jar", true);
        Process p = start(root, tmp);
        Path javaPid = tmp.resolve("java.pid");
        awaitFile(javaPid, p);
        assertEquals(p.pid(), Long.parseLong(Files.readString(javaPid).strip()), "java is the launcher's process");
        p.toHandle().destroy(); // SIGTERM, straight to the command
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(ExitCodes.TERMINATED, p.exitValue());
    }

    private static void signalDuringTheBuild(Path tmp, String signal, int status, String line) throws Exception {
        // Maven writes part of the jar, then builds on until it is stopped
        Path root = checkout(tmp, "mkdir -p pipeline/target && echo partial > pipeline/target/qdecode.jar", false);
        Process p = start(root, tmp);
        Path mvnPid = tmp.resolve("mvn.pid");
        awaitFile(mvnPid, p);
        long mvn = Long.parseLong(Files.readString(mvnPid).strip());
        try {
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ended");
            String err = Files.readString(tmp.resolve("launcher.log"));
            assertEquals(status, p.exitValue(), err);
            List<String> lines = err.lines().toList();
            assertEquals(line, lines.get(lines.size() - 1), err);
            assertFalse(ProcessHandle.of(mvn).map(ProcessHandle::isAlive).orElse(false), "Maven still builds: " + err);
            assertFalse(Files.exists(root.resolve("pipeline/target/qdecode.jar")), "a jar cut short stays: " + err);
            assertFalse(Files.exists(tmp.resolve("java.pid")), "the command ran");
        } finally {
            p.destroyForcibly();
            ProcessHandle.of(mvn).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * A checkout of one module without a jar and the real launcher; its {@code mvn} runs {@code build}, then ends
     * ({@code finishes}) or waits until stopped.
     */
    private static Path checkout(Path tmp, String build, boolean finishes) throws IOException {
        assumeTrue(Files.isRegularFile(LAUNCHER), "no launcher at " + LAUNCHER);
        Path root = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(LAUNCHER, root.resolve("qdecode"));
        Files.writeString(root.resolve("pom.xml"), "<project><modules><module>m</module></modules></project>\n");
        Files.createDirectories(root.resolve("m/src/main/java"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        script(bin.resolve("mvn"), build + "\necho $$ > '" + tmp.resolve("mvn.pid") + "'\n"
                + (finishes ? "" : "exec sleep 600\n"));
        script(bin.resolve("java"), "echo $$ > '" + tmp.resolve("java.pid") + "'\nexec sleep 600\n");
        return root;
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/usr/bin/env bash\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Process start(Path root, Path tmp) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("qdecode").toString(), "--version")
                .directory(root.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("launcher.log").toFile());
        pb.environment().put("PATH", tmp.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("QDECODE_NO_TCMALLOC", "1");
        return pb.start();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** Waits until a fake command has written its process id (or the launcher has ended, which fails). */
    private static void awaitFile(Path file, Process p) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(file) || Files.readString(file).isBlank()) {
            assertTrue(p.isAlive(), () -> "the launcher ended: " + read(file.getParent().resolve("launcher.log")));
            assertTrue(System.nanoTime() < deadline, "never started: " + file);
            Thread.sleep(10);
        }
    }
}
