package dev.qdecode.pipeline.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
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
        String[] avg = loadAverages();
        String load = avg != null ? String.join(" ", avg) + " (1/5/15 min)" : "unknown";
        return "qdecode " + VersionProvider.version() + " | cores " + Runtime.getRuntime().availableProcessors()
                + " | torch threads " + DqnCli.threads() + " | load average " + load
                + " | java " + System.getProperty("java.version")
                + " | max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB"
                + (tcmalloc() ? " | tcmalloc" : "");
    }

    /**
     * The facts of {@link #describe()} as JSON, for {@code --output}: {@code qdecode_version}, {@code cores},
     * {@code torch_threads}, {@code load_average} (1, 5 and 15 minutes; null when unknown), {@code java},
     * {@code max_heap_mib}, {@code tcmalloc}.
     *
     * @return a new object
     */
    static JsonObject json() {
        JsonObject o = new JsonObject();
        o.addProperty("qdecode_version", VersionProvider.version());
        o.addProperty("cores", Runtime.getRuntime().availableProcessors());
        o.addProperty("torch_threads", DqnCli.threads());
        String[] avg = loadAverages();
        if (avg != null) {
            JsonArray a = new JsonArray();
            for (String x : avg) {
                a.add(Double.parseDouble(x));
            }
            o.add("load_average", a);
        } else {
            o.add("load_average", JsonNull.INSTANCE);
        }
        o.addProperty("java", System.getProperty("java.version"));
        o.addProperty("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        o.addProperty("tcmalloc", tcmalloc());
        return o;
    }

    /** The 1-, 5- and 15-minute load averages as /proc/loadavg writes them, or null when unknown. */
    private static String[] loadAverages() {
        try {
            // the first three fields: 1-, 5- and 15-minute averages (then running/total processes, last pid)
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            if (f.length < 3) {
                return null;
            }
            for (int i = 0; i < 3; i++) {
                Double.parseDouble(f[i]);
            }
            return new String[] {f[0], f[1], f[2]};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether tcmalloc is preloaded (it changes native allocation costs). */
    private static boolean tcmalloc() {
        String preload = System.getenv("LD_PRELOAD");
        return preload != null && preload.contains("tcmalloc");
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
