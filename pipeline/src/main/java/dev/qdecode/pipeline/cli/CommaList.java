package dev.qdecode.pipeline.cli;

import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Checks the raw value of a comma-separated list option ({@code split = ","}, e.g. {@code bench generate
 * --batch-sizes}, {@code bench train --variants}) before picocli splits it: an empty or blank item
 * ({@code 1,,2}, {@code 1,}, {@code ,}, an empty value) is a usage error naming the option, the value and the
 * item, and giving the option's default as an example. picocli's own splitting drops trailing empty items
 * ({@code 1,} read as {@code 1}, {@code ,} as no item at all) and reports a middle one in the element type's
 * words ({@code '' is not an int}), neither of which says what was expected.
 * <p>
 * A list of whole numbers ({@code List<Integer>}, e.g. {@code --batch-sizes}) also has each item read here: one
 * that is not a whole number (or too large for one) is refused the same way, naming the item, where picocli
 * said {@code Invalid value for option '--batch-sizes' (<batchSizes>): 'x' is not an int}. Every such list of
 * the CLI holds sizes, so the message expects positive whole numbers (the command checks the range itself).
 * <p>
 * Every {@code split = ","} option of the CLI names this class as its {@code preprocessor}.
 */
final class CommaList implements CommandLine.IParameterPreprocessor {

    /** Creates the preprocessor (used by picocli). */
    CommaList() {}

    @Override
    public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
        if (!args.isEmpty()) {
            String name = argSpec instanceof OptionSpec o ? o.longestName() : argSpec.paramLabel();
            String problem = problem(args.peek());
            boolean numbers = problem == null && wholeNumbers(argSpec);
            if (numbers) {
                problem = notAWholeNumber(args.peek());
            }
            if (problem != null) {
                String example = argSpec.defaultValue() != null ? ", e.g. " + argSpec.defaultValue() : "";
                throw new CommandLine.ParameterException(commandSpec.commandLine(), name + " "
                        + (args.peek().isEmpty() ? "''" : args.peek()) + ": " + problem + " (expected "
                        + (numbers ? "positive whole numbers separated by commas" : "items separated by commas, "
                        + "none of them empty") + example + ")", argSpec, args.peek());
            }
        }
        return false; // picocli goes on and splits, converts and checks the value as usual
    }

    /** Whether the option's items are read as whole numbers ({@code List<Integer>}). */
    private static boolean wholeNumbers(ArgSpec argSpec) {
        Class<?>[] types = argSpec.auxiliaryTypes();
        return types.length == 1 && (types[0] == Integer.class || types[0] == int.class);
    }

    /**
     * The first item of a comma-separated list of whole numbers that is not one, if any (its items are
     * known not to be empty).
     *
     * @param raw the value as given
     * @return e.g. {@code item 2 of 2, 'x', is not a whole number} or {@code item 1 of 1, '99999999999', is out of
     *     range}, or null when every item is a whole number that fits an int
     */
    static String notAWholeNumber(String raw) {
        String[] items = raw.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String where = "item " + (i + 1) + " of " + items.length + ", '" + items[i] + "', ";
            if (!NumberConverters.WHOLE.matcher(items[i]).matches()) {
                return where + "is not a whole number";
            }
            try {
                Integer.parseInt(items[i]);
            } catch (NumberFormatException e) {
                return where + "is out of range";
            }
        }
        return null;
    }

    /**
     * What is wrong with a comma-separated list value, if anything.
     *
     * @param raw the value as given
     * @return {@code item 2 of 3 is empty} (or {@code is blank}), {@code empty} for an empty value, or null when every item has text
     */
    static String problem(String raw) {
        if (raw.isBlank()) {
            return "empty";
        }
        String[] items = raw.split(",", -1); // -1: trailing empty items are kept, to be refused
        for (int i = 0; i < items.length; i++) {
            if (items[i].isBlank()) {
                return "item " + (i + 1) + " of " + items.length + (items[i].isEmpty() ? " is empty" : " is blank");
            }
        }
        return null;
    }
}
