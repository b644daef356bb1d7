package dev.qdecode.pipeline.sft;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The qdecode version as built (resource {@code /qdecode-version.properties}), for
 * {@code qdecode --version} and the provenance files of training runs.
 */
public final class QdecodeVersion {
    private QdecodeVersion() {}

    /**
     * The qdecode version string, as built.
     *
     * @return the version, or "unknown" when the resource is missing or unreadable
     */
    public static String get() {
        try (InputStream in = QdecodeVersion.class.getResourceAsStream("/qdecode-version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
