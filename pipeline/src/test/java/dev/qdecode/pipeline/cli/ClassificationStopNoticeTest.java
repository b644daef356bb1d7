package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.data.ClassificationExample;
import dev.qdecode.pipeline.dqn.ClassificationTrainer;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.TrainListener;
import dev.qdecode.pipeline.dqn.Verbalizer;
import dev.qdecode.pipeline.testing.StandInEncoder;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a stop of {@code train --task classification} says at each moment around its first checkpoint. Before, the
 * notice switched from "holds no run yet" to "continue with --resume" only after the checkpoint's rename, so a
 * signal in between said there was no run though its checkpoint was there; and a {@code train --resume}, whose
 * checkpoint is there throughout, said "holds no run yet (… run the command again …)" until it rewrote it (seen:
 * SIGTERM 2.5 s into 'train --resume --out RUN').
 */
class ClassificationStopNoticeTest {
    /** 1 when the episode's text is its gold label or that label's word (0=bad, 1=good). */
    private static final Reward LABEL = new Reward() {
        @Override
        public String id() {
            return "label-word";
        }

        @Override
        public double[] score(List<Episode> episodes) {
            double[] r = new double[episodes.size()];
            for (int i = 0; i < r.length; i++) {
                String label = String.valueOf(episodes.get(i).label());
                String text = episodes.get(i).text().strip();
                r[i] = text.equals(label) || text.equals(label.equals("1") ? "good" : "bad") ? 1 : 0;
            }
            return r;
        }
    };

    /**
     * The trainer tells its listener before it writes the first checkpoint, while the file is not there yet, so that
     * the notice can switch to words true whether a stop falls before or after the rename; then after it.
     */
    @Test
    void theListenerHearsBeforeTheCheckpointIsWrittenAndAfter(@TempDir Path tmp) {
        List<ClassificationExample> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add(new ClassificationExample(Integer.toString(i), (i % 2 == 0 ? "good " : "bad ") + i,
                    i % 2 == 0 ? "1" : "0"));
        }
        Verbalizer v = Verbalizer.parse("0=bad,1=good");
        Path run = tmp.resolve("run");
        ClassificationTrainer.Setup setup = new ClassificationTrainer.Setup(new ClassificationTrainer.Backbone(null, null,
                null, null, StandInEncoder.lengthAndGood()), v, "{text}", rows, rows, LABEL, run,
                Map.of("task", "classification", "labels", v.toSpec(), "template", "{text}"), null);
        List<String> heard = new ArrayList<>();
        TrainListener l = new TrainListener() {
            @Override
            public void beforeCheckpoint(Path file) {
                heard.add("before " + file.getFileName() + (Files.exists(file) ? " present" : " absent"));
            }

            @Override
            public void onCheckpoint(Path file, long episodesDone) {
                heard.add("after " + file.getFileName() + (Files.exists(file) ? " present" : " absent"));
            }
        };
        DqnConfig cfg = DqnConfig.builder().episodes(8).rolloutEpisodes(4).batchSize(4).updatesPerRollout(1).seed(1)
                .build();
        ClassificationTrainer.run(setup, cfg, l);
        assertEquals(List.of("before checkpoint.qdq absent", "after checkpoint.qdq present"), heard);
    }

    @Test
    void eachNoticeIsTrueWhenItCanBeShown(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        String resume = "continue with: qdecode train --resume --out " + run;
        // a new run, before its checkpoint: nothing to resume
        assertTrue(TaskOptions.startNotice(run, false).startsWith(run + " holds no run yet (nothing to resume: run "
                + "the command again"), TaskOptions.startNotice(run, false));
        // a resumed run: its checkpoint is there before, while and after it is written again
        String resumed = TaskOptions.startNotice(run, true);
        assertTrue(resumed.contains(resume), resumed);
        assertFalse(resumed.contains("holds no run") || resumed.contains("run the command again"), resumed);
        // while the checkpoint is written, the file may be there or not: the notice says what to do in both cases
        String writing = TaskOptions.writingNotice(run, run.resolve("checkpoint.qdq"));
        assertTrue(writing.contains("if " + run.resolve("checkpoint.qdq") + " exists, " + resume + "; if not, run the "
                + "command again"), writing);
        assertTrue(TaskOptions.savedNotice(run).startsWith("the run is saved at its checkpoint, before its head was "
                + "trained: " + resume), TaskOptions.savedNotice(run));
    }
}
