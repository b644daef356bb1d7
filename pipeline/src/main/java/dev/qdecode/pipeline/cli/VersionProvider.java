package dev.qdecode.pipeline.cli;

import dev.qdecode.pipeline.sft.QdecodeVersion;
import picocli.CommandLine;

/** Supplies {@code qdecode --version} from the build's version resource. */
final class VersionProvider implements CommandLine.IVersionProvider {

    /** Creates the provider (used by picocli). */
    public VersionProvider() {}

    /**
     * The qdecode version string, as built.
     *
     * @return the version, or "unknown" when the resource is missing
     */
    public static String version() {
        return QdecodeVersion.get();
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "qdecode " + version(),
            "Java " + System.getProperty("java.version") + ", DJL 0.35.1 (PyTorch 2.7.1 CPU)"
        };
    }
}
