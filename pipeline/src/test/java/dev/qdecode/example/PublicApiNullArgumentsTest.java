package dev.qdecode.example;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.qdecode.data.DataReader;
import dev.qdecode.data.Datasets;
import dev.qdecode.data.ReadOptions;
import dev.qdecode.data.Row;
import dev.qdecode.data.Task;
import dev.qdecode.models.CausalLM;
import dev.qdecode.models.ModelConfig;
import dev.qdecode.models.train.TrainableLlama;
import dev.qdecode.data.ClassificationExample;
import dev.qdecode.pipeline.dqn.ClassificationTrainer;
import dev.qdecode.pipeline.testing.StandInEncoder;
import dev.qdecode.pipeline.dqn.DqnConfig;
import dev.qdecode.pipeline.dqn.DqnPolicy;
import dev.qdecode.pipeline.dqn.DqnTrainer;
import dev.qdecode.pipeline.dqn.Verbalizer;
import dev.qdecode.pipeline.generate.GenerationConfig;
import dev.qdecode.pipeline.generate.Generator;
import dev.qdecode.pipeline.generate.PromptEncoder;
import dev.qdecode.pipeline.generate.SamplingConfig;
import dev.qdecode.pipeline.sft.SftConfig;
import dev.qdecode.pipeline.sft.SftTrainer;
import dev.qdecode.rewards.Episode;
import dev.qdecode.rewards.Reward;
import dev.qdecode.rewards.classifier.ClassifierConfig;
import dev.qdecode.rewards.classifier.SentenceEncoder;
import dev.qdecode.rewards.classifier.TextClassifier;
import dev.qdecode.rewards.sentiment.Afinn;
import dev.qdecode.rewards.sentiment.Vader;
import dev.qdecode.tokenizer.BpeConfig;
import dev.qdecode.tokenizer.PromptFormat;
import dev.qdecode.tokenizer.TextTokenizer;
import dev.qdecode.tokenizer.TrainedTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every public constructor and method of every public type of the library (all modules, found on the
 * class path under {@code dev.qdecode}) refuses a null reference argument with
 * {@code Objects.requireNonNull(arg, "arg")}: a NullPointerException whose message is exactly the
 * parameter's name (compiled with {@code -parameters}), not a JDK NPE from deep inside
 * ({@code Cannot invoke "String.length()" because "<parameter1>" is null}), another exception, or
 * silence. The other arguments are harmless samples (empty strings and lists, a path that does not
 * exist, the type's {@code defaults()}), so a call either checks its null first or fails on them.
 *
 * <p>The test fails on every call that does anything else with the null: a NullPointerException that
 * does not name the parameter (the JDK's "Cannot invoke ... because ... is null" from inside, or another
 * parameter's name), another exception ({@code expected one of ... but got 'null'}, or a failure on a
 * sample argument because the null was not checked first), a call that returns normally, or one still
 * running after 60 s.
 *
 * <p>Where null is a documented, legitimate value ("null = none", "null for the default") the parameter
 * is listed in {@link #NULL_ALLOWED} with what its Javadoc says null means; where a null is a CLI option
 * that was not given and is refused naming the option, in {@link #REFUSED_AS_OPTION} (and checked);
 * types and members that cannot sensibly be called here are listed in {@link #EXCLUDED} with the reason.
 * An entry of the first two lists that matches no checked parameter fails the test, so they do not go
 * stale. Calls whose receiver or other arguments have no sample are skipped and counted in the printed
 * summary.
 */
class PublicApiNullArgumentsTest {

    /**
     * Parameters (as {@code Type.member(paramName)}; a key covers every overload with a parameter of that
     * name) whose null argument is a documented value, each with what its Javadoc says null means. They
     * are not called.
     */
    private static final Map<String, String> NULL_ALLOWED = Map.ofEntries(
            // data
            Map.entry("Datasets.notTheRuns(expected)",
                    "@param expected: what to do instead, or null (no '; EXPECTED')"),
            Map.entry("Datasets.changedSinceRun(expected)",
                    "@param expected: what to do instead, or null (no '; EXPECTED')"),
            Map.entry("ReadOptions.<init>(format)", "@param format: null chooses the format from the file extension"),
            Map.entry("ReadOptions.withFormat(format)",
                    "@param format: null chooses the format from the file extension"),
            // models
            Map.entry("TrainableLlama.save(tokenizerDir)", "@param tokenizerDir: null to write no tokenizer files"),
            // tokenizer
            Map.entry("JsonErrors.position(s)", "@param s: may be null (then there is no position: null)"),
            Map.entry("JsonErrors.syntaxError(text)",
                    "@param text (both overloads): null, no trailing comma is looked for"),
            Map.entry("JsonErrors.syntaxError(at)", "@param at: Gson's position, or null when it is not known"),
            Map.entry("JsonErrors.syntaxError(message)", "@param message: null when the exception had none"),
            // rewards
            Map.entry("Episode.<init>(tokenIds)", "@param tokenIds: null means none"),
            Map.entry("Episode.<init>(references)", "@param references: null means none"),
            Map.entry("Episode.<init>(label)", "@param label: the gold label, or null"),
            Map.entry("Episode.<init>(metadata)", "@param metadata: null means none"),
            Map.entry("Episode.withText(newTokenIds)", "@param newTokenIds: null means none (as in the constructor)"),
            Map.entry("RewardBenchmarks.parallel(pool)", "@param pool: the worker pool, or null for sequential"),
            Map.entry("RewardInfo.<init>(description)", "@param description: null means empty"),
            Map.entry("RewardInfo.<init>(parameters)", "@param parameters: null means none"),
            Map.entry("RewardParams.getString(def)", "@param def: may be null, returned when the key is absent"),
            Map.entry("RewardParams.getPath(def)", "@param def: may be null, returned when the key is absent"),
            Map.entry("TextClassifier.train(cache)", "@param cache (both overloads): null to always embed"),
            Map.entry("TextClassifier.withMetrics(encoderThreads)", "@param encoderThreads: null to record none"),
            Map.entry("EmbeddingCache.threadsThatComputed(cache)", "@param cache: null when computed without one"),
            Map.entry("EmbeddingCache.joinThreads(before)", "@param before: null when there were no earlier sessions"),
            // pipeline
            Map.entry("DqnConfig.<init>(returnMin)", "@param returnMin: null (with returnMax) derives the range"),
            Map.entry("DqnConfig.<init>(returnMax)", "@param returnMax: null (with returnMin) derives the range"),
            Map.entry("DqnConfig.Builder.returnMin(v)", "Sets returnMin: null = the range is derived"),
            Map.entry("DqnConfig.Builder.returnMax(v)", "Sets returnMax: null = the range is derived"),
            Map.entry("ClassificationTrainer.Backbone.<init>(model)", "@param model: null for an encoder"),
            Map.entry("ClassificationTrainer.Backbone.<init>(tokenizer)", "@param tokenizer: not null with a decoder"),
            Map.entry("ClassificationTrainer.Backbone.<init>(format)", "@param format: not null with a decoder"),
            Map.entry("ClassificationTrainer.Backbone.<init>(modelHash)", "@param modelHash: the decoder's, or null"),
            Map.entry("ClassificationTrainer.Backbone.<init>(encoder)", "@param encoder: null for a decoder"),
            Map.entry("ClassificationTrainer.Setup.<init>(reward)", "@param reward: null when only predicting"),
            Map.entry("ClassificationTrainer.Setup.<init>(runDir)", "@param runDir: null when only predicting"),
            Map.entry("ClassificationTrainer.Setup.<init>(cache)", "@param cache: embedding cache, or null"),
            Map.entry("ClassificationTrainer.run(listener)", "@param listener: hooks (rollouts, updates, evaluations), or null"),
            Map.entry("ClassificationTrainer.TrainedRun.predict(cache)", "@param cache (both overloads): embedding cache, or null"),
            Map.entry("DqnTrainer.create(listener)", "@param listener: hooks, or null"),
            Map.entry("DqnTrainer.resume(listener)", "@param listener: hooks, or null"),
            Map.entry("DqnTrainer.evaluate(policy)", "@param policy (both overloads): the trained policy, or null for the base model"),
            Map.entry("DqnTrainer.evaluate(listener)", "@param listener (both overloads): may be null"),
            Map.entry("DqnTrainer.evaluate(log)", "@param log: the episodes done so far (null: none kept)"),
            Map.entry("DqnPolicy.scores(allowed)", "@param allowed (every overload): null = all for every row"),
            Map.entry("DqnPolicy.scores(banned)", "@param banned (both overloads): ids no row may have as a candidate (null: none)"),
            Map.entry("GenerationConfig.<init>(stopStrings)", "@param stopStrings: null means none"),
            Map.entry("GenerationConfig.stepwise(stopStrings)", "@param stopStrings: null means none"),
            Map.entry("Generator.<init>(tokenizer)", "@param tokenizer (both constructors): null, ids only"),
            Map.entry("Generator.<init>(policy)", "@param policy: null = the model's own logits"),
            Map.entry("Generator.generate(progress)", "@param progress (both overloads): may be null"),
            Map.entry("SftTrainer.beforeWriting(action)", "@param action: what to do, or null for nothing"),
            Map.entry("PromptEncoder.Encoded.<init>(allowedFirst)", "@param allowedFirst: null = no constraint"),
            Map.entry("SftConfig.<init>(sourceColumn)", "@param sourceColumn: null for the task's default"),
            Map.entry("SftConfig.<init>(targetColumn)", "@param targetColumn: null for the task's default"),
            Map.entry("SftConfig.<init>(template)", "@param template: null for the task's default"),
            Map.entry("SftConfig.<init>(model)", "@param model: exactly one of model and init is given (--model)"),
            Map.entry("SftConfig.<init>(init)", "@param init: exactly one of model and init is given (--init)"),
            Map.entry("SftConfig.<init>(tokenizer)", "@param tokenizer: required with init only (--tokenizer)"));

    /**
     * Parameters whose null is a CLI option that was not given, refused as the command reports it: an
     * {@code IllegalArgumentException} whose message starts with the option ({@code --data: a training file
     * is required}), checked here, before any other field is checked. Each with where that is documented.
     */
    private static final Map<String, String> REFUSED_AS_OPTION = Map.ofEntries(
            Map.entry("SftConfig.<init>(task)", "SftConfig's @throws: a required option not given is refused first"),
            Map.entry("SftConfig.<init>(data)", "SftConfig's @throws: a required option not given is refused first"),
            Map.entry("SftConfig.<init>(dev)", "SftConfig's @throws: a required option not given is refused first"),
            Map.entry("SftConfig.<init>(schedule)",
                    "SftConfig's @throws: a required option not given is refused first"),
            Map.entry("SftConfig.<init>(out)", "SftConfig's @throws: a required option not given is refused first"));

    /** Types or members ({@code Type} or {@code Type.member}) not called, with the reason. */
    private static final Map<String, String> EXCLUDED = Map.ofEntries(
            Map.entry("Main.main", "calls System.exit; Main.execute(out, err, args) is its testable form"));

    private static Path tmp;
    private static ExecutorService pool;
    private static NDManager manager;
    private static final List<AutoCloseable> OPENED = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        tmp = Files.createTempDirectory("null-args");
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "null-args");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void tearDown() throws Exception {
        pool.shutdownNow();
        for (AutoCloseable c : OPENED) {
            c.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void everyPublicMemberNamesItsNullParameter() throws Exception {
        List<Class<?>> types = publicTypes();
        assertTrue(types.size() > 50, "found only " + types.size() + " public types: " + types);
        List<String> offenders = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> listed = new HashSet<>();
        int checked = 0;
        for (Class<?> type : types) {
            if (excluded(type.getSimpleName()) != null) {
                continue;
            }
            List<Executable> members = new ArrayList<>();
            if (!Modifier.isAbstract(type.getModifiers()) && !type.isEnum()) {
                members.addAll(List.of(type.getConstructors()));
            }
            for (Method m : type.getMethods()) {
                if (m.isSynthetic() || m.isBridge() || !m.getDeclaringClass().getName().startsWith("dev.qdecode.")) {
                    continue;
                }
                boolean isStatic = Modifier.isStatic(m.getModifiers());
                if (isStatic && m.getDeclaringClass() != type) {
                    continue;
                }
                if (!isStatic && (type.isInterface() || Modifier.isAbstract(type.getModifiers()))) {
                    continue; // reached through the public concrete types that implement it
                }
                if (m.getName().equals("equals") && m.getParameterCount() == 1) {
                    continue; // equals(null) is false by Object's contract
                }
                if (type.isEnum() && m.getName().equals("valueOf") && m.getParameterCount() == 1) {
                    continue; // generated by javac; Enum.valueOf's own NPE
                }
                members.add(m);
            }
            for (Executable member : members) {
                String id = typeName(type) + "." + (member instanceof Constructor ? "<init>" : member.getName());
                if (excluded(id) != null) {
                    continue;
                }
                Parameter[] params = member.getParameters();
                for (int i = 0; i < params.length; i++) {
                    if (params[i].getType().isPrimitive()) {
                        continue;
                    }
                    String name = params[i].getName();
                    String key = id + "(" + name + ")";
                    if (NULL_ALLOWED.containsKey(key)) {
                        listed.add(key);
                        continue;
                    }
                    Object receiver = null;
                    if (member instanceof Method && !Modifier.isStatic(member.getModifiers())) {
                        receiver = sample(type, new HashSet<>());
                        if (receiver == null) {
                            skipped.add(key + ": no sample " + type.getSimpleName());
                            continue;
                        }
                    }
                    Object[] args = new Object[params.length];
                    boolean ok = true;
                    for (int j = 0; j < params.length; j++) {
                        if (j == i) {
                            continue;
                        }
                        args[j] = sample(params[j].getType(), new HashSet<>());
                        if (args[j] == null) {
                            skipped.add(key + ": no sample " + params[j].getType().getSimpleName());
                            ok = false;
                            break;
                        }
                    }
                    if (!ok) {
                        continue;
                    }
                    checked++;
                    String problem = callWithNull(member, receiver, args, name);
                    if (REFUSED_AS_OPTION.containsKey(key)) {
                        listed.add(key);
                        String option = "IllegalArgumentException: --" + name.replaceAll("([A-Z])", "-$1")
                                .toLowerCase(java.util.Locale.ROOT) + ":";
                        problem = problem != null && problem.startsWith(option) ? null
                                : (problem == null ? "NullPointerException naming it" : problem)
                                        + " (expected " + option + " ...)";
                    }
                    if (problem != null) {
                        offenders.add(key + ": " + problem + " [" + type.getName() + "]");
                    }
                }
            }
        }
        System.out.println("null-argument calls checked: " + checked + ", offenders: " + offenders.size()
                + ", allowed null: " + NULL_ALLOWED.size() + ", refused as an option: " + REFUSED_AS_OPTION.size()
                + ", skipped (no sample argument): " + skipped.size());
        skipped.forEach(s -> System.out.println("  skipped " + s));
        offenders.forEach(s -> System.out.println("  OFFENDER " + s));
        Set<String> stale = new TreeSet<>(NULL_ALLOWED.keySet());
        stale.addAll(REFUSED_AS_OPTION.keySet());
        stale.removeAll(listed);
        assertTrue(stale.isEmpty(), "listed parameters that no public member has (or that were skipped): " + stale);
        assertTrue(offenders.isEmpty(), offenders.size() + " public members take a null argument without refusing "
                + "it with NullPointerException(parameter name) (fix the member, or list a documented null in "
                + "NULL_ALLOWED):\n" + String.join("\n", offenders));
    }

    /** The type's name without its package, a nested type's with its enclosing types': {@code DqnConfig.Builder}. */
    private static String typeName(Class<?> type) {
        return type.getName().substring(type.getPackageName().length() + 1).replace('$', '.');
    }

    private static String excluded(String id) {
        return EXCLUDED.get(id);
    }

    /** Null when the call threw {@code NullPointerException(name)}, else what it did instead. */
    private static String callWithNull(Executable member, Object receiver, Object[] args, String name)
            throws InterruptedException {
        Future<Throwable> f = pool.submit(() -> {
            try {
                if (member instanceof Constructor<?> c) {
                    c.newInstance(args);
                } else {
                    ((Method) member).invoke(receiver, args);
                }
                return null;
            } catch (InvocationTargetException e) {
                return e.getCause();
            }
        });
        Throwable t;
        try {
            t = f.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return "still running after 60 s";
        } catch (java.util.concurrent.ExecutionException e) {
            return "could not call: " + e.getCause();
        }
        if (t instanceof NullPointerException && name.equals(t.getMessage())) {
            return null;
        }
        if (t == null) {
            return "returned normally";
        }
        String msg = String.valueOf(t.getMessage()).lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + ": " + (msg.length() > 140 ? msg.substring(0, 140) + "..." : msg);
    }

    // ---- samples: harmless non-null values of a parameter type ----

    private static final Map<Class<?>, Object> SAMPLES = new IdentityHashMap<>();

    private static Object sample(Class<?> type, Set<Class<?>> seen) {
        if (type.isPrimitive()) {
            return primitive(type);
        }
        if (SAMPLES.containsKey(type)) {
            return SAMPLES.get(type);
        }
        Object v = null;
        if (seen.add(type)) {
            v = makeSample(type, seen);
            seen.remove(type);
        }
        if (v != null) {
            SAMPLES.put(type, v);
        }
        return v;
    }

    private static Object primitive(Class<?> type) {
        if (type == boolean.class) {
            return false;
        }
        if (type == char.class) {
            return 'x';
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == double.class) {
            return 0.0;
        }
        if (type == float.class) {
            return 0.0f;
        }
        if (type == byte.class) {
            return (byte) 0;
        }
        if (type == short.class) {
            return (short) 0;
        }
        return 0;
    }

    /** The real model and lexicon files the samples of the types that read them load (small ones). */
    private static Path shared(String path) {
        return Path.of(System.getProperty("qdecode.shared")).resolve(path);
    }

    private static Object opened(AutoCloseable c) {
        OPENED.add(c);
        return c;
    }

    /**
     * Samples of the types that no generic rule below makes: a PyTorch manager and array, the smallest
     * shared model (stories260K) with its tokenizer, and objects built from them or from a valid spec.
     * Null when the type is none of these.
     */
    private static Object knownSample(Class<?> type, Set<Class<?>> seen) {
        Path model = shared("models/stories260K");
        if (type == NDManager.class) {
            if (manager == null) {
                manager = NDManager.newBaseManager("PyTorch");
            }
            return manager;
        }
        if (type == NDArray.class) {
            return ((NDManager) sample(NDManager.class, seen)).zeros(new Shape(1));
        }
        if (type == TextTokenizer.class) {
            return opened(TextTokenizer.load(model));
        }
        if (type == CausalLM.class) {
            return opened(CausalLM.load(model, (TextTokenizer) sample(TextTokenizer.class, seen)));
        }
        if (type == TrainableLlama.class) {
            return opened(TrainableLlama.fromPretrained(model));
        }
        if (type == ModelConfig.class) {
            return ModelConfig.load(model);
        }
        if (type == BpeConfig.class) {
            return BpeConfig.of(512);
        }
        if (type == TrainedTokenizer.class) {
            return dev.qdecode.tokenizer.BpeTrainer.train(List.of("a b c", "a b"), BpeConfig.of(300));
        }
        if (type == Verbalizer.class) {
            return Verbalizer.parse("0=bad,1=good");
        }
        if (type == Task.class) {
            return Task.byName("classification");
        }
        if (type == Afinn.class) {
            return Afinn.load(shared("data/lexicons/afinn-165.tsv"));
        }
        if (type == Vader.class) {
            return Vader.load(shared("data/lexicons"));
        }
        if (type == GenerationConfig.class) {
            return GenerationConfig.stepwise(SamplingConfig.greedyDecoding(), 4, 0, List.of(), 0, 1, false, false);
        }
        if (type == Generator.class) {
            return new Generator((CausalLM) sample(CausalLM.class, seen), (TextTokenizer) sample(TextTokenizer.class,
                    seen), PromptFormat.plain(), (GenerationConfig) sample(GenerationConfig.class, seen));
        }
        if (type == PromptEncoder.class) {
            return new PromptEncoder((TextTokenizer) sample(TextTokenizer.class, seen), PromptFormat.plain(), false,
                    false, 64);
        }
        if (type == SftConfig.class) {
            return new SftConfig("translation", tmp.resolve("train.tsv"), tmp.resolve("dev.tsv"), null, null, null,
                    model, null, null, 1, 0, 32, 0, 1e-3, 10, "cosine", 0.01, 1.0, 0.1, 100, 0, 50, 1,
                    tmp.resolve("sft-out"));
        }
        if (type == SftTrainer.class) {
            return new SftTrainer((SftConfig) sample(SftConfig.class, seen), false, Long.MAX_VALUE, 1);
        }
        if (type == Row.class) {
            Path file = tmp.resolve("rows.tsv");
            try {
                Files.writeString(file, "text\tlabel\nx\t0\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try (DataReader<Row> rows = Datasets.rows(file, ReadOptions.defaults())) {
                return rows.next();
            }
        }
        if (type == TextClassifier.class) {
            // a 2-dimensional stand-in encoder: the classifier's own work, not an embedding model's
            SentenceEncoder encoder = StandInEncoder.lengthAndGood();
            List<String> texts = List.of("good a", "bad b", "good c", "bad d", "good e", "bad f");
            return opened(TextClassifier.train(encoder, texts, List.of("1", "0", "1", "0", "1", "0"),
                    ClassifierConfig.logistic().withMaxEpochs(2)));
        }
        if (type == DqnTrainer.Setup.class) {
            // constructing a setup starts nothing; a call that is given it with a null must refuse the null first
            return dqnSetup(tmp.resolve("dqn-setup-run"), seen);
        }
        if (type == DqnPolicy.class) {
            // a policy is a trained run: 4 episodes of 4 tokens on stories260K (about a second), then loaded
            Path run = tmp.resolve("dqn-run");
            DqnConfig cfg = DqnConfig.builder().episodes(4).rolloutEpisodes(4).maxNewTokens(4).minNewTokens(1)
                    .batchSize(4).updatesPerRollout(1).evalSamples(1).seed(1).build();
            try (DqnTrainer trainer = DqnTrainer.create(dqnSetup(run, seen), cfg, null)) {
                trainer.run(Long.MAX_VALUE);
            }
            return opened(DqnPolicy.load(run, DqnPolicy.Mode.GUIDED));
        }
        if (type == ClassificationTrainer.Setup.class) {
            return classificationSetup(tmp.resolve("clf-setup-run"), seen);
        }
        if (type == ClassificationTrainer.TrainedRun.class) {
            // a trained classification run: 8 episodes on two examples with stories260K as the decoder
            Path run = tmp.resolve("clf-run");
            DqnConfig cfg = DqnConfig.builder().episodes(8).rolloutEpisodes(4).batchSize(4).updatesPerRollout(1)
                    .seed(1).build();
            ClassificationTrainer.run(classificationSetup(run, seen), cfg, null);
            return ClassificationTrainer.TrainedRun.load(run);
        }
        if (type == ClassificationTrainer.Backbone.class) {
            return new ClassificationTrainer.Backbone((CausalLM) sample(CausalLM.class, seen),
                    (TextTokenizer) sample(TextTokenizer.class, seen), PromptFormat.plain(), "x", null);
        }
        return null;
    }

    /** 1 for an episode whose text is its label or its text in 0=bad,1=good (classification), else 0; what a setup needs, whatever its task. */
    private static final Reward ONE = new Reward() {
        @Override
        public String id() {
            return "label-is-text";
        }

        @Override
        public double[] score(List<Episode> episodes) {
            double[] r = new double[episodes.size()];
            for (int i = 0; i < r.length; i++) {
                String text = episodes.get(i).text().strip();
                String label = String.valueOf(episodes.get(i).label());
                r[i] = text.equals(label) || text.equals(label.equals("1") ? "good" : "bad") ? 1 : 0;
            }
            return r;
        }
    };

    /** A valid DQN setup on stories260K with one prompt, writing to {@code runDir}. */
    private static DqnTrainer.Setup dqnSetup(Path runDir, Set<Class<?>> seen) {
        return new DqnTrainer.Setup((CausalLM) sample(CausalLM.class, seen),
                (TextTokenizer) sample(TextTokenizer.class, seen), PromptFormat.plain(), ONE, List.of("Once upon"),
                List.of("Once upon"), 0.0, runDir, Map.of(), Map.of(), Map.of());
    }

    /** A valid classification setup on stories260K as the decoder, two examples, writing to {@code runDir}. */
    private static ClassificationTrainer.Setup classificationSetup(Path runDir, Set<Class<?>> seen) {
        List<ClassificationExample> examples = List.of(new ClassificationExample("1", "good a", "1"),
                new ClassificationExample("2", "bad b", "0"));
        Verbalizer v = (Verbalizer) sample(Verbalizer.class, seen);
        String template = "{text} =";
        return new ClassificationTrainer.Setup((ClassificationTrainer.Backbone) sample(
                ClassificationTrainer.Backbone.class, seen), v, template, examples, examples, ONE, runDir,
                Map.of("task", "classification", "labels", v.toSpec(), "template", template), null);
    }

    private static Object makeSample(Class<?> type, Set<Class<?>> seen) {
        try {
            Object known = knownSample(type, seen);
            if (known != null) {
                return known;
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot make the sample " + type.getSimpleName() + ": " + e, e);
        }
        if (type == String.class || type == CharSequence.class || type == Object.class) {
            return "x";
        }
        if (type == Integer.class || type == Number.class) {
            return 0;
        }
        if (type == Long.class) {
            return 0L;
        }
        if (type == Double.class) {
            return 0.0;
        }
        if (type == Float.class) {
            return 0.0f;
        }
        if (type == Boolean.class) {
            return false;
        }
        if (type == Path.class) {
            return tmp.resolve("no-such-file");
        }
        if (type == File.class) {
            return tmp.resolve("no-such-file").toFile();
        }
        if (type == List.class || type == Collection.class || type == Iterable.class) {
            return List.of();
        }
        if (type == Set.class) {
            return Set.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        if (type == Optional.class) {
            return Optional.empty();
        }
        if (type == Iterator.class) {
            return List.of().iterator();
        }
        if (type == Random.class) {
            return new Random(0);
        }
        if (type == PrintWriter.class) {
            return new PrintWriter(new StringWriter());
        }
        if (type == Writer.class || type == Appendable.class) {
            return new StringWriter();
        }
        if (type == PrintStream.class) {
            return new PrintStream(OutputStream.nullOutputStream());
        }
        if (type == OutputStream.class) {
            return OutputStream.nullOutputStream();
        }
        if (type == InputStream.class) {
            return InputStream.nullInputStream();
        }
        if (type == Reader.class) {
            return new StringReader("");
        }
        if (type.isArray()) {
            return Array.newInstance(type.getComponentType(), 0);
        }
        if (type.isEnum()) {
            Object[] c = type.getEnumConstants();
            return c.length == 0 ? null : c[0];
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, m, a) -> switch (m.getName()) {
                        case "toString" -> "sample " + type.getSimpleName();
                        case "hashCode" -> 0;
                        case "equals" -> proxy == a[0];
                        default -> m.getReturnType().isPrimitive() && m.getReturnType() != void.class
                                ? primitive(m.getReturnType()) : null;
                    });
        }
        if (!type.getName().startsWith("dev.qdecode.") || !Modifier.isPublic(type.getModifiers())) {
            return null;
        }
        for (String factory : List.of("defaults", "of", "empty", "create")) {
            try {
                Method m = type.getMethod(factory);
                if (Modifier.isStatic(m.getModifiers()) && type.isAssignableFrom(m.getReturnType())) {
                    return m.invoke(null);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                // next
            }
        }
        // a constant of the type (Decoding.TRAINED), then any other static factory without arguments, of the
        // type or of the type it is nested in (PromptFormat.plain(), Bleu.sentenceLevel(), DqnConfig.builder())
        for (Class<?> owner : type.getEnclosingClass() == null ? List.<Class<?>>of(type)
                : List.of(type, type.getEnclosingClass())) {
            for (java.lang.reflect.Field f : owner.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == type) {
                    try {
                        return f.get(null);
                    } catch (ReflectiveOperationException e) {
                        // next
                    }
                }
            }
            List<Method> factories = new ArrayList<>();
            for (Method m : owner.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0 && m.getReturnType() == type
                        && m.getDeclaringClass() == owner) {
                    factories.add(m);
                }
            }
            factories.sort(java.util.Comparator.comparing(Method::getName));
            for (Method m : factories) {
                try {
                    return m.invoke(null);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // next
                }
            }
        }
        if (type.isRecord()) {
            RecordComponent[] rc = type.getRecordComponents();
            Class<?>[] types = new Class<?>[rc.length];
            Object[] args = new Object[rc.length];
            for (int i = 0; i < rc.length; i++) {
                types[i] = rc[i].getType();
                args[i] = sample(types[i], seen);
                if (args[i] == null) {
                    return null;
                }
            }
            try {
                return type.getConstructor(types).newInstance(args);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            return null;
        }
        List<Constructor<?>> ctors = new ArrayList<>(List.of(type.getConstructors()));
        ctors.sort((a, b) -> a.getParameterCount() - b.getParameterCount());
        for (Constructor<?> c : ctors) {
            Object[] args = new Object[c.getParameterCount()];
            boolean ok = true;
            for (int i = 0; i < args.length && ok; i++) {
                args[i] = sample(c.getParameterTypes()[i], seen);
                ok = args[i] != null;
            }
            if (ok) {
                try {
                    return c.newInstance(args);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // next
                }
            }
        }
        return null;
    }

    // ---- the library's public types ----

    private static List<Class<?>> publicTypes() throws IOException, ClassNotFoundException {
        Set<String> names = new TreeSet<>();
        ClassLoader cl = PublicApiNullArgumentsTest.class.getClassLoader();
        Enumeration<URL> roots = cl.getResources("dev/qdecode");
        while (roots.hasMoreElements()) {
            URL url = roots.nextElement();
            if (url.getPath().contains("test-classes")) {
                continue;
            }
            if (url.getProtocol().equals("file")) {
                Path root = Path.of(java.net.URI.create(url.toString()));
                Path base = root.getParent().getParent();
                try (var files = Files.walk(root)) {
                    files.filter(p -> p.toString().endsWith(".class"))
                            .map(p -> base.relativize(p).toString().replace(File.separatorChar, '/'))
                            .forEach(names::add);
                }
            } else if (url.getProtocol().equals("jar")) {
                JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile();
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (n.startsWith("dev/qdecode/") && n.endsWith(".class")) {
                        names.add(n);
                    }
                }
            }
        }
        List<Class<?>> types = new ArrayList<>();
        for (String n : names) {
            String cn = n.substring(0, n.length() - ".class".length()).replace('/', '.');
            if (cn.endsWith("package-info") || cn.endsWith("module-info")) {
                continue;
            }
            Class<?> c = Class.forName(cn, false, cl);
            if (isPublicApi(c) && !Throwable.class.isAssignableFrom(c)) {
                // exception types are left out: their (message, cause) constructors take null as
                // Throwable's do
                types.add(c);
            }
        }
        return types.stream().distinct().collect(Collectors.toList());
    }

    private static boolean isPublicApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers()) || k.isAnonymousClass() || k.isLocalClass()) {
                return false;
            }
        }
        return true;
    }
}
