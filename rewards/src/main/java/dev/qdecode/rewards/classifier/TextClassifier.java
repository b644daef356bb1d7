package dev.qdecode.rewards.classifier;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import dev.qdecode.models.FileChecksums;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A text classifier: a frozen {@link SentenceEncoder} followed by a small trained head (logistic
 * regression or an MLP, see {@link ClassifierConfig}).
 *
 * <p>Training holds out whole sentences for early stopping: a text that is a token span of a
 * held-out sentence is dropped from training too, so that datasets of parse-tree phrases such as
 * SST-2 do not leak validation sentences into training (a random split of SST-2 train overstates
 * accuracy by about 0.15 for an MLP). The held-out run's metrics are recorded as {@code
 * "validation"}; with {@link ClassifierConfig#refit()} the saved head is then retrained on all
 * examples for the best epoch count. Labels are ordered numerically when they are all integers,
 * else lexicographically.
 *
 * <p>A saved classifier is a directory with {@code head.safetensors} (the weights) and {@code
 * classifier.json} (encoder id and, for an encoder loaded from a model directory, the SHA-256 of its
 * files, labels, head shape, the training config, the SHA-256 of the training texts, for a MiniLM encoder the
 * ONNX Runtime thread count that computed the training embeddings ({@code training.encoderThreads}, as {@link
 * EmbeddingCache#threadsOf} records it) and, when given,
 * the training and dev data files ({@link DataSource}), training and evaluation metrics, the qdecode
 * version and a timestamp), and, written last, {@value dev.qdecode.models.FileChecksums#FILE} with the size and
 * SHA-256 of both ({@link FileChecksums}). Loading checks those before it reads either file and refuses a
 * changed, cut-short, replaced or missing one in one line naming it and ending with {@link #DAMAGED}; a
 * classifier saved before checksums were recorded (no {@code "checksums"} in its classifier.json) loads
 * with a one-line warning. Loading also refuses a head file that is not a file name in the directory, a
 * head whose number of outputs is not the number of labels, and an encoder whose files' SHA-256 differs
 * from the recorded one (the head was trained on other embeddings). Inference runs the head in plain Java,
 * so a classifier needs no native engine beyond its encoder. Instances are immutable apart from {@link
 * #close()}.
 */
public final class TextClassifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TextClassifier.class);
    /** The name of the metadata file in a saved classifier directory. */
    public static final String METADATA_FILE = "classifier.json";
    /** The name of the weights file in a saved classifier directory. */
    public static final String WEIGHTS_FILE = "head.safetensors";
    /**
     * What the message refusing a classifier whose files changed since {@code classifier train} wrote them ends
     * with: what was expected and what to do.
     */
    public static final String DAMAGED = "expected the files qdecode classifier train wrote; the classifier was "
            + "changed or damaged since: restore it, or train it again";
    /** The files a saved classifier's {@value dev.qdecode.models.FileChecksums#FILE} records. */
    private static final List<String> RECORDED = List.of(METADATA_FILE, WEIGHTS_FILE);
    /** Directories whose missing checksums were already warned about (once per directory per process). */
    private static final java.util.Set<Path> WARNED_UNCHECKED = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final String FORMAT = "qdecode-classifier";
    private static final int FORMAT_VERSION = 1;

    /** The key of a thread count in {@code classifier.json}'s {@code training} and {@code metrics.SPLIT}. */
    private static final String ENCODER_THREADS = "encoderThreads";
    private final SentenceEncoder encoder;
    private final boolean ownsEncoder;
    private final List<String> labels;
    private final Head head;
    private final ClassifierConfig config;
    private final JsonObject training;
    private final String dataSha256;
    private final Map<String, Evaluation> metrics;
    /**
     * The encoder thread count that computed the embeddings of a split's metrics, by split (see {@link
     * #withMetrics(String, Evaluation, String)}).
     */
    private final Map<String, String> metricsThreads;
    private final String createdAt;
    private final String encoderSha256;
    private final DataSource data;
    private final DataSource dev;

    /**
     * Where a classifier's training or dev examples came from, as recorded in {@code classifier.json}
     * under {@code "data"} and {@code "dev"}.
     *
     * @param path the file, as given
     * @param sha256 the SHA-256 of the whole file (64 lowercase hex digits)
     * @param limit how many of its first examples were read; 0 for all
     * @param examples how many examples were read
     * @param textColumn the column of the texts
     * @param labelColumn the column of the labels
     */
    public record DataSource(String path, String sha256, int limit, int examples, String textColumn,
            String labelColumn) {
        /**
         * Validates the fields.
         *
         * @param path the file, as given
         * @param sha256 the SHA-256 of the whole file
         * @param limit how many of its first examples were read; 0 for all
         * @param examples how many examples were read
         * @param textColumn the column of the texts
         * @param labelColumn the column of the labels
         * @throws IllegalArgumentException when the hash is not 64 lowercase hex digits or a count is
         *     negative
         * @throws NullPointerException naming {@code path}, {@code sha256}, {@code textColumn} or {@code
         *     labelColumn} when it is null
         */
        public DataSource {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(textColumn, "textColumn");
            Objects.requireNonNull(labelColumn, "labelColumn");
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 '" + sha256 + "': expected 64 lowercase hex digits");
            }
            if (limit < 0 || examples < 0) {
                throw new IllegalArgumentException("limit " + limit + ", examples " + examples
                        + ": expected counts >= 0");
            }
        }

        private JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("path", path);
            o.addProperty("sha256", sha256);
            o.addProperty("limit", limit);
            o.addProperty("examples", examples);
            o.addProperty("textColumn", textColumn);
            o.addProperty("labelColumn", labelColumn);
            return o;
        }
    }

    private TextClassifier(SentenceEncoder encoder, boolean ownsEncoder, List<String> labels, Head head,
            ClassifierConfig config, JsonObject training, String dataSha256, Map<String, Evaluation> metrics,
            Map<String, String> metricsThreads, String createdAt, String encoderSha256, DataSource data,
            DataSource dev) {
        this.encoder = encoder;
        this.ownsEncoder = ownsEncoder;
        this.labels = List.copyOf(labels);
        this.head = head;
        this.config = config;
        this.training = training;
        this.dataSha256 = dataSha256;
        this.metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        this.metricsThreads = Collections.unmodifiableMap(new LinkedHashMap<>(metricsThreads));
        this.createdAt = createdAt;
        this.encoderSha256 = encoderSha256;
        this.data = data;
        this.dev = dev;
    }

    /** A copy sharing the encoder (not owned) and weights, with other provenance. */
    private TextClassifier copy(String dataSha256, Map<String, Evaluation> metrics, DataSource data,
            DataSource dev) {
        return copy(dataSha256, metrics, metricsThreads, data, dev);
    }

    /** As {@link #copy(String, Map, DataSource, DataSource)}, with the thread counts of the metrics given. */
    private TextClassifier copy(String dataSha256, Map<String, Evaluation> metrics, Map<String, String> threads,
            DataSource data, DataSource dev) {
        return new TextClassifier(encoder, false, labels, head, config, training, dataSha256, metrics, threads,
                createdAt, encoderSha256, data, dev);
    }

    /**
     * Trains a classifier, embedding the texts with the encoder.
     *
     * @param encoder the sentence encoder (not closed by the classifier)
     * @param texts the training texts
     * @param labels one label per text (at least two distinct labels)
     * @param config the training settings
     * @return the trained classifier, with its validation metrics under {@code "validation"}
     * @throws IllegalArgumentException when the inputs do not fit together
     * @throws NullPointerException naming {@code encoder}, {@code texts}, {@code labels} or {@code config} when
     *     it is null
     */
    public static TextClassifier train(
            SentenceEncoder encoder, List<String> texts, List<String> labels, ClassifierConfig config) {
        return train(encoder, texts, labels, config, null);
    }

    /**
     * Trains a classifier, reading the training embeddings from a cache when it has them.
     *
     * @param encoder the sentence encoder (not closed by the classifier)
     * @param texts the training texts
     * @param labels one label per text (at least two distinct labels)
     * @param config the training settings
     * @param cache where to keep the training embeddings, or null to always embed
     * @return the trained classifier, with its validation metrics under {@code "validation"}
     * @throws IllegalArgumentException when the inputs do not fit together
     * @throws NullPointerException naming {@code encoder}, {@code texts}, {@code labels} or {@code config} when
     *     it is null
     */
    public static TextClassifier train(SentenceEncoder encoder, List<String> texts, List<String> labels,
            ClassifierConfig config, EmbeddingCache cache) {
        return train(encoder, texts, labels, config, cache, done -> { });
    }

    /**
     * As {@link #train(SentenceEncoder, List, List, ClassifierConfig, EmbeddingCache)}, reporting the
     * progress of embedding the training texts (nothing when the cache has them).
     *
     * @param encoder the sentence encoder (not closed by the classifier)
     * @param texts the training texts
     * @param labels one label per text (at least two distinct labels)
     * @param config the training settings
     * @param cache where to keep the training embeddings, or null to always embed
     * @param progress receives the count of training texts embedded so far
     * @return the trained classifier, with its validation metrics under {@code "validation"}
     * @throws IllegalArgumentException when the inputs do not fit together
     * @throws NullPointerException naming {@code encoder}, {@code texts}, {@code labels}, {@code config} or
     *     {@code progress} when it is null
     */
    public static TextClassifier train(SentenceEncoder encoder, List<String> texts, List<String> labels,
            ClassifierConfig config, EmbeddingCache cache, java.util.function.IntConsumer progress) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(progress, "progress");
        if (texts.size() != labels.size()) {
            throw new IllegalArgumentException(
                    "classifier training: " + texts.size() + " texts but " + labels.size() + " labels");
        }
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("classifier training: text " + i + " is null");
            }
            String l = labels.get(i);
            if (l == null || l.isBlank()) {
                throw new IllegalArgumentException("classifier training: label " + i + " is empty");
            }
        }
        List<String> labelList = orderLabels(new TreeSet<>(labels));
        if (labelList.size() < 2) {
            throw new IllegalArgumentException(
                    "classifier training: labels " + labelList + ": expected at least two distinct labels");
        }
        Map<String, Integer> labelIndex = indexOf(labelList);
        int[] y = new int[labels.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labelIndex.get(labels.get(i));
        }
        long t0 = System.nanoTime();
        PhraseSplit split = PhraseSplit.of(texts, config.validationFraction(), config.seed());
        float[][] x = cache == null ? encoder.embed(texts, progress) : cache.embed(encoder, texts, progress);
        long t1 = System.nanoTime();
        HeadTrainer.Result result = HeadTrainer.train(x, y, labelList.size(), split.train(), split.validation(), config);
        Head finalHead = result.head();
        boolean refit = config.refit() && split.validation().length > 0;
        if (refit) {
            int[] all = new int[texts.size()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            finalHead = HeadTrainer.train(x, y, labelList.size(), all, new int[0],
                    config.withMaxEpochs(Math.max(1, result.bestEpoch()))).head();
        }
        long t2 = System.nanoTime();

        JsonObject training = new JsonObject();
        training.addProperty("examples", texts.size());
        training.addProperty("textsSha256", EmbeddingCache.sha256(texts));
        // the count that computed the training embeddings (recorded beside a cached entry), not this job's
        String threads = EmbeddingCache.threadsThatComputed(cache, encoder, texts);
        if (threads != null) {
            training.addProperty(ENCODER_THREADS, threads);
        }
        training.addProperty("distinctSentences", split.roots());
        training.addProperty("trainExamples", split.train().length);
        training.addProperty("validationExamples", split.validation().length);
        training.addProperty("droppedPhrasesOfValidationSentences", split.dropped());
        training.addProperty("bestEpoch", result.bestEpoch());
        training.addProperty("epochsRun", result.epochsRun());
        training.addProperty("refitOnAllExamples", refit);
        if (!Double.isNaN(result.validationLoss())) {
            training.addProperty("validationLoss", result.validationLoss());
        }
        training.addProperty("embedSeconds", (t1 - t0) / 1e9);
        training.addProperty("trainSeconds", (t2 - t1) / 1e9);

        Map<String, Evaluation> metrics = new LinkedHashMap<>();
        if (split.validation().length > 0) {
            float[][] xv = new float[split.validation().length][];
            int[] yv = new int[xv.length];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = x[split.validation()[i]];
                yv[i] = y[split.validation()[i]];
            }
            metrics.put("validation", Evaluation.of(labelList, yv, argMax(result.head().logits(xv))));
        }
        TextClassifier c = new TextClassifier(encoder, false, labelList, finalHead, config, training, null,
                metrics, Map.of(), Instant.now().toString(), encoder.contentSha256(), null, null);
        LOG.info("classifier: {} head on '{}' trained on {} of {} examples ({} held-out sentences, {} phrases of "
                        + "them dropped), best epoch {}/{}{}, {}, {} s",
                config.head().name().toLowerCase(Locale.ROOT), encoder.id(), split.train().length, texts.size(),
                split.validation().length, split.dropped(), result.bestEpoch(), result.epochsRun(),
                refit ? " (then refit on all " + texts.size() + ")" : "", metrics.containsKey("validation") ? "validation " + metrics.get("validation").summary() : "no validation",
                String.format(Locale.ROOT, "%.1f", (t2 - t0) / 1e9));
        return c;
    }

    /**
     * Loads a saved classifier and opens the encoder it names; {@link #close()} closes that encoder.
     *
     * @param dir the directory written by {@link #save(Path)}
     * @return the classifier
     * @throws IllegalArgumentException with one line naming the file and field when the directory is
     *     not a valid saved classifier, or naming the file and ending with {@link #DAMAGED} when a file
     *     differs from its size or sha256 in {@value dev.qdecode.models.FileChecksums#FILE}
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public static TextClassifier load(Path dir) {
        Objects.requireNonNull(dir, "dir");
        return load(dir, SentenceEncoders::open, true);
    }

    /** Where Gson's parse errors say the JSON went wrong. */
    private static final java.util.regex.Pattern JSON_POSITION =
            java.util.regex.Pattern.compile("at line (\\d+) column (\\d+)");

    /**
     * Loads a saved classifier, opening its encoder with {@code opener} once the files are validated.
     *
     * @param dir the classifier directory
     * @param opener opens the encoder named in classifier.json
     * @param owns whether {@link #close()} closes that encoder
     */
    static TextClassifier load(Path dir, java.util.function.Function<String, SentenceEncoder> opener, boolean owns) {
        Loaded l = readMetadata(dir);
        requireEncoderDirectory(l);
        SentenceEncoder enc = opener.apply(l.encoderId);
        try {
            return l.build(enc, owns);
        } catch (RuntimeException e) {
            if (owns) {
                enc.close();
            }
            throw e;
        }
    }

    /**
     * Refuses a classifier whose encoder is a model directory ({@code hf:DIR}) that is gone or is no longer a
     * directory, naming the classifier's file and what to do: the encoder's own message would name only a path the
     * user never gave.
     *
     * @throws IllegalArgumentException naming {@code classifier.json}, the encoder directory and what is expected
     */
    private static void requireEncoderDirectory(Loaded l) {
        if (!l.encoderId.startsWith("hf:")) {
            return; // a built-in encoder, or an id the encoders refuse with their own message
        }
        String dir = l.encoderId.substring(3);
        Path p;
        try {
            p = dir.isEmpty() ? null : Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            p = null;
        }
        if (p == null || !Files.isDirectory(p)) {
            throw new IllegalArgumentException("classifier " + l.file + ": encoder directory " + dir
                    + (p != null && Files.exists(p) ? " is not a directory" : " does not exist")
                    + " (expected the Hugging Face model directory the classifier was trained on: put it back there, "
                    + "or train the classifier again)");
        }
    }

    /**
     * Loads a saved classifier onto an already open encoder (shared, not closed by the classifier).
     *
     * @param dir the directory written by {@link #save(Path)}
     * @param encoder the encoder; its id must be the one the classifier was trained with
     * @return the classifier
     * @throws IllegalArgumentException when the directory is not a valid saved classifier, a file
     *     differs from its record in {@value dev.qdecode.models.FileChecksums#FILE}, or the encoder differs
     * @throws NullPointerException naming {@code dir} or {@code encoder} when it is null
     */
    public static TextClassifier load(Path dir, SentenceEncoder encoder) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(dir, "dir");
        Loaded l = readMetadata(dir);
        if (!l.encoderId.equals(encoder.id())) {
            throw new IllegalArgumentException("classifier " + dir.resolve(METADATA_FILE) + ": trained on encoder '"
                    + l.encoderId + "', given '" + encoder.id() + "'");
        }
        return l.build(encoder, false);
    }

    /**
     * Writes the classifier to a directory (created if needed; existing files are replaced): {@value
     * #WEIGHTS_FILE}, {@value #METADATA_FILE}, then {@value dev.qdecode.models.FileChecksums#FILE} recording
     * the size and SHA-256 of both, which every load checks.
     *
     * @param dir the directory
     * @throws UncheckedIOException when the files cannot be written
     * @throws NullPointerException naming {@code dir} when it is null
     */
    public void save(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir);
            // an earlier classifier's record goes first: until the new one is written, loading refuses the files
            Files.deleteIfExists(dir.resolve(FileChecksums.FILE));
            Path weights = dir.resolve(WEIGHTS_FILE);
            head.write(weights);
            JsonObject root = new JsonObject();
            root.addProperty("format", FORMAT);
            root.addProperty("formatVersion", FORMAT_VERSION);
            root.addProperty("encoder", encoder.id());
            if (encoderSha256 != null) {
                root.addProperty("encoderSha256", encoderSha256);
            }
            root.addProperty("embeddingDim", head.inputDim);
            JsonArray ls = new JsonArray();
            labels.forEach(ls::add);
            root.add("labels", ls);
            JsonObject h = new JsonObject();
            h.addProperty("type", head.type.name().toLowerCase(Locale.ROOT));
            h.addProperty("hidden", head.hidden);
            h.addProperty("file", WEIGHTS_FILE);
            h.addProperty("sha256", sha256(Files.readAllBytes(weights)));
            root.add("head", h);
            root.add("config", configJson(config));
            root.addProperty("seed", config.seed());
            if (dataSha256 != null) {
                root.addProperty("dataSha256", dataSha256);
            }
            if (data != null) {
                root.add("data", data.toJson());
            }
            if (dev != null) {
                root.add("dev", dev.toJson());
            }
            root.add("training", training.deepCopy());
            JsonObject m = new JsonObject();
            metrics.forEach((k, v) -> {
                JsonObject e = evaluationJson(v);
                if (metricsThreads.containsKey(k)) {
                    e.addProperty(ENCODER_THREADS, metricsThreads.get(k));
                }
                m.add(k, e);
            });
            root.add("metrics", m);
            root.addProperty("qdecodeVersion", version());
            root.addProperty("createdAt", createdAt);
            root.addProperty("checksums", FileChecksums.FILE); // a load refuses this classifier without them
            Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
            Files.writeString(dir.resolve(METADATA_FILE), gson.toJson(root) + "\n", StandardCharsets.UTF_8);
            FileChecksums.write(dir, RECORDED);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write classifier to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Class probabilities.
     *
     * @param texts the texts
     * @return per text, one probability per label in {@link #labels()} order
     * @throws NullPointerException naming {@code texts} when it is null
     */
    public double[][] predictProba(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        return Head.softmax(logits(texts));
    }

    /** Logits per text (label order). */
    double[][] logits(List<String> texts) {
        if (texts.isEmpty()) {
            return new double[0][];
        }
        return head.logits(encoder.embed(texts));
    }

    /**
     * The most probable label of each text.
     *
     * @param texts the texts
     * @return one label per text
     * @throws NullPointerException naming {@code texts} when it is null
     */
    public List<String> predict(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        int[] best = argMax(logits(texts));
        List<String> out = new ArrayList<>(best.length);
        for (int b : best) {
            out.add(labels.get(b));
        }
        return out;
    }

    /**
     * Evaluates on labelled texts.
     *
     * @param texts the texts
     * @param gold one gold label per text, each one of {@link #labels()}
     * @return accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix
     * @throws IllegalArgumentException when sizes differ or a label is unknown
     * @throws NullPointerException naming {@code texts} or {@code gold} when it is null
     */
    public Evaluation evaluate(List<String> texts, List<String> gold) {
        Objects.requireNonNull(texts, "texts");
        Objects.requireNonNull(gold, "gold");
        if (texts.size() != gold.size()) {
            throw new IllegalArgumentException(
                    "evaluate: " + texts.size() + " texts but " + gold.size() + " labels");
        }
        return Evaluation.of(labels, indices(gold, "label"), argMax(logits(texts)));
    }

    /**
     * Evaluates labels already predicted by {@link #predict}, so that texts whose predictions are also
     * written out are embedded once: the same result as {@link #evaluate} on those texts.
     *
     * @param predicted one predicted label per example, each one of {@link #labels()}
     * @param gold one gold label per example, each one of {@link #labels()}
     * @return accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix
     * @throws IllegalArgumentException when sizes differ or a label is unknown
     * @throws NullPointerException naming {@code predicted} or {@code gold} when it is null
     */
    public Evaluation evaluatePredicted(List<String> predicted, List<String> gold) {
        Objects.requireNonNull(predicted, "predicted");
        Objects.requireNonNull(gold, "gold");
        if (predicted.size() != gold.size()) {
            throw new IllegalArgumentException(
                    "evaluate: " + predicted.size() + " predictions but " + gold.size() + " labels");
        }
        return Evaluation.of(labels, indices(gold, "label"), indices(predicted, "predicted label"));
    }

    /** Each label's index in {@link #labels()}; an unknown one is refused, naming {@code what} and its text. */
    private int[] indices(List<String> values, String what) {
        Map<String, Integer> idx = indexOf(labels);
        int[] y = new int[values.size()];
        for (int i = 0; i < y.length; i++) {
            Integer k = idx.get(values.get(i));
            if (k == null) {
                throw new IllegalArgumentException(
                        "evaluate: " + what + " '" + values.get(i) + "' of text " + i + " is not one of "
                                + labels);
            }
            y[i] = k;
        }
        return y;
    }

    /**
     * A copy that records the SHA-256 of the training data file in its provenance.
     *
     * @param sha256 64 hex digits
     * @return the copy (sharing encoder and weights)
     * @throws NullPointerException naming {@code sha256} when it is null
     */
    public TextClassifier withDataSha256(String sha256) {
        Objects.requireNonNull(sha256, "sha256");
        if (!sha256.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException("data sha256 '" + sha256 + "': expected 64 hex digits");
        }
        return copy(sha256.toLowerCase(Locale.ROOT), metrics, data, dev);
    }

    /**
     * A copy that records the training data file in its provenance: under {@code "data"}, and its SHA-256
     * also as {@code "dataSha256"} (as {@link #withDataSha256}).
     *
     * @param source the file, its SHA-256, the limit and columns it was read with
     * @return the copy (sharing encoder and weights)
     * @throws NullPointerException naming {@code source} when it is null
     */
    public TextClassifier withData(DataSource source) {
        Objects.requireNonNull(source, "source");
        return copy(source.sha256(), metrics, Objects.requireNonNull(source, "source"), dev);
    }

    /**
     * A copy that records the dev file (reported after training, see {@link #withMetrics}) in its
     * provenance, under {@code "dev"}.
     *
     * @param source the file, its SHA-256, the limit and columns it was read with
     * @return the copy (sharing encoder and weights)
     */
    public TextClassifier withDev(DataSource source) {
        return copy(dataSha256, metrics, data, Objects.requireNonNull(source, "source"));
    }

    /**
     * A copy that records metrics of a named split (e.g. {@code "dev"}) in its provenance, without the thread count
     * that computed their embeddings (a count recorded for the split before is dropped).
     *
     * @param split the split name
     * @param evaluation the metrics
     * @return the copy (sharing encoder and weights)
     */
    public TextClassifier withMetrics(String split, Evaluation evaluation) {
        return withMetrics(split, evaluation, null);
    }

    /**
     * A copy that records metrics of a named split (e.g. {@code "dev"}) in its provenance, with the encoder thread
     * count that computed the embeddings they were predicted from ({@code metrics.SPLIT.encoderThreads} in {@code
     * classifier.json}): a MiniLM encoder's ONNX Runtime count, which may differ from the one that computed the
     * training embeddings ({@code training.encoderThreads}, read from the embedding cache), since {@link #predict}
     * embeds in this process.
     *
     * @param split the split name
     * @param evaluation the metrics
     * @param encoderThreads the count, e.g. {@link SentenceEncoder#threads()} of the encoder that embedded the split;
     *     null to record none
     * @return the copy (sharing encoder and weights)
     * @throws NullPointerException naming {@code split} or {@code evaluation} when it is null
     */
    public TextClassifier withMetrics(String split, Evaluation evaluation, String encoderThreads) {
        Map<String, Evaluation> m = new LinkedHashMap<>(metrics);
        m.put(Objects.requireNonNull(split, "split"), Objects.requireNonNull(evaluation, "evaluation"));
        Map<String, String> t = new LinkedHashMap<>(metricsThreads);
        if (encoderThreads == null) {
            t.remove(split);
        } else {
            t.put(split, encoderThreads);
        }
        return copy(dataSha256, m, t, data, dev);
    }

    /**
     * The encoder thread counts recorded with metrics ({@link #withMetrics(String, Evaluation, String)}), by split
     * name; a split recorded without one is absent.
     *
     * @return the counts (unmodifiable)
     */
    public Map<String, String> metricsEncoderThreads() {
        return metricsThreads;
    }

    /**
     * The labels, in the order of the probability columns.
     *
     * @return the labels
     */
    public List<String> labels() {
        return labels;
    }

    /**
     * The encoder's id.
     *
     * @return the id
     */
    public String encoderId() {
        return encoder.id();
    }

    /**
     * The thread count the encoder computes this classifier's embeddings with ({@link SentenceEncoder#threads()}):
     * ONNX Runtime's for a MiniLM encoder, PyTorch's for a model directory.
     *
     * @return the count, or null when the encoder records none
     */
    public String encoderThreads() {
        return encoder.threads();
    }

    /**
     * The training config.
     *
     * @return the config
     */
    public ClassifierConfig config() {
        return config;
    }

    /**
     * Recorded metrics by split name ({@code "validation"} from training, others added with {@link
     * #withMetrics}).
     *
     * @return an unmodifiable map
     */
    public Map<String, Evaluation> metrics() {
        return metrics;
    }

    /**
     * The SHA-256 of the training data file, when recorded.
     *
     * @return the digest or null
     */
    public String dataSha256() {
        return dataSha256;
    }

    /**
     * The training data file, when recorded ({@link #withData}; classifiers saved before it was recorded
     * have none).
     *
     * @return the source or null
     */
    public DataSource data() {
        return data;
    }

    /**
     * The dev file reported after training, when recorded ({@link #withDev}).
     *
     * @return the source or null
     */
    public DataSource dev() {
        return dev;
    }

    /**
     * The SHA-256 of the encoder's files the classifier was trained on ({@link
     * SentenceEncoder#contentSha256()}), or null for an encoder whose id fixes its weights.
     *
     * @return 64 hex digits or null
     */
    public String encoderSha256() {
        return encoderSha256;
    }

    /** Closes the encoder when this classifier opened it ({@link #load(Path)}). */
    @Override
    public void close() {
        if (ownsEncoder) {
            encoder.close();
        }
    }

    /**
     * The SHA-256 of a file, as hex (for {@link #withDataSha256}).
     *
     * @param file the file
     * @return 64 hex digits
     * @throws UncheckedIOException when the file cannot be read
     * @throws NullPointerException naming {@code file} when it is null
     */
    public static String sha256(Path file) {
        Objects.requireNonNull(file, "file");
        try {
            return sha256(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }

    static int[] argMax(double[][] rows) {
        int[] out = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            int best = 0;
            for (int c = 1; c < rows[r].length; c++) {
                if (rows[r][c] > rows[r][best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    private static Map<String, Integer> indexOf(List<String> labels) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            m.put(labels.get(i), i);
        }
        return m;
    }

    /**
     * Labels in the order a classifier gives them (its probability columns; the {@code classifier}
     * reward's default target is the second): integers in numeric order when every label is an integer,
     * else lexicographic order.
     *
     * @param distinct the labels (duplicates are dropped)
     * @return the distinct labels in order
     * @throws NullPointerException naming {@code distinct} when it is null
     */
    public static List<String> orderLabels(java.util.Collection<String> distinct) {
        Objects.requireNonNull(distinct, "distinct");
        List<String> out = new ArrayList<>(new TreeSet<>(distinct));
        boolean numeric = out.stream().allMatch(s -> s.matches("-?\\d{1,18}"));
        if (numeric) {
            out.sort((a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
        }
        return out;
    }

    private static String version() {
        try (InputStream in = TextClassifier.class.getResourceAsStream(
                "/META-INF/maven/dev.qdecode/qdecode-rewards/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        String v = TextClassifier.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static JsonObject configJson(ClassifierConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("head", c.head().name().toLowerCase(Locale.ROOT));
        o.addProperty("l2", c.l2());
        o.addProperty("learningRate", c.learningRate());
        o.addProperty("maxEpochs", c.maxEpochs());
        o.addProperty("batchSize", c.batchSize());
        o.addProperty("hidden", c.hidden());
        o.addProperty("dropout", c.dropout());
        o.addProperty("patience", c.patience());
        o.addProperty("validationFraction", c.validationFraction());
        o.addProperty("refit", c.refit());
        o.addProperty("seed", c.seed());
        return o;
    }

    private static JsonObject evaluationJson(Evaluation e) {
        JsonObject o = new JsonObject();
        o.addProperty("count", e.count());
        o.addProperty("accuracy", e.accuracy());
        o.addProperty("macroF1", e.macroF1());
        JsonArray per = new JsonArray();
        for (Evaluation.LabelMetrics m : e.perLabel()) {
            JsonObject p = new JsonObject();
            p.addProperty("label", m.label());
            p.addProperty("precision", m.precision());
            p.addProperty("recall", m.recall());
            p.addProperty("f1", m.f1());
            p.addProperty("support", m.support());
            per.add(p);
        }
        o.add("perLabel", per);
        JsonArray conf = new JsonArray();
        for (int[] row : e.confusion()) {
            JsonArray r = new JsonArray();
            for (int v : row) {
                r.add(v);
            }
            conf.add(r);
        }
        o.add("confusion", conf);
        return o;
    }

    /** The validated contents of classifier.json plus the weights. */
    private static final class Loaded {
        String encoderId;
        List<String> labels;
        Head head;
        ClassifierConfig config;
        JsonObject training;
        String dataSha256;
        Map<String, Evaluation> metrics = new LinkedHashMap<>();
        Map<String, String> metricsThreads = new LinkedHashMap<>();
        String createdAt;
        Path file;
        String encoderSha256;
        DataSource data;
        DataSource dev;

        TextClassifier build(SentenceEncoder enc, boolean owns) {
            if (enc.dimension() != head.inputDim) {
                throw new IllegalArgumentException("classifier expects " + head.inputDim
                        + "-dimensional embeddings but encoder '" + enc.id() + "' gives " + enc.dimension());
            }
            String now = enc.contentSha256();
            if (encoderSha256 != null && !encoderSha256.equals(now)) {
                String what = enc.id().startsWith("hf:") ? "encoder directory " + enc.id().substring(3)
                        : "encoder '" + enc.id() + "'";
                throw new IllegalArgumentException("classifier " + file + ": " + what + " has files with sha256 "
                        + now + " but the classifier was trained on sha256 " + encoderSha256
                        + " (expected the model files it was trained on: its weights, configuration or tokenizer "
                        + "changed since; train the classifier again)");
            }
            if (encoderSha256 == null && now != null) {
                LOG.warn("classifier {}: records no sha256 of encoder '{}' (saved by an older qdecode); cannot check "
                        + "that its files are the ones it was trained on", file, enc.id());
            }
            return new TextClassifier(enc, owns, labels, head, config, training, dataSha256, metrics, metricsThreads,
                    createdAt, encoderSha256, data, dev);
        }
    }

    private static Loaded readMetadata(Path dir) {
        Path file = dir.resolve(METADATA_FILE);
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("classifier directory " + dir.toAbsolutePath()
                    + (Files.exists(dir) ? " is a file" : " does not exist")
                    + ": expected a directory written by qdecode classifier train");
        }
        // read once: checksums.json's check hashes these bytes and the same bytes are parsed (the file was opened
        // twice, hashed by the check and then read again to parse); what is not a readable file is left to the
        // check and the read below, which name it as before
        String text;
        boolean checked;
        try {
            byte[] bytes = Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            checked = Files.exists(file) && FileChecksums.present(dir);
            if (checked) { // before either file is used: a changed one is named as such, not by what it now holds
                FileChecksums.check(dir, RECORDED, false, bytes == null ? Map.of() : Map.of(METADATA_FILE, bytes))
                        .ifPresent(problem -> {
                            throw new IllegalArgumentException("classifier "
                                    + FileChecksums.withExpected(problem, DAMAGED));
                        });
            }
            // as Files.readString decodes: malformed UTF-8 cannot be read
            text = bytes == null ? Files.readString(file, StandardCharsets.UTF_8)
                    : StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("classifier directory " + dir.toAbsolutePath() + " has no "
                    + METADATA_FILE + ": expected a directory written by qdecode classifier train");
        } catch (IOException e) {
            throw new IllegalArgumentException("classifier " + file + ": cannot read (" + e.getMessage() + ")");
        }
        JsonElement el;
        try {
            el = JsonParser.parseString(text);
        } catch (RuntimeException e) { // Gson's message says where: "... at line 20 column 1 path $.config"
            java.util.regex.Matcher at = JSON_POSITION.matcher(String.valueOf(e.getMessage()));
            throw new IllegalArgumentException("classifier " + file + ": not valid JSON"
                    + (at.find() ? " at line " + at.group(1) + " column " + at.group(2) : "")
                    + " (expected the JSON object qdecode classifier train writes; the file is damaged or cut short)");
        }
        if (!el.isJsonObject()) {
            throw new IllegalArgumentException("classifier " + file + ": holds "
                    + (el.isJsonNull() ? "no JSON value" : el.isJsonArray() ? "a JSON array" : "a single JSON value")
                    + " (expected the JSON object qdecode classifier train writes)");
        }
        JsonObject root = el.getAsJsonObject();
        if (!checked && root.has("checksums")) {
            throw new IllegalArgumentException("classifier " + dir.resolve(FileChecksums.FILE) + ": missing, but "
                    + METADATA_FILE + " names it (" + DAMAGED + ")");
        }
        if (!checked && WARNED_UNCHECKED.add(dir.toAbsolutePath().normalize())) {
            LOG.warn("classifier {}: records no {} (saved by an older qdecode): its files cannot be checked for "
                    + "changes; train it again to have them checked", dir, FileChecksums.FILE);
        }
        Fields f = new Fields(file, root);
        if (!FORMAT.equals(f.string("format"))) {
            throw f.bad("format", "\"" + FORMAT + "\"");
        }
        if (f.integer("formatVersion") != FORMAT_VERSION) {
            throw f.bad("formatVersion", String.valueOf(FORMAT_VERSION));
        }
        Loaded l = new Loaded();
        l.file = file;
        l.encoderId = f.string("encoder");
        l.encoderSha256 = root.has("encoderSha256") ? f.sha256("encoderSha256") : null;
        int dim = f.integer("embeddingDim");
        if (dim < 1) {
            throw f.bad("embeddingDim", "a positive integer");
        }
        JsonArray ls = f.array("labels");
        List<String> labels = new ArrayList<>();
        for (JsonElement e : ls) {
            if (!e.isJsonPrimitive() || e.getAsString().isBlank() || labels.contains(e.getAsString())) {
                throw f.bad("labels", "an array of at least two distinct non-empty strings");
            }
            labels.add(e.getAsString());
        }
        if (labels.size() < 2) {
            throw f.bad("labels", "an array of at least two distinct non-empty strings");
        }
        l.labels = labels;
        Fields h = f.object("head");
        ClassifierConfig.HeadType type;
        try {
            type = ClassifierConfig.HeadType.parse(h.string("type"));
        } catch (IllegalArgumentException e) {
            throw h.bad("type", "logistic or mlp");
        }
        int hidden = h.integer("hidden");
        if (type == ClassifierConfig.HeadType.MLP && hidden < 1) {
            throw h.bad("hidden", "a positive integer for an mlp head");
        }
        Fields c = f.object("config");
        try {
            l.config = new ClassifierConfig(ClassifierConfig.HeadType.parse(c.string("head")), c.number("l2"),
                    c.number("learningRate"), c.integer("maxEpochs"), c.integer("batchSize"), c.integer("hidden"),
                    c.number("dropout"), c.integer("patience"), c.number("validationFraction"),
                    c.bool("refit"), c.longInteger("seed"));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("classifier " + file)) {
                throw e;
            }
            throw new IllegalArgumentException("classifier " + file + ": field 'config': " + e.getMessage());
        }
        String headFile = h.string("file");
        if (!FileChecksums.plainName(headFile)) { // the head is the directory's own file, not one elsewhere
            throw h.bad("file", "the name of the head weights file in " + dir + " (e.g. " + WEIGHTS_FILE
                    + ") but got '" + headFile + "'");
        }
        Path weights = dir.resolve(headFile);
        try {
            if (!Files.isRegularFile(weights) && Files.exists(weights)) {
                throw new IllegalArgumentException("classifier " + file + ": head weights " + weights
                        + " is not a file (" + DAMAGED + ")");
            }
            String want = h.string("sha256");
            // checksums.json, checked above, hashed the head already: what it records is the file's sha256. An
            // older classifier (no checksums.json), or a head file it does not record, is hashed here.
            String have = checked && RECORDED.contains(headFile)
                    ? FileChecksums.recordedSha256(dir, headFile).orElse(null) : null;
            if (have == null) {
                have = sha256(Files.readAllBytes(weights));
            }
            if (!want.equalsIgnoreCase(have)) {
                throw new IllegalArgumentException("classifier " + weights + ": sha256 " + have
                        + ", not the " + want + " that " + METADATA_FILE + " records (" + DAMAGED + ")");
            }
            l.head = Head.read(weights, type, dim, hidden, labels);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("classifier " + file + ": head weights " + weights + " not found ("
                    + DAMAGED + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("classifier " + weights + ": cannot read (" + e.getMessage() + ")");
        }
        for (float s : l.head.std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("classifier " + weights + ": input_std must be positive");
            }
        }
        l.training = root.has("training") && root.get("training").isJsonObject()
                ? root.getAsJsonObject("training") : new JsonObject();
        l.dataSha256 = root.has("dataSha256") ? f.string("dataSha256") : null;
        // "data" and "dev" are absent from classifiers saved before they were recorded
        l.data = root.has("data") ? f.object("data").dataSource() : null;
        l.dev = root.has("dev") ? f.object("dev").dataSource() : null;
        l.createdAt = root.has("createdAt") ? f.string("createdAt") : "";
        if (root.has("metrics")) {
            Fields m = f.object("metrics");
            for (String split : root.getAsJsonObject("metrics").keySet()) {
                l.metrics.put(split, m.object(split).evaluation(labels));
                JsonElement threads = root.getAsJsonObject("metrics").getAsJsonObject(split).get(ENCODER_THREADS);
                if (threads != null && threads.isJsonPrimitive()) { // recorded since counts were (not checked)
                    l.metricsThreads.put(split, threads.getAsString());
                }
            }
        }
        return l;
    }

    /** Typed access to a JSON object whose errors name the file and the field. */
    private static final class Fields {
        private final Path file;
        private final JsonObject obj;
        private final String prefix;

        Fields(Path file, JsonObject obj) {
            this(file, obj, "");
        }

        private Fields(Path file, JsonObject obj, String prefix) {
            this.file = file;
            this.obj = obj;
            this.prefix = prefix;
        }

        IllegalArgumentException bad(String field, String expected) {
            return new IllegalArgumentException(
                    "classifier " + file + ": field '" + prefix + field + "': expected " + expected);
        }

        private JsonElement get(String field, String expected) {
            JsonElement e = obj.get(field);
            if (e == null || e.isJsonNull()) {
                throw bad(field, expected + " (missing)");
            }
            return e;
        }

        String string(String field) {
            JsonElement e = get(field, "a string");
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw bad(field, "a string");
            }
            return e.getAsString();
        }

        double number(String field) {
            JsonElement e = get(field, "a number");
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw bad(field, "a number");
            }
            return e.getAsDouble();
        }

        int integer(String field) {
            double d = number(field);
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw bad(field, "an integer");
            }
            return (int) d;
        }

        boolean bool(String field) {
            JsonElement e = get(field, "true or false");
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw bad(field, "true or false");
            }
            return e.getAsBoolean();
        }

        long longInteger(String field) {
            number(field);
            try {
                return obj.get(field).getAsBigDecimal().longValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                throw bad(field, "an integer");
            }
        }

        String sha256(String field) {
            String v = string(field);
            if (!v.matches("[0-9a-f]{64}")) {
                throw bad(field, "64 lowercase hex digits (a SHA-256)");
            }
            return v;
        }

        DataSource dataSource() {
            int limit = integer("limit");
            int examples = integer("examples");
            if (limit < 0) {
                throw bad("limit", "0 (all) or a positive count");
            }
            if (examples < 0) {
                throw bad("examples", "a count >= 0");
            }
            return new DataSource(string("path"), sha256("sha256"), limit, examples, string("textColumn"),
                    string("labelColumn"));
        }

        JsonArray array(String field) {
            JsonElement e = get(field, "an array");
            if (!e.isJsonArray()) {
                throw bad(field, "an array");
            }
            return e.getAsJsonArray();
        }

        Fields object(String field) {
            JsonElement e = get(field, "an object");
            if (!e.isJsonObject()) {
                throw bad(field, "an object");
            }
            return new Fields(file, e.getAsJsonObject(), prefix + field + ".");
        }

        Evaluation evaluation(List<String> labels) {
            List<Evaluation.LabelMetrics> per = new ArrayList<>();
            JsonArray arr = array("perLabel");
            for (int i = 0; i < arr.size(); i++) {
                if (!arr.get(i).isJsonObject()) {
                    throw bad("perLabel", "an array of objects");
                }
                Fields p = new Fields(file, arr.get(i).getAsJsonObject(), prefix + "perLabel[" + i + "].");
                per.add(new Evaluation.LabelMetrics(p.string("label"), p.number("precision"), p.number("recall"),
                        p.number("f1"), p.integer("support")));
            }
            JsonArray conf = array("confusion");
            int[][] confusion = new int[conf.size()][];
            for (int i = 0; i < conf.size(); i++) {
                JsonElement row = conf.get(i);
                if (!row.isJsonArray() || row.getAsJsonArray().size() != labels.size()) {
                    throw bad("confusion", "a " + labels.size() + "x" + labels.size() + " array of integers");
                }
                confusion[i] = new int[labels.size()];
                for (int j = 0; j < labels.size(); j++) {
                    JsonElement cell = row.getAsJsonArray().get(j);
                    double v = cell.isJsonPrimitive() && cell.getAsJsonPrimitive().isNumber() ? cell.getAsDouble() : -1;
                    if (!(v >= 0 && v == Math.rint(v) && v <= Integer.MAX_VALUE)) { // a count; was read with getAsInt()
                        throw bad("confusion", "a " + labels.size() + "x" + labels.size() + " array of counts (integers"
                                + " >= 0) but got " + cell + " at [" + i + "][" + j + "]");
                    }
                    confusion[i][j] = (int) v;
                }
            }
            if (per.size() != labels.size() || confusion.length != labels.size()) {
                throw bad("perLabel", "one entry per label");
            }
            return new Evaluation(labels, integer("count"), number("accuracy"), number("macroF1"), per, confusion);
        }
    }
}
