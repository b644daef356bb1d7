package dev.qdecode.rewards;

import java.util.Objects;

/**
 * A documented parameter of a reward, shown by {@code qdecode rewards list}.
 *
 * @param name the key used in a spec ({@code id:name=value})
 * @param defaultValue the default, as text ("" when there is none)
 * @param help one line of help
 */
public record RewardParameter(String name, String defaultValue, String help) {

    /**
     * Checks that every part is given.
     *
     * @param name see the record description
     * @param defaultValue see the record description
     * @param help see the record description
     * @throws NullPointerException naming {@code name}, {@code defaultValue} or {@code help} when it is null
     */
    public RewardParameter {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(help, "help");
    }
}
