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
 * <p>The test fails on the defect this rule is about: a NullPointerException that does not name the
 * parameter (the JDK's "Cannot invoke ... because ... is null" from inside, or another parameter's
 * name). A call that accepts the null (records that carry an optional value, "null = none") or
 * refuses it with another one-line exception ({@code expected one of ... but got 'null'}), or fails on
 * a sample argument before it reaches the null, is printed for review ("not refused") but not failed:
 * which of those take null by design is for each type's documentation to say.
 *
 * <p>Where null is a documented, legitimate value ("null = none") the call is listed in
 * {@link #NULL_ALLOWED} with where that is documented; types and members that cannot sensibly be
 * called here are listed in {@link #EXCLUDED} with the reason.
 */
class PublicApiNullArgumentsTest {

    /**
     * Members (as {@code Type.member(paramName)} or {@code Type.member}) whose null argument is a
     * documented value, each with where its Javadoc says so.
     */
    private static final Map<String, String> NULL_ALLOWED = Map.ofEntries();

    /** Types or members ({@code Type} or {@code Type.member}) not called, with the reason. */
    private static final Map<String, String> EXCLUDED = Map.ofEntries(
            Map.entry("Main.main", "calls System.exit; Main.execute(out, err, args) is its testable form"));

    private static Path tmp;
    private static ExecutorService pool;

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
    static void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void everyPublicMemberNamesItsNullParameter() throws Exception {
        List<Class<?>> types = publicTypes();
        assertTrue(types.size() > 50, "found only " + types.size() + " public types: " + types);
        List<String> offenders = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> notRefused = new ArrayList<>();
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
                String id = type.getSimpleName() + "." + (member instanceof Constructor ? "<init>" : member.getName());
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
                    if (NULL_ALLOWED.containsKey(key) || NULL_ALLOWED.containsKey(id)) {
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
                    if (problem != null && problem.startsWith("NullPointerException")) {
                        offenders.add(key + ": " + problem + " [" + type.getName() + "]");
                    } else if (problem != null) {
                        notRefused.add(key + ": " + problem + " [" + type.getName() + "]");
                    }
                }
            }
        }
        System.out.println("null-argument calls checked: " + checked + ", offenders: " + offenders.size()
                + ", not refused (review): " + notRefused.size() + ", skipped: " + skipped.size());
        skipped.forEach(s -> System.out.println("  skipped " + s));
        notRefused.forEach(s -> System.out.println("  not refused " + s));
        offenders.forEach(s -> System.out.println("  OFFENDER " + s));
        assertTrue(offenders.isEmpty(), offenders.size() + " public members do not name their null parameter:\n"
                + String.join("\n", offenders));
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

    private static Object makeSample(Class<?> type, Set<Class<?>> seen) {
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
