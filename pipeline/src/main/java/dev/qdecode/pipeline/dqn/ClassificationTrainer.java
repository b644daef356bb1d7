package dev.qdecode.pipeline.dqn;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.qdecode.data.ClassificationExample;
import dev.qdecode.models.CausalLM;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.RewardSpecException;
import dev.qdecode.rewards.bleu.ExactMatch;
import dev.qdecode.rewards.bleu.PairedBootstrap;
import dev.qdecode.rewards.classifier.ClassifierConfig;
import dev.qdecode.rewards.classifier.EmbeddingCache;
import dev.qdecode.rewards.classifier.PhraseSplit;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.rewards.classifier.TextClassifier;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The classification task as a token-level MDP: the state is the task prompt (a template around the
 * text, e.g. {@code Review: {text} Sentiment:}), the actions at each state are only the next tokens of
 * the label verbalisers (a trie over their token sequences; multi-token labels walk it token by
 * token), and the reward at the end is the {@code --reward} (default {@code label-match}: 1 for the gold
 * label). Q-learning with a target network (hard backup over the allowed tokens, n-step 1) and
 * ε-greedy exploration; decoding is greedy in Q over the allowed tokens. With
 * {@link DqnConfig#allTerminalActions()}, a decision whose allowed tokens end labels also stores the
 * one-step transitions of the labels not chosen, scored by the reward module: appending a token is
 * the MDP's known transition and the reward is a function the trainer holds, so these are exact
 * simulated transitions (as in Dyna), and the head sees every label's outcome for each text.
 *
 * <p>Two backbones supply φ(s): a decoder (the final-norm hidden state at the last prompt position;
 * deeper states of multi-token labels run the backbone on prompt + label prefix), or a sentence
 * encoder such as MiniLM (φ of the whole text; each label is then one action). The run also trains a
 * supervised logistic probe on the same root embeddings (shared cache), the bar the DQN head is
 * measured against, and for a decoder reports the backbone's zero-shot accuracy (argmax π_ref over
 * the allowed tokens).
 */
public final class ClassificationTrainer {
    /** Share of the training sentences held out to select the head (as the probe does). */
    static final double VALIDATION_FRACTION = 0.1;
    /** Metrics file in the run directory (one JSON line per evaluation). */
    public static final String METRICS_FILE = "metrics.jsonl";
    /** Summary file in the run directory. */
    public static final String SUMMARY_FILE = "summary.json";

    /**
     * The backbone that supplies φ(s): exactly one of a decoder (model, tokenizer, format) or an
     * encoder.
     *
     * @param model decoder backbone, or null
     * @param tokenizer its tokenizer, or null
     * @param format its prompt format, or null
     * @param modelHash identifies the decoder's weights (cache key), or null
     * @param encoder sentence encoder backbone, or null
     */
    public record Backbone(CausalLM model, TextTokenizer tokenizer, PromptFormat format, String modelHash,
            SentenceEncoder encoder) {
        /**
         * Checks that exactly one backbone is given.
         *
         * @param model decoder backbone, or null for an encoder
         * @param tokenizer the decoder's tokenizer; not null with a decoder
         * @param format the decoder's prompt format; not null with a decoder
         * @param modelHash identifies the decoder's weights, or null
         * @param encoder sentence encoder backbone, or null for a decoder
         * @throws IllegalArgumentException unless exactly one of {@code model} and {@code encoder} is
         *     given, a decoder with its tokenizer and format
         */
        public Backbone {
            if ((model == null) == (encoder == null) || (model != null && (tokenizer == null || format == null))) {
                throw new IllegalArgumentException("expected either a decoder (model, tokenizer, format) or an encoder");
            }
        }
    }

    /** A provenance value for a message: quoted, or "none" when the run has none (e.g. no encoder). */
    private static String quoted(String v) {
        return v == null ? "none" : "'" + v + "'";
    }

    /** A provenance value in a message: a template as the command line gives it (escapes, one line). */
    private static String quoted(String key, String v) {
        return quoted(key.equals("template") && v != null ? PromptFormat.escapeTemplate(v) : v);
    }

    /**
     * Checks a classification prompt template: it must hold {@code {text}} exactly once.
     *
     * @param template the template, e.g. {@code Review: {text} Sentiment:}
     * @throws IllegalArgumentException (one line, naming --template) otherwise
     * @throws NullPointerException naming {@code template} when it is null
     */
    public static void checkTemplate(String template) {
        Objects.requireNonNull(template, "template");
        int first = template.indexOf("{text}");
        if (first < 0 || template.indexOf("{text}", first + 1) >= 0) {
            throw new IllegalArgumentException("--template '" + PromptFormat.escapeTemplate(template)
                    + "': expected the placeholder {text} exactly "
                    + "once");
        }
    }

    /**
     * Checks a task template for a decoder backbone: {@link #checkTemplate}, and text after {@code {text}}
     * (the label is written after it, so the prompt must end in the same tokens for every text).
     *
     * @param template the template
     * @throws IllegalArgumentException naming --template and what was expected
     * @throws NullPointerException naming {@code template} when it is null
     */
    public static void checkDecoderTemplate(String template) {
        checkTemplate(template); // refuses a null template, naming it
        if (template.substring(template.indexOf("{text}") + "{text}".length()).isBlank()) {
            throw new IllegalArgumentException("--template '" + PromptFormat.escapeTemplate(template)
                    + "': expected text after {text} with a "
                    + "decoder backbone (the label is written after it, e.g. 'Review: {text} Sentiment:')");
        }
    }

    /**
     * Everything a run needs besides the DQN config.
     *
     * @param backbone φ(s)
     * @param verbalizer label → text
     * @param template the task template with {@code {text}} (decoder backbones)
     * @param train training examples
     * @param dev evaluation examples
     * @param reward the episode reward (text = the generated label, label = the gold label); null when only
     *     predicting
     * @param runDir where metrics, summary and checkpoint go; null when only predicting
     * @param provenance data hashes, model, reward specs, version
     * @param cache embedding cache for the root states (null: none)
     */
    public record Setup(Backbone backbone, Verbalizer verbalizer, String template, List<ClassificationExample> train,
            List<ClassificationExample> dev, Reward reward, Path runDir, Map<String, String> provenance,
            EmbeddingCache cache) {
        /**
         * Validates labels against the verbaliser and copies the collections.
         *
         * @param backbone φ(s); not null
         * @param verbalizer label → text; not null
         * @param template the task template, holding {@code {text}} exactly once; not null
         * @param train training examples, not empty, each labelled with a verbaliser label; copied
         * @param dev evaluation examples, not empty, each labelled with a verbaliser label; copied
         * @param reward the episode reward, or null when only predicting
         * @param runDir the run directory, or null when only predicting
         * @param provenance data hashes, model, reward specs, version; copied, not null
         * @param cache embedding cache for the root states, or null
         * @throws IllegalArgumentException if the template is invalid, {@code train} or {@code dev} is
         *     empty, or an example's label is not in the verbaliser
         * @throws NullPointerException naming {@code backbone}, {@code verbalizer}, {@code template}, {@code
         *     train}, {@code dev} or {@code provenance} when it is null
         */
        public Setup {
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(verbalizer, "verbalizer");
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(dev, "dev");
            Objects.requireNonNull(provenance, "provenance");
            checkTemplate(template);
            if (train.isEmpty() || dev.isEmpty()) {
                throw new IllegalArgumentException("classification: expected non-empty training and evaluation data");
            }
            for (List<ClassificationExample> part : List.of(train, dev)) {
                for (ClassificationExample e : part) {
                    if (!verbalizer.labels().containsKey(e.label())) {
                        throw new IllegalArgumentException("example " + e.id() + ": label '" + e.label()
                                + "' is not in --labels " + verbalizer.toSpec());
                    }
                }
            }
            train = List.copyOf(train);
            dev = List.copyOf(dev);
            provenance = Map.copyOf(provenance);
        }
    }

    /**
     * The result of a run on the evaluation examples.
     *
     * @param dqnAccuracy accuracy of the greedy-in-Q policy
     * @param probeAccuracy accuracy of the supervised logistic probe on the same root embeddings
     * @param zeroShotAccuracy the decoder's argmax-π_ref accuracy over the allowed tokens (NaN for an
     *     encoder)
     * @param majorityAccuracy accuracy of always answering the most frequent training label
     * @param meanReward mean reward of the DQN policy's episodes
     * @param episodes training episodes
     * @param updates gradient updates
     * @param seconds training wall time (embedding excluded)
     * @param versusProbe paired bootstrap of the DQN head's accuracy against the probe's on the same
     *     evaluation examples (in points)
     */
    public record Result(double dqnAccuracy, double probeAccuracy, double zeroShotAccuracy, double majorityAccuracy,
            double meanReward, long episodes, long updates, double seconds, PairedBootstrap.Result versusProbe) {

        /**
         * Checks that {@code versusProbe} is given.
         *
         * @param dqnAccuracy see the record description
         * @param probeAccuracy see the record description
         * @param zeroShotAccuracy see the record description
         * @param majorityAccuracy see the record description
         * @param meanReward see the record description
         * @param episodes see the record description
         * @param updates see the record description
         * @param seconds see the record description
         * @param versusProbe see the record description
         * @throws NullPointerException naming {@code versusProbe} when it is null
         */
        public Result {
            Objects.requireNonNull(versusProbe, "versusProbe");
        }
    }

    /** One node of the verbaliser trie. */
    private static final class Node {
        final int[] prefix;
        final Map<Integer, Node> children = new TreeMap<>();
        String label;

        Node(int[] prefix) {
            this.prefix = prefix;
        }

        int[] childIds() {
            return children.keySet().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private final Setup s;
    private final DqnConfig cfg;
    private final TrainListener listener;
    private final Node root = new Node(new int[0]);
    /** The trie's leaves, one per label, in the verbaliser's order. */
    private final List<Node> leaves = new ArrayList<>();
    private final int actionSpace;
    /**
     * What the run's checkpoint and summary record: the setup's provenance, with {@value #ENCODER_THREADS}
     * replaced by the count that computed the embeddings used once they are read ({@link #rootStates}).
     */
    private final Map<String, String> provenance;
    /** Per embedded set (training, then evaluation), the encoder thread count that computed its embeddings. */
    private final List<String> embeddedWith = new ArrayList<>();

    /**
     * The provenance key of the encoder's thread count ({@link SentenceEncoder#threads()}, MiniLM's ONNX Runtime
     * intra-op count). When the setup's provenance holds it, the run replaces its value by the count that computed
     * the embeddings it used, which the embedding cache records beside each entry ({@link EmbeddingCache#threadsOf}):
     * e.g. {@code 2} for embeddings cached by a job with 2 threads and read by one with 1, {@code 2 then 1} for
     * an entry that a job with 2 began and one with 1 finished, {@code unrecorded} for an entry cached before
     * counts were recorded, and {@code 2 (--data), 1 (--dev)} when the training and evaluation texts' entries
     * differ.
     */
    public static final String ENCODER_THREADS = "encoder_threads";
    private final DecoderStates states;
    private final Map<String, int[]> labelIds = new LinkedHashMap<>();
    /** Trailing prompt tokens replaced by the labels' shared first tokens (decoder backbones). */
    private int[] anchorTail = new int[0];
    /** Tokens all labels start with, appended to every prompt (decoder backbones). */
    private int[] sharedStart = new int[0];

    private ClassificationTrainer(Setup setup, DqnConfig cfg, TrainListener listener) {
        this.s = setup;
        this.provenance = new LinkedHashMap<>(setup.provenance());
        this.cfg = cfg;
        this.listener = listener == null ? new TrainListener() {} : listener;
        Backbone b = setup.backbone();
        if (b.model() != null) {
            checkDecoderTemplate(setup.template());
            tokenizeVerbalisers(b.tokenizer(), setup.template(), setup.verbalizer());
            states = new DecoderStates(b.model(), b.tokenizer(), b.format(), setup.template(), b.modelHash(),
                    anchorTail, sharedStart);
            checkLengths(setup.train(), setup.provenance().getOrDefault("data", "the training data"));
            checkLengths(setup.dev(), setup.provenance().getOrDefault("dev", "the evaluation data"));
            actionSpace = b.model().config().vocabSize();
        } else {
            states = null;
            actionSpace = setup.verbalizer().labels().size();
            int i = 0;
            for (String label : setup.verbalizer().labels().keySet()) {
                labelIds.put(label, new int[] {i++});
            }
        }
        for (Map.Entry<String, int[]> e : labelIds.entrySet()) {
            Node n = root;
            for (int id : e.getValue()) {
                if (n.label != null) {
                    throw prefixError(n.label, e.getKey());
                }
                int[] p = Arrays.copyOf(n.prefix, n.prefix.length + 1);
                p[p.length - 1] = id;
                n = n.children.computeIfAbsent(id, k -> new Node(p));
            }
            if (n.label != null || !n.children.isEmpty()) {
                throw prefixError(n.label != null ? n.label : "another label", e.getKey());
            }
            n.label = e.getKey();
            leaves.add(n);
        }
    }

    /**
     * Refuses, before any embedding, a text whose task prompt cannot be run on the backbone: too long for
     * its positions with the longest label after it, or one after which the template's ending tokenizes
     * otherwise (naming the file and the data row, 1-based).
     */
    private void checkLengths(List<ClassificationExample> rows, String file) {
        int deepest = deepestLabel();
        int positions = s.backbone().model().config().maxPositions();
        for (int i = 0; i < rows.size(); i++) {
            ClassificationExample e = rows.get(i);
            int[] ids;
            try {
                ids = states.promptIds(e.text());
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(file + ": data row " + (i + 1) + " (id " + e.id() + "): "
                        + x.getMessage());
            }
            // the deepest state the head reads is the prompt and all but the last token of the longest label
            if (ids.length + deepest - 1 > positions) {
                throw new IllegalArgumentException(file + ": data row " + (i + 1) + " (id " + e.id() + "): its prompt "
                        + "has " + ids.length + " tokens" + (deepest > 1 ? " (" + (deepest - 1) + " more with the longest "
                        + "label)" : "") + ", more than the model's " + positions + " positions (expected a shorter text)");
            }
        }
    }

    /** The most decisions a label takes: the token count of the longest label after the shared start. */
    private int deepestLabel() {
        return labelIds.values().stream().mapToInt(x -> x.length).max().orElse(1);
    }

    private IllegalArgumentException prefixError(String a, String b) {
        return new IllegalArgumentException("--labels " + s.verbalizer().toSpec() + ": the tokens of label " + a
                + " are a prefix of (or equal to) those of label " + b + " (expected prefix-free verbalisers)");
    }

    /**
     * Tokenises the verbalisers in context. The label follows the prompt after one space, and with
     * SentencePiece-style tokenizers the word-boundary marker may merge with the prompt's last token
     * (TinyStories: {@code ":"} + {@code " bad"} becomes {@code ":▁"} + {@code "bad"}). So, as with token
     * healing, the state backs up to the longest prefix that every label shares with the prompt: with
     * the template's text after {@code {text}} as the anchor, {@code drop} trailing prompt tokens are
     * removed and each label's sequence is what {@code anchor + " " + text} adds after that prefix.
     *
     * @return the number of trailing prompt tokens to drop; fills {@link #labelIds}
     */
    private int tokenizeVerbalisers(TextTokenizer tok, String template, Verbalizer v) {
        String tail = template.substring(template.indexOf("{text}") + "{text}".length());
        String anchor = tail.isBlank() ? "." : tail.strip();
        int[] a = tok.encode(anchor, false);
        Map<String, int[]> full = new LinkedHashMap<>();
        int k = a.length;
        for (Map.Entry<String, String> e : v.labels().entrySet()) {
            int[] b = tok.encode(anchor + " " + e.getValue(), false);
            int unk = tok.unkId();
            if (unk >= 0 && Arrays.stream(b).anyMatch(id -> id == unk) && Arrays.stream(a).noneMatch(id -> id == unk)) {
                throw new IllegalArgumentException("--labels: text '" + e.getValue() + "' of label " + e.getKey()
                        + " holds characters the tokenizer cannot represent (they become its unknown token "
                        + tok.piece(unk) + ", so the policy could never write the label; expected text of the "
                        + "tokenizer's alphabet)");
            }
            int l = 0;
            while (l < Math.min(a.length, b.length) && a[l] == b[l]) {
                l++;
            }
            if (l == b.length) {
                throw new IllegalArgumentException("--labels: text '" + e.getValue() + "' adds no tokens after '" + anchor
                        + "'");
            }
            k = Math.min(k, l);
            full.put(e.getKey(), b);
        }
        // Tokens every label starts with are forced steps, not decisions: they join the prompt, so the
        // first decision is made at a state that can be embedded (and cached) once per text.
        int c = Integer.MAX_VALUE;
        int[] first = full.values().iterator().next();
        for (int[] b : full.values()) {
            int l = k;
            while (l < Math.min(first.length, b.length) - 1 && first[l] == b[l]) {
                l++;
            }
            c = Math.min(c, l);
        }
        for (Map.Entry<String, int[]> e : full.entrySet()) {
            labelIds.put(e.getKey(), Arrays.copyOfRange(e.getValue(), c, e.getValue().length));
        }
        anchorTail = Arrays.copyOfRange(a, k, a.length);
        sharedStart = Arrays.copyOfRange(first, k, c);
        return a.length - k;
    }

    /**
     * Token ids of each label's verbaliser (label indices for an encoder backbone).
     *
     * @return label → ids
     */
    public Map<String, int[]> labelIds() {
        return java.util.Collections.unmodifiableMap(labelIds);
    }

    /**
     * Trains and evaluates.
     *
     * @param setup backbone, labels, data, reward, run directory
     * @param cfg episodes, rollout size, batch, updates per rollout, lr, ε schedule, head size, replay,
     *     target sync, seed (backup and n-step are fixed: hard, 1)
     * @param listener hooks (rollouts, updates, evaluations), or null
     * @return the result (also written to {@code summary.json})
     * @throws NullPointerException naming {@code setup} or {@code cfg} when it is null
     */
    public static Result run(Setup setup, DqnConfig cfg, TrainListener listener) {
        Objects.requireNonNull(setup, "setup");
        Objects.requireNonNull(cfg, "cfg");
        DqnConfig c = cfg.toBuilder().backup(DqnConfig.Backup.HARD).nStep(1).gamma(1.0).prioritized(false).build();
        return new ClassificationTrainer(setup, c, listener).train();
    }

    /**
     * Labels with a trained head: the run's labels, their predictions (greedy in Q over the verbaliser
     * trie) and the accuracy.
     *
     * @param labels the predicted label of each example
     * @param accuracy share of examples whose prediction is their label
     * @param recall per gold label, the share of its examples predicted as it
     */
    public record Predictions(List<String> labels, double accuracy, Map<String, Double> recall) {

        /**
         * Checks that {@code labels} and {@code recall} are given.
         *
         * @param labels see the record description
         * @param accuracy see the record description
         * @param recall see the record description
         * @throws NullPointerException naming {@code labels} or {@code recall} when it is null
         */
        public Predictions {
            Objects.requireNonNull(labels, "labels");
            Objects.requireNonNull(recall, "recall");
        }
    }

    /** A classification run's checkpoint, read once: its provenance and its head. */
    public static final class TrainedRun {
        private final Path file;
        private final Checkpoint.Data data;

        private TrainedRun(Path file, Checkpoint.Data data) {
            this.file = file;
            this.data = data;
        }

        /**
         * Reads a classification run's checkpoint.
         *
         * @param runDirOrFile the run directory or its checkpoint file
         * @return the run
         * @throws IllegalArgumentException naming the file when it is missing, corrupt or not a classification
         *     run, or when its provenance lacks {@code labels} or {@code template} (naming the key) or holds
         *     one that does not parse
         * @throws NullPointerException naming {@code runDirOrFile} when it is null
         */
        public static TrainedRun load(Path runDirOrFile) {
            Objects.requireNonNull(runDirOrFile, "runDirOrFile");
            Path file = Checkpoint.fileOf(runDirOrFile);
            Checkpoint.Data d = Checkpoint.read(file, null);
            String task = d.provenance().get("task");
            if (!"classification".equals(task)) {
                throw new IllegalArgumentException(file + ": a " + (task != null ? task : "continuation")
                        + " run (expected a run of --task classification)");
            }
            // predict rebuilds the verbaliser and the template from these: refuse a run without them now
            for (String key : List.of("labels", "template")) {
                if (d.provenance().get(key) == null) {
                    throw new IllegalArgumentException(file + ": its provenance has no " + key + " (expected a"
                            + " classification run's checkpoint, which records its labels and template)");
                }
            }
            try {
                Verbalizer.parse(d.provenance().get("labels"));
                checkTemplate(d.provenance().get("template"));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": its provenance: " + e.getMessage(), e);
            }
            if (unfinished(d.counters())) {
                throw new IllegalArgumentException(file + ": an unfinished classification run, stopped before its head "
                        + "was trained (expected a finished run, with its summary.json; continue it with: qdecode train "
                        + "--resume --out " + (file.getParent() != null ? file.getParent() : Path.of(".")) + ")");
            }
            return new TrainedRun(file, d);
        }

        /**
         * What the run records about how to rebuild its backbone.
         *
         * @return the run's provenance ({@code task}, {@code labels}, {@code template}, and {@code encoder}
         *     or {@code model_dir}, {@code model_sha256}, possibly {@code prompt_format})
         */
        public Map<String, String> provenance() {
            return data.provenance();
        }

        /**
         * Checks that other runs can join this one's ensemble: each run once, the same labels, template,
         * reward and backbone.
         *
         * @param others the other runs
         * @throws IllegalArgumentException naming the first run that is given twice or differs, and in what
         * @throws NullPointerException naming {@code others} when it (or {@code others[i]}, one of its runs) is
         *     null
         */
        public void requireSameSetup(List<TrainedRun> others) {
            Objects.requireNonNull(others, "others");
            for (int i = 0; i < others.size(); i++) {
                Objects.requireNonNull(others.get(i), "others[" + i + "]");
            }
            Map<String, String> prov = data.provenance();
            List<Path> seen = new java.util.ArrayList<>(List.of(file));
            for (TrainedRun o : others) {
                for (Path earlier : seen) {
                    if (dev.qdecode.data.Datasets.sameFile(earlier, o.file)) {
                        throw new IllegalArgumentException(o.file + ": given twice (expected each run once: a head "
                                + "counted twice would weigh double in the mean Q)");
                    }
                }
                seen.add(o.file);
                // the reward too: heads of other rewards (label-match:wrong=-2) have Q values on other scales
                for (String key : List.of("labels", "template", "reward", "encoder", "model_sha256", "prompt_format")) {
                    String mine = prov.get(key);
                    String theirs = o.provenance().get(key);
                    if (!Objects.equals(mine, theirs)) {
                        throw new IllegalArgumentException(o.file + ": its " + key + " " + quoted(key, theirs) + " differs"
                                + " from " + file + "'s " + quoted(key, mine) + " (expected runs of the same setup on the"
                                + " same backbone)");
                    }
                }
            }
        }

        /**
         * Labels examples with the run's head, as its training evaluated it.
         *
         * @param backbone the run's backbone (see {@link #provenance})
         * @param examples labelled examples (labels must be in the run's verbaliser)
         * @param targetHead score with the target (Polyak-averaged) head, as training's evaluation did, or
         *     the online head
         * @param cache embedding cache, or null
         * @return the predictions
         * @throws IllegalArgumentException naming the file or example when the run, its backbone and the
         *     examples do not fit together
         * @throws NullPointerException naming {@code backbone} or {@code examples} when it is null
         */
        public Predictions predict(Backbone backbone, List<ClassificationExample> examples, boolean targetHead,
                EmbeddingCache cache) {
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(examples, "examples");
            return predict(backbone, examples, targetHead, cache, List.of());
        }

        /**
         * Labels examples with the Q-values of this run's head averaged with those of other runs of the
         * same setup (labels, template, backbone), e.g. the same training with other seeds.
         *
         * @param backbone the runs' backbone (see {@link #provenance})
         * @param examples labelled examples (labels must be in the run's verbaliser)
         * @param targetHead score with the target heads or the online heads
         * @param cache embedding cache, or null
         * @param others the other runs of the ensemble (empty: this run alone)
         * @return the predictions
         * @throws IllegalArgumentException naming the file when a run differs in setup or does not fit the
         *     backbone, or an example that does not fit
         * @throws NullPointerException naming {@code backbone}, {@code examples} or {@code others} (or
         *     {@code others[i]}) when it is null
         */
        public Predictions predict(Backbone backbone, List<ClassificationExample> examples, boolean targetHead,
                EmbeddingCache cache, List<TrainedRun> others) {
            Objects.requireNonNull(backbone, "backbone");
            Objects.requireNonNull(examples, "examples");
            Objects.requireNonNull(others, "others");
            Map<String, String> prov = data.provenance();
            requireSameSetup(others);
            Verbalizer v = Verbalizer.parse(prov.get("labels"));
            Setup setup = new Setup(backbone, v, prov.get("template"), examples, examples, null, null, prov, cache);
            ClassificationTrainer t = new ClassificationTrainer(setup, data.config(), null);
            float[][] phi = t.rootStates(examples);
            List<TrainedRun> runs = new ArrayList<>();
            runs.add(this);
            runs.addAll(others);
            List<QHead> heads = new ArrayList<>();
            try {
                for (TrainedRun r : runs) {
                    HeadState h = r.data.head();
                    if (phi[0].length != h.in() || t.actionSpace != h.vocab()) {
                        throw new IllegalArgumentException(r.file + ": its head takes embeddings of size " + h.in()
                                + " and " + h.vocab() + " actions but the backbone gives " + phi[0].length + " and "
                                + t.actionSpace + " (expected the backbone the run was trained on)");
                    }
                    heads.add(QHead.of(h));
                }
                int[] all = new int[examples.size()];
                Arrays.setAll(all, i -> i);
                Eval e = t.evaluate(heads, targetHead, examples, phi, all);
                return new Predictions(e.predictions(), e.accuracy(), e.perLabel());
            } finally {
                heads.forEach(QHead::close);
            }
        }

        /**
         * The run's checkpoint file.
         *
         * @return the file
         */
        public Path file() {
            return file;
        }
    }

    private float[][] rootStates(List<ClassificationExample> examples) {
        List<String> texts = examples.stream().map(ClassificationExample::text).toList();
        SentenceEncoder enc = states != null ? states : s.backbone().encoder();
        java.util.function.IntConsumer progress = done -> listener.onEmbedding(done, texts.size());
        float[][] v = s.cache() != null ? s.cache().embed(enc, texts, progress) : enc.embed(texts, progress);
        String t = EmbeddingCache.threadsThatComputed(s.cache(), enc, texts);
        if (t != null) {
            embeddedWith.add(t);
        }
        return v;
    }

    /** Records in {@link #provenance} the thread count that computed the training and evaluation embeddings. */
    private void recordEncoderThreads() {
        if (!provenance.containsKey(ENCODER_THREADS) || embeddedWith.size() != 2) {
            return;
        }
        String data = embeddedWith.get(0);
        String dev = embeddedWith.get(1);
        provenance.put(ENCODER_THREADS, data.equals(dev) ? data : data + " (--data), " + dev + " (--dev)");
    }

    private Result train() {
        requireLabelSignal();
        listener.beforeWriting();
        try {
            Files.createDirectories(s.runDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + s.runDir(), e);
        }
        writeStartedCheckpoint();
        float[][] trainPhi = rootStates(s.train());
        float[][] devPhi = rootStates(s.dev());
        recordEncoderThreads();
        Probe probe = probe();
        double zeroShot = states != null ? zeroShot() : Double.NaN;
        double majority = majority();
        // Model selection on a held-out share of the training set (phrase-aware, like the probe's): the
        // head with the best validation accuracy is kept; the evaluation set is only reported.
        PhraseSplit split = PhraseSplit.of(s.train().stream().map(ClassificationExample::text).toList(),
                VALIDATION_FRACTION, cfg.seed());
        int[] valIdx = split.validation();
        long t0 = System.nanoTime();
        Pass selected = pass(split.train(), cfg.episodes(), valIdx, trainPhi, devPhi, Rng.derive(cfg.seed(), 7));
        Pass kept = selected;
        Pass refit = null;
        if (cfg.refit() && valIdx.length > 0) {
            // As the probe does: the same recipe, from the same initial head, on all training examples
            // (validation included) for the selected number of episodes.
            int[] all = new int[s.train().size()];
            Arrays.setAll(all, i -> i);
            listener.onStage(String.format(Locale.ROOT,
                    "refit: validation selected episode %d (accuracy %.4f); training a fresh head on all %d examples "
                            + "for %d episodes", selected.bestEpisode, selected.bestVal, all.length, selected.bestEpisode));
            refit = pass(all, selected.bestEpisode, null, trainPhi, devPhi, Rng.derive(cfg.seed(), 8));
            kept = refit;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        List<List<String>> gold = s.dev().stream().map(e -> List.of(e.label())).toList();
        PairedBootstrap.Result versus = PairedBootstrap.compare(new ExactMatch(), probe.predictions(),
                kept.dev.predictions, gold, PairedBootstrap.DEFAULT_RESAMPLES, PairedBootstrap.DEFAULT_SEED);
        Result res = new Result(kept.dev.accuracy, probe.accuracy(), zeroShot, majority, kept.dev.meanReward,
                selected.episodes + (refit != null ? refit.episodes : 0),
                selected.updates + (refit != null ? refit.updates : 0), secs, versus);
        try {
            // the trained head replaces the unfinished checkpoint before summary.json marks the run finished, so a
            // stop between the two leaves a run that --resume finishes rather than a summary without its head
            Checkpoint.write(s.runDir().resolve(Checkpoint.FILE_NAME), new Checkpoint.Data(cfg,
                    Map.of("episodes", res.episodes(), "updates", res.updates()), Map.of(),
                    Map.of("train", kept.rngState), provenance, kept.head, false), null);
            writeSummary(res, selected, refit, split.train().length, valIdx.length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + s.runDir(), e);
        }
        return res;
    }

    /** The checkpoint counter that marks a run's checkpoint as written before its head was trained. */
    static final String UNFINISHED_COUNTER = "unfinished";

    /**
     * Writes the run's checkpoint before anything is embedded: its config and provenance (the options a
     * {@code train --resume} reads back) and the initial head, marked {@value #UNFINISHED_COUNTER}, with 0
     * episodes done. A run stopped before its summary then leaves a checkpoint that a resume continues from:
     * the embeddings finished so far are in the cache, and the head is trained again from its initial state
     * with the run's seed, which gives the uninterrupted run's head. A {@code metrics.jsonl} left by an
     * interrupted session is removed first, so the log is the uninterrupted run's.
     */
    private void writeStartedCheckpoint() {
        SentenceEncoder enc = states != null ? states : s.backbone().encoder();
        try {
            Files.deleteIfExists(s.runDir().resolve(METRICS_FILE));
            HeadState initial;
            try (QHead head = new QHead(enc.dimension(), cfg.headHidden(), actionSpace, cfg.activation(),
                    cfg.valueLoss(), cfg.seed())) {
                initial = head.export();
            }
            Path file = s.runDir().resolve(Checkpoint.FILE_NAME);
            listener.beforeCheckpoint(file); // a stop from here on may find the file there or not
            Checkpoint.write(file, new Checkpoint.Data(cfg, Map.of("episodes", 0L, "updates", 0L,
                    UNFINISHED_COUNTER, 1L), Map.of(), Map.of(), provenance, initial, false), null);
            listener.onCheckpoint(file, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + s.runDir(), e);
        }
    }

    /**
     * Whether a checkpoint's counters mark a classification run that was stopped before its head was
     * trained ({@link #writeStartedCheckpoint()}).
     *
     * @param counters the checkpoint's counters
     * @return whether the checkpoint holds only the initial head
     */
    static boolean unfinished(Map<String, Long> counters) {
        return counters.getOrDefault(UNFINISHED_COUNTER, 0L) != 0;
    }

    /**
     * What one training pass produced: the head it keeps (the best on validation, or the last without
     * validation) and that head's accuracy on the evaluation set.
     */
    private record Pass(long episodes, long updates, long simulated, double bestVal, long bestEpisode, HeadState head,
            Eval dev, double seconds, long rngState, double[] returnRange) {}

    /**
     * Trains a fresh head for {@code stopAt} episodes on texts drawn from {@code pool}. With a validation
     * split, evaluates every {@code --eval-every} episodes (a metrics line each) and keeps the best head;
     * without one, keeps the last.
     */
    private Pass pass(int[] pool, long stopAt, int[] valIdx, float[][] trainPhi, float[][] devPhi, Rng rng) {
        int dim = trainPhi[0].length;
        ReplayBuffer replay = ReplayBuffer.of(cfg, dim, stopAt * deepestLabel()
                * (cfg.allTerminalActions() ? labelIds.size() : 1), deepestLabel(), "the longest label's tokens",
                labelIds.size()); // a step's candidates are the label tokens allowed there
        TrainingStats stats = new TrainingStats();
        long t0 = System.nanoTime();
        long episodes = 0;
        long simulated = 0;
        double bestVal = -1;
        long bestEpisode = 0;
        HeadState best = null;
        Passes order = cfg.shuffledPasses() ? new Passes(pool.length, cfg.seed(), 9) : null;
        try (QHead head = new QHead(dim, cfg.headHidden(), actionSpace, cfg.activation(), cfg.valueLoss(),
                cfg.seed())) {
            // as DqnTrainer: the range given, or [-1, 1] widened by the returns of the stored episodes; under
            // the cross-entropy loss Q = σ(z) lives in [0, 1]
            boolean ce = cfg.valueLoss() == DqnConfig.ValueLoss.CROSS_ENTROPY;
            Learner learner = new Learner(head, replay, cfg, cfg.returnMin() != null ? cfg.returnMin() : ce ? 0 : -1,
                    cfg.returnMax() != null ? cfg.returnMax() : 1);
            while (episodes < stopAt) {
                int n = (int) Math.min(cfg.rolloutEpisodes(), stopAt - episodes);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = pool[order != null ? order.at(episodes + i) : rng.nextInt(pool.length)];
                }
                double eps = cfg.epsilonAt(episodes);
                Walk w = walk(List.of(head), false, idx, s.train(), trainPhi, eps, rng, true);
                double[] r = rewards(w, idx, s.train());
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    float[] rew = new float[w.steps[i].length()];
                    rew[rew.length - 1] = (float) r[i];
                    replay.add(w.steps[i].build(rew));
                    learner.widen(rew);
                    sum += r[i];
                }
                List<ReplayEpisode> sim = siblingEpisodes(w, idx, s.train());
                for (ReplayEpisode e : sim) {
                    replay.add(e);
                    learner.widen(e.reward);
                }
                simulated += sim.size();
                stats.rollout(n, sum, 0);
                long before = episodes;
                episodes += n;
                listener.onRollout(episodes, stopAt, sum / n, eps);
                if (replay.size() >= cfg.batchSize()) {
                    double loss = 0;
                    double absQ = 0;
                    for (int k = 0; k < cfg.updatesPerRollout(); k++) {
                        // the learning rate of the episodes done before this round, as DqnTrainer's updates take it
                        Learner.Stats st = learner.update(rng, 1.0, before);
                        stats.update(st);
                        loss += st.loss();
                        absQ += st.meanAbsQ();
                    }
                    listener.onUpdate(learner.updates(), loss / cfg.updatesPerRollout(), absQ / cfg.updatesPerRollout());
                }
                if (valIdx != null && (cfg.evalEvery() > 0 && episodes / cfg.evalEvery() > before / cfg.evalEvery()
                        || episodes == stopAt)) {
                    double val = evaluate(List.of(head), true, s.train(), trainPhi, valIdx).accuracy();
                    if (val > bestVal) {
                        bestVal = val;
                        bestEpisode = episodes;
                        best = head.export();
                    }
                    Eval dev = evaluate(head, devPhi);
                    JsonObject line = dev.toJson(episodes, learner.updates());
                    line.addProperty("validation_accuracy", val);
                    stats.drain(0, eps).forEach(line::addProperty);
                    append(line);
                    listener.onEvaluation(new EvalMetrics(episodes, "trained", s.dev().size(), dev.meanReward, 0,
                            dev.accuracy, 0, Double.NaN, 0, 0, dev.meanLength, 0, 0, 0, List.of()));
                }
            }
            if (best != null) {
                head.load(best);
            } else {
                best = head.export();
                bestEpisode = episodes;
            }
            return new Pass(episodes, learner.updates(), simulated, bestVal, bestEpisode, best, evaluate(head, devPhi),
                    (System.nanoTime() - t0) / 1e9, rng.state(), learner.returnRange());
        }
    }

    /** Episodes walked through the trie: per row the replay steps and the reached leaf (its label). */
    private record Walk(ReplayEpisode.Builder[] steps, Node[] leaves, List<Sibling> siblings) {}

    /**
     * A terminal action not taken: at a decision whose allowed token {@code index} ends a label, the
     * state, its candidates and the leaf of the label that token completes (for {@code --all-terminal-actions}).
     */
    private record Sibling(int row, float[] phi, Candidates.Set set, int index, Node leaf) {}

    /**
     * Walks the trie for each example: ε-greedy (ε > 0) or greedy in Q over the allowed tokens. A training
     * walk with {@code --all-terminal-actions} also collects the terminal actions not taken, whatever ε is
     * (also 0, as {@code --epsilon-end 0} reaches).
     */
    private Walk walk(List<QHead> heads, boolean target, int[] idx, List<ClassificationExample> data, float[][] rootPhi,
            double eps, Rng rng, boolean training) {
        int n = idx.length;
        int dim = rootPhi[0].length;
        ReplayEpisode.Builder[] steps = new ReplayEpisode.Builder[n];
        Node[] at = new Node[n];
        float[][] phi = new float[n][];
        for (int i = 0; i < n; i++) {
            steps[i] = new ReplayEpisode.Builder(dim);
            at[i] = root;
            phi[i] = rootPhi[idx[i]];
        }
        List<Sibling> siblings = training && cfg.allTerminalActions() ? new ArrayList<>() : null;
        boolean any = true;
        while (any) {
            any = false;
            // Group the rows by node: they share the allowed tokens, so one Q call per node.
            Map<Node, List<Integer>> groups = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                if (at[i].label == null) {
                    groups.computeIfAbsent(at[i], k -> new ArrayList<>()).add(i);
                }
            }
            List<Integer> deeper = new ArrayList<>();
            for (Map.Entry<Node, List<Integer>> g : groups.entrySet()) {
                int[] cand = g.getKey().childIds();
                int k = cand.length;
                List<Integer> rows = g.getValue();
                float[] x = new float[rows.size() * dim];
                int[] ids = new int[rows.size() * k];
                for (int j = 0; j < rows.size(); j++) {
                    System.arraycopy(phi[rows.get(j)], 0, x, j * dim, dim);
                    System.arraycopy(cand, 0, ids, j * k, k);
                }
                // under the cross-entropy loss, ties in (mean) Q = σ(z) are broken by the (mean) logit
                QHead.Scores q = QHead.meanScores(heads, target, x, rows.size(), ids, k);
                float[] logp = new float[k];
                Arrays.fill(logp, (float) -Math.log(k));
                Candidates.Set set = new Candidates.Set(cand, logp, 0f);
                for (int j = 0; j < rows.size(); j++) {
                    int row = rows.get(j);
                    int choice = eps > 0 && rng.nextDouble() < eps ? rng.nextInt(k) : Targets.argmax(q.q(), q.z(), j * k, k);
                    steps[row].step(phi[row], 0, set, choice);
                    Node next = resolve(g.getKey().children.get(cand[choice]));
                    if (siblings != null) {
                        for (int a = 0; a < k; a++) {
                            if (a == choice) {
                                continue;
                            }
                            Node other = resolve(g.getKey().children.get(cand[a]));
                            if (other.label != null) {
                                siblings.add(new Sibling(row, phi[row], set, a, other));
                            }
                        }
                    }
                    at[row] = next;
                    if (next.label == null) {
                        deeper.add(row);
                    }
                }
            }
            if (!deeper.isEmpty()) {
                int[][] seqs = new int[deeper.size()][];
                for (int j = 0; j < seqs.length; j++) {
                    int row = deeper.get(j);
                    seqs[j] = DqnTrainer.concat(states.promptIds(data.get(idx[row]).text()), at[row].prefix);
                }
                float[][] h = states.lastStates(seqs);
                for (int j = 0; j < seqs.length; j++) {
                    phi[deeper.get(j)] = h[j];
                }
                any = true;
            }
        }
        return new Walk(steps, at, siblings == null ? List.of() : siblings);
    }

    /**
     * Follows forced steps: a node with one child is not a decision, so the walk goes on without a
     * replay step and the reward reaches the last real decision directly.
     */
    private static Node resolve(Node next) {
        while (next.label == null && next.children.size() == 1) {
            next = next.children.values().iterator().next();
        }
        return next;
    }

    /**
     * The terminal actions not taken, as one-step episodes scored by the reward module. The token
     * MDP's transitions are known (appending a token) and the reward is a function the trainer holds,
     * so these are exact simulated transitions (as in Dyna), not guesses.
     */
    private List<ReplayEpisode> siblingEpisodes(Walk w, int[] idx, List<ClassificationExample> data) {
        if (w.siblings().isEmpty()) {
            return List.of();
        }
        List<Episode> eps = new ArrayList<>(w.siblings().size());
        for (Sibling sib : w.siblings()) {
            eps.add(episode(data.get(idx[sib.row()]), sib.leaf()));
        }
        double[] r = score(eps, k -> example("training", data.get(idx[w.siblings().get(k).row()]),
                w.siblings().get(k).leaf()), true);
        List<ReplayEpisode> out = new ArrayList<>(r.length);
        for (int i = 0; i < r.length; i++) {
            Sibling sib = w.siblings().get(i);
            ReplayEpisode.Builder b = new ReplayEpisode.Builder(sib.phi().length);
            b.step(sib.phi(), 0, sib.set(), sib.index());
            out.add(b.build(new float[] {(float) r[i]}));
        }
        return out;
    }

    private double[] rewards(Walk w, int[] idx, List<ClassificationExample> data) {
        List<Episode> eps = new ArrayList<>(idx.length);
        for (int i = 0; i < idx.length; i++) {
            eps.add(episode(data.get(idx[i]), w.leaves[i]));
        }
        // the dev set's examples (evaluation) are not training examples
        String kind = data == s.train() ? "training" : "evaluation";
        return score(eps, k -> example(kind, data.get(idx[k]), w.leaves[k]), data == s.train());
    }

    /**
     * Under the cross-entropy value loss, refuses a training reward outside [0, 1] (Q = σ(z) is a
     * probability), naming the reward, the example and the label: the same refusal whether the reward
     * leaves the range on one of the first training examples ({@link #requireLabelSignal}) or on a later
     * one drawn during training.
     *
     * @param r the rewards
     * @param name the example and label of each reward, for the message
     * @throws RewardSpecException naming the reward, the example, the value and what was expected
     */
    private void requireUnitRewards(double[] r, java.util.function.IntFunction<String> name) {
        if (cfg.valueLoss() != DqnConfig.ValueLoss.CROSS_ENTROPY) {
            return;
        }
        for (int j = 0; j < r.length; j++) {
            if (!(r[j] >= 0 && r[j] <= 1)) {
                throw new RewardSpecException("--reward " + s.reward().id() + ": gave " + name.apply(j)
                        + " the reward " + r[j] + ", outside [0, 1] (expected rewards in [0, 1] with "
                        + "--value-loss cross-entropy, whose Q = σ(z) is a probability; or --value-loss huber)");
            }
        }
    }

    /**
     * Scores episodes; a reward's failure on one of them names its example and label instead of the
     * episode's place in the batch. Training rewards are also checked by {@link #requireUnitRewards}.
     *
     * @param training whether the episodes are of training examples (not the evaluation set's)
     */
    private double[] score(List<Episode> eps, java.util.function.IntFunction<String> name, boolean training) {
        double[] r;
        try {
            r = s.reward().score(eps);
        } catch (dev.qdecode.rewards.RewardException e) {
            int k = e.episodeIndex();
            if (k < 0 || k >= eps.size()) {
                throw e;
            }
            throw new dev.qdecode.rewards.RewardException(e.messageAt(name.apply(k)), e.rewardId(), k, e);
        }
        if (training) {
            requireUnitRewards(r, name);
        }
        return r;
    }

    private static String example(String kind, ClassificationExample e, Node leaf) {
        String t = e.text().replaceAll("\\s+", " ").strip();
        return kind + " example id " + e.id() + " (\"" + (t.length() > 40 ? t.substring(0, 37) + "..." : t)
                + "\") with label '" + leaf.label + "' chosen";
    }

    /** Training examples on which {@link #requireLabelSignal} scores every label. */
    static final int SIGNAL_EXAMPLES = 64;

    /**
     * Refuses, before anything is embedded, a reward that gives all labels the same reward on each of the
     * first training examples (e.g. a sentiment reward of the review text): the head would have nothing to
     * learn and end at the majority label.
     *
     * @throws RewardSpecException naming the reward and what was expected
     */
    private void requireLabelSignal() {
        int n = Math.min(SIGNAL_EXAMPLES, s.train().size());
        List<Episode> eps = new ArrayList<>(n * leaves.size());
        for (int i = 0; i < n; i++) {
            for (Node leaf : leaves) {
                eps.add(episode(s.train().get(i), leaf));
            }
        }
        int k = leaves.size();
        double[] r = score(eps, j -> example("training", s.train().get(j / k), leaves.get(j % k)), true);
        for (int i = 0; i < n; i++) {
            for (int j = 1; j < k; j++) {
                if (r[i * k + j] != r[i * k]) {
                    return;
                }
            }
        }
        throw new RewardSpecException("--reward " + s.reward().id() + ": gave every label the same reward on each of "
                + "the first " + n + " training examples, so the head has nothing to learn (expected a reward that "
                + "compares the chosen label with the gold one, e.g. label-match)");
    }

    /** The episode the reward module scores: the example's text and gold label, the label a leaf ends. */
    private static Episode episode(ClassificationExample e, Node leaf) {
        return new Episode(e.text(), leaf.label, leaf.prefix, List.of(), e.label(), Map.of());
    }

    /** Dev-set evaluation of the greedy policy. */
    private record Eval(double accuracy, double meanReward, double meanLength, Map<String, Double> perLabel,
            List<String> predictions) {
        JsonObject toJson(long episode, long updates) {
            JsonObject o = new JsonObject();
            o.addProperty("episode", episode);
            o.addProperty("updates", updates);
            o.addProperty("accuracy", accuracy);
            o.addProperty("mean_reward", meanReward);
            o.addProperty("mean_length", meanLength);
            perLabel.forEach((k, v) -> o.addProperty(k.equals("online_accuracy") ? k : "recall_" + k, v));
            return o;
        }
    }

    /**
     * Dev-set evaluation of the greedy policy of the target head: the Polyak average of the online
     * head's recent weights, whose argmax between near-equal label values flips far less from one
     * evaluation to the next than the online head's (the online head's accuracy is logged too).
     */
    private Eval evaluate(QHead head, float[][] devPhi) {
        int[] all = new int[s.dev().size()];
        Arrays.setAll(all, i -> i);
        Eval online = evaluate(List.of(head), false, s.dev(), devPhi, all);
        Eval averaged = evaluate(List.of(head), true, s.dev(), devPhi, all);
        Map<String, Double> per = new LinkedHashMap<>(averaged.perLabel());
        per.put("online_accuracy", online.accuracy());
        return new Eval(averaged.accuracy(), averaged.meanReward(), averaged.meanLength(), per, averaged.predictions());
    }

    private Eval evaluate(List<QHead> heads, boolean target, List<ClassificationExample> data, float[][] phi, int[] idx) {
        int n = idx.length;
        if (n == 0) {
            return new Eval(Double.NaN, Double.NaN, Double.NaN, Map.of(), List.of());
        }
        Walk w = walk(heads, target, idx, data, phi, 0, null, false);
        double[] r = s.reward() != null ? rewards(w, idx, data) : new double[n];
        double right = 0;
        double rew = 0;
        double len = 0;
        Map<String, double[]> per = new TreeMap<>();
        List<String> predictions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String gold = data.get(idx[i]).label();
            predictions.add(w.leaves[i].label);
            boolean ok = w.leaves[i].label.equals(gold);
            right += ok ? 1 : 0;
            rew += r[i];
            len += w.leaves[i].prefix.length;
            double[] c = per.computeIfAbsent(gold, k -> new double[2]);
            c[0] += ok ? 1 : 0;
            c[1]++;
        }
        Map<String, Double> recall = new LinkedHashMap<>();
        per.forEach((k, c) -> recall.put(k, c[0] / c[1]));
        return new Eval(right / n, rew / n, len / n, recall, predictions);
    }

    /** The probe's accuracy and its label for each evaluation example. */
    private record Probe(double accuracy, List<String> predictions) {}

    /** Logistic probe on the same root embeddings (training embeddings come from the cache). */
    private Probe probe() {
        SentenceEncoder enc = states != null ? states : s.backbone().encoder();
        List<String> texts = s.train().stream().map(ClassificationExample::text).toList();
        List<String> labels = s.train().stream().map(ClassificationExample::label).toList();
        try (TextClassifier clf = TextClassifier.train(enc, texts, labels,
                ClassifierConfig.logistic().withSeed(cfg.seed()), s.cache())) {
            List<String> predicted = clf.predict(s.dev().stream().map(ClassificationExample::text).toList());
            double right = 0;
            for (int i = 0; i < predicted.size(); i++) {
                right += predicted.get(i).equals(s.dev().get(i).label()) ? 1 : 0;
            }
            return new Probe(right / predicted.size(), predicted);
        }
    }

    /** The decoder's own choice: argmax log π_ref over the allowed tokens, token by token. */
    private double zeroShot() {
        double right = 0;
        CausalLM m = s.backbone().model();
        int n = s.dev().size();
        int[][] prompts = new int[n][];
        Node[] at = new Node[n];
        for (int i = 0; i < n; i++) {
            prompts[i] = states.promptIds(s.dev().get(i).text());
            at[i] = root;
        }
        int v = m.config().vocabSize();
        while (true) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (at[i].label == null) {
                    rows.add(i);
                }
            }
            if (rows.isEmpty()) {
                break;
            }
            for (int b = 0; b < rows.size(); b += 64) {
                List<Integer> part = rows.subList(b, Math.min(rows.size(), b + 64));
                int[][] seqs = new int[part.size()][];
                for (int j = 0; j < seqs.length; j++) {
                    seqs[j] = DqnTrainer.concat(prompts[part.get(j)], at[part.get(j)].prefix);
                }
                try (ai.djl.ndarray.NDManager mgr = ai.djl.ndarray.NDManager.newBaseManager()) {
                    ai.djl.ndarray.NDArray logits = m.logits(mgr, seqs);
                    for (int j = 0; j < seqs.length; j++) {
                        float[] row = logits.get(new ai.djl.ndarray.index.NDIndex("{}, {}, :", j, seqs[j].length - 1))
                                .toFloatArray();
                        Node node = at[part.get(j)];
                        int best = -1;
                        for (int id : node.childIds()) {
                            if (id < v && (best < 0 || row[id] > row[best])) {
                                best = id;
                            }
                        }
                        at[part.get(j)] = node.children.get(best);
                    }
                }
            }
        }
        for (int i = 0; i < n; i++) {
            right += at[i].label.equals(s.dev().get(i).label()) ? 1 : 0;
        }
        return right / n;
    }

    private double majority() {
        Map<String, Integer> counts = new TreeMap<>();
        for (ClassificationExample e : s.train()) {
            counts.merge(e.label(), 1, Integer::sum);
        }
        String top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        return s.dev().stream().filter(e -> e.label().equals(top)).count() / (double) s.dev().size();
    }

    private void append(JsonObject line) {
        try {
            Files.writeString(s.runDir().resolve(METRICS_FILE), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + s.runDir().resolve(METRICS_FILE), e);
        }
    }

    private void writeSummary(Result r, Pass selected, Pass refit, int nTrain, int nVal) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("task", "classification");
        o.addProperty("selected_episode", selected.bestEpisode);
        o.addProperty("validation_accuracy", selected.bestVal);
        o.addProperty("train_examples", nTrain);
        o.addProperty("validation_examples", nVal);
        o.addProperty("episodes", r.episodes());
        o.addProperty("updates", r.updates());
        // of the pass whose head is kept
        o.add("return_range", new GsonBuilder().create().toJsonTree((refit != null ? refit : selected).returnRange()));
        o.addProperty("simulated_transitions", selected.simulated + (refit != null ? refit.simulated : 0));
        o.addProperty("dqn_accuracy", r.dqnAccuracy());
        o.addProperty("probe_accuracy", r.probeAccuracy());
        o.add("dqn_minus_probe_paired_bootstrap", r.versusProbe().toJson());
        if (!Double.isNaN(r.zeroShotAccuracy())) {
            o.addProperty("zero_shot_accuracy", r.zeroShotAccuracy());
        }
        o.addProperty("majority_accuracy", r.majorityAccuracy());
        o.addProperty("mean_reward", r.meanReward());
        o.addProperty("train_seconds", r.seconds());
        o.addProperty("selected_head_accuracy", selected.dev.accuracy);
        if (refit != null) {
            JsonObject f = new JsonObject();
            f.addProperty("examples", s.train().size());
            f.addProperty("episodes", refit.episodes);
            f.addProperty("updates", refit.updates);
            f.addProperty("seconds", refit.seconds);
            f.addProperty("accuracy", refit.dev.accuracy);
            o.add("refit", f);
        }
        Pass kept = refit != null ? refit : selected;
        o.add("dev", kept.dev.toJson(r.episodes(), r.updates()));
        JsonObject ids = new JsonObject();
        labelIds.forEach((k, v) -> ids.addProperty(k, Arrays.toString(v)));
        o.add("label_token_ids", ids);
        o.add("config", JsonParser.parseString(cfg.toJson()));
        o.add("provenance", new GsonBuilder().create().toJsonTree(new TreeMap<>(provenance)));
        AtomicFiles.write(s.runDir().resolve(SUMMARY_FILE),
                new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o)
                        .getBytes(StandardCharsets.UTF_8));
    }
}
