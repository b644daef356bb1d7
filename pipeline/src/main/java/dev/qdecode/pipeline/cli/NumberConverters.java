package dev.qdecode.pipeline.cli;

import dev.qdecode.tokenizer.Decimals;
import java.math.BigDecimal;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * How every number option of the CLI is read: one set of converters for {@code int}, {@code long},
 * {@code double} and {@code float} (and their boxed types), registered on the root command line, which
 * picocli applies to every subcommand, {@code @}-file options included. picocli's own said only
 * {@code 'x' is not an int}; these say what was expected, as every other bad-input message does:
 * <ul>
 *   <li>{@code Invalid value for option '--episodes': 'x' is not a whole number (expected a whole number,
 *       e.g. 6000)}</li>
 *   <li>{@code Invalid value for option '--temperature': '1,5' is not a number (expected a number such as
 *       1.0, 3 or 1e-4)}</li>
 * </ul>
 * The example is the option's default value where it is one of the kind expected (see
 * {@link #withExample}), else a generic one. A whole number is ASCII digits with an optional sign (not
 * {@code 1e3}, {@code 5.0}, {@code 0x10} or blanks), within the type's range; a decimal number is what
 * {@link Decimals#isDecimal} accepts, finite once read (not {@code NaN}, {@code Infinity},
 * {@code 1e400}, nor Java's {@code 1d}, {@code 2f}, {@code 0x1p-3}). Range checks of each option (e.g.
 * a positive count) stay with the command.
 */
final class NumberConverters {
    /** What the CLI reads as a whole number: ASCII digits with an optional sign (also each item of a comma list). */
    static final Pattern WHOLE = Pattern.compile("[+-]?[0-9]+");
    private static final String WHOLE_EXAMPLE = "100";
    private static final String DECIMAL_EXAMPLE = "0.5";
    /** After a decimal option's example: the other spellings it reads (no point, an exponent). */
    private static final String OTHER_SPELLINGS = ", 3 or 1e-4";
    /** What a decimal option expects; {@link Refusal#withExample} adds examples of each spelling. */
    private static final String NUMBER = "a number";

    private NumberConverters() {}

    /**
     * A value that is not a number of the kind expected. Its message reads e.g. {@code 'x' is not a
     * whole number (expected a whole number)}; {@link #withExample} adds an example to the parenthesis.
     */
    static final class Refusal extends CommandLine.TypeConversionException {
        private static final long serialVersionUID = 1L;
        /** What is wrong with the value, e.g. {@code 'x' is not a whole number}. */
        private final String problem;
        /** What was expected, e.g. {@code a whole number}. */
        private final String expected;
        /** Whether a whole number was expected (else a decimal one). */
        private final boolean whole;

        Refusal(String problem, String expected, boolean whole) {
            super(problem + " (expected " + expected + (whole ? "" : " such as " + DECIMAL_EXAMPLE + OTHER_SPELLINGS)
                    + ")");
            this.problem = problem;
            this.expected = expected;
            this.whole = whole;
        }

        /**
         * The message with an example of a value that is read; a decimal one's also shows the other
         * spellings read (a whole number, an exponent), as {@code 1} and {@code 1e-4} are read too.
         *
         * @param example the example, e.g. {@code 6000} or {@code 0.001}
         * @return e.g. {@code 'x' is not a whole number (expected a whole number, e.g. 6000)} or
         *     {@code 'x' is not a number (expected a number such as 0.001, 3 or 1e-4)}
         */
        String withExample(String example) {
            if (!whole) {
                return problem + " (expected " + expected + " such as "
                        + (example.equals("3") ? DECIMAL_EXAMPLE : example) + OTHER_SPELLINGS + ")";
            }
            return problem + " (expected " + expected + ", e.g. " + example + ")";
        }
    }

    /**
     * Registers the converters on a command line (picocli hands them down to its subcommands, also
     * those added later).
     *
     * @param cl the root command line
     */
    static void register(CommandLine cl) {
        cl.registerConverter(Integer.class, NumberConverters::toInt);
        cl.registerConverter(int.class, NumberConverters::toInt);
        cl.registerConverter(Long.class, NumberConverters::toLong);
        cl.registerConverter(long.class, NumberConverters::toLong);
        cl.registerConverter(Double.class, NumberConverters::toDouble);
        cl.registerConverter(double.class, NumberConverters::toDouble);
        cl.registerConverter(Float.class, NumberConverters::toFloat);
        cl.registerConverter(float.class, NumberConverters::toFloat);
    }

    /**
     * Reads a whole number that fits an int.
     *
     * @param s the text
     * @return the number
     * @throws Refusal when it is not such a number
     */
    static int toInt(String s) {
        return (int) whole(s, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Reads a whole number that fits a long.
     *
     * @param s the text
     * @return the number
     * @throws Refusal when it is not such a number
     */
    static long toLong(String s) {
        return whole(s, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Reads a finite decimal number.
     *
     * @param s the text
     * @return the number
     * @throws Refusal when it is not such a number
     */
    static double toDouble(String s) {
        return decimal(s, Double.parseDouble(checkDecimal(s)));
    }

    /**
     * Reads a finite decimal number that fits a float.
     *
     * @param s the text
     * @return the number
     * @throws Refusal when it is not such a number
     */
    static float toFloat(String s) {
        return (float) decimal(s, Float.parseFloat(checkDecimal(s)));
    }

    private static long whole(String s, long min, long max) {
        if (!WHOLE.matcher(s).matches()) {
            throw new Refusal("'" + s + "' is not a whole number", "a whole number", true);
        }
        BigDecimal v = new BigDecimal(s);
        // the side it is out on: every such option takes small positive values, so "from -2147483648" for
        // a number too large would suggest a range no option has
        if (v.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new Refusal("'" + s + "' is too large", "a whole number up to " + max, true);
        }
        if (v.compareTo(BigDecimal.valueOf(min)) < 0) {
            throw new Refusal("'" + s + "' is too small", "a whole number from " + min, true);
        }
        return v.longValueExact();
    }

    private static String checkDecimal(String s) {
        if (!Decimals.isDecimal(s)) {
            String problem = s.equals("NaN") || s.matches("[+-]?Infinity")
                    ? "'" + s + "' is not a finite number" : "'" + s + "' is not a number";
            throw new Refusal(problem, NUMBER, false);
        }
        return s;
    }

    private static double decimal(String s, double d) {
        if (!Double.isFinite(d)) { // 1e400: digits, but infinite once read
            throw new Refusal("'" + s + "' is not a finite number", NUMBER, false);
        }
        return d;
    }

    /**
     * The message of a number option's bad value, with an example: the option's default value where it
     * is a positive one of the kind expected (a whole number for a whole one, a number with a point for a
     * decimal one, e.g. {@code 0.0001} for a default of {@code 1.0E-4}; a default of 0 often means "off"),
     * else a generic one ({@code 100}, {@code 0.5}).
     *
     * @param refusal the converter's refusal
     * @param arg the option or parameter whose value it refused, or null
     * @return e.g. {@code 'x' is not a whole number (expected a whole number, e.g. 6000)}
     */
    static String withExample(Refusal refusal, CommandLine.Model.ArgSpec arg) {
        String shown = null;
        try {
            shown = arg == null ? null : arg.defaultValueString();
        } catch (RuntimeException e) {
            shown = null; // a default provider that fails: the generic example
        }
        String example = refusal.whole ? WHOLE_EXAMPLE : DECIMAL_EXAMPLE;
        if (shown != null && refusal.whole && WHOLE.matcher(shown).matches() && new BigDecimal(shown).signum() > 0) {
            example = shown;
        } else if (shown != null && !refusal.whole && Decimals.isDecimal(shown)) {
            String plain = new BigDecimal(shown).toPlainString();
            while (plain.contains(".") && plain.endsWith("0") && !plain.endsWith(".0")) {
                plain = plain.substring(0, plain.length() - 1); // 1.0E-4 reads 0.00010: shown as 0.0001
            }
            if (plain.contains(".") && plain.length() <= 12 && new BigDecimal(plain).signum() > 0) {
                example = plain;
            }
        }
        return refusal.withExample(example);
    }
}
