package dev.qdecode.rewards;

import dev.qdecode.rewards.classifier.TextClassifier;
import dev.qdecode.rewards.sentiment.Vader;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;

/**
 * The registry of reward providers: built-ins found with {@link ServiceLoader}, plus plug-in jars
 * loaded at run time with {@link #loadPlugin(Path)}. Rewards are created from specs.
 *
 * <h2>Spec grammar</h2>
 * <pre>
 *   spec   := part ('+' part)*
 *   part   := [WEIGHT '*'] id [':' param (',' param)*]
 *   param  := key '=' value
 * </pre>
 * <ul>
 *   <li>{@code id}: lower-case letters, digits, {@code . _ -} (e.g. {@code bleu}, {@code label-match}).
 *   <li>{@code key=value} splits at the <em>first</em> {@code =}: a value may contain {@code =}
 *       (e.g. {@code expr=a=b} gives {@code a=b}). Keys and values are trimmed.
 *   <li>A {@code ,} or {@code +} inside a value is written {@code \,} or {@code \+}; a backslash
 *       is {@code \\}.
 *   <li>{@code WEIGHT} is a finite decimal number ({@code 0.7}, {@code -1}, {@code 2.5e-3}; an
 *       exponent with {@code +} is not allowed since {@code +} separates parts).
 *   <li>One part without weight gives that reward itself; several parts, or any weight, give a
 *       {@link CompositeReward} (weighted sum; unweighted parts have weight 1).
 * </ul>
 * Examples: {@code bleu}, {@code bleu:tokenize=intl,lowercase=true},
 * {@code 0.7*vader + 0.3*bleu:tokenize=intl}, {@code label-match:labels=pos|neg,ignore-case=true}.
 *
 * <p>Every reward returned by {@link #create} is wrapped by {@link #checked(Reward)}.
 * Instances are thread-safe.
 *
 * <h2>Closing</h2>
 * A plug-in jar stays open, in the class loader that reads it, while it can still be needed: until the
 * registry is {@linkplain #close() closed} and every reward created from the jar's providers is closed
 * too. So a command may close the registry as soon as it has created its reward, and use the reward
 * until it closes it.
 */
public final class Rewards implements AutoCloseable {
    private static final String BUILT_IN = "built-in";
    private static final String SERVICE_FILE =
            "META-INF/services/" + RewardProvider.class.getName();

    private final Map<String, RewardProvider> providers = new TreeMap<>();
    private final Map<String, String> origins = new LinkedHashMap<>();
    /** The class loader of each plug-in jar loaded, by its origin (the jar's absolute path). */
    private final Map<String, PluginLoader> pluginLoaders = new LinkedHashMap<>();
    private boolean closed;

    private Rewards() {}

    /**
     * The built-in providers and any others on the class path of this module
     * ({@link ServiceLoader} over this class's class loader).
     *
     * @return a new registry
     * @throws RewardException when a provider cannot be loaded, has an invalid id, or two
     *     providers share an id (the message names both classes)
     */
    public static Rewards discover() {
        Rewards r = new Rewards();
        ClassLoader loader = Rewards.class.getClassLoader();
        try {
            for (ServiceLoader.Provider<RewardProvider> p :
                    ServiceLoader.load(RewardProvider.class, loader).stream().toList()) {
                r.register(p.get(), BUILT_IN);
            }
        } catch (ServiceConfigurationError e) {
            throw new RewardException("cannot load a built-in reward provider: "
                    + RewardException.oneLine(e.getMessage()), e);
        }
        return r;
    }

    /**
     * A registry holding exactly the given providers (no discovery): for embedding and tests.
     *
     * @param providers the providers
     * @return a new registry
     * @throws RewardException on an invalid or duplicate id
     * @throws NullPointerException naming {@code providers} (or the index of a null provider) when it is
     *     null
     */
    public static Rewards of(Collection<? extends RewardProvider> providers) {
        Objects.requireNonNull(providers, "providers");
        int i = 0;
        for (RewardProvider p : providers) {
            Objects.requireNonNull(p, "providers[" + i++ + "]");
        }
        Rewards r = new Rewards();
        for (RewardProvider p : providers) {
            r.register(p, BUILT_IN);
        }
        return r;
    }

    private void register(RewardProvider p, String origin) {
        String id;
        try {
            id = p.id();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException("reward provider " + p.getClass().getName() + originSuffix(origin)
                    + ": id() failed: " + CheckedReward.describe(e), e);
        }
        if (id == null || !SpecParser.ID.matcher(id).matches()) {
            throw new RewardException("reward provider " + p.getClass().getName() + originSuffix(origin)
                    + " has invalid id '" + id
                    + "' (expected lower-case letters, digits, '.', '_' or '-')");
        }
        parametersOf(id, p, origin);
        RewardProvider old = providers.get(id);
        if (old != null) {
            throw new RewardException("reward id '" + id + "' is provided by both "
                    + old.getClass().getName() + originSuffix(origins.get(id)) + " and "
                    + p.getClass().getName() + originSuffix(origin));
        }
        providers.put(id, p);
        origins.put(id, origin);
    }

    private static String originSuffix(String origin) {
        return BUILT_IN.equals(origin) ? "" : " (" + origin + ")";
    }

    /**
     * Calls one method of a provider (plug-in code): an exception, a linkage error or running out
     * of memory or stack becomes a one-line RewardException naming the id, the class and the jar.
     */
    private static <T> T ask(String id, RewardProvider p, String origin, String method,
            Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            throw new RewardException(providerName(id, p, origin) + ": " + method + " failed: "
                    + CheckedReward.describe(e), id, -1, e);
        }
    }

    private static String providerName(String id, RewardProvider p, String origin) {
        return "reward '" + id + "' of " + p.getClass().getName() + originSuffix(origin);
    }

    /**
     * The parameters a provider documents, checked: a list (possibly empty) without null
     * elements. Called when the provider is registered, so that a broken plug-in is refused as it
     * is loaded, and again wherever they are used.
     */
    private static List<RewardParameter> parametersOf(String id, RewardProvider p, String origin) {
        List<RewardParameter> params = ask(id, p, origin, "parameters()", p::parameters);
        if (params == null || params.stream().anyMatch(Objects::isNull)) {
            throw new RewardException(providerName(id, p, origin) + ": parameters() returned "
                    + (params == null ? "null" : "a null parameter")
                    + " (expected a list of parameters, empty when the reward takes none)");
        }
        return params;
    }

    /**
     * Loads a plug-in jar: its {@code META-INF/services/dev.qdecode.rewards.RewardProvider} lists
     * provider classes, loaded by a class loader whose parent is this module's loader (so they
     * see the reward SPI). Either every provider of the jar is registered, or none.
     *
     * @param jar the jar file
     * @return the ids the jar added, sorted
     * @throws RewardInputException (one line; bad input, as any other input file that is missing or
     *     cannot be used) when the file is missing, not a readable file, or not a jar (zip) file
     * @throws RewardException (one line; the plug-in's failure) when the jar declares no provider, its
     *     services file starts with a byte-order mark, a
     *     provider cannot be loaded (named with why: a class missing or not public, no public no-argument
     *     constructor, the exception its constructor or static initializer threw, or the Java release its
     *     classes must be compiled for), its {@link RewardProvider#id()} fails, an id is invalid or already
     *     taken, or a provider's {@link RewardProvider#parameters()} fails or returns null
     * @throws NullPointerException naming {@code jar} when it is null
     * @throws IllegalStateException when the registry is closed
     */
    public synchronized List<String> loadPlugin(Path jar) {
        Objects.requireNonNull(jar, "jar");
        requireOpen();
        Path abs = jar.toAbsolutePath().normalize();
        String where = abs.toString();
        // The file itself is an input like any other (bad input); what the jar holds is the plug-in's.
        if (!Files.exists(abs)) {
            throw new RewardInputException("reward plug-in not found: " + where);
        }
        if (!Files.isRegularFile(abs) || !Files.isReadable(abs)) {
            throw new RewardInputException("reward plug-in " + where + " is not a readable file");
        }
        try (JarFile jf = new JarFile(abs.toFile())) {
            ZipEntry services = jf.getEntry(SERVICE_FILE);
            if (services == null) {
                throw new RewardException("reward plug-in " + where + " has no " + SERVICE_FILE
                        + " (list the provider classes there, one per line)");
            }
            byte[] start;
            try (InputStream in = jf.getInputStream(services)) {
                start = in.readNBytes(3);
            }
            // Java reads a UTF-8 byte-order mark as part of the first class name, which a message cannot show
            if (start.length == 3 && (start[0] & 0xFF) == 0xEF && (start[1] & 0xFF) == 0xBB && (start[2] & 0xFF) == 0xBF) {
                throw new RewardException("reward plug-in " + where + ": " + SERVICE_FILE + " starts with a byte-order "
                        + "mark (U+FEFF), which Java reads as part of the first class name (expected the file saved as "
                        + "UTF-8 without a BOM)");
            }
        } catch (ZipException e) {
            throw new RewardInputException("reward plug-in " + where + " is not a valid jar file ("
                    + RewardException.oneLine(e.getMessage()) + "; expected a jar of reward providers)", e);
        } catch (IOException e) {
            throw new RewardInputException("reward plug-in " + where + " cannot be read: "
                    + RewardException.oneLine(e.getMessage()), e);
        }
        URLClassLoader loader;
        try {
            loader = new URLClassLoader("qdecode-plugin:" + abs.getFileName(),
                    new URL[] {abs.toUri().toURL()}, Rewards.class.getClassLoader());
        } catch (MalformedURLException e) {
            throw new RewardException("reward plug-in path " + where + " is not valid: "
                    + e.getMessage(), e);
        }
        List<RewardProvider> found = new ArrayList<>();
        try {
            for (ServiceLoader.Provider<RewardProvider> p :
                    ServiceLoader.load(RewardProvider.class, loader).stream().toList()) {
                // The loader also sees the parent's services (the built-ins): keep the jar's own.
                if (p.type().getClassLoader() == loader) {
                    found.add(p.get());
                }
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            closeQuietly(loader);
            throw new RewardException("reward plug-in " + where + ": cannot load a provider: "
                    + loadFailure(e), e);
        }
        if (found.isEmpty()) {
            closeQuietly(loader);
            throw new RewardException("reward plug-in " + where + " declares no reward provider"
                    + " of its own in " + SERVICE_FILE);
        }
        Map<String, RewardProvider> before = new TreeMap<>(providers);
        Map<String, String> originsBefore = new LinkedHashMap<>(origins);
        List<String> added = new ArrayList<>();
        try {
            for (RewardProvider p : found) {
                register(p, where);
                added.add(p.id());
            }
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            providers.clear();
            providers.putAll(before);
            origins.clear();
            origins.putAll(originsBefore);
            closeQuietly(loader);
            throw e instanceof RewardException re ? re : new RewardException("reward plug-in "
                    + where + ": a provider failed: " + CheckedReward.describe(e), e);
        }
        pluginLoaders.put(where, new PluginLoader(loader));
        added.sort(Comparator.naturalOrder());
        return List.copyOf(added);
    }

    /**
     * Why a provider listed in a jar could not be loaded, and what was expected: the service loader's
     * message (without its repeated service name), the exception of a provider's constructor or static
     * initializer, and for a class compiled for a newer Java, the release to compile for.
     */
    private static String loadFailure(Throwable e) {
        String msg = RewardException.oneLine(e.getMessage());
        String prefix = RewardProvider.class.getName() + ": ";
        if (msg.startsWith(prefix)) {
            msg = msg.substring(prefix.length());
        }
        if (e instanceof UnsupportedClassVersionError) {
            int feature = Runtime.version().feature();
            return msg + " (expected classes compiled for Java " + feature + " or older: javac --release " + feature
                    + ")";
        }
        Throwable cause = e.getCause();
        // a missing class or constructor is said by the message itself; a provider's own failure is not
        if (cause != null && !(cause instanceof ReflectiveOperationException)) {
            msg += cause instanceof ExceptionInInitializerError init && init.getCause() != null
                    ? ": its static initializer failed: " + CheckedReward.describe(init.getCause())
                    : ": " + CheckedReward.describe(cause);
        }
        return msg + " (expected each class listed in " + SERVICE_FILE + " to be in the jar, public, implementing "
                + "RewardProvider, with a public no-argument constructor)";
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // nothing is left to read from it
        }
    }

    /**
     * A plug-in jar's class loader, shared by the registry and the rewards created from the jar's
     * providers, and closed (the jar with it) when the last of them lets it go.
     */
    private static final class PluginLoader {
        private final URLClassLoader loader;
        /** The registry, until it is closed, and each reward not yet closed. */
        private int holders = 1;

        PluginLoader(URLClassLoader loader) {
            this.loader = loader;
        }

        /** One more holder: a reward created from the jar. */
        synchronized void acquire() {
            holders++;
        }

        /** One holder fewer; the last closes the loader. */
        synchronized void release() {
            if (--holders == 0) {
                closeQuietly(loader);
            }
        }

        /** Whether the loader is still open (for tests). */
        synchronized boolean open() {
            return holders > 0;
        }
    }

    /**
     * Lets go of the plug-in jars: each one's class loader, and the file with it, is closed now, or
     * for a jar whose rewards are still open, when the last of them is closed. Rewards created
     * before are not affected; {@link #loadPlugin} and {@link #create} are refused after. Closing
     * twice does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PluginLoader l : pluginLoaders.values()) {
            l.release();
        }
    }

    /**
     * Whether the class loader of the plug-in jar {@code origin} (its absolute path, as {@link
     * RewardInfo#origin()}) is still open: for tests.
     */
    synchronized boolean pluginOpen(String origin) {
        PluginLoader l = pluginLoaders.get(origin);
        if (l == null) {
            throw new IllegalArgumentException("no plug-in " + origin);
        }
        return l.open();
    }

    private synchronized void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the reward registry is closed");
        }
    }

    /**
     * The registered providers, sorted by id.
     *
     * @return an unmodifiable snapshot
     */
    public synchronized List<RewardProvider> providers() {
        return List.copyOf(providers.values());
    }

    /**
     * The registered ids, sorted.
     *
     * @return an unmodifiable snapshot
     */
    public synchronized List<String> ids() {
        return List.copyOf(providers.keySet());
    }

    /**
     * The provider with this id.
     *
     * @param id the reward id
     * @return the provider, or empty
     * @throws NullPointerException naming {@code id} when it is null
     */
    public synchronized Optional<RewardProvider> provider(String id) {
        Objects.requireNonNull(id, "id");
        return Optional.ofNullable(providers.get(id));
    }

    /**
     * One row per provider, sorted by id, for {@code qdecode rewards list}.
     *
     * @return the rows
     */
    public synchronized List<RewardInfo> describe() {
        List<RewardInfo> rows = new ArrayList<>();
        for (Map.Entry<String, RewardProvider> e : providers.entrySet()) {
            RewardProvider p = e.getValue();
            String origin = origins.get(e.getKey());
            rows.add(new RewardInfo(e.getKey(),
                    ask(e.getKey(), p, origin, "description()", p::description),
                    parametersOf(e.getKey(), p, origin), p.getClass().getName(), origin));
        }
        return rows;
    }

    /**
     * One weighted term of reward specs, as parsed (no reward is created).
     *
     * @param weight the weight ({@code 1} when none is written)
     * @param id the reward id
     * @param params the parameters as written, in order
     */
    public record Term(double weight, String id, Map<String, String> params) {
        /**
         * Copies the parameters.
         *
         * @param weight the weight
         * @param id the reward id
         * @param params the parameters
         * @throws NullPointerException naming {@code params} or {@code id} when it is null
         */
        public Term {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(params, "params");
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    /**
     * Reward specs as one text for people, the specs as written joined by {@code " + "} (as {@link
     * #create(List, RewardContext)} sums them), e.g. {@code vader + 0.1*length:min=3}: the one way every command
     * and report shows a combined reward (what is recorded in files stays a JSON array of the specs).
     *
     * @param specs the specs, e.g. repeated {@code --reward} values
     * @return the text; a single spec as it is
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is null
     */
    public static String sumText(List<String> specs) {
        requireSpecs(specs);
        return String.join(" + ", specs);
    }

    /**
     * Parses reward specs into their weighted terms, in order (the parts of every spec, as {@link
     * #create(List, RewardContext)} sums them); checks the syntax only, not the ids or parameters.
     *
     * @param specs the specs
     * @return the terms
     * @throws RewardSpecException on a syntax error
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public static List<Term> terms(List<String> specs) {
        requireSpecs(specs);
        List<Term> out = new ArrayList<>();
        for (String s : specs) {
            for (SpecParser.Part part : SpecParser.parseAll(s)) {
                out.add(new Term(part.weight(), part.id(), part.params()));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A parameter of a built-in reward that names a file or directory, read relative to the working directory.
     *
     * @param name the parameter
     * @param files the files the reward reads there: names inside the directory, or {@code ""} for the file itself
     */
    private record PathParameter(String name, List<String> files) { }

    /** The built-in rewards that read a path given to them: reward id → its parameter. */
    private static final Map<String, PathParameter> PATH_PARAMETERS = Map.of(
            "classifier", new PathParameter("model", List.of(TextClassifier.METADATA_FILE, TextClassifier.WEIGHTS_FILE)),
            "afinn", new PathParameter("lexicon", List.of("")),
            "vader", new PathParameter("lexicon", List.of(Vader.LEXICON_FILE, Vader.EMOJI_FILE)));

    /**
     * The files that the built-in rewards of the specs read from a path given to them ({@code classifier:model=}: the
     * directory's {@value TextClassifier#METADATA_FILE} and {@value TextClassifier#WEIGHTS_FILE}; {@code
     * vader:lexicon=}: its two lexicon files; {@code afinn:lexicon=}: the file), those that exist, as given (a
     * relative path stays relative), in spec order: what a command records the sha256 of, so that a resumed or
     * evaluated run is scored by the same bytes. Defaults (the shared lexicons) and plug-ins' parameters are not
     * listed.
     *
     * @param specs the specs, e.g. repeated {@code --reward} values
     * @return the files
     * @throws RewardSpecException on a syntax error
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is null
     */
    public static List<Path> givenFiles(List<String> specs) {
        List<Path> out = new ArrayList<>();
        for (Term t : terms(specs)) {
            PathParameter p = PATH_PARAMETERS.get(t.id());
            String given = p == null ? null : t.params().get(p.name());
            if (given == null || given.isBlank()) {
                continue;
            }
            for (String name : p.files()) {
                try {
                    Path f = name.isEmpty() ? Path.of(given) : Path.of(given).resolve(name);
                    if (Files.isRegularFile(f)) {
                        out.add(f);
                    }
                } catch (java.nio.file.InvalidPathException e) {
                    // not a path: the reward refuses it when created
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The specs with each relative path given to a built-in reward ({@code classifier:model=}, {@code
     * afinn:lexicon=}, {@code vader:lexicon=}) made absolute against the working directory, for a command that
     * records its reward for later commands (e.g. {@code train}, whose run is resumed and evaluated from any
     * directory). A spec without such a path is returned as it is; so is a path that does not exist (left for
     * {@link #create(List, RewardContext)} to refuse as given) and every spec when one does not parse (left for
     * the command's own checks to report). A rewritten spec keeps its terms' weights and parameter order; its
     * terms are joined by {@code " + "}. Plug-ins' parameters are kept as written.
     *
     * @param specs the specs, e.g. repeated {@code --reward} values
     * @return the specs, with absolute paths where a built-in reward reads one
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is null
     */
    public static List<String> withAbsolutePaths(List<String> specs) {
        requireSpecs(specs);
        List<String> out = new ArrayList<>();
        for (String s : specs) {
            List<SpecParser.Part> parts;
            try {
                parts = SpecParser.parseAll(s);
            } catch (RewardSpecException e) {
                return List.copyOf(specs);
            }
            boolean changed = false;
            List<String> texts = new ArrayList<>();
            for (SpecParser.Part p : parts) {
                String key = PATH_PARAMETERS.containsKey(p.id()) ? PATH_PARAMETERS.get(p.id()).name() : null;
                String value = key == null ? null : p.params().get(key);
                Path path = null;
                try {
                    path = value == null || value.isBlank() ? null : Path.of(value);
                } catch (java.nio.file.InvalidPathException e) {
                    path = null;
                }
                if (path == null || path.isAbsolute() || !Files.exists(path)) {
                    texts.add(p.text());
                    continue;
                }
                changed = true;
                StringBuilder b = new StringBuilder();
                if (p.weighted()) {
                    b.append(p.text(), 0, p.text().indexOf('*')).append('*');
                }
                b.append(p.id()).append(':');
                String sep = "";
                for (Map.Entry<String, String> e : p.params().entrySet()) {
                    String v = e.getKey().equals(key) ? path.toAbsolutePath().normalize().toString() : e.getValue();
                    b.append(sep).append(e.getKey()).append('=').append(escapeValue(v));
                    sep = ",";
                }
                texts.add(b.toString());
            }
            out.add(changed ? String.join(" + ", texts) : s);
        }
        return List.copyOf(out);
    }

    /** A parameter value as a spec writes it: backslash, comma and plus escaped with a backslash. */
    private static String escapeValue(String v) {
        StringBuilder b = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' || c == ',' || c == '+') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /**
     * Creates the reward of a spec (grammar in the class comment).
     *
     * @param spec e.g. {@code bleu:tokenize=intl} or {@code 0.7*vader+0.3*bleu}
     * @param context run-wide settings
     * @return the reward, {@linkplain #checked(Reward) checked}
     * @throws RewardException (one line) on a syntax error, an unknown id (listing the known
     *     ids), an unknown parameter (listing the accepted ones) or a bad value
     * @throws NullPointerException naming {@code spec} or {@code context} when it is null
     * @throws IllegalStateException when the registry is closed
     */
    public Reward create(String spec, RewardContext context) {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(context, "context");
        return create(List.of(spec), context);
    }

    /**
     * Creates the reward of several specs (e.g. repeated {@code --reward} options): their parts
     * are summed as one composite.
     *
     * @param specs the specs (at least one)
     * @param context run-wide settings
     * @return the reward, {@linkplain #checked(Reward) checked}
     * @throws RewardException as {@link #create(String, RewardContext)}
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) or {@code context} when it is
     *     null
     * @throws IllegalStateException when the registry is closed
     */
    public Reward create(List<String> specs, RewardContext context) {
        requireSpecs(specs);
        Objects.requireNonNull(context, "context");
        requireOpen();
        if (specs.isEmpty()) {
            throw new RewardSpecException("no reward spec given: expected id[:key=value,...]");
        }
        List<SpecParser.Part> parts = new ArrayList<>();
        for (String s : specs) {
            parts.addAll(SpecParser.parseAll(s));
        }
        if (parts.size() == 1 && !parts.get(0).weighted()) {
            return checked(createPart(parts.get(0), context));
        }
        List<CompositeReward.Part> weighted = new ArrayList<>();
        try {
            for (SpecParser.Part p : parts) {
                weighted.add(new CompositeReward.Part(p.weight(), createPart(p, context)));
            }
        } catch (RuntimeException e) {
            for (CompositeReward.Part p : weighted) {
                try {
                    p.reward().close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        return checked(CompositeReward.of(weighted));
    }

    private Reward createPart(SpecParser.Part part, RewardContext context) {
        RewardProvider provider = known(part.id());
        List<String> accepted = new ArrayList<>();
        for (RewardParameter p : parametersOf(part.id(), provider, origin(part.id()))) {
            accepted.add(p.name());
        }
        for (String key : part.params().keySet()) {
            if (!accepted.contains(key)) {
                throw new RewardSpecException("reward '" + part.id() + "': unknown parameter '" + key
                        + "' (" + (accepted.isEmpty() ? "it accepts no parameters"
                                : "accepted: " + String.join(", ", accepted)) + ")");
            }
        }
        Reward reward;
        try {
            reward = provider.create(new RewardParams(part.id(), part.params()), context);
        } catch (RewardException e) {
            throw e;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // a plug-in's failure names its class and jar, as its other failures do
            throw new RewardException((BUILT_IN.equals(origin(part.id())) ? "reward '" + part.id() + "'"
                    : providerName(part.id(), provider, origin(part.id()))) + " could not be created: "
                    + CheckedReward.describe(e), part.id(), -1, e);
        }
        if (reward == null) {
            throw new RewardException("reward provider " + provider.getClass().getName()
                    + originSuffix(origin(part.id())) + " returned no reward for '" + part.text() + "'");
        }
        String origin = origin(part.id());
        if (BUILT_IN.equals(origin)) {
            return reward;
        }
        // the reward keeps its jar open until it is closed; its failures name its class and jar, as its
        // provider's do
        PluginLoader loader = pluginLoader(origin);
        loader.acquire();
        return checked(reward, providerName(part.id(), provider, origin), loader::release);
    }

    private synchronized PluginLoader pluginLoader(String origin) {
        return pluginLoaders.get(origin);
    }

    private synchronized RewardProvider known(String id) {
        RewardProvider provider = providers.get(id);
        if (provider == null) {
            throw new RewardSpecException("unknown reward '" + id + "' (known: "
                    + String.join(", ", providers.keySet()) + ")");
        }
        return provider;
    }

    private synchronized String origin(String id) {
        return origins.get(id);
    }

    /**
     * The ids of the specs' rewards that read the episodes' references
     * ({@link RewardProvider#readsReferences()}), in spec order without repeats: empty when
     * references given to these rewards would be ignored.
     *
     * @param specs reward specs (grammar in the class comment)
     * @return the ids that read references
     * @throws RewardException on a syntax error, an unknown id, or a provider that fails
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public List<String> referenceReaders(List<String> specs) {
        requireSpecs(specs);
        return idsWhere(specs, "readsReferences()", (p, params) -> p.readsReferences());
    }

    /**
     * The ids of the specs' rewards that cannot score an episode without references
     * ({@link RewardProvider#requiresReferences()}), in spec order without repeats.
     *
     * @param specs reward specs (grammar in the class comment)
     * @return the ids (empty when episodes without references can be scored)
     * @throws RewardException on a syntax error, an unknown id, or a provider that fails
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public List<String> referencesRequired(List<String> specs) {
        requireSpecs(specs);
        return idsWhere(specs, "requiresReferences()", (p, params) -> p.requiresReferences());
    }

    /**
     * The ids of the specs' rewards that read the episodes' gold labels
     * ({@link RewardProvider#readsLabels()}), in spec order without repeats: empty when labels given
     * to these rewards would be ignored.
     *
     * @param specs reward specs (grammar in the class comment)
     * @return the ids
     * @throws RewardException on a syntax error, an unknown id, or a provider that fails
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public List<String> labelReaders(List<String> specs) {
        requireSpecs(specs);
        return idsWhere(specs, "readsLabels()", (p, params) -> p.readsLabels());
    }

    /**
     * The ids of the specs' rewards that cannot score an episode without its gold label
     * ({@link RewardProvider#requiresLabels()}), in spec order without repeats.
     *
     * @param specs reward specs (grammar in the class comment)
     * @return the ids (empty when episodes without labels can be scored)
     * @throws RewardException on a syntax error, an unknown id, or a provider that fails
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public List<String> labelsRequired(List<String> specs) {
        requireSpecs(specs);
        return idsWhere(specs, "requiresLabels()", (p, params) -> p.requiresLabels());
    }

    /**
     * The ids of the specs' rewards that cannot score an episode without the token ids of its
     * generated text ({@link RewardProvider#requiresTokenIds(RewardParams)}, asked with each
     * spec's own parameters), in spec order without repeats.
     *
     * @param specs reward specs (grammar in the class comment)
     * @return the ids (empty when bare texts can be scored)
     * @throws RewardException on a syntax error, an unknown id, or a provider that fails
     * @throws NullPointerException naming {@code specs} (or the index of a null spec) when it is
     *     null
     */
    public List<String> tokenIdsRequired(List<String> specs) {
        requireSpecs(specs);
        return idsWhere(specs, "requiresTokenIds(params)", RewardProvider::requiresTokenIds);
    }

    /** The ids of the specs' rewards whose provider answers {@code question} (asked with their parameters) with true. */
    private List<String> idsWhere(List<String> specs, String method,
            java.util.function.BiPredicate<RewardProvider, RewardParams> question) {
        List<String> out = new ArrayList<>();
        for (String s : specs) {
            for (SpecParser.Part part : SpecParser.parseAll(s)) {
                String id = part.id();
                RewardProvider p = known(id);
                RewardParams params = new RewardParams(id, part.params());
                if (!out.contains(id) && ask(id, p, origin(id), method, () -> question.test(p, params))) {
                    out.add(id);
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * The registered ids whose rewards read the episodes' references, sorted.
     *
     * @return the ids
     * @throws RewardException when a provider fails
     */
    public synchronized List<String> referenceReaders() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, RewardProvider> e : providers.entrySet()) {
            RewardProvider p = e.getValue();
            if (ask(e.getKey(), p, origins.get(e.getKey()), "readsReferences()",
                    p::readsReferences)) {
                out.add(e.getKey());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Wraps a reward so that any failure is a one-line {@link RewardException}:
     * an exception thrown by the reward becomes {@code reward 'X' failed on episode N: ...}
     * (when the batch fails as a whole, episodes are re-scored one at a time to find the first
     * that fails alone); a NaN or infinite score names its episode; a result of the wrong length
     * (or null) is reported. The exception carries {@link RewardException#episodeIndex()} so the
     * caller can decide what to do (skip the episode, stop); nothing else is retried or dropped.
     * Per-token rewards of a {@link ShapedReward} get the same checks (one finite value per
     * token id). Wrapping twice returns the same wrapper.
     *
     * @param reward the reward
     * @return the checked reward (a {@link ShapedReward} when {@code reward} is one)
     * @throws NullPointerException naming {@code reward} when it is null
     */
    public static Reward checked(Reward reward) {
        Objects.requireNonNull(reward, "reward");
        return reward instanceof CheckedReward ? reward : checked(reward, "reward '" + reward.id() + "'", () -> {});
    }

    /** Refuses a null list of specs, or a null spec in it, naming the parameter and the spec's index. */
    private static void requireSpecs(List<String> specs) {
        Objects.requireNonNull(specs, "specs");
        for (int i = 0; i < specs.size(); i++) {
            Objects.requireNonNull(specs.get(i), "specs[" + i + "]");
        }
    }

    /**
     * {@link #checked(Reward)}, its messages naming the reward as {@code name}, running {@code closed}
     * once, the first time it is closed.
     */
    private static Reward checked(Reward reward, String name, Runnable closed) {
        if (reward instanceof ShapedReward) {
            return new CheckedReward.Shaped((ShapedReward) reward, name, closed);
        }
        return new CheckedReward(reward, name, closed);
    }
}
