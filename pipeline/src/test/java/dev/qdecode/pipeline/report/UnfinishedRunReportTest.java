package dev.qdecode.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.TinyVaderFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real run that stopped before its end (as on Ctrl-C: {@code checkpoint.qdq} and
 * {@code metrics.jsonl}, no {@code summary.json}), then of the same run resumed to its end: a tiny
 * DQN run on TinyStories-656K, interrupted after 4 of its 8 episodes.
 */
class UnfinishedRunReportTest {
    private static TinyVaderFixture fixture;
    private static final Map<String, String> PROVENANCE = Map.of("model_dir", "/models/TinyStories-656K",
            "reward", "[\"vader\"]", "seed", "7", "task", "continuation", "qdecode_version", "9.8.7-test");

    @BeforeAll
    static void load() {
        fixture = TinyVaderFixture.open();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    /** An 8-episode run in rounds of 4 on the tiny fixture, evaluated every {@code evalEvery} episodes. */
    private static DqnConfig tinyConfig(int evalEvery) {
        return DqnConfig.builder().episodes(8).rolloutEpisodes(4).maxNewTokens(8).minNewTokens(2).batchSize(8)
                .updatesPerRollout(3).replaySize(1000).headHidden(32).evalEvery(evalEvery).evalSamples(1).seed(7)
                .build();
    }

    private static DqnTrainer.Setup setup(Path dir) {
        return fixture.setup(dir, PROVENANCE);
    }

    @Test
    void anInterruptedRunShowsItsCheckpointsSettingsAndHowToContinue(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("my run");
        DqnConfig cfg = tinyConfig(4);
        try (DqnTrainer t = DqnTrainer.create(setup(run), cfg, null)) {
            assertNull(t.run(4)); // stopped as Ctrl-C stops it: a checkpoint, no summary
        }
        assertTrue(Files.exists(run.resolve("checkpoint.qdq")));
        assertFalse(Files.exists(run.resolve("summary.json")));

        RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        String html = Files.readString(run.resolve("report/report.html"));
        // unfinished, how far, and the command that continues it (quoted: the path has a space)
        assertTrue(html.contains("<span class=\"chip\">status: <b>unfinished, 4 of 8 episodes</b></span>"), html);
        assertTrue(html.contains("4 of 8 episodes done"), html);
        assertTrue(html.contains("<code>qdecode train --resume --out &#39;" + run.toAbsolutePath().normalize()
                + "&#39;</code>"), html);
        // the checkpoint's configuration and provenance
        assertTrue(html.contains("<h2 id=\"settings\">Configuration and provenance</h2>"), html);
        assertTrue(html.contains("From the run's checkpoint.qdq"), html);
        assertTrue(html.contains("<div><code>episodes</code><span>8</span></div>"), html);
        assertTrue(html.contains("<div><code>headHidden</code><span>32</span></div>"), html);
        for (Map.Entry<String, String> e : PROVENANCE.entrySet()) {
            // the recorded reward (a JSON array of specs) as every command shows it, the specs joined by " + "
            String shown = e.getKey().equals("reward") ? RunData.rewardText(e.getValue()) : e.getValue();
            assertTrue(html.contains("<tr><td>" + e.getKey() + "</td><td>" + Html.esc(shown) + "</td></tr>"),
                    e.getKey() + " in " + html);
        }
        assertTrue(html.contains("<tr><td>reward</td><td>vader</td></tr>"), html);
        assertTrue(html.contains("<span class=\"chip\">reward: <b>vader</b></span>"), html);
        assertTrue(html.contains("<span class=\"chip\">model: <b>TinyStories-656K</b></span>"), html);
        assertTrue(html.contains("<span class=\"chip\">version: <b>9.8.7-test</b></span>"), html);
        assertTrue(html.contains("from metrics.jsonl and checkpoint.qdq."), html);
        // no base model was recorded, so no dashed lines are promised
        assertFalse(html.toLowerCase().contains("dashed"), html);
        assertFalse(html.contains("base model and trained policy side by side"), html);
        assertEquals("continuation", RunData.read(run, "r").task());

        // a checkpoint that cannot be read does not stop the report, which says why
        Path damaged = Files.createDirectories(tmp.resolve("damaged"));
        Files.copy(run.resolve("metrics.jsonl"), damaged.resolve("metrics.jsonl"));
        Files.writeString(damaged.resolve("checkpoint.qdq"), "not a checkpoint");
        RunReport.write(damaged, List.of(), RunReport.defaultOutDir(damaged));
        String bad = Files.readString(damaged.resolve("report/report.html"));
        assertTrue(bad.contains("Its checkpoint.qdq could not be read: " + damaged.resolve("checkpoint.qdq")), bad);
        assertFalse(bad.contains("Configuration and provenance"), bad);

        // resumed to its end: the summary's base vs trained, and the dashed base lines, replace all that
        try (DqnTrainer t = DqnTrainer.resume(setup(run), null)) {
            assertNotNull(t.run(Long.MAX_VALUE));
        }
        RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        html = Files.readString(run.resolve("report/report.html"));
        assertTrue(html.contains("Summary: base vs trained"), html);
        assertTrue(html.contains("dashed lines: the base model."), html);
        assertFalse(html.contains("unfinished") || html.contains("--resume"), html);
        assertTrue(html.contains("<tr><td>qdecode_version</td><td>9.8.7-test</td></tr>"), html);
    }

    @Test
    void aRunStoppedBeforeItsFirstEvaluationIsReportedFromItsCheckpoint(@TempDir Path tmp) throws IOException {
        // evaluated only at the end: stopped after 4 of 8 episodes, it has a checkpoint and no metrics.jsonl (a
        // default run stopped in its first 1,000 episodes is the same); the report said "not a run directory"
        Path run = tmp.resolve("early");
        DqnConfig cfg = tinyConfig(0);
        try (DqnTrainer t = DqnTrainer.create(setup(run), cfg, null)) {
            assertNull(t.run(4));
        }
        assertTrue(Files.exists(run.resolve("checkpoint.qdq")));
        assertFalse(Files.exists(run.resolve("metrics.jsonl")));

        List<Path> written = RunReport.write(run, List.of(), RunReport.defaultOutDir(run));
        assertEquals(1, written.size()); // the page, no charts
        String html = Files.readString(run.resolve("report/report.html"));
        assertTrue(html.contains("<span class=\"chip\">status: <b>unfinished, 4 of 8 episodes</b></span>"), html);
        assertTrue(html.contains("no evaluation was logged yet (metrics.jsonl has none), so there are no charts."),
                html);
        assertTrue(html.contains("<code>qdecode train --resume --out " + run.toAbsolutePath().normalize() + "</code>"),
                html);
        assertTrue(html.contains("<div><code>evalEvery</code><span>0</span></div>"), html);
        assertTrue(html.contains("Generated by <code>qdecode report</code> from checkpoint.qdq."), html);
        assertEquals("continuation", RunData.read(run, "r").task());
        // a directory with neither is still not a run
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RunReport.write(empty, List.of(), RunReport.defaultOutDir(empty)));
        assertEquals(empty + ": not a run directory (no metrics.jsonl; expected the output directory of qdecode "
                + "train or qdecode sft, which holds metrics.jsonl)", e.getMessage());
    }
}
