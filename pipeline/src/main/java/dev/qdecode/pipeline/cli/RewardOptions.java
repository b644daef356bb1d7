package dev.qdecode.pipeline.cli;

import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.SharedDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --reward} and {@code --plugin} options shared by commands that score text. */
final class RewardOptions {

    /** Creates the options (used by picocli). */
    public RewardOptions() {}

    @Option(names = "--plugin", paramLabel = "JAR",
            description = "A reward plug-in jar (a RewardProvider listed in META-INF/services); repeatable.")
    List<Path> plugins = new ArrayList<>();

    /**
     * The registry with the built-in rewards and the plug-ins given; the caller closes it (the plug-in jars
     * stay open until then, and until the rewards created from them are closed).
     *
     * @throws CliException bad usage for a jar given twice, bad input for one that is missing or unreadable
     * @return the registry
     */
    public Rewards registry() {
        List<Path> seen = new ArrayList<>();
        for (Path jar : plugins) {
            Path abs = jar.toAbsolutePath().normalize();
            if (seen.contains(abs)) {
                throw new CliException("--plugin " + jar + ": given twice (expected each plug-in jar once)",
                        ExitCodes.USAGE);
            }
            seen.add(abs);
            // a missing or unreadable jar is bad input (exit 3), as every missing input file is; a jar that
            // loads wrong is the plug-in's failure (exit 4)
            DqnCli.requireReadableFile("--plugin", jar, "a reward plug-in jar");
        }
        Rewards r = Rewards.discover();
        try {
            for (Path jar : plugins) {
                r.loadPlugin(jar);
            }
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        return r;
    }

    /**
     * Creates the (composite, checked) reward from specs. The plug-in jars it comes from stay open until it
     * is closed.
     *
     * @param specs the {@code --reward} values ({@code [W*]id[:k=v,...]}, several combine as a weighted sum)
     * @param seed the run seed
     * @return the reward
     */
    public Reward create(List<String> specs, long seed) {
        try (Rewards r = registry()) {
            return r.create(specs, new RewardContext(SharedDir.locate(), seed));
        }
    }

    /**
     * Refuses, before any work, a reward that cannot score the episodes it would get: one that needs
     * references (bleu, chrf, token-f1) where there are none, or gold labels (label-match) where there
     * are none.
     *
     * @param specs the {@code --reward} values
     * @param noReferences null when the episodes carry references; otherwise what to do instead, for the
     *     message (e.g. "expected --ref FILE")
     * @param noLabels null when the episodes carry gold labels; otherwise what to do instead
     * @throws CliException (usage) naming the reward
     */
    void requireInputs(List<String> specs, String noReferences, String noLabels) {
        try (Rewards r = registry()) {
            requireInputs(r, specs, noReferences, noLabels);
        }
    }

    private static void requireInputs(Rewards r, List<String> specs, String noReferences, String noLabels) {
        List<String> refs = noReferences == null ? List.of() : r.referencesRequired(specs);
        if (!refs.isEmpty()) {
            throw new CliException("--reward " + String.join(", ", refs) + ": scores against references, and there "
                    + "are none (" + noReferences + ")", ExitCodes.USAGE);
        }
        List<String> labels = noLabels == null ? List.of() : r.labelsRequired(specs);
        if (!labels.isEmpty()) {
            throw new CliException("--reward " + String.join(", ", labels) + ": scores against gold labels, and "
                    + "there are none (" + noLabels + ")", ExitCodes.USAGE);
        }
    }
}
