package dev.qdecode.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The README's plug-in recipes ("Writing a reward plug-in" and "Building a plug-in with Maven") stay in step with
 * the build: the Maven snippet is a well-formed pom whose qdecode dependency names this module's artifact and the
 * project's version with {@code provided} scope, compiles for Java 17, and pins the plug-in versions qdecode's own
 * build uses (so that it builds offline where qdecode was built); the {@code javac} line names the jar this module
 * builds; both name the services file qdecode reads; and the provider in the README compiles against this module.
 * Maven itself is not run (the recipe was checked by hand: see the commit that added it).
 */
class ReadmePluginRecipeTest {
    /** Tests run in the module's directory: the README and the parent pom are one level up. */
    private static final Path ROOT = Path.of("..");

    @TempDir
    Path tmp;

    @Test
    void mavenSnippetDependsOnThisModuleAtTheProjectVersionWithProvidedScope() throws Exception {
        Document parent = parse(Files.readString(ROOT.resolve("pom.xml")));
        Document module = parse(Files.readString(Path.of("pom.xml")));
        Document snippet = parse(block(pluginSection(), "xml"));

        Element dep = null;
        for (Element d : elements(snippet.getDocumentElement(), "dependencies", "dependency")) {
            if ("dev.qdecode".equals(text(d, "groupId"))) {
                assertTrue(dep == null, "the README's plug-in pom has one dev.qdecode dependency");
                dep = d;
            }
        }
        assertNotNull(dep, "the README's plug-in pom has no dev.qdecode dependency");
        assertEquals(text(module.getDocumentElement(), "artifactId"), text(dep, "artifactId"), "artifactId");
        assertEquals(text(parent.getDocumentElement(), "version"), text(dep, "version"),
                "the README's plug-in pom depends on another qdecode version than the project's");
        assertEquals("provided", text(dep, "scope"), "scope");

        Element props = child(snippet.getDocumentElement(), "properties");
        assertEquals(text(child(parent.getDocumentElement(), "properties"), "maven.compiler.release"),
                text(props, "maven.compiler.release"), "maven.compiler.release");
        assertEquals("17", text(props, "maven.compiler.release"));
    }

    @Test
    void mavenSnippetPinsThePluginVersionsOfQdecodesOwnBuild() throws Exception {
        Document parent = parse(Files.readString(ROOT.resolve("pom.xml")));
        Document snippet = parse(block(pluginSection(), "xml"));
        Map<String, String> ours = new LinkedHashMap<>();
        for (Element p : elements(child(parent.getDocumentElement(), "build"), "pluginManagement", "plugins", "plugin")) {
            ours.put(text(p, "artifactId"), text(p, "version"));
        }
        List<Element> pinned = elements(snippet.getDocumentElement(), "build", "plugins", "plugin");
        List<String> names = new ArrayList<>();
        for (Element p : pinned) {
            String id = text(p, "artifactId");
            names.add(id);
            assertEquals(ours.get(id), text(p, "version"), id + "'s version in the README's plug-in pom");
        }
        // the plug-ins `mvn package` runs on a jar project; Maven 3.8's default compiler plug-in ignores the release
        assertEquals(List.of("maven-resources-plugin", "maven-compiler-plugin", "maven-surefire-plugin",
                "maven-jar-plugin"), names);
    }

    @Test
    void recipesNameTheServicesFileAndTheBuiltJar() throws Exception {
        String section = pluginSection();
        String services = "META-INF/services/" + RewardProvider.class.getName();
        assertTrue(section.contains("classes/" + services + "\n"), "javac recipe's services file");
        assertTrue(section.contains("src/main/resources/" + services + "`"), "Maven recipe's services file");
        String version = text(parse(Files.readString(ROOT.resolve("pom.xml"))).getDocumentElement(), "version");
        String artifact = text(parse(Files.readString(Path.of("pom.xml"))).getDocumentElement(), "artifactId");
        assertTrue(section.contains("javac --release 17 -cp rewards/target/" + artifact + "-" + version + ".jar "),
                "the javac recipe compiles for Java 17 against rewards/target/" + artifact + "-" + version + ".jar");
        assertTrue(section.contains("mvn -B -DskipTests install -pl rewards -am"), "the install step");
    }

    @Test
    void readmeProviderCompilesAgainstThisModule() throws Exception {
        String java = block(pluginSection(), "java");
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(java);
        Matcher cls = Pattern.compile("public final class (\\w+)").matcher(java);
        assertTrue(pkg.find() && cls.find(), "the README's provider names its package and class");
        Path src = Files.createDirectories(tmp.resolve("src/" + pkg.group(1).replace('.', '/')))
                .resolve(cls.group(1) + ".java");
        Files.writeString(src, java, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK (javax.tools compiler)");
        String api = classpathOf(RewardProvider.class);
        assertEquals(0, javac.run(null, null, null, "--release", "17", "-d", tmp.resolve("classes").toString(),
                "-cp", api, src.toString()), "the README's provider does not compile");
        assertTrue(Files.isRegularFile(tmp.resolve("classes/" + pkg.group(1).replace('.', '/') + "/"
                + cls.group(1) + ".class")));
    }

    private static String classpathOf(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** The README from "### Writing a reward plug-in" to the next second-level heading. */
    private static String pluginSection() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n### Writing a reward plug-in\n");
        assertTrue(start >= 0, "README has no '### Writing a reward plug-in' section");
        int end = readme.indexOf("\n## ", start);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The first fenced block of the given language in the text. */
    private static String block(String text, String lang) {
        int open = text.indexOf("\n```" + lang + "\n");
        assertTrue(open >= 0, "no ```" + lang + " block in the README's plug-in section");
        int from = open + lang.length() + 5;
        int close = text.indexOf("\n```", from);
        assertFalse(close < 0, "unclosed ```" + lang + " block");
        return text.substring(from, close + 1);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new org.xml.sax.InputSource(new java.io.StringReader(xml)));
    }

    /** The direct child element of that name (asserted present). */
    private static Element child(Element e, String name) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("<" + e.getTagName() + "> has no <" + name + ">");
    }

    /** The elements at the end of a path of direct children, the last step repeated. */
    private static List<Element> elements(Element e, String... path) {
        Element at = e;
        for (int i = 0; i < path.length - 1; i++) {
            at = child(at, path[i]);
        }
        List<Element> out = new ArrayList<>();
        NodeList nodes = at.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element c && c.getTagName().equals(path[path.length - 1])) {
                out.add(c);
            }
        }
        return out;
    }

    private static String text(Element e, String name) {
        return child(e, name).getTextContent().trim();
    }
}
