package dev.qdecode.rewards;

import java.util.List;
import java.util.Objects;

/**
 * One row of {@link Rewards#describe()}: what {@code qdecode rewards list} shows.
 *
 * @param id the reward id used in specs
 * @param description one line of help
 * @param parameters the documented parameters
 * @param providerClass the provider's class name
 * @param origin {@code built-in}, or the plug-in jar it came from
 */
public record RewardInfo(
        String id, String description, List<RewardParameter> parameters, String providerClass,
        String origin) {

    /**
     * Validates and copies.
     *
     * @param id the reward id; not null
     * @param description one line of help; null means empty
     * @param parameters the documented parameters, copied; null means none
     * @param providerClass the provider's class name; not null
     * @param origin {@code built-in} or the plug-in jar; not null
     * @throws NullPointerException if {@code id}, {@code providerClass}, {@code origin} or a
     *     parameter is null
     */
    public RewardInfo {
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        parameters = parameters == null ? List.of() : List.copyOf(parameters);
        Objects.requireNonNull(providerClass, "providerClass");
        Objects.requireNonNull(origin, "origin");
    }

    /**
     * The usage line, e.g. {@code bleu[:tokenize=13a,lowercase=false,...]}.
     *
     * @return the usage line
     */
    public String usage() {
        if (parameters.isEmpty()) {
            return id;
        }
        StringBuilder sb = new StringBuilder(id).append("[:");
        for (int i = 0; i < parameters.size(); i++) {
            RewardParameter p = parameters.get(i);
            if (i > 0) {
                sb.append(',');
            }
            sb.append(p.name()).append('=').append(p.defaultValue());
        }
        return sb.append(']').toString();
    }
}
