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
     * The registry with the built-in rewards and the plug-ins given.
     *
     * @return the registry
     */
    public Rewards registry() {
        Rewards r = Rewards.discover();
        for (Path jar : plugins) {
            r.loadPlugin(jar);
        }
        return r;
    }

    /**
     * Creates the (composite, checked) reward from specs.
     *
     * @param specs the {@code --reward} values ({@code [W*]id[:k=v,...]}, several combine as a weighted sum)
     * @param seed the run seed
     * @return the reward
     */
    public Reward create(List<String> specs, long seed) {
        return registry().create(specs, new RewardContext(SharedDir.locate(), seed));
    }
}
