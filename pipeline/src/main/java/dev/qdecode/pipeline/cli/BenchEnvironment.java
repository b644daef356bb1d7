package dev.qdecode.pipeline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine facts printed at the top of every benchmark (load matters on shared machines): the qdecode
 * version, the available processors, the PyTorch intra-op threads ({@code QDECODE_THREADS}, else 1), the load
 * averages, the Java version and the heap limit.
 */
final class BenchEnvironment {
    private BenchEnvironment() {}

    /**
     * One line, e.g. {@code qdecode 0.1.0 | cores 2 | torch threads 1 | load average 0.10 0.20 0.30 (1/5/15 min) |
     * java 17.0.15 | max heap 8192 MiB}.
     *
     * @return the line
     */
    static String describe() {
        String load;
        try {
            // the first three fields: 1-, 5- and 15-minute averages (then running/total processes, last pid)
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            load = f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] + " (1/5/15 min)" : "unknown";
        } catch (IOException | RuntimeException e) {
            load = "unknown";
        }
        String preload = System.getenv("LD_PRELOAD");
        return "qdecode " + VersionProvider.version() + " | cores " + Runtime.getRuntime().availableProcessors()
                + " | torch threads " + DqnCli.threads() + " | load average " + load
                + " | java " + System.getProperty("java.version")
                + " | max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB"
                + (preload != null && preload.contains("tcmalloc") ? " | tcmalloc" : "");
    }

    /**
     * Peak resident memory of this process (VmHWM), in MiB, or -1 when unknown.
     *
     * @return the peak RSS
     */
    static long peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * The first 12 hex digits of a model's weights sha256 ({@link dev.qdecode.models.ModelFiles#weightsSha256}),
     * printed beside the model's name so that two benchmark outputs can be told to be of the same weights.
     *
     * @param dir the model directory
     * @return e.g. {@code 3f1c0a9b2d4e}
     */
    static String weightsId(Path dir) {
        return dev.qdecode.models.ModelFiles.weightsSha256(dir).substring(0, 12);
    }
}
