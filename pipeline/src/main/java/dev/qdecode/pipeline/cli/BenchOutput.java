package dev.qdecode.pipeline.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.qdecode.models.train.Safetensors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code --output FILE.json} and {@code --overwrite} of the {@code bench} commands (a picocli mixin): the
 * results, as printed, also as one JSON object, with the machine facts ({@link BenchEnvironment#json}), the
 * options that took effect and the peak resident memory. The file is written once, when every measurement is
 * done, to a temporary file that is then renamed ({@link Safetensors#atomicWrite}): a benchmark stopped before
 * its end (Ctrl-C, SIGTERM, an error) leaves no file, so no partial result is ever read as a complete one, and an
 * older file given with {@code --overwrite} is kept until the new one replaces it whole.
 */
final class BenchOutput {
    @Option(names = "--output", paramLabel = "FILE.json",
            description = "Also write the results as JSON (with the machine facts and the options), once every "
                    + "measurement is done; a benchmark stopped before its end writes nothing.")
    Path output;

    @Option(names = "--overwrite", description = "Replace an existing --output file (default: refuse).")
    boolean overwrite;

    /**
     * Checks {@code --output} before any work: a {@code .json} name, not a directory, in a directory that
     * exists or can be created, not another command's work, and new unless {@code --overwrite}; without
     * {@code --output}, refuses {@code --overwrite}.
     *
     * @param spec the bench command
     * @throws CliException (usage) naming the option, the file and what was expected
     */
    void check(CommandSpec spec) {
        if (output == null) {
            OptionScope.refuse(spec, spec.qualifiedName().replaceFirst("^qdecode ", "") + " without --output",
                    "with --output FILE.json", List.of("--overwrite"));
            return;
        }
        if (Files.isDirectory(output)) {
            throw new CliException("--output " + output + ": is a directory (expected a .json file name)",
                    ExitCodes.USAGE);
        }
        String name = output.getFileName() == null ? "" : output.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".json") || name.length() == ".json".length()) {
            throw new CliException("--output " + output + ": not a .json file name (expected e.g. bench.json)",
                    ExitCodes.USAGE);
        }
        RecordWriter.checkCreatable("--output", output, output.toAbsolutePath().getParent());
        OtherWork.refuseFile("--output", output, spec);
        RecordWriter.checkNew("--output", output, overwrite);
    }

    /**
     * The start of the record: {@code command}, {@code environment} and {@code options} (every option of the
     * command that holds a value, as given or defaulted; {@code --output} and {@code --overwrite} left out).
     *
     * @param spec the bench command
     * @return the object to add the results to
     */
    static JsonObject record(CommandSpec spec) {
        JsonObject o = new JsonObject();
        o.addProperty("command", "qdecode " + spec.qualifiedName().replaceFirst("^qdecode ", ""));
        o.add("environment", BenchEnvironment.json());
        JsonObject options = new JsonObject();
        for (OptionSpec opt : spec.options()) {
            String name = opt.longestName();
            if (opt.usageHelp() || opt.versionHelp() || name.equals("--output") || name.equals("--overwrite")) {
                continue;
            }
            Object value = opt.getValue();
            if (value != null) {
                options.add(name, json(value));
            }
        }
        for (var p : spec.positionalParameters()) {
            Object value = p.getValue();
            if (value != null && !(value instanceof Collection<?> c && c.isEmpty())) {
                options.add(p.paramLabel(), json(value));
            }
        }
        o.add("options", options);
        return o;
    }

    /**
     * Called when the measurements start: Ctrl-C, SIGTERM or SIGHUP from now on print one line and end the process
     * at once with 128 + the signal's number ({@link Interrupts#quitWithNotice}): with {@code --output}, {@code
     * qdecode: interrupted: the benchmark did not finish: no results written to FILE (...)}; without it, {@link
     * #PARTIAL}, which marks the rows printed as the finished part of a benchmark stopped before its end (the table
     * just stopped, with no word on it, and read as a whole result).
     *
     * @param err where the notice goes
     */
    void started(java.io.PrintWriter err) {
        if (output != null) {
            Interrupts.quitWithNotice(err, "the benchmark did not finish: no results written to " + output
                    + (Files.exists(output) ? " (the earlier file is kept)" : "") + "; the rows printed are "
                    + "complete (run it again for the file)");
        } else {
            Interrupts.quitWithNotice(err, PARTIAL);
        }
    }

    /** The notice of a benchmark without {@code --output} stopped before its end (after {@code interrupted: }). */
    static final String PARTIAL = "the benchmark did not finish: partial results: the rows printed are the "
            + "measurements it finished, each complete; the rest was not measured";

    /**
     * Writes the record, with {@code peak_rss_mib} added, when {@code --output} was given; in either case the
     * measurements are over, so {@link #started}'s notice is given back ({@link Interrupts#restoreDefault}).
     *
     * @param record the record ({@link #record} plus the results)
     * @param out where the notice of the file written goes
     * @throws CliException (bad input) naming the file when it cannot be written
     */
    void write(JsonObject record, java.io.PrintWriter out) {
        if (output == null) {
            Interrupts.restoreDefault();
            return;
        }
        record.addProperty("peak_rss_mib", BenchEnvironment.peakRssMiB());
        byte[] bytes = (new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(record) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try {
            Safetensors.atomicWrite(output, os -> os.write(bytes));
        } catch (IOException e) {
            throw new CliException("--output " + output + ": cannot write (" + e.getMessage() + ")");
        } finally {
            Interrupts.restoreDefault();
        }
        out.println("results written to " + output);
        out.flush();
    }

    /** A value as JSON: numbers and booleans as such, lists as arrays, anything else as its text. */
    static JsonElement json(Object value) {
        if (value == null) {
            return JsonNull.INSTANCE;
        }
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        if (value instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (value instanceof Collection<?> c) {
            JsonArray a = new JsonArray();
            for (Object x : c) {
                a.add(json(x));
            }
            return a;
        }
        if (value instanceof double[] d) {
            JsonArray a = new JsonArray();
            for (double x : d) {
                a.add(x);
            }
            return a;
        }
        return new JsonPrimitive(String.valueOf(value));
    }
}
