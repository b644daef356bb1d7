package dev.qdecode.pipeline.cli;

import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardContext;
import dev.qdecode.rewards.RewardException;
import dev.qdecode.rewards.RewardInputException;
import dev.qdecode.rewards.Rewards;
import dev.qdecode.rewards.SharedDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --reward} and {@code --plugin} options shared by commands that score text, and the command's
 * reward registry: built once, on first use, for all of the command's checks and the rewards it creates, so
 * each plug-in jar is opened and its providers instantiated once per command. The command {@linkplain
 * #close() closes} it when it is done.
 */
final class RewardOptions implements AutoCloseable {

    /** Creates the options (used by picocli). */
    public RewardOptions() {}

    /** The command these options belong to, for refusals that point to its {@code --help}. */
    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

    @Option(names = "--plugin", paramLabel = "JAR",
            description = "A reward plug-in jar (a RewardProvider listed in META-INF/services); repeatable.")
    List<Path> plugins = new ArrayList<>();

    /** The registry, once built, until {@link #close()}. */
    private Rewards registry;

    /** The {@link #plugins} the registry was built from. */
    private List<Path> registryPlugins;

    /**
     * The command's registry, with the built-in rewards and the plug-ins given: built (each plug-in jar
     * opened, its providers instantiated) on the first call, the same one after. It stays open until {@link
     * #close()}; the plug-in jars stay open until then, and until the rewards created from them are closed.
     *
     * @throws CliException bad usage for a jar given twice, bad input for one that is missing, unreadable or not
     *     a jar file
     * @throws IllegalStateException when {@link #plugins} changed since the registry was built
     * @return the registry
     */
    public Rewards registry() {
        if (registry != null) {
            if (!registryPlugins.equals(plugins)) {
                throw new IllegalStateException("--plugin changed after the reward registry was built from "
                        + registryPlugins);
            }
            return registry;
        }
        List<Path> seen = new ArrayList<>();
        for (Path jar : plugins) {
            Path abs = jar.toAbsolutePath().normalize();
            if (seen.contains(abs)) {
                throw new CliException("--plugin " + jar + ": given twice (expected each plug-in jar once)",
                        ExitCodes.USAGE);
            }
            seen.add(abs);
            // a missing or unreadable jar, or a file that is not a jar at all (found as it is loaded), is bad input
            // (exit 3), as every input file that cannot be used is; a jar whose providers load wrong is the
            // plug-in's failure (exit 4)
            DqnCli.requireReadableFile("--plugin", jar, "a reward plug-in jar");
        }
        Rewards r = Rewards.discover();
        try {
            for (Path jar : plugins) {
                try {
                    r.loadPlugin(jar); // refuses a file that is no jar as it opens it: no open of its own before
                } catch (RewardInputException e) {
                    throw notAJar(jar, e);
                }
            }
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
        registry = r;
        registryPlugins = List.copyOf(plugins);
        return r;
    }

    /**
     * The refusal of a {@code --plugin} file that {@link Rewards#loadPlugin} could not open as a jar (zip) file, or
     * read: bad input (exit 3), naming the option as given.
     *
     * @param jar the file given
     * @param e what loading it threw
     * @return {@code --plugin FILE: not a jar file (zip END header not found; expected a reward plug-in jar)}, or
     *     {@code --plugin FILE: cannot be read (...; expected a reward plug-in jar)}; {@code e} itself for any other
     *     problem of the file
     */
    private static RuntimeException notAJar(Path jar, RewardInputException e) {
        if (e.getCause() instanceof java.util.zip.ZipException z) {
            return new CliException("--plugin " + jar + ": not a jar file (" + RewardException.oneLine(z.getMessage())
                    + "; expected a reward plug-in jar)", ExitCodes.BAD_INPUT);
        }
        if (e.getCause() instanceof java.io.IOException io) {
            return new CliException("--plugin " + jar + ": cannot be read (" + RewardException.oneLine(io.getMessage())
                    + "; expected a reward plug-in jar)", ExitCodes.BAD_INPUT);
        }
        return e;
    }

    /**
     * Closes the registry, if one was built: each plug-in jar is released now, or when the last reward
     * created from it is closed. Does nothing when none was built or it is closed already; a later {@link
     * #registry()} builds a new one.
     */
    @Override
    public void close() {
        if (registry != null) {
            registry.close();
            registry = null;
            registryPlugins = null;
        }
    }

    /**
     * Creates the (composite, checked) reward from specs, from the command's {@link #registry()}. The plug-in
     * jars it comes from stay open until it is closed.
     *
     * @param specs the {@code --reward} values ({@code [W*]id[:k=v,...]}, several combine as a weighted sum)
     * @param seed the run seed
     * @return the reward
     */
    public Reward create(List<String> specs, long seed) {
        return registry().create(specs, new RewardContext(SharedDir.locate(), seed));
    }

    /**
     * Refuses, before any work, a reward that cannot score the episodes it would get: one that needs
     * references (bleu, chrf, token-f1) where there are none, or gold labels (label-match) where there
     * are none. Uses the command's {@link #registry()}.
     *
     * @param specs the {@code --reward} values
     * @param noReferences null when the episodes carry references; otherwise what to do instead, for the
     *     message (e.g. "expected --ref FILE")
     * @param noLabels null when the episodes carry gold labels; otherwise what to do instead
     * @throws CommandLine.ParameterException (usage, with the hint to the command's {@code --help}: the reward does
     *     not belong with the task or inputs) naming the reward
     */
    void requireInputs(List<String> specs, String noReferences, String noLabels) {
        Rewards r = registry();
        List<String> refs = noReferences == null ? List.of() : r.referencesRequired(specs);
        if (!refs.isEmpty()) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--reward " + String.join(", ", refs)
                    + ": scores against references, and there are none (" + noReferences + ")");
        }
        List<String> labels = noLabels == null ? List.of() : r.labelsRequired(specs);
        if (!labels.isEmpty()) {
            throw new CommandLine.ParameterException(mixee.commandLine(), "--reward " + String.join(", ", labels)
                    + ": scores against gold labels, and there are none (" + noLabels + ")");
        }
    }
}
