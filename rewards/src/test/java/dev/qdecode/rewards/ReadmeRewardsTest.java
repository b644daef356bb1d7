package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's table of built-in rewards names every reward that {@code qdecode rewards list} shows, and in its
 * parameters column every parameter of each with the default that list prints, written {@code `name=default`} (an
 * empty default as {@code `name=`}), in the list's order; and it names no reward or parameter that does not exist.
 * The rewards and their parameters come from the providers themselves ({@link Rewards#discover()}, i.e.
 * {@link java.util.ServiceLoader}), not from a list kept here. (The table used to leave some out, e.g.
 * {@code repetition}'s {@code weight} and the {@code target} of {@code vader} and {@code afinn}.)
 */
class ReadmeRewardsTest {
    /** Tests run in the module's directory: the README is one level up. */
    private static final Path README = Path.of("..", "README.md");

    /** A table row of a reward: {@code | `id` | what | parameters |} (cells split at a {@code |} not escaped). */
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z0-9-]+)` \\|.*\\|\\s*$");

    /** A cell boundary: a {@code |} that is not written {@code \|} (Markdown's escape inside a table cell). */
    private static final Pattern CELL = Pattern.compile("(?<!\\\\)\\|");

    /** A parameter in the parameters cell: {@code `name=default`}. */
    private static final Pattern PARAMETER = Pattern.compile("`([a-z][a-z0-9-]*)=([^`]*)`");

    /** The README's "## Rewards" section, up to the next second-level heading. */
    private static String rewardsSection() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Rewards\n");
        assertTrue(start >= 0, "README.md has no '## Rewards' section");
        int end = readme.indexOf("\n## ", start + 1);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** Reward id → the {@code name=default} parameters its table row lists, in order. */
    private static Map<String, List<String>> table(String section) {
        Map<String, List<String>> rows = new TreeMap<>();
        for (String line : section.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String[] cells = CELL.split(line.strip()); // "", " `id` ", " what ", " parameters "
            assertEquals(4, cells.length, "README.md's rewards table: expected 3 cells (id, what, parameters) in "
                    + line);
            List<String> params = new ArrayList<>();
            Matcher p = PARAMETER.matcher(cells[3]);
            while (p.find()) {
                params.add(p.group(1) + "=" + p.group(2));
            }
            assertFalse(rows.containsKey(m.group(1)), "README.md's rewards table has two rows for " + m.group(1));
            rows.put(m.group(1), params);
        }
        return rows;
    }

    @Test
    void everyBuiltInRewardAndParameterIsInTheReadmeWithItsDefault() throws IOException {
        Map<String, List<String>> expected = new TreeMap<>();
        try (Rewards rewards = Rewards.discover()) {
            for (RewardInfo info : rewards.describe()) {
                if (!info.origin().equals("built-in")) {
                    continue;
                }
                List<String> params = new ArrayList<>();
                for (RewardParameter p : info.parameters()) {
                    params.add(p.name() + "=" + p.defaultValue());
                }
                expected.put(info.id(), params);
            }
        }
        assertTrue(expected.containsKey("vader") && expected.get("repetition").contains("weight=1"),
                expected.toString());

        Map<String, List<String>> readme = table(rewardsSection());
        Map<String, String> wrong = new LinkedHashMap<>();
        expected.forEach((id, params) -> {
            List<String> documented = readme.get(id);
            if (documented == null) {
                wrong.put(id, "no row; expected parameters " + params);
            } else if (!documented.equals(params)) {
                List<String> missing = new ArrayList<>(params);
                missing.removeAll(documented);
                List<String> unknown = new ArrayList<>(documented);
                unknown.removeAll(params);
                wrong.put(id, "missing " + missing + ", not parameters or other defaults " + unknown
                        + (missing.isEmpty() && unknown.isEmpty() ? ", in another order than " + params : ""));
            }
        });
        readme.keySet().stream().filter(id -> !expected.containsKey(id))
                .forEach(id -> wrong.put(id, "a row for a reward that is not built in"));
        assertEquals(Map.of(), wrong, "README.md's rewards table against 'qdecode rewards list' (each parameter as "
                + "`name=default` in the row's last cell)");
    }
}
