package dev.qdecode.rewards.classifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shared across the test classes of one JVM: a real SST-2 subset, one open quantized MiniLM encoder,
 * an embedding cache under target/, and one logistic classifier trained on the subset and saved.
 * Embedding and training once keeps the suite short.
 */
final class Sst2Fixture {
    /** Training rows taken from the top of SST-2 train.tsv. */
    static final int TRAIN_ROWS = 2000;
    /** Evaluation rows taken from the top of SST-2 dev.tsv. */
    static final int DEV_ROWS = 200;

    private static LabeledTsv train;
    private static LabeledTsv dev;
    private static SentenceEncoder encoder;
    private static EmbeddingCache cache;
    private static TextClassifier classifier;
    private static Path savedDir;

    private Sst2Fixture() {}

    static synchronized LabeledTsv train() {
        if (train == null) {
            train = LabeledTsv.read(LabeledTsv.shared().resolve("data/sst2/train.tsv"), TRAIN_ROWS);
        }
        return train;
    }

    static synchronized LabeledTsv dev() {
        if (dev == null) {
            dev = LabeledTsv.read(LabeledTsv.shared().resolve("data/sst2/dev.tsv"), DEV_ROWS);
        }
        return dev;
    }

    static synchronized SentenceEncoder encoder() {
        if (encoder == null) {
            encoder = new MemoEncoder(SentenceEncoders.open("minilm-q"));
            Runtime.getRuntime().addShutdownHook(new Thread(encoder::close));
        }
        return encoder;
    }

    static synchronized EmbeddingCache cache() {
        if (cache == null) {
            // Under target/: a fresh checkout embeds the subset once, later runs read it back.
            cache = new EmbeddingCache(Path.of("target", "test-embedding-cache"));
        }
        return cache;
    }

    /** The logistic config for the subset: l2 = 1 / n (scikit-learn's C = 1), small batches. */
    static ClassifierConfig config() {
        return ClassifierConfig.logistic().withL2(1.0 / TRAIN_ROWS).withBatchSize(256).withMaxEpochs(15);
    }

    /** The logistic classifier trained on the subset (validation 10% of its full sentences, then refit). */
    static synchronized TextClassifier classifier() {
        if (classifier == null) {
            classifier = TextClassifier.train(encoder(), train().texts(), train().labels(),
                    config(), cache());
        }
        return classifier;
    }

    /** {@link #classifier()} saved to a temp directory. */
    static synchronized Path savedDir() {
        if (savedDir == null) {
            savedDir = tempDir("qdecode-clf").resolve("sst2-subset");
            classifier().save(savedDir);
        }
        return savedDir;
    }

    private static Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
