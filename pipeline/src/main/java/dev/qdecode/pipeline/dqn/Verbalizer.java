package dev.qdecode.pipeline.dqn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The label verbaliser of the classification task: which text the policy generates for each label
 * (e.g. {@code 0=bad,1=good}). Texts may span several tokens; no label's text may be a prefix of
 * another's token sequence (checked once tokenised).
 *
 * @param labels label → verbaliser text, in the order given
 */
public record Verbalizer(Map<String, String> labels) {

    /**
     * Validates and copies the map.
     *
     * @param labels label → verbaliser text, at least two pairs, keys and texts not blank, texts
     *     distinct after stripping; copied in iteration order
     * @throws IllegalArgumentException naming {@code --labels} if the map has fewer than two entries, a
     *     blank or null label or text, or two labels with the same text
     * @throws NullPointerException naming {@code labels} when it is null
     */
    public Verbalizer {
        Objects.requireNonNull(labels, "labels");
        if (labels.size() < 2) {
            throw new IllegalArgumentException("--labels: expected at least two LABEL=TEXT pairs");
        }
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null || e.getValue().isBlank()) {
                throw new IllegalArgumentException("--labels: expected LABEL=TEXT with both non-empty but got '"
                        + e.getKey() + "=" + e.getValue() + "'");
            }
            String other = seen.put(e.getValue().strip(), e.getKey());
            if (other != null) {
                throw new IllegalArgumentException("--labels: labels " + other + " and " + e.getKey()
                        + " have the same text '" + e.getValue().strip() + "' (expected distinct texts)");
            }
        }
        labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }

    /**
     * Parses {@code LABEL=TEXT[,LABEL=TEXT…]}.
     *
     * @param spec the specification
     * @return the verbaliser
     * @throws IllegalArgumentException naming the bad pair
     * @throws NullPointerException naming {@code spec} when it is null
     */
    public static Verbalizer parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : spec.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) {
                throw new IllegalArgumentException("--labels: expected LABEL=TEXT pairs separated by commas but got '"
                        + pair + "'");
            }
            String label = pair.substring(0, eq).strip();
            if (m.put(label, pair.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException("--labels: label " + label + " is given twice");
            }
        }
        return new Verbalizer(m);
    }

    /**
     * The label whose text is {@code text}, or null.
     *
     * @param text a verbaliser text
     * @return the label or null
     * @throws NullPointerException naming {@code text} when it is null
     */
    public String labelOf(String text) {
        Objects.requireNonNull(text, "text");
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getValue().equals(text)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * The specification form ({@code 0=bad,1=good}).
     *
     * @return the spec
     */
    public String toSpec() {
        StringBuilder b = new StringBuilder();
        labels.forEach((k, v) -> b.append(b.length() > 0 ? "," : "").append(k).append('=').append(v));
        return b.toString();
    }
}
