package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.dqn.DqnConfig;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Each {@code --config} key (a {@link DqnConfig} record component, the name checkpoints and {@code summary.json}
 * record) is set by the {@code train} option of the same name in kebab case ({@code headHidden} by {@code
 * --head-hidden}), except the keys listed in {@link #EXCEPTIONS}, which the README's {@code --config} paragraph
 * names one by one. A new key whose option is spelled otherwise fails here until it is listed and documented.
 */
class ConfigKeyOptionTest {

    /** The keys whose option is not their name in kebab case; the keys cannot be renamed: checkpoints store them. */
    private static final Map<String, String> EXCEPTIONS = Map.of("activation", "--head-activation");

    /** {@code headHidden} → {@code --head-hidden}, {@code tauQ} → {@code --tau-q}. */
    static String kebab(String key) {
        return "--" + key.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void everyKeyIsItsOptionsNameInKebabCaseExceptTheListedOnes() {
        CommandSpec train = Main.commandLine().getSubcommands().get("train").getCommandSpec();
        Map<String, String> pairs = new TreeMap<>();
        Map<String, String> differing = new TreeMap<>();
        List<String> noOption = new ArrayList<>();
        for (RecordComponent c : DqnConfig.class.getRecordComponents()) {
            String key = c.getName();
            String option = DqnConfig.optionOf(key);
            pairs.put(key, option);
            if (option == null || train.findOption(option) == null) {
                noOption.add(key + " -> " + option);
            } else if (!option.equals(kebab(key))) {
                differing.put(key, option);
            }
        }
        assertTrue(pairs.size() > 40 && "--head-hidden".equals(pairs.get("headHidden")), pairs.toString());
        assertEquals(List.of(), noOption, "config keys without a train option");
        assertEquals(new TreeMap<>(EXCEPTIONS), differing, "config keys whose train option is not the key in kebab "
                + "case (all pairs: " + pairs + ")");
    }

    @Test
    void theReadmeNamesEachExceptionWithItsOption() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        for (Map.Entry<String, String> e : EXCEPTIONS.entrySet()) {
            String phrase = "`" + e.getKey() + "`, the key of `" + e.getValue() + "`";
            assertTrue(readme.contains(phrase), "README.md should say " + phrase);
        }
        assertTrue(readme.contains("`headHidden` sets `--head-hidden`"), "README.md's example of the rule");
    }
}
