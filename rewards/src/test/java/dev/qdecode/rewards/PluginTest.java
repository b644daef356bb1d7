package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plug-ins as users write them: Java sources compiled at test time against this module's classes,
 * jarred with a services file, loaded with {@link Rewards#loadPlugin} and used through specs.
 */
class PluginTest {
    private static final RewardContext CTX = new RewardContext(Path.of("."), 0);

    @TempDir
    Path tmp;

    private static final String EXCLAIM = """
            package demo.plugin;

            import dev.qdecode.rewards.*;
            import java.util.List;

            public final class ExclaimProvider implements RewardProvider {
                public String id() { return "exclaim"; }
                public String description() { return "weight per '!' in the text"; }
                public List<RewardParameter> parameters() {
                    return List.of(new RewardParameter("weight", "1", "reward per '!'"));
                }
                public Reward create(RewardParams params, RewardContext context) {
                    double w = params.getDouble("weight", 1);
                    return new Reward() {
                        public String id() { return "exclaim"; }
                        public double[] score(List<Episode> episodes) {
                            return episodes.stream()
                                    .mapToDouble(e -> w * e.text().chars().filter(c -> c == '!').count())
                                    .toArray();
                        }
                    };
                }
            }
            """;

    private static final String FAULTY = """
            package demo.faulty;

            import dev.qdecode.rewards.*;
            import java.util.List;

            public final class FaultyProviders {
                private FaultyProviders() {}

                static Reward of(String id, java.util.function.ToDoubleFunction<String> f) {
                    return new Reward() {
                        public String id() { return id; }
                        public double[] score(List<Episode> episodes) {
                            return episodes.stream().mapToDouble(e -> f.applyAsDouble(e.text())).toArray();
                        }
                    };
                }

                public static final class Boom implements RewardProvider {
                    public String id() { return "boom"; }
                    public String description() { return "throws on 'boom'"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return of("boom", t -> {
                            if (t.contains("boom")) throw new IllegalStateException("exploded on " + t);
                            return 1;
                        });
                    }
                }

                public static final class Unready implements RewardProvider {
                    public String id() { return "unready"; }
                    public String description() { return "cannot be created"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        throw new IllegalStateException("model file missing");
                    }
                }

                public static final class NotANumber implements RewardProvider {
                    public String id() { return "nan"; }
                    public String description() { return "NaN on 'nan'"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return of("nan", t -> t.equals("nan") ? Double.NaN : 0.5);
                    }
                }
            }
            """;

    private static final String CLASHING = """
            package demo.clash;

            import dev.qdecode.rewards.*;

            public final class OtherBleu implements RewardProvider {
                public String id() { return "bleu"; }
                public String description() { return "not the real one"; }
                public Reward create(RewardParams p, RewardContext c) { throw new AssertionError(); }
            }
            """;

    private static final String BROKEN = """
            package demo.broken;

            import dev.qdecode.rewards.*;
            import java.util.List;

            public final class BrokenProviders {
                private BrokenProviders() {}

                abstract static class Base implements RewardProvider {
                    public String description() { return "broken"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        String rid = id();
                        return new Reward() {
                            public String id() { return rid; }
                            public double[] score(List<Episode> episodes) {
                                throw new OutOfMemoryError("Java heap space");
                            }
                        };
                    }
                }

                public static final class ParamsThrow extends Base {
                    public String id() { return "params-throw"; }
                    public List<RewardParameter> parameters() { throw new IllegalStateException("params boom"); }
                }

                public static final class ParamsNull extends Base {
                    public String id() { return "params-null"; }
                    public List<RewardParameter> parameters() { return null; }
                }

                public static final class Hungry extends Base {
                    public String id() { return "hungry"; }
                }
            }
            """;

    /** A reward whose scoring class is loaded only when it first scores. */
    private static final String LAZY = """
            package demo.lazy;

            import dev.qdecode.rewards.*;
            import java.util.List;

            public final class LazyProvider implements RewardProvider {
                public String id() { return "lazy"; }
                public String description() { return "text length, by a class loaded on first use"; }
                public Reward create(RewardParams params, RewardContext context) {
                    return new Reward() {
                        public String id() { return "lazy"; }
                        public double[] score(List<Episode> episodes) {
                            return Scorer.score(episodes);
                        }
                    };
                }

                static final class Scorer {
                    static double[] score(List<Episode> episodes) {
                        return episodes.stream().mapToDouble(e -> e.text().length()).toArray();
                    }
                }
            }
            """;

    /** Compiles {@code sources} (class name to source) and jars them with a services file. */
    private Path plugin(String name, Map<String, String> sources, List<String> services)
            throws IOException, URISyntaxException {
        Path src = Files.createDirectories(tmp.resolve(name + "-src"));
        Path classes = Files.createDirectories(tmp.resolve(name + "-classes"));
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", classes.toString(),
                "-classpath", Path.of(RewardProvider.class.getProtectionDomain().getCodeSource()
                        .getLocation().toURI()).toString()));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            args.add(file.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK (javax.tools compiler)");
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac failed");
        Path jar = tmp.resolve(name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            if (services != null) {
                out.putNextEntry(new JarEntry("META-INF/services/" + RewardProvider.class.getName()));
                out.write((String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    void aCompiledPluginIsLoadedAndScoresThroughSpecs() throws Exception {
        Path jar = plugin("exclaim", Map.of("demo.plugin.ExclaimProvider", EXCLAIM),
                List.of("# my rewards", "demo.plugin.ExclaimProvider"));
        Rewards rewards = Rewards.discover();
        assertEquals(List.of("exclaim"), rewards.loadPlugin(jar));
        RewardInfo info = rewards.describe().stream().filter(i -> i.id().equals("exclaim"))
                .findFirst().orElseThrow();
        assertEquals(jar.toAbsolutePath().normalize().toString(), info.origin());
        assertEquals("exclaim[:weight=1]", info.usage());

        Reward r = rewards.create("exclaim:weight=0.5", CTX);
        assertArrayEquals(new double[] {1.0, 0.0}, r.score(List.of(Episode.ofText("Wow!!"),
                Episode.ofText("calm"))));
        Reward mix = rewards.create("2*exclaim + 1*bleu", CTX);
        assertArrayEquals(new double[] {2.0 + 1.0}, mix.score(List.of(
                Episode.withReferences("yes !", List.of("yes !")))), 1e-9);
        RewardException e = assertThrows(RewardException.class,
                () -> rewards.create("exclaim:wieght=2", CTX));
        assertEquals("reward 'exclaim': unknown parameter 'wieght' (accepted: weight)",
                e.getMessage());
    }

    @Test
    void failingPluginsAreNamedWithTheEpisode() throws Exception {
        Path jar = plugin("faulty", Map.of("demo.faulty.FaultyProviders", FAULTY),
                List.of("demo.faulty.FaultyProviders$Boom", "demo.faulty.FaultyProviders$NotANumber",
                        "demo.faulty.FaultyProviders$Unready"));
        Rewards rewards = Rewards.discover();
        assertEquals(List.of("boom", "nan", "unready"), rewards.loadPlugin(jar));
        List<Episode> batch = List.of(Episode.ofText("fine"), Episode.ofText("fine too"),
                Episode.ofText("boom"), Episode.ofText("nan"));

        RewardException e = assertThrows(RewardException.class,
                () -> rewards.create("boom", CTX).score(batch));
        String faulty = " of demo.faulty.FaultyProviders$%s (" + jar.toAbsolutePath().normalize() + ")";
        assertEquals("reward 'boom'" + faulty.formatted("Boom") + " failed on episode 2: IllegalStateException: "
                + "exploded on boom", e.getMessage());
        assertEquals(2, e.episodeIndex());

        e = assertThrows(RewardException.class, () -> rewards.create("unready", CTX));
        assertEquals("reward 'unready'" + faulty.formatted("Unready") + " could not be created: "
                + "IllegalStateException: model file missing", e.getMessage());

        e = assertThrows(RewardException.class, () -> rewards.create("nan", CTX).score(batch));
        assertEquals("reward 'nan'" + faulty.formatted("NotANumber") + " failed on episode 3: returned NaN "
                + CheckedReward.RANGE + " for text \"nan\"", e.getMessage());
        assertEquals(3, e.episodeIndex());

        e = assertThrows(RewardException.class,
                () -> rewards.create("0.5*nan + 0.5*exclaim", CTX));
        assertTrue(e.getMessage().startsWith("unknown reward 'exclaim' (known: "), e.getMessage());
        e = assertThrows(RewardException.class,
                () -> rewards.create("1*bleu + 1*nan", CTX).score(List.of(
                        Episode.withReferences("a", List.of("a")),
                        Episode.withReferences("nan", List.of("nan")))));
        assertEquals("reward 'nan'" + faulty.formatted("NotANumber") + " failed on episode 1: returned NaN "
                + CheckedReward.RANGE + " for text \"nan\"", e.getMessage());
    }

    @Test
    void aClashingIdNamesBothClassesAndRegistersNothing() throws Exception {
        Path jar = plugin("clash", Map.of("demo.plugin.ExclaimProvider", EXCLAIM,
                "demo.clash.OtherBleu", CLASHING),
                List.of("demo.plugin.ExclaimProvider", "demo.clash.OtherBleu"));
        Rewards rewards = Rewards.discover();
        List<String> before = rewards.ids();
        RewardException e = assertThrows(RewardException.class, () -> rewards.loadPlugin(jar));
        assertEquals("reward id 'bleu' is provided by both dev.qdecode.rewards.bleu.BleuProvider "
                + "and demo.clash.OtherBleu (" + jar.toAbsolutePath().normalize() + ")",
                e.getMessage());
        assertEquals(before, rewards.ids());
    }

    @Test
    void brokenPluginFilesGiveOneLineErrors() throws Exception {
        Rewards rewards = Rewards.discover();
        Path missing = tmp.resolve("nope.jar");
        // the file itself is bad input (RewardInputException); what a jar holds is the plug-in's failure
        assertEquals("reward plug-in not found: " + missing.toAbsolutePath().normalize(),
                assertThrows(RewardInputException.class, () -> rewards.loadPlugin(missing)).getMessage());

        Path garbage = tmp.resolve("garbage.jar");
        try (OutputStream out = Files.newOutputStream(garbage)) {
            out.write("this is not a zip file".getBytes(StandardCharsets.UTF_8));
        }
        String msg = assertThrows(RewardInputException.class, () -> rewards.loadPlugin(garbage))
                .getMessage();
        assertTrue(msg.startsWith("reward plug-in " + garbage.toAbsolutePath().normalize()
                + " is not a valid jar file ("), msg);
        assertTrue(msg.endsWith("; expected a jar of reward providers)"), msg);
        assertEquals(1, msg.lines().count());

        Path noServices = plugin("noservices", Map.of("demo.plugin.ExclaimProvider", EXCLAIM), null);
        RewardException packaging = assertThrows(RewardException.class, () -> rewards.loadPlugin(noServices));
        assertEquals("reward plug-in " + noServices.toAbsolutePath().normalize() + " has no "
                + "META-INF/services/dev.qdecode.rewards.RewardProvider (list the provider classes"
                + " there, one per line)", packaging.getMessage());
        assertFalse(packaging instanceof RewardInputException, "a jar packaged wrong is the plug-in's failure");

        Path wrongClass = plugin("wrongclass", Map.of("demo.plugin.ExclaimProvider", EXCLAIM),
                List.of("demo.plugin.Missing"));
        RewardException load = assertThrows(RewardException.class, () -> rewards.loadPlugin(wrongClass));
        assertFalse(load instanceof RewardInputException, "a provider that cannot be loaded is the plug-in's failure");
        msg = load.getMessage();
        assertTrue(msg.startsWith("reward plug-in " + wrongClass.toAbsolutePath().normalize()
                + ": cannot load a provider: "), msg);
        assertTrue(msg.contains("demo.plugin.Missing"), msg);
        assertEquals(1, msg.lines().count());

        Path dir = Files.createDirectories(tmp.resolve("a-directory.jar"));
        assertEquals("reward plug-in " + dir.toAbsolutePath().normalize()
                + " is not a readable file", assertThrows(RewardInputException.class,
                        () -> rewards.loadPlugin(dir)).getMessage());
    }

    /** Providers that a user plausibly gets wrong: each is named with why it could not be used. */
    private static final String UNUSABLE = """
            package demo.unusable;

            import dev.qdecode.rewards.*;

            public final class Unusable {
                private Unusable() {}

                abstract static class Base implements RewardProvider {
                    public String description() { return "unusable"; }
                    public Reward create(RewardParams p, RewardContext c) { throw new AssertionError(); }
                }

                public static final class CtorThrows extends Base {
                    public CtorThrows() { throw new IllegalStateException("config file missing"); }
                    public String id() { return "ctor-throws"; }
                }

                public static final class StaticInitFails extends Base {
                    static final int SIZE = Integer.parseInt("many");
                    public String id() { return "static-init"; }
                }

                public static final class NoNoArg extends Base {
                    public NoNoArg(int size) {}
                    public String id() { return "no-no-arg"; }
                }

                public static final class IdThrows extends Base {
                    public String id() { throw new UnsupportedOperationException("id not set"); }
                }
            }
            """;

    /**
     * A provider that cannot be instantiated, or whose {@code id()} fails, is named with the cause and what
     * was expected: the constructor's or static initializer's exception used to be dropped ("could not be
     * instantiated" alone), and a failing {@code id()} named only the jar, not the class.
     */
    @Test
    void aProviderThatCannotBeUsedIsNamedWithItsCause() throws Exception {
        Map<String, String> src = Map.of("demo.unusable.Unusable", UNUSABLE);
        Rewards rewards = Rewards.discover();
        List<String> before = rewards.ids();
        String expected = " (expected each class listed in META-INF/services/dev.qdecode.rewards.RewardProvider to be"
                + " in the jar, public, implementing RewardProvider, with a public no-argument constructor)";

        Path ctor = plugin("ctor", src, List.of("demo.unusable.Unusable$CtorThrows"));
        assertEquals("reward plug-in " + ctor.toAbsolutePath().normalize() + ": cannot load a provider: "
                + "Provider demo.unusable.Unusable$CtorThrows could not be instantiated: IllegalStateException: "
                + "config file missing" + expected,
                assertThrows(RewardException.class, () -> rewards.loadPlugin(ctor)).getMessage());

        Path init = plugin("init", src, List.of("demo.unusable.Unusable$StaticInitFails"));
        assertEquals("reward plug-in " + init.toAbsolutePath().normalize() + ": cannot load a provider: "
                + "Provider demo.unusable.Unusable$StaticInitFails could not be instantiated: its static initializer "
                + "failed: NumberFormatException: For input string: \"many\"" + expected,
                assertThrows(RewardException.class, () -> rewards.loadPlugin(init)).getMessage());

        Path noArg = plugin("noarg", src, List.of("demo.unusable.Unusable$NoNoArg"));
        assertEquals("reward plug-in " + noArg.toAbsolutePath().normalize() + ": cannot load a provider: "
                + "demo.unusable.Unusable$NoNoArg Unable to get public no-arg constructor" + expected,
                assertThrows(RewardException.class, () -> rewards.loadPlugin(noArg)).getMessage());

        Path missing = plugin("missing", src, List.of("demo.unusable.Gone"));
        assertEquals("reward plug-in " + missing.toAbsolutePath().normalize() + ": cannot load a provider: "
                + "Provider demo.unusable.Gone not found" + expected,
                assertThrows(RewardException.class, () -> rewards.loadPlugin(missing)).getMessage());

        Path id = plugin("id", src, List.of("demo.unusable.Unusable$IdThrows"));
        assertEquals("reward provider demo.unusable.Unusable$IdThrows (" + id.toAbsolutePath().normalize()
                + "): id() failed: UnsupportedOperationException: id not set",
                assertThrows(RewardException.class, () -> rewards.loadPlugin(id)).getMessage());
        assertEquals(before, rewards.ids());
    }

    /**
     * A services file saved with a byte-order mark (as Windows editors write UTF-8) is named as such: Java reads the
     * mark as part of the first class name, and the message used to show an "illegal provider-class name" whose
     * offending character cannot be seen.
     */
    @Test
    void aServicesFileWithAByteOrderMarkIsNamedAsSuch() throws Exception {
        Path jar = plugin("bom", Map.of("demo.plugin.ExclaimProvider", EXCLAIM),
                List.of("\uFEFFdemo.plugin.ExclaimProvider"));
        Rewards rewards = Rewards.discover();
        assertEquals("reward plug-in " + jar.toAbsolutePath().normalize() + ": "
                + "META-INF/services/dev.qdecode.rewards.RewardProvider starts with a byte-order mark (U+FEFF), which "
                + "Java reads as part of the first class name (expected the file saved as UTF-8 without a BOM)",
                assertThrows(RewardException.class, () -> rewards.loadPlugin(jar)).getMessage());
    }

    /**
     * A jar compiled for a newer Java than the one running qdecode says which Java its classes need to be
     * compiled for (the class file's major version is raised to 65, Java 21's, as javac --release 21 writes).
     */
    @Test
    void aProviderCompiledForANewerJavaSaysWhichReleaseToCompileFor() throws Exception {
        Path jar = plugin("newer", Map.of("demo.plugin.ExclaimProvider", EXCLAIM), List.of("demo.plugin.ExclaimProvider"));
        Path newer = tmp.resolve("newer-65.jar");
        try (java.util.jar.JarFile in = new java.util.jar.JarFile(jar.toFile());
                JarOutputStream out = new JarOutputStream(Files.newOutputStream(newer))) {
            for (JarEntry e : java.util.Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(e).readAllBytes();
                if (e.getName().endsWith(".class")) {
                    bytes[6] = 0;
                    bytes[7] = 65;
                }
                out.putNextEntry(new JarEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        int feature = Runtime.version().feature();
        String msg = assertThrows(RewardException.class, () -> Rewards.discover().loadPlugin(newer)).getMessage();
        assertTrue(msg.startsWith("reward plug-in " + newer.toAbsolutePath().normalize() + ": cannot load a provider: "
                + "demo/plugin/ExclaimProvider has been compiled by a more recent version of the Java Runtime (class "
                + "file version 65.0)"), msg);
        assertTrue(msg.endsWith(" (expected classes compiled for Java " + feature + " or older: javac --release "
                + feature + ")"), msg);
        assertEquals(1, msg.lines().count());
    }

    @Test
    void aProviderWhoseParametersFailIsRefusedAsItIsLoaded() throws Exception {
        Map<String, String> src = Map.of("demo.broken.BrokenProviders", BROKEN);
        Path throwing = plugin("params-throw", src, List.of("demo.broken.BrokenProviders$ParamsThrow"));
        Path nulls = plugin("params-null", src, List.of("demo.broken.BrokenProviders$ParamsNull"));
        Rewards rewards = Rewards.discover();
        List<String> before = rewards.ids();
        RewardException e = assertThrows(RewardException.class, () -> rewards.loadPlugin(throwing));
        assertEquals("reward 'params-throw' of demo.broken.BrokenProviders$ParamsThrow ("
                + throwing.toAbsolutePath().normalize() + "): parameters() failed: "
                + "IllegalStateException: params boom", e.getMessage());
        e = assertThrows(RewardException.class, () -> rewards.loadPlugin(nulls));
        assertEquals("reward 'params-null' of demo.broken.BrokenProviders$ParamsNull ("
                + nulls.toAbsolutePath().normalize() + "): parameters() returned null (expected a list "
                + "of parameters, empty when the reward takes none)", e.getMessage());
        assertEquals(before, rewards.ids());
    }

    @Test
    void aPluginThatRunsOutOfMemoryFailsOnOneLine() throws Exception {
        Path jar = plugin("hungry", Map.of("demo.broken.BrokenProviders", BROKEN),
                List.of("demo.broken.BrokenProviders$Hungry"));
        Rewards rewards = Rewards.discover();
        assertEquals(List.of("hungry"), rewards.loadPlugin(jar));
        RewardException e = assertThrows(RewardException.class, () -> rewards.create("hungry", CTX)
                .score(List.of(Episode.ofText("a"), Episode.ofText("b"))));
        assertTrue(e.getMessage().startsWith("reward 'hungry' of demo.broken.BrokenProviders$Hungry ("
                + jar.toAbsolutePath().normalize() + ") ran out of memory (OutOfMemoryError: Java heap space; "
                + "maximum heap "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" MiB) scoring a batch of 2 episodes"), e.getMessage());
    }

    /**
     * The registry and the rewards created from a plug-in share its class loader: it stays open while
     * either is (a reward still in use can load its classes after the registry is closed) and is closed,
     * releasing the jar, when both are. It used to stay open for the life of the process.
     */
    @Test
    void aPluginJarIsReleasedWhenTheRegistryAndItsRewardsAreClosed() throws Exception {
        Path jar = plugin("lazy", Map.of("demo.lazy.LazyProvider", LAZY), List.of("demo.lazy.LazyProvider"));
        String origin = jar.toAbsolutePath().normalize().toString();
        Rewards rewards = Rewards.discover();
        assertEquals(List.of("lazy"), rewards.loadPlugin(jar));
        Reward lazy = rewards.create("lazy", CTX);
        Reward mix = rewards.create("1*lazy + 1*length:max=20", CTX);
        rewards.close();
        rewards.close();
        assertTrue(rewards.pluginOpen(origin), "closed under a reward still open");
        // the scoring class is loaded only now, from the jar
        assertArrayEquals(new double[] {5}, lazy.score(List.of(Episode.ofText("hello"))));
        lazy.close();
        lazy.close();
        assertTrue(rewards.pluginOpen(origin), "closed under the composite still open");
        mix.close();
        assertFalse(rewards.pluginOpen(origin), "the jar stays open after the registry and its rewards closed");
        assertEquals("the reward registry is closed",
                assertThrows(IllegalStateException.class, () -> rewards.create("length:max=20", CTX)).getMessage());
        assertEquals("the reward registry is closed",
                assertThrows(IllegalStateException.class, () -> rewards.loadPlugin(jar)).getMessage());

        Rewards unused = Rewards.discover();
        unused.loadPlugin(jar);
        assertTrue(unused.pluginOpen(origin));
        unused.close();
        assertFalse(unused.pluginOpen(origin), "a registry without rewards lets its jars go when closed");
    }
}
