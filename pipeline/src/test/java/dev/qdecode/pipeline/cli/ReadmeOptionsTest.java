package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The README documents every command and every option that {@code --help} lists, and names no option that no
 * command has: a new user reading the README should find each option there, and each one the README names should
 * exist. (39 options of train, sft, evaluate, classifier, tokenizer, rewards score and bench were in {@code --help}
 * only.)
 */
class ReadmeOptionsTest {

    /** Spelled like an option in the README but not one of qdecode's: javac's, in the plug-in example. */
    private static final Set<String> NOT_QDECODE = Set.of("--release");

    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    private static String readme() throws IOException {
        Path here = Path.of("").toAbsolutePath();
        Path file = Files.isRegularFile(here.resolve("README.md")) ? here.resolve("README.md")
                : here.resolve("../README.md").normalize();
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private static void collect(CommandLine cl, TreeMap<String, Set<String>> options, List<String> commands) {
        String name = cl.getCommandSpec().qualifiedName(" ").replaceFirst("^qdecode ?", "");
        if (!name.isEmpty()) {
            commands.add(name);
        }
        for (OptionSpec o : cl.getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--") && !n.equals("--help") && !n.equals("--version")) {
                    options.computeIfAbsent(n, k -> new TreeSet<>()).add(name);
                }
            }
        }
        for (CommandLine sub : new LinkedHashSet<>(cl.getSubcommands().values())) {
            if (!sub.getCommandName().equals("help")) {
                collect(sub, options, commands);
            }
        }
    }

    @Test
    void everyOptionOfHelpIsInTheReadmeAndEveryReadmeOptionExists() throws IOException {
        String readme = readme();
        TreeMap<String, Set<String>> options = new TreeMap<>();
        List<String> commands = new ArrayList<>();
        collect(Main.commandLine(), options, commands);
        assertTrue(options.containsKey("--episodes") && commands.contains("bench train"), commands.toString());

        Set<String> inReadme = new TreeSet<>();
        Matcher m = OPTION.matcher(readme);
        while (m.find()) {
            inReadme.add(m.group());
        }
        List<String> undocumented = new ArrayList<>();
        options.forEach((option, of) -> {
            if (!inReadme.contains(option)) {
                undocumented.add(option + " " + of);
            }
        });
        assertEquals(List.of(), undocumented, "options in --help that README.md never names");

        Set<String> unknown = new TreeSet<>(inReadme);
        unknown.removeAll(options.keySet());
        unknown.removeAll(Set.of("--help", "--version"));
        unknown.removeAll(NOT_QDECODE);
        assertEquals(Set.of(), unknown, "options README.md names that no qdecode command has");

        List<String> missing = new ArrayList<>();
        for (String c : commands) {
            if (!readme.contains("qdecode " + c) && !readme.contains("`" + c)) {
                missing.add(c);
            }
        }
        assertEquals(List.of(), missing, "commands README.md never names");
    }
}
