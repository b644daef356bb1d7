package dev.qdecode.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's parse-error messages, reworded for a one-line error about a JSON file (tokenizer files
 * here, {@code config.json} in the models module): the first line only, without Gson's exception
 * class name, JSON path or advice and link, keeping what was wrong and where.
 */
public final class JsonErrors {
    private static final Pattern WHERE = Pattern.compile("at line \\d+ column \\d+");

    private JsonErrors() {}

    /**
     * Rewords a message.
     *
     * @param message the exception's message (not null)
     * @return e.g. {@code Expected name at line 1 column 25}, or {@code not standard JSON at line 1 column 26}
     */
    public static String describe(String message) {
        int nl = message.indexOf('\n');
        String m = nl >= 0 ? message.substring(0, nl) : message;
        m = m.replaceFirst("^com\\.google\\.gson\\.stream\\.MalformedJsonException: ", "")
                .replaceFirst(" path \\S*", "").replaceFirst("\\s*See https?://\\S*", "");
        Matcher at = WHERE.matcher(m);
        return m.startsWith("Use JsonReader.setStrictness") ? "not standard JSON" + (at.find() ? " " + at.group() : "") : m;
    }
}
