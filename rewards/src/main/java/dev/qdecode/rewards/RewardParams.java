package dev.qdecode.rewards;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code key=value} parameters of one reward spec ({@code id:key=value,key=value}), with typed
 * getters whose errors name the reward, the key and what was expected.
 */
public final class RewardParams {
    private final String rewardId;
    private final Map<String, String> values;

    /**
     * Creates parameters.
     *
     * @param rewardId the reward id (for error messages)
     * @param values the raw values
     * @throws NullPointerException naming {@code values} or {@code rewardId} when it is null
     */
    public RewardParams(String rewardId, Map<String, String> values) {
        Objects.requireNonNull(rewardId, "rewardId");
        Objects.requireNonNull(values, "values");
        this.rewardId = rewardId;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /**
     * No parameters.
     *
     * @param rewardId the reward id
     * @return empty parameters
     * @throws NullPointerException naming {@code rewardId} when it is null
     */
    public static RewardParams empty(String rewardId) {
        Objects.requireNonNull(rewardId, "rewardId");
        return new RewardParams(rewardId, Map.of());
    }

    /**
     * The reward id these parameters belong to.
     *
     * @return the id
     */
    public String rewardId() {
        return rewardId;
    }

    /**
     * The keys given.
     *
     * @return the keys in spec order
     */
    public Set<String> keys() {
        return values.keySet();
    }

    /**
     * The raw values.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> asMap() {
        return values;
    }

    /**
     * A string value.
     *
     * @param key the key
     * @param def the default when absent; may be null, which is then returned when the key is absent
     * @return the value
     * @throws NullPointerException naming {@code key} when it is null
     */
    public String getString(String key, String def) {
        Objects.requireNonNull(key, "key");
        return values.getOrDefault(key, def);
    }

    /**
     * A path value.
     *
     * @param key the key
     * @param def the default when absent; may be null, which is then returned when the key is absent
     * @return the path
     * @throws NullPointerException naming {@code key} when it is null
     */
    public Path getPath(String key, Path def) {
        Objects.requireNonNull(key, "key");
        String v = values.get(key);
        return v == null ? def : Path.of(v);
    }

    /**
     * A double value.
     *
     * @param key the key
     * @param def the default when absent
     * @return the value
     * @throws RewardSpecException when the value is not a finite decimal number ({@code 0.5},
     *     {@code -2}, {@code 1e-3}; not a hexadecimal or suffixed Java literal such as {@code 1f})
     * @throws NullPointerException naming {@code key} when it is null
     */
    public double getDouble(String key, double def) {
        Objects.requireNonNull(key, "key");
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        if (dev.qdecode.tokenizer.Decimals.isDecimal(v.trim())) {
            double d = Double.parseDouble(v.trim());
            if (Double.isFinite(d)) {
                return d;
            }
        }
        throw bad(key, v, "a finite number");
    }

    /**
     * An int value.
     *
     * @param key the key
     * @param def the default when absent
     * @return the value
     * @throws RewardSpecException when the value is not an integer
     * @throws NullPointerException naming {@code key} when it is null
     */
    public int getInt(String key, int def) {
        Objects.requireNonNull(key, "key");
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "an integer");
        }
    }

    /**
     * A boolean value ({@code true/false/yes/no/1/0}).
     *
     * @param key the key
     * @param def the default when absent
     * @return the value
     * @throws RewardSpecException when the value is not a boolean
     * @throws NullPointerException naming {@code key} when it is null
     */
    public boolean getBoolean(String key, boolean def) {
        Objects.requireNonNull(key, "key");
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true": case "yes": case "1": return true;
            case "false": case "no": case "0": return false;
            default: throw bad(key, v, "true or false");
        }
    }

    /**
     * A value that must be one of a fixed set (compared case-insensitively; the canonical
     * spelling from {@code allowed} is returned).
     *
     * @param key the key
     * @param def the default when absent
     * @param allowed the accepted values
     * @return the value, spelled as in {@code allowed}
     * @throws RewardSpecException listing the accepted values
     * @throws NullPointerException naming {@code key}, {@code def} or {@code allowed} when it is null
     */
    public String getChoice(String key, String def, List<String> allowed) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(def, "def");
        Objects.requireNonNull(allowed, "allowed");
        String v = values.get(key);
        if (v == null) {
            return def;
        }
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v.trim())) {
                return a;
            }
        }
        throw bad(key, v, "one of " + String.join(", ", allowed));
    }

    /**
     * An error for a bad value: a {@link RewardSpecException}, since the spec the user typed is
     * wrong (commands report it as bad usage), declared as its superclass so that plug-ins built
     * against earlier versions still link.
     *
     * @param key the key
     * @param value the value given
     * @param expected what was expected
     * @return the exception to throw
     * @throws NullPointerException naming {@code key}, {@code value} or {@code expected} when it is null
     */
    public RewardException bad(String key, String value, String expected) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expected, "expected");
        return new RewardSpecException(
                "reward '" + rewardId + "': parameter " + key + "='" + value + "': expected " + expected);
    }
}
