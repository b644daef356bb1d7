package dev.qdecode.rewards;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Run-wide settings handed to {@link RewardProvider#create}.
 *
 * @param sharedDir the directory with shared data (lexicons, models), usually {@code ../shared}
 * @param seed the run seed (for rewards with randomness)
 */
public record RewardContext(Path sharedDir, long seed) {

    /**
     * Validates the fields.
     *
     * @param sharedDir the directory with shared data; not null
     * @param seed the run seed
     * @throws NullPointerException if {@code sharedDir} is null
     */
    public RewardContext {
        Objects.requireNonNull(sharedDir, "sharedDir");
    }

    /**
     * A context rooted at the default shared directory ({@link SharedDir#locate()}).
     *
     * @return the default context with seed 0
     */
    public static RewardContext defaults() {
        return new RewardContext(SharedDir.locate(), 0L);
    }
}
