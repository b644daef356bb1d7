package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The machine line at the top of every benchmark. */
class BenchEnvironmentTest {

    /** Only the three load averages are shown (/proc/loadavg also holds process counts and the last pid). */
    @Test
    void theLoadIsTheThreeAveragesOnly() {
        String line = BenchEnvironment.describe();
        assertTrue(line.matches(".* \\| load average [0-9.]+ [0-9.]+ [0-9.]+ \\(1/5/15 min\\) \\| java .*"), line);
    }
}
