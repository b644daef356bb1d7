package dev.qdecode.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gson's parse-error messages, reworded for a one-line error about a JSON file (tokenizer files
 * here, {@code config.json} in the models module): the first line only, without Gson's exception
 * class name, JSON path or advice and link, keeping what was wrong and where; given the text, a
 * trailing comma ({@code {"a": 1,}}) is named at the comma, where Gson names the bracket after it.
 * The data module uses the same pieces ({@link #position}, {@link #trailingComma}, {@link #reword}) for
 * {@code --config} files and JSON lines.
 */
public final class JsonErrors {
    private static final Pattern WHERE = Pattern.compile("at line (\\d+) column (\\d+)");

    private JsonErrors() {}

    /**
     * Rewords a message.
     *
     * @param message the exception's message (not null)
     * @return e.g. {@code expected a key (a string in double quotes) at line 1 column 25}, or {@code
     *     not standard JSON at line 1 column 26}
     */
    public static String describe(String message) {
        int nl = message.indexOf('\n');
        String m = nl >= 0 ? message.substring(0, nl) : message;
        m = m.replaceFirst("^com\\.google\\.gson\\.stream\\.MalformedJsonException: ", "")
                .replaceFirst(" path \\S*", "").replaceFirst("\\s*See https?://\\S*", "");
        Matcher at = WHERE.matcher(m);
        if (m.startsWith("Use JsonReader.setStrictness")) {
            return "not standard JSON" + (at.find() ? " " + at.group() : "");
        }
        if (at.find()) {
            String what = m.substring(0, at.start()).strip();
            return reword(what) + " " + m.substring(at.start());
        }
        return m;
    }

    /**
     * Rewords a message about {@code text}, naming a trailing comma where Gson stopped at one.
     *
     * @param message the exception's message (not null)
     * @param text the JSON text that was parsed
     * @return e.g. {@code expected a value after the ',' at line 3 column 9 but got ']' on line 4
     *     (trailing comma?)}, or {@link #describe(String)}'s wording
     */
    public static String describe(String message, String text) {
        int[] at = position(message);
        if (text != null && at != null) {
            TrailingComma comma = trailingComma(text, at[0], at[1]);
            if (comma != null) {
                return comma.what().replace("after ','", "after the ',' at line " + comma.line() + " column "
                        + comma.column());
            }
        }
        return describe(message);
    }

    /**
     * A trailing comma found where Gson stopped.
     *
     * @param line the comma's line (1-based)
     * @param column the comma's column (1-based)
     * @param what what was expected and found, e.g. {@code expected a value after ',' but got ']'
     *     (trailing comma?)}
     */
    public record TrailingComma(int line, int column, String what) {}

    /**
     * Gson's words for the common syntax errors, as what was expected.
     *
     * @param gson Gson's message without its position (e.g. {@code Expected name})
     * @return the reworded message, or {@code gson} as it is
     */
    public static String reword(String gson) {
        return switch (gson.strip()) {
            case "Expected name" -> "expected a key (a string in double quotes)";
            case "Expected ':'" -> "expected ':' after the key";
            case "Expected value" -> "expected a value";
            case "Unterminated object" -> "expected ',' or '}' after the value";
            case "Unterminated array" -> "expected ',' or ']' after the value";
            default -> gson;
        };
    }

    /**
     * Gson's line and column in a message or a reader's description.
     *
     * @param s the text holding {@code at line L column C} (may be null)
     * @return {line, column}, or null when there is none
     */
    public static int[] position(String s) {
        Matcher m = WHERE.matcher(s == null ? "" : s);
        return m.find() ? new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))} : null;
    }

    /**
     * The trailing comma that made Gson stop at {@code line}, {@code column} (Gson's position: the
     * column just after the character it read last), if that is what it stopped at.
     *
     * @param text the JSON text
     * @param line Gson's line (1-based)
     * @param column Gson's column (1-based)
     * @return the comma, or null when the error is something else
     */
    public static TrailingComma trailingComma(String text, int line, int column) {
        int end = offset(text, line, column);
        int ln = 1;
        int lineStart = 0;
        boolean inString = false;
        boolean afterComma = false;
        int commaLine = 0;
        int commaColumn = 0;
        char beforeComma = 0;
        char last = 0;
        int depth = 0;
        int commaDepth = 0;
        for (int i = 0; i < Math.min(text.length(), end + 1); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                ln++;
                lineStart = i + 1;
            }
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                    last = '"';
                }
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                continue;
            }
            // a comma after a value (not after '{', '[', ':' or another comma), then the closing
            // bracket where Gson stopped (the character before its position)
            // ... inside an open object or array (a comma after the whole value is trailing text)
            if ((c == '}' || c == ']') && afterComma && commaDepth > 0 && "{[:,".indexOf(beforeComma) < 0
                    && i >= end - 2) {
                return new TrailingComma(commaLine, commaColumn, "expected " + (c == '}' ? "a key" : "a value")
                        + " after ',' but got '" + c + "'" + (ln != commaLine ? " on line " + ln : "")
                        + " (trailing comma?)");
            }
            depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
            afterComma = c == ',';
            if (afterComma) {
                commaLine = ln;
                commaColumn = i - lineStart + 1;
                commaDepth = depth;
                beforeComma = last;
            }
            inString = c == '"';
            last = c;
        }
        return null;
    }

    /** The index in {@code text} of Gson's line and column (the character after the one it read last). */
    private static int offset(String text, int line, int column) {
        int start = 0;
        for (int l = 1; l < line; l++) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return text.length();
            }
            start = nl + 1;
        }
        return Math.min(text.length(), start + Math.max(0, column - 1));
    }
}
