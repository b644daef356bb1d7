package dev.qdecode.pipeline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine facts printed at the top of every benchmark (load matters on shared machines). */
final class BenchEnvironment {
    private BenchEnvironment() {}

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
                + " | load average " + load + " | java " + System.getProperty("java.version")
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
}
