package dev.qdecode.rewards;

/**
 * A documented parameter of a reward, shown by {@code qdecode rewards list}.
 *
 * @param name the key used in a spec ({@code id:name=value})
 * @param defaultValue the default, as text ("" when there is none)
 * @param help one line of help
 */
public record RewardParameter(String name, String defaultValue, String help) {}
