package dev.qdecode.rewards;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the shared data directory (models, data sets, lexicons) that sits beside the checkout.
 * Order: system property {@code qdecode.shared}, environment variable {@code QDECODE_SHARED},
 * then {@code ../shared} or {@code ./shared} seen from the working directory and its parents.
 */
public final class SharedDir {
    private SharedDir() {}

    /**
     * Locates the shared directory.
     *
     * @return the directory (it may not exist when nothing was found: callers report the path)
     */
    public static Path locate() {
        String prop = System.getProperty("qdecode.shared");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        String env = System.getenv("QDECODE_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            for (Path candidate : new Path[] {p.resolve("shared"), p.resolveSibling("shared")}) {
                if (candidate != null && Files.isDirectory(candidate.resolve("models"))) {
                    return candidate.normalize();
                }
            }
        }
        return dir.resolveSibling("shared").normalize();
    }
}
