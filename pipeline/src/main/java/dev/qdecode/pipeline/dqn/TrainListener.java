package dev.qdecode.pipeline.dqn;

import java.nio.file.Path;

/**
 * Hooks into {@link DqnTrainer} (like DJL's TrainingListener); every method has an empty default.
 * Called on the training thread.
 */
public interface TrainListener {

    /**
     * After each rollout batch has been scored and pushed to the replay buffer.
     *
     * @param episodesDone episodes done so far (of {@code total})
     * @param total episodes of the whole run
     * @param meanReward mean terminal reward of this batch
     * @param epsilon the ε used for this batch
     */
    default void onRollout(long episodesDone, long total, double meanReward, double epsilon) {}

    /**
     * During an evaluation, after each batch of held-out episodes.
     *
     * @param policy {@code base} or {@code trained}
     * @param done episodes sampled so far in this evaluation
     * @param total episodes of this evaluation (prompts times samples)
     */
    default void onEvaluationProgress(String policy, long done, long total) {}

    /**
     * While a classification run embeds a data set's texts (not called when they come from the cache).
     *
     * @param done texts embedded so far
     * @param total texts of the data set
     */
    default void onEmbedding(long done, long total) {}

    /**
     * After each round of gradient updates.
     *
     * @param updates gradient updates done so far
     * @param meanLoss mean loss of this round (the config's value loss)
     * @param meanAbsQ mean |Q(s,a)| of the taken actions in this round
     */
    default void onUpdate(long updates, double meanLoss, double meanAbsQ) {}

    /**
     * After each evaluation (also the base model's, once, with policy {@code base}).
     *
     * @param metrics the measured metrics
     */
    default void onEvaluation(EvalMetrics metrics) {}

    /**
     * Asked before each rollout round and before each batch of an evaluation (the base model's too): true
     * stops the run there with a checkpoint, as {@link DqnTrainer#run(long)} does at its {@code stopAfter}
     * (e.g. on Ctrl-C); an evaluation stopped that way is done again, whole, on resume.
     *
     * @return whether to stop now (default: never)
     */
    default boolean stopRequested() {
        return false;
    }

    /**
     * Just before a classification run writes its first checkpoint (which {@link #onCheckpoint} then announces):
     * from here until that call the file may or may not exist, since a stop can fall before or after its atomic
     * rename (e.g. to switch an interrupt's notice to words true either way).
     *
     * @param file the checkpoint file about to be written
     */
    default void beforeCheckpoint(Path file) {}

    /**
     * After each checkpoint was written.
     *
     * @param file the checkpoint file
     * @param episodesDone episodes done when written
     */
    default void onCheckpoint(Path file, long episodesDone) {}

    /**
     * When the divergence monitor raises a warning (|Q| growth, repeated tokens).
     *
     * @param message one line naming the symptom and the options that help
     */
    default void onWarning(String message) {}

    /**
     * When a run starts a new stage whose rollouts count from 0 again (classification's refit on all
     * training examples).
     *
     * @param description one line: what the stage does and why
     */
    default void onStage(String description) {}

    /**
     * When a classification run has checked its labels and reward, just before it first writes to its
     * run directory (e.g. to clear an earlier run there that {@code --overwrite} replaces).
     */
    default void beforeWriting() {}
}
