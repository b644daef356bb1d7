package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.data.Datasets;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    /**
     * The files a reward reads from a path given to it are recorded with their sha256 (reward_files_sha256), so
     * the run says which classifier or lexicon, byte for byte, scored it; a run whose rewards read none records
     * nothing.
     */
    @Test
    void theRewardsFilesAreRecordedWithTheirSha256(@TempDir Path tmp) {
        Path lexicon = CliRunner.shared().resolve("data/lexicons/afinn-165.tsv").toAbsolutePath().normalize();
        Path run = CliRunner.tinyRun(tmp.resolve("run"), "--reward", "afinn:lexicon=" + lexicon, "--reward",
                "0.1*length:min=2");
        assertEquals(Map.of(lexicon.toString(), Datasets.sha256(lexicon)), new com.google.gson.Gson().fromJson(
                DqnTrainer.checkpointHeader(run).get("reward_files_sha256"), Map.class));
        Path plain = CliRunner.tinyRun(tmp.resolve("plain"), "--reward", "afinn");
        assertFalse(DqnTrainer.checkpointHeader(plain).containsKey("reward_files_sha256"));
    }
}
