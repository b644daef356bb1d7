package dev.qdecode.rewards.sentiment;

import java.nio.file.Files;
import java.nio.file.Path;

/** Test access to the shared read-only data (system property {@code qdecode.shared}). */
final class SharedLexicons {
    private SharedLexicons() {}

    /** The shared directory. */
    static Path shared() {
        String p = System.getProperty("qdecode.shared");
        if (p == null || p.isBlank()) {
            throw new IllegalStateException("system property qdecode.shared is not set (run through Maven)");
        }
        Path dir = Path.of(p).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("qdecode.shared=" + dir + " is not a directory");
        }
        return dir;
    }

    /** {@code <shared>/data/lexicons}. */
    static Path lexiconDir() {
        return shared().resolve("data").resolve("lexicons");
    }

    /** The SST-2 dev split. */
    static Path sst2Dev() {
        return shared().resolve("data").resolve("sst2").resolve("dev.tsv");
    }

    private static volatile Vader vader;
    private static volatile Afinn afinn;

    /** The VADER analyzer over the shared lexicons (loaded once). */
    static Vader vader() {
        if (vader == null) {
            vader = Vader.load(lexiconDir());
        }
        return vader;
    }

    /** The AFINN-165 scorer over the shared word list (loaded once). */
    static Afinn afinn() {
        if (afinn == null) {
            afinn = Afinn.load(lexiconDir().resolve(Afinn.DEFAULT_FILE));
        }
        return afinn;
    }
}
