package dev.qdecode.tokenizer;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One-line errors about JSON text, worded the same for every file qdecode reads: {@code
 * SOURCE:LINE: malformed JSON at column C: WHAT} ({@link #syntaxError}), where WHAT is Gson's
 * message reworded (the first line only, without Gson's exception class name, JSON path or advice and
 * link) and a trailing comma ({@code {"a": 1,}}) is named at the comma, where Gson names the bracket
 * after it. Tokenizer files, {@code config.json} (models module), {@code --config} files and JSON
 * lines data (data module) all build their syntax errors here.
 */
public final class JsonErrors {
    private static final Pattern WHERE = Pattern.compile("at line (\\d+) column (\\d+)");

    private JsonErrors() {}

    /**
     * Rewords a message, keeping Gson's position.
     *
     * @param message the exception's message (not null)
     * @return e.g. {@code expected a key (a string in double quotes) at line 1 column 25}, or {@code
     *     not standard JSON at line 1 column 26}
     * @throws NullPointerException naming {@code message} when it is null
     */
    public static String describe(String message) {
        Objects.requireNonNull(message, "message");
        int[] at = position(oneLine(message));
        return what(message) + (at == null ? "" : " at line " + at[0] + " column " + at[1]);
    }

    /**
     * What a Gson message says was wrong, reworded, without the position.
     *
     * @param message the exception's message (not null)
     * @return e.g. {@code expected a key (a string in double quotes)}, {@code not standard JSON}, or
     *     the message's first line as it is when it is none of Gson's common ones
     * @throws NullPointerException naming {@code message} when it is null
     */
    public static String what(String message) {
        Objects.requireNonNull(message, "message");
        String m = oneLine(message);
        if (m.startsWith("Use JsonReader.setStrictness")) {
            return "not standard JSON";
        }
        Matcher at = WHERE.matcher(m);
        return reword(at.find() ? m.substring(0, at.start()).strip() : m);
    }

    /**
     * The error for JSON text that Gson's {@code JsonParser} could not parse: {@link
     * #syntaxError(String, long, String, int[], String)} with Gson's position and {@link
     * #what(String)}.
     *
     * @param source the file, as the message should name it
     * @param message the exception's message (null when it had none)
     * @param text the JSON text that was parsed (null: no trailing comma is looked for)
     * @return e.g. {@code config.json:3: malformed JSON at column 9: expected a value after ',' but
     *     got ']' on line 4 (trailing comma?)}
     * @throws NullPointerException naming {@code source} when it is null
     */
    public static String syntaxError(String source, String message, String text) {
        Objects.requireNonNull(source, "source");
        if (message == null) {
            return syntaxError(source, 1, null, null, "parse error");
        }
        return syntaxError(source, 1, text, position(oneLine(message)), what(message));
    }

    /**
     * The one line about a syntax error in a JSON file, the same for every kind of file: {@code
     * SOURCE:LINE: malformed JSON at column C: WHAT}, or {@code SOURCE: malformed JSON: WHAT} when the
     * position is not known. A trailing comma where Gson stopped is named at the comma ({@code
     * expected a value after ',' but got ']' (trailing comma?)}) instead of {@code what}.
     *
     * @param source the file, as the message should name it
     * @param firstLine the file's line number of the text's first line: 1 for a whole file, the data
     *     line for one line of JSON lines
     * @param text the JSON text that was parsed (null: no trailing comma is looked for)
     * @param at Gson's {line, column} in {@code text} ({@link #position(String)}), or null
     * @param what what was wrong there, e.g. {@code expected ':' after the key}
     * @return the message
     * @throws NullPointerException naming {@code source} or {@code what} when it is null
     */
    public static String syntaxError(String source, long firstLine, String text, int[] at, String what) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(what, "what");
        TrailingComma comma = text == null || at == null ? null : trailingComma(text, at[0], at[1]);
        if (comma != null) {
            return located(source, firstLine + comma.line() - 1, comma.column(), "malformed JSON", comma.what());
        }
        if (at == null) {
            return source + ": malformed JSON: " + what;
        }
        return located(source, firstLine + at[0] - 1, at[1], "malformed JSON", what);
    }

    /**
     * A problem at a place in a file, in the shape of {@link #syntaxError}'s messages.
     *
     * @param source the file, as the message should name it
     * @param line the line in the file (1-based)
     * @param column the column (1-based)
     * @param problem what is wrong, e.g. {@code malformed JSON}
     * @param detail what was expected there
     * @return {@code SOURCE:LINE: PROBLEM at column C: DETAIL}
     * @throws NullPointerException naming {@code source}, {@code problem} or {@code detail} when it is null
     */
    public static String located(String source, long line, int column, String problem, String detail) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(detail, "detail");
        return source + ":" + line + ": " + problem + " at column " + column + ": " + detail;
    }

    /** The first line of a Gson message, without its exception class name, JSON path and link. */
    private static String oneLine(String message) {
        int nl = message.indexOf('\n');
        String m = nl >= 0 ? message.substring(0, nl) : message;
        return m.replaceFirst("^(com\\.google\\.gson\\.stream\\.MalformedJsonException|java\\.io\\.EOFException): ",
                        "").replaceFirst("( at)? path \\S*", "").replaceFirst("\\s*See https?://\\S*", "");
    }

    /**
     * A trailing comma found where Gson stopped.
     *
     * @param line the comma's line (1-based)
     * @param column the comma's column (1-based)
     * @param what what was expected and found, e.g. {@code expected a value after ',' but got ']'
     *     (trailing comma?)}
     */
    public record TrailingComma(int line, int column, String what) {

        /**
         * Checks that {@code what} is given.
         *
         * @param line see the record description
         * @param column see the record description
         * @param what see the record description
         * @throws NullPointerException naming {@code what} when it is null
         */
        public TrailingComma {
            Objects.requireNonNull(what, "what");
        }
    }

    /**
     * Gson's words for the common syntax errors, as what was expected.
     *
     * @param gson Gson's message without its position (e.g. {@code Expected name})
     * @return the reworded message, or {@code gson} as it is
     * @throws NullPointerException naming {@code gson} when it is null
     */
    public static String reword(String gson) {
        Objects.requireNonNull(gson, "gson");
        return switch (gson.strip()) {
            case "Expected name" -> "expected a key (a string in double quotes)";
            case "Expected ':'" -> "expected ':' after the key";
            case "Expected value" -> "expected a value";
            case "Unterminated object" -> "expected ',' or '}' after the value";
            case "Unterminated array" -> "expected ',' or ']' after the value";
            case "End of input" -> "the text ends before the JSON value is complete";
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
     * @throws NullPointerException naming {@code text} when it is null
     */
    public static TrailingComma trailingComma(String text, int line, int column) {
        Objects.requireNonNull(text, "text");
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
