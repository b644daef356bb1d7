package dev.qdecode.rewards;

/**
 * A provider of rewards that score the generated text against the episode's references (as BLEU,
 * chrF and token F1 do): they cannot score an episode without references
 * ({@link #requiresReferences()} is true), and never read gold labels.
 */
public interface ReferenceRewardProvider extends RewardProvider {

    /**
     * Scores against references: an episode without any cannot be scored.
     *
     * @return true
     */
    @Override
    default boolean requiresReferences() {
        return true;
    }

    /**
     * Never reads gold labels.
     *
     * @return false
     */
    @Override
    default boolean readsLabels() {
        return false;
    }
}
