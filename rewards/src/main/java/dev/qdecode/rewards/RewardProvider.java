package dev.qdecode.rewards;

import java.util.List;
import java.util.Objects;

/**
 * Service-provider interface for rewards, discovered with {@link java.util.ServiceLoader}
 * (list implementations in {@code META-INF/services/dev.qdecode.rewards.RewardProvider}). A plug-in
 * jar holds one or more providers; {@link Rewards} looks them up by {@link #id()}.
 */
public interface RewardProvider {

    /**
     * The unique id used in reward specs (lower case, e.g. {@code "bleu"}).
     *
     * @return the id
     */
    String id();

    /**
     * One line of help.
     *
     * @return the description
     */
    String description();

    /**
     * The parameters this reward accepts.
     *
     * @return the documented parameters (empty when none)
     */
    default List<RewardParameter> parameters() {
        return List.of();
    }

    /**
     * Whether the rewards of this provider read the episodes' references
     * ({@link Episode#references()}): commands refuse references given only to rewards that
     * ignore them. The default, {@code true}, never refuses; a provider whose rewards never read
     * references returns {@code false}.
     *
     * @return false when references are certainly ignored
     */
    default boolean readsReferences() {
        return true;
    }

    /**
     * Whether the rewards of this provider cannot score an episode without references (as BLEU
     * cannot): commands refuse such a reward, before any work, for a task or file that has none.
     * The default, {@code false}, never refuses.
     *
     * @return true when every episode must carry references
     */
    default boolean requiresReferences() {
        return false;
    }

    /**
     * Whether the rewards of this provider read the episodes' gold labels ({@link Episode#label()}):
     * commands refuse labels given only to rewards that ignore them. The default, {@code true}, never
     * refuses; a provider whose rewards never read labels returns {@code false}.
     *
     * @return false when labels are certainly ignored
     */
    default boolean readsLabels() {
        return true;
    }

    /**
     * Whether the rewards of this provider cannot score an episode without its gold label (as
     * {@code label-match} cannot): commands refuse such a reward, before any work, for a task or
     * file that has none. The default, {@code false}, never refuses.
     *
     * @return true when every episode must carry a gold label
     */
    default boolean requiresLabels() {
        return false;
    }

    /**
     * Whether a reward created with these parameters cannot score an episode without the token ids
     * of its generated text ({@link Episode#tokenIds()}), as {@code length:unit=tokens} cannot:
     * commands that score bare texts ({@code rewards score}) refuse such a reward before any work.
     * The default, {@code false}, never refuses.
     *
     * @param params the spec's parameters (not yet validated: a bad value is refused by
     *     {@link #create} later, so this method should not throw on one)
     * @return true when every episode must carry its token ids
     * @throws NullPointerException naming {@code params} when it is null
     */
    default boolean requiresTokenIds(RewardParams params) {
        Objects.requireNonNull(params, "params");
        return false;
    }

    /**
     * Creates the reward.
     *
     * @param params the parameters of the spec, validated against {@link #parameters()}
     * @param context run-wide settings (shared data directory, seed)
     * @return a new reward
     * @throws RewardException when a resource cannot be loaded; a {@link RewardSpecException}
     *     (e.g. from {@link RewardParams#bad}) when a parameter value is invalid or a required one is
     *     missing, which commands report as bad usage
     */
    Reward create(RewardParams params, RewardContext context);
}
