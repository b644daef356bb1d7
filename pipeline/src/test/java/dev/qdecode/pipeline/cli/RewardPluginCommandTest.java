package dev.qdecode.pipeline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qdecode.rewards.RewardProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rewards list/score --plugin} with plug-ins that fail as users' plug-ins can: one line naming the
 * reward and the jar, exit code 4, never a stack trace.
 */
class RewardPluginCommandTest {
    private static final String SOURCE = """
            package demo.cli;

            import dev.qdecode.rewards.*;
            import java.util.List;

            public final class Providers {
                private Providers() {}

                abstract static class Base implements RewardProvider {
                    public String description() { return "fails"; }
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

                public static final class Hungry extends Base {
                    public String id() { return "hungry"; }
                }

                public static final class Steady implements RewardProvider {
                    public String id() { return "steady"; }
                    public String description() { return "0 for every text"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            public String id() { return "steady"; }
                            public double[] score(List<Episode> episodes) {
                                return new double[episodes.size()];
                            }
                        };
                    }
                }

                public static final class Picky implements RewardProvider {
                    public String id() { return "picky"; }
                    public String description() { return "fails on prompts with BOOM"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            public String id() { return "picky"; }
                            public double[] score(List<Episode> episodes) {
                                for (Episode e : episodes) {
                                    if (e.prompt().contains("BOOM")) {
                                        throw new IllegalStateException("cannot score this");
                                    }
                                }
                                return new double[episodes.size()];
                            }
                        };
                    }
                }

                public static final class Second implements RewardProvider {
                    public String id() { return "second"; }
                    public String description() { return "fails from its second call on"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            int calls;
                            public String id() { return "second"; }
                            public double[] score(List<Episode> episodes) {
                                if (++calls >= 2) {
                                    throw new IllegalStateException("cannot score twice");
                                }
                                return new double[episodes.size()];
                            }
                        };
                    }
                }

                public static final class Matcher implements RewardProvider {
                    public String id() { return "matcher"; }
                    public String description() { return "1 for the gold label; fails on texts with BOOM"; }
                    public boolean requiresLabels() { return true; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            public String id() { return "matcher"; }
                            public double[] score(List<Episode> episodes) {
                                double[] r = new double[episodes.size()];
                                for (int i = 0; i < r.length; i++) {
                                    Episode e = episodes.get(i);
                                    if (e.prompt().contains("BOOM")) {
                                        throw new IllegalStateException("cannot score this");
                                    }
                                    r[i] = e.text().equals(e.label()) ? 1 : 0;
                                }
                                return r;
                            }
                        };
                    }
                }

                public static final class Twice implements RewardProvider {
                    public String id() { return "twice"; }
                    public String description() { return "1 for the gold label, 2 on texts with TWICE"; }
                    public boolean requiresLabels() { return true; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            public String id() { return "twice"; }
                            public double[] score(List<Episode> episodes) {
                                double[] r = new double[episodes.size()];
                                for (int i = 0; i < r.length; i++) {
                                    Episode e = episodes.get(i);
                                    r[i] = e.text().equals(e.label()) ? e.prompt().contains("TWICE") ? 2 : 1 : 0;
                                }
                                return r;
                            }
                        };
                    }
                }

                /** Appends a line to the file named by qdecode.test.instances each time it is instantiated. */
                public static final class Counted implements RewardProvider {
                    public Counted() {
                        String marker = System.getProperty("qdecode.test.instances");
                        if (marker != null) {
                            try {
                                java.nio.file.Files.writeString(java.nio.file.Path.of(marker), "new\\n",
                                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }
                    public String id() { return "counted"; }
                    public String description() { return "1 for the gold label, else 0"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            public String id() { return "counted"; }
                            public double[] score(List<Episode> episodes) {
                                double[] r = new double[episodes.size()];
                                for (int i = 0; i < r.length; i++) {
                                    Episode e = episodes.get(i);
                                    r[i] = e.label() != null && e.text().equals(e.label()) ? 1 : 0;
                                }
                                return r;
                            }
                        };
                    }
                }

                /** 0 for every text; fails from its Nth call on, N from qdecode.test.flaky-after (unset: never). */
                public static final class Flaky implements RewardProvider {
                    public String id() { return "flaky"; }
                    public String description() { return "fails after some calls while a test says so"; }
                    public Reward create(RewardParams p, RewardContext c) {
                        return new Reward() {
                            int calls;
                            public String id() { return "flaky"; }
                            public double[] score(List<Episode> episodes) {
                                String after = System.getProperty("qdecode.test.flaky-after");
                                if (after != null && ++calls > Integer.parseInt(after)) {
                                    throw new IllegalStateException("service unavailable");
                                }
                                return new double[episodes.size()];
                            }
                        };
                    }
                }

                public static final class ParamsBoom extends Base {
                    public String id() { return "params-boom"; }
                    public List<RewardParameter> parameters() { throw new RuntimeException("params boom"); }
                }
            }
            """;

    @TempDir static Path tmp;
    private static Path hungry;
    private static Path paramsBoom;
    private static Path steady;
    private static Path picky;
    private static Path second;
    private static Path matcher;
    private static Path twice;
    private static Path counted;
    private static Path flaky;
    private static Path text;

    @BeforeAll
    static void buildPlugins() throws Exception {
        Path src = tmp.resolve("src/demo/cli/Providers.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK (javax.tools compiler)");
        String spi = Path.of(RewardProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        assertEquals(0, javac.run(null, null, null, "--release", "17", "-d", classes.toString(), "-classpath", spi,
                src.toString()), "javac failed");
        hungry = jar("hungry.jar", classes, "demo.cli.Providers$Hungry");
        paramsBoom = jar("params-boom.jar", classes, "demo.cli.Providers$ParamsBoom");
        steady = jar("steady.jar", classes, "demo.cli.Providers$Steady");
        picky = jar("picky.jar", classes, "demo.cli.Providers$Picky");
        second = jar("second.jar", classes, "demo.cli.Providers$Second");
        matcher = jar("matcher.jar", classes, "demo.cli.Providers$Matcher");
        twice = jar("twice.jar", classes, "demo.cli.Providers$Twice");
        counted = jar("counted.jar", classes, "demo.cli.Providers$Counted");
        flaky = jar("flaky.jar", classes, "demo.cli.Providers$Flaky");
        text = tmp.resolve("hyp.txt");
        Files.writeString(text, "the cat sat on the mat\nhello world\n");
    }

    private static Path jar(String name, Path classes, String provider) throws Exception {
        Path jar = tmp.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/" + RewardProvider.class.getName()));
            out.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aPluginThatRunsOutOfMemoryIsARewardFailureOnOneLine() {
        CliRunner.Result r = CliRunner.run("rewards", "score", "--plugin", hungry.toString(), "--reward", "hungry",
                "--hyp", text.toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("qdecode: error: reward 'hungry' of demo.cli.Providers$Hungry ("
                + hungry.toAbsolutePath().normalize() + ") ran out of memory (OutOfMemoryError: Java heap space; maximum "
                + "heap "), r.err());
        assertTrue(r.err().strip().endsWith(" MiB) scoring a batch of 2 episodes"), r.err());
    }

    @Test
    void aPluginWhoseParametersFailIsNamedByListAndScore() {
        String expected = "qdecode: error: reward 'params-boom' of demo.cli.Providers$ParamsBoom ("
                + paramsBoom.toAbsolutePath().normalize() + "): parameters() failed: RuntimeException: params boom";
        for (List<String> args : List.of(List.of("rewards", "list"),
                List.of("rewards", "score", "--reward", "params-boom", "--hyp", text.toString()))) {
            List<String> all = new java.util.ArrayList<>(args);
            all.addAll(List.of("--plugin", paramsBoom.toString()));
            CliRunner.Result r = CliRunner.run(all.toArray(String[]::new));
            assertEquals(ExitCodes.REWARD_FAILED, r.code(), args + ": " + r.err());
            assertEquals(expected, r.err().strip(), args.toString());
        }
    }

    /**
     * A reward that fails during training names the training (or evaluation) episode and its prompt; it used
     * to name the episode's place in the scored batch ("failed on episode 0").
     */
    @Test
    void aFailureDuringTrainingNamesTheEpisodeAndItsPrompt() throws Exception {
        Path plain = Files.writeString(tmp.resolve("plain.tsv"), "prompt\nOnce upon a time\n");
        Path boom = Files.writeString(tmp.resolve("boom.tsv"), "prompt\nBOOM went the drum\n");
        String[] common = {"train", "--model", CliRunner.model("stories260K"), "--plugin", picky.toString(), "--reward",
            "picky", "--episodes", "32", "--max-new-tokens", "3", "--min-new-tokens", "1", "--eval-samples", "1"};
        String reward = "reward 'picky' of demo.cli.Providers$Picky (" + picky.toAbsolutePath().normalize() + ") failed on ";
        CliRunner.Result train = CliRunner.run(concat(common, "--prompts", boom.toString(), "--eval-prompts",
                plain.toString(), "--out", tmp.resolve("picky-train").toString()));
        assertEquals(ExitCodes.REWARD_FAILED, train.code(), train.err());
        assertEquals("qdecode: error: " + reward + "training episode 1, prompt \"BOOM went the drum\": "
                + "IllegalStateException: cannot score this; no checkpoint was written before it (nothing to resume: "
                + "run the command again)", train.err().lines().filter(l -> l.startsWith("qdecode: error: "))
                        .findFirst().orElse(train.err()));
        assertTrue(Files.notExists(tmp.resolve("picky-train")), "a run failing before its first checkpoint leaves nothing");
        CliRunner.Result eval = CliRunner.run(concat(common, "--prompts", plain.toString(), "--eval-prompts",
                boom.toString(), "--out", tmp.resolve("picky-eval").toString()));
        assertEquals(ExitCodes.REWARD_FAILED, eval.code(), eval.err());
        assertTrue(eval.err().contains(reward + "evaluation episode 1 of the base model after 0 training episodes, "
                + "prompt \"BOOM went the drum\": "), eval.err());
    }

    /**
     * A reward that fails mid-run (here a plug-in whose service goes away) leaves the run's last checkpoint, and the
     * one-line error says so and how to continue: it used to name only the episode, so a user could not tell that the
     * work up to the checkpoint was kept, nor that the resume loads the same jar. With the service back, the resume
     * finishes the run.
     */
    @Test
    void aRewardFailingMidRunSaysHowToResumeFromTheLastCheckpoint() throws Exception {
        Path prompts = Files.writeString(tmp.resolve("flaky.tsv"), "prompt\nOnce upon a time\nTom went out\n");
        Path run = tmp.resolve("flaky-run");
        // the base evaluation and two rollout rounds score; the third round fails, after the checkpoint at 16
        CliRunner.Result failed = flakyAfter(3, "train", "--model", CliRunner.model("stories260K"), "--plugin",
                flaky.toString(), "--reward", "flaky", "--episodes", "32", "--rollout-episodes", "8", "--checkpoint-every",
                "8", "--max-new-tokens", "3", "--min-new-tokens", "1", "--eval-samples", "1", "--prompts",
                prompts.toString(), "--eval-prompts", prompts.toString(), "--out", run.toString());
        assertEquals(ExitCodes.REWARD_FAILED, failed.code(), failed.err());
        String err = failed.err().strip();
        assertEquals(1, err.lines().filter(l -> l.startsWith("qdecode: error: ")).count(), err);
        String line = err.lines().filter(l -> l.startsWith("qdecode: error: ")).findFirst().orElseThrow();
        assertTrue(line.startsWith("qdecode: error: reward 'flaky' of demo.cli.Providers$Flaky ("
                + flaky.toAbsolutePath().normalize() + ") failed on training episode 17, "), line);
        assertTrue(line.endsWith("IllegalStateException: service unavailable; the run is saved at its checkpoint after "
                + "16/32 episodes: continue with: qdecode train --resume --out " + run + " (it loads the run's own "
                + "plug-in jars, which must be unchanged)"), line);
        assertTrue(Files.exists(run.resolve("checkpoint.qdq")));

        CliRunner.Result resumed = CliRunner.run("train", "--resume", "--out", run.toString());
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertTrue(Files.exists(run.resolve("summary.json")));
    }

    /**
     * {@code rewards score --output} whose reward fails after the first chunk keeps that chunk's scores in {@code
     * FILE.part} and says so, with the {@code --resume} that scores the rest (it used to name only the segment); a
     * failure in the first chunk leaves no file and says so.
     */
    @Test
    void aRewardFailingWhileScoringToAFileSaysHowToResume() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < RewardsCommand.Score.CHUNK + 10; i++) {
            lines.append("segment ").append(i).append('\n');
        }
        Path hyps = Files.writeString(tmp.resolve("many.txt"), lines);
        Path out = tmp.resolve("many-scores.tsv");
        String[] cmd = {"rewards", "score", "--plugin", flaky.toString(), "--reward", "flaky", "--hyp", hyps.toString(),
            "--output", out.toString()};
        CliRunner.Result first = flakyAfter(0, cmd);
        String reward = "reward 'flaky' of demo.cli.Providers$Flaky (" + flaky.toAbsolutePath().normalize() + ") failed on ";
        assertEquals(ExitCodes.REWARD_FAILED, first.code(), first.err());
        assertEquals("qdecode: error: " + hyps + ":1: " + reward + "segment 1: IllegalStateException: service "
                + "unavailable; no scores were written (run the command again)", first.err().lines()
                        .filter(l -> l.startsWith("qdecode: error: ")).findFirst().orElse(first.err()));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith(out.getFileName().toString())).toList(), "nothing written");
        }
        CliRunner.Result second = flakyAfter(1, cmd);
        assertEquals(ExitCodes.REWARD_FAILED, second.code(), second.err());
        String line = second.err().lines().filter(l -> l.startsWith("qdecode: error: ")).findFirst().orElseThrow();
        assertEquals("qdecode: error: " + hyps + ":4097: " + reward + "segment 4097: IllegalStateException: service "
                + "unavailable; the first 4096 of 4106 scores stay in " + out + ".part: run the same command plus "
                + "--resume to score the rest (with the same plug-in jars)", line);

        CliRunner.Result resumed = CliRunner.run(concat(cmd, "--resume"));
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertEquals(4107, Files.readAllLines(out).size(), "header and every segment");
    }

    /** Runs qdecode with the Flaky plug-in failing from its call after {@code calls} on. */
    private static CliRunner.Result flakyAfter(int calls, String... args) {
        String before = System.getProperty("qdecode.test.flaky-after");
        try {
            System.setProperty("qdecode.test.flaky-after", Integer.toString(calls));
            return CliRunner.run(args);
        } finally {
            if (before == null) {
                System.clearProperty("qdecode.test.flaky-after");
            } else {
                System.setProperty("qdecode.test.flaky-after", before);
            }
        }
    }

    /**
     * {@code evaluate} scores a policy that was trained (here for 32 episodes) outside any training: a failure
     * on its episodes must not say "after 0 training episodes".
     */
    @Test
    void aFailureInEvaluateDoesNotClaimZeroTrainingEpisodes() throws Exception {
        Path plain = Files.writeString(tmp.resolve("plain-eval.tsv"), "prompt\nOnce upon a time\n");
        Path run = tmp.resolve("second-policy");
        CliRunner.Result train = CliRunner.run("train", "--model", CliRunner.model("stories260K"), "--plugin",
                picky.toString(), "--reward", "picky", "--episodes", "32", "--max-new-tokens", "3", "--min-new-tokens",
                "1", "--eval-samples", "1", "--prompts", plain.toString(), "--eval-prompts", plain.toString(), "--out",
                run.toString());
        assertEquals(ExitCodes.OK, train.code(), train.err());
        CliRunner.Result eval = CliRunner.run("evaluate", "--policy", run.toString(), "--plugin", second.toString(),
                "--reward", "second", "--prompts", plain.toString(), "--samples", "1",
                "--out", tmp.resolve("second-eval").toString());
        assertEquals(ExitCodes.REWARD_FAILED, eval.code(), eval.err());
        assertTrue(eval.err().contains("failed on evaluation episode 1 of the trained policy, prompt \"Once upon a "
                + "time\": IllegalStateException: cannot score twice"), eval.err());
        // the sampled episodes are kept, and the line says so (it used to end at the reward's failure)
        Path part = tmp.resolve("second-eval").resolve("episodes.jsonl.part");
        assertTrue(eval.err().strip().endsWith("cannot score twice; the first 2 of 2 episodes stay in " + part
                + ": run the same command plus --resume to go on from them"), eval.err());
        CliRunner.Result resumed = CliRunner.run("evaluate", "--policy", run.toString(), "--plugin", steady.toString(),
                "--reward", "steady", "--prompts", plain.toString(), "--samples", "1", "--resume",
                "--out", tmp.resolve("second-eval").toString());
        assertEquals(ExitCodes.OK, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("all episodes were already sampled; scoring them"), resumed.err());
    }

    @Test
    void aFailureDuringClassificationTrainingNamesTheExampleAndLabel() throws Exception {
        Path data = Files.writeString(tmp.resolve("cls.tsv"), "sentence\tlabel\na fine film\t1\na dull film\t0\n"
                + "BOOM it was\t0\n");
        CliRunner.Result r = CliRunner.run("train", "--task", "classification", "--model", CliRunner.model("stories260K"),
                "--plugin", picky.toString(), "--reward", "picky", "--data", data.toString(), "--dev", data.toString(),
                "--episodes", "16", "--out", tmp.resolve("picky-cls").toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertTrue(r.err().contains("failed on training example id 2 (\"BOOM it was\") with label '0' chosen: IllegalStateException: cannot "
                + "score this"), r.err());
    }

    /**
     * Under the (default) cross-entropy value loss, a reward outside [0, 1] on a training example after the
     * first 64 (those scored before training) is refused as on the first ones: exit 2, one line naming the
     * reward, the example, the label and the value. It was exit 3 with "an episode's return 2.0 is outside
     * [0, 1]", naming neither the reward nor the example.
     */
    @Test
    void aCrossEntropyRewardOutsideTheUnitRangeAfterTheFirstExamplesNamesTheExample() throws Exception {
        StringBuilder tsv = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 100; i++) { // rows 64 and on pay 2 for the gold label
            tsv.append(i >= 64 ? "TWICE " : "").append(i % 2 == 0 ? "a dull film " : "a fine film ").append(i)
                    .append('\t').append(i % 2).append('\n');
        }
        Path data = Files.writeString(tmp.resolve("twice.tsv"), tsv);
        CliRunner.Result r = CliRunner.run("train", "--task", "classification", "--model", CliRunner.model("stories260K"),
                "--plugin", twice.toString(), "--reward", "twice", "--data", data.toString(), "--dev", data.toString(),
                "--episodes", "200", "--out", tmp.resolve("twice-cls").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        String line = r.err().lines().filter(l -> l.startsWith("qdecode: error:")).findFirst().orElse(r.err());
        assertTrue(line.startsWith("qdecode: error: --reward twice: gave training example id "), r.err());
        assertTrue(line.contains(" (\"TWICE a "), r.err());
        assertTrue(line.contains("' chosen the reward 2.0, outside [0, 1] (expected rewards in [0, 1] with "
                + "--value-loss cross-entropy"), r.err());
    }

    /** A failure on a --dev example (the classification run's evaluation) does not call it a training example. */
    @Test
    void aFailureOnADevExampleNamesItAsOne() throws Exception {
        Path data = Files.writeString(tmp.resolve("cls-train.tsv"), "sentence\tlabel\na fine film\t1\na dull film\t0\n"
                + "a good film\t1\na bad film\t0\n");
        Path dev = Files.writeString(tmp.resolve("cls-dev.tsv"), "sentence\tlabel\na nice film\t1\nBOOM it was\t0\n");
        CliRunner.Result r = CliRunner.run("train", "--task", "classification", "--model", CliRunner.model("stories260K"),
                "--plugin", matcher.toString(), "--reward", "matcher", "--data", data.toString(), "--dev", dev.toString(),
                "--episodes", "16", "--out", tmp.resolve("matcher-cls").toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertTrue(r.err().contains("failed on evaluation example id 1 (\"BOOM it was\") with label '"), r.err());
    }

    /**
     * A command closes the class loaders of the plug-in jars it loaded once it is done with them: they used to
     * stay open (and the jar with them) for the life of the process, one more for every registry built.
     * Linux only: the open files are read from /proc/self/fd.
     */
    @Test
    void aCommandReleasesThePluginJarsItOpened() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd");
        Path jar = Files.copy(steady, tmp.resolve("released.jar"));
        CliRunner.Result r = CliRunner.run("rewards", "list", "--plugin", jar.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertEquals(0, openHandles(fds, jar), "rewards list left the jar open");
        r = CliRunner.run("rewards", "score", "--plugin", jar.toString(), "--reward", "steady", "--hyp",
                text.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("steady"), r.out());
        assertEquals(0, openHandles(fds, jar), "rewards score left the jar open");
    }

    /**
     * A command loads each --plugin jar once: one registry for its checks and for creating its reward. It
     * used to build one for each check and one for the reward, so a provider was instantiated twice by train
     * and evaluate and three times by rewards score. The jar is still released when the command is done.
     */
    @Test
    void aCommandInstantiatesEachPluginProviderOnce() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        Path plain = Files.writeString(tmp.resolve("counted.tsv"), "prompt\nOnce upon a time\n");
        Path run = tmp.resolve("counted-run");
        Path cls = Files.writeString(tmp.resolve("counted-cls.tsv"), "sentence\tlabel\na fine film\t1\n"
                + "a dull film\t0\n");
        List<List<String>> commands = List.of(
                List.of("rewards", "list"),
                List.of("rewards", "score", "--reward", "counted", "--hyp", text.toString()),
                List.of("train", "--model", CliRunner.model("stories260K"), "--reward", "counted", "--episodes", "16",
                        "--max-new-tokens", "3", "--min-new-tokens", "1", "--eval-samples", "1", "--prompts",
                        plain.toString(), "--eval-prompts", plain.toString(), "--out", run.toString()),
                List.of("evaluate", "--policy", run.toString(), "--reward", "counted", "--prompts", plain.toString(),
                        "--samples", "1", "--out", tmp.resolve("counted-eval").toString()),
                List.of("train", "--task", "classification", "--model", CliRunner.model("stories260K"), "--reward",
                        "counted", "--data", cls.toString(), "--dev", cls.toString(), "--episodes", "8", "--out",
                        tmp.resolve("counted-cls").toString()));
        String before = System.getProperty("qdecode.test.instances");
        java.util.Map<String, Integer> instances = new java.util.LinkedHashMap<>();
        try {
            for (List<String> args : commands) {
                Path marker = Files.createTempFile(tmp, "instances", ".txt");
                System.setProperty("qdecode.test.instances", marker.toString());
                List<String> all = new java.util.ArrayList<>(args);
                all.addAll(List.of("--plugin", counted.toString()));
                CliRunner.Result r = CliRunner.run(all.toArray(String[]::new));
                assertEquals(ExitCodes.OK, r.code(), args + ": " + r.err());
                instances.put(args.get(0) + " " + args.get(1), Files.readAllLines(marker).size());
                if (Files.isDirectory(fds)) {
                    assertEquals(0, openHandles(fds, counted), args + " left the jar open");
                }
            }
        } finally {
            if (before == null) {
                System.clearProperty("qdecode.test.instances");
            } else {
                System.setProperty("qdecode.test.instances", before);
            }
        }
        assertEquals(java.util.Map.of("rewards list", 1, "rewards score", 1, "train --model", 1, "evaluate --policy", 1,
                "train --task", 1), instances, "provider instantiations per command");
    }

    /** How many of this process's open files are {@code file}. */
    private static long openHandles(Path fds, Path file) throws Exception {
        Path real = file.toRealPath();
        long n = 0;
        try (Stream<Path> all = Files.list(fds)) {
            for (Path fd : all.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        n++;
                    }
                } catch (java.io.IOException closedMeanwhile) {
                    // the descriptor of the listing itself, or one closed since
                }
            }
        }
        return n;
    }

    /**
     * A --plugin file that is not a jar at all is bad input (exit 3), as README's exit-code table says of a
     * --plugin file, naming the option; before, it was a plug-in failure (exit 4, "reward plug-in FILE is not a
     * valid jar file (zip END header not found)"). A real jar that holds no provider is still the plug-in's
     * failure (exit 4).
     */
    @Test
    void aPluginFileThatIsNotAJarIsBadInputAndAJarWithoutProvidersAPluginFailure() throws Exception {
        Path notJar = Files.writeString(tmp.resolve("notes.jar"), "not a jar\n");
        Path empty = Files.write(tmp.resolve("empty.jar"), new byte[0]);
        for (Path file : List.of(notJar, empty)) {
            for (String[] args : List.of(new String[] {"rewards", "list"},
                    new String[] {"rewards", "score", "--reward", "vader", "--hyp", text.toString()})) {
                CliRunner.Result r = CliRunner.run(concat(args, "--plugin", file.toString()));
                String where = String.join(" ", args) + " " + file.getFileName() + ": " + r.err();
                assertEquals(ExitCodes.BAD_INPUT, r.code(), where);
                assertEquals("", r.out(), where);
                assertEquals(1, r.err().strip().lines().count(), where);
                assertTrue(r.err().startsWith("qdecode: error: --plugin " + file + ": not a jar file ("), where);
                assertTrue(r.err().strip().endsWith("; expected a reward plug-in jar)"), where);
            }
        }
        Path noProviders = tmp.resolve("no-providers.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(noProviders))) {
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("nothing here".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        CliRunner.Result r = CliRunner.run("rewards", "list", "--plugin", noProviders.toString());
        assertEquals(ExitCodes.REWARD_FAILED, r.code(), r.err());
        assertEquals("qdecode: error: reward plug-in " + noProviders.toAbsolutePath().normalize() + " has no "
                + "META-INF/services/dev.qdecode.rewards.RewardProvider (list the provider classes there, one per line)",
                r.err().strip());
    }

    @Test
    void aJarGivenTwiceIsBadUsage() {
        CliRunner.Result r = CliRunner.run("rewards", "list", "--plugin", steady.toString(), "--plugin",
                steady.getParent().resolve(".").resolve(steady.getFileName()).toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().strip().startsWith("qdecode: error: --plugin " + steady.getParent().resolve(".")
                .resolve(steady.getFileName()) + ": given twice (expected each plug-in jar once)"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void aRunRecordsItsPluginsAndAResumeLoadsTheSameBytes() throws Exception {
        Path run = tmp.resolve("steady-run");
        CliRunner.Result r = CliRunner.run("train", "--model", CliRunner.model("stories260K"), "--plugin",
                steady.toString(), "--reward", "steady", "--episodes", "64", "--max-new-tokens", "4", "--min-new-tokens",
                "1", "--eval-limit", "2", "--eval-samples", "1", "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        java.util.Map<String, String> info = dev.qdecode.pipeline.dqn.DqnTrainer.checkpointInfo(run);
        assertEquals(List.of(steady.toAbsolutePath().normalize()), DqnCli.recordedPlugins(info, run));
        CliRunner.Result again = CliRunner.run("train", "--resume", "--plugin", steady.toString(), "--out", run.toString());
        assertEquals(ExitCodes.USAGE, again.code(), again.err());
        assertTrue(again.err().contains("--resume continues with the run's own --plugin"), again.err());
        Path saved = tmp.resolve("steady.jar.saved");
        Files.copy(steady, saved);
        try {
            Files.copy(hungry, steady, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            CliException e = org.junit.jupiter.api.Assertions.assertThrows(CliException.class,
                    () -> DqnCli.recordedPlugins(info, run));
            assertTrue(e.getMessage().startsWith("--resume " + run + ": the run's reward plug-in "
                    + steady.toAbsolutePath().normalize() + " changed since the run started (sha256 "), e.getMessage());
        } finally {
            Files.copy(saved, steady, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * {@code evaluate} without {@code --reward} scores a plug-in run on its own reward, created from the run's
     * own plug-in jar (checked against the sha256 the run recorded, as {@code train --resume} loads it) unless
     * {@code --plugin} is given; a jar that is gone or changed is refused (exit 3) in one line naming the
     * reward, the run, the jar and {@code --plugin}. It scored such a run with VADER.
     */
    @Test
    void evaluateScoresAPluginRunOnItsOwnRewardFromTheRunsJar() throws Exception {
        Path jar = tmp.resolve("own/steady.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(steady, jar);
        Path prompts = Files.writeString(tmp.resolve("steady-prompts.tsv"), "prompt\nOnce upon a time\n");
        Path run = tmp.resolve("steady-eval-run");
        CliRunner.Result r = CliRunner.run("train", "--model", CliRunner.model("stories260K"), "--plugin",
                jar.toString(), "--reward", "steady", "--episodes", "8", "--rollout-episodes", "4", "--max-new-tokens",
                "3", "--min-new-tokens", "1", "--eval-limit", "1", "--eval-samples", "1", "--prompts", prompts.toString(),
                "--eval-prompts", prompts.toString(), "--out", run.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        String[] common = {"evaluate", "--policy", run.toString(), "--prompts", prompts.toString(), "--samples", "1",
            "--overwrite", "--out", tmp.resolve("steady-eval").toString()};

        r = CliRunner.run(common);
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(("reward: steady (the run's, as train recorded it, from its plug-in "
                + jar.toAbsolutePath().normalize() + ")")::equals), r.err());
        assertTrue(r.out().contains("), reward steady:"), r.out());
        com.google.gson.JsonObject c = com.google.gson.JsonParser.parseString(
                Files.readString(tmp.resolve("steady-eval/comparison.json"))).getAsJsonObject();
        assertEquals("[\"steady\"]", c.getAsJsonArray("reward").toString());

        Path moved = tmp.resolve("own/steady.jar.moved");
        Files.move(jar, moved);
        try {
            r = CliRunner.run(common);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(List.of("qdecode: error: --policy " + run + ": the run's reward 'steady' comes from its plug-in "
                    + jar.toAbsolutePath().normalize() + ", which is not there (recorded by qdecode train; expected it "
                    + "back in place, the plug-in given with --plugin, or another --reward)"), r.err().lines().toList());
            // the jar given with --plugin (here from where it moved), or another --reward, scores without it
            r = CliRunner.run(concat(common, "--plugin", moved.toString()));
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(r.err().lines().anyMatch("reward: steady (the run's, as train recorded it)"::equals), r.err());
            r = CliRunner.run(concat(common, "--reward", "afinn"));
            assertEquals(ExitCodes.OK, r.code(), r.err());
            // another jar at the run's path is refused, naming both hashes
            Files.copy(hungry, jar);
            r = CliRunner.run(common);
            assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("qdecode: error: --policy " + run + ": the run's reward 'steady' comes from "
                    + "its plug-in " + jar.toAbsolutePath().normalize() + ", which changed since the run was trained "
                    + "(sha256 "), r.err());
            assertTrue(r.err().strip().endsWith("; expected it as it was, the plug-in given with --plugin, or another "
                    + "--reward)"), r.err());
        } finally {
            Files.deleteIfExists(jar);
            Files.move(moved, jar);
        }
    }
}
