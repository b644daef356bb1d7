package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} records its reward so that {@code train --resume} and {@code evaluate --policy} (without
 * {@code --reward}) create it again, from whatever directory they run in: a relative {@code classifier:model=} or
 * {@code lexicon=} path is recorded absolute, or those commands would read another directory's classifier, or none
 * ({@code /elsewhere/runs/sst2-clf does not exist}).
 */
class RecordedRewardPathTest {
    @Test
    void aRelativeRewardPathIsRecordedAbsolute(@TempDir Path tmp) {
        Path lexicon = CliRunner.shared().resolve("data/lexicons/afinn-165.tsv").toAbsolutePath().normalize();
        String relative = Path.of("").toAbsolutePath().relativize(lexicon).toString();
        assertTrue(!Path.of(relative).isAbsolute(), relative);
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "0.5*afinn:lexicon=" + relative + ",normalise=true");
        String recorded = DqnTrainer.checkpointHeader(run).get("reward");
        assertEquals(List.of("0.5*afinn:lexicon=" + lexicon + ",normalise=true"), DqnCli.rewardsOf(recorded));
    }
}
