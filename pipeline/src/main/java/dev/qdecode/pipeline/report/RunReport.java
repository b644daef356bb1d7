package dev.qdecode.pipeline.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The report of a training run: PNG charts of its {@code metrics.jsonl} (one per metric group; the
 * base model from {@code summary.json} as dashed lines; compared runs overlaid) and a self-contained
 * {@code report.html} (charts inlined, summary base vs trained, examples, config and provenance).
 * Rendering is headless ({@code java.awt.headless=true} unless set otherwise).
 */
public final class RunReport {

    /** The report's subdirectory of a run directory, by default. */
    public static final String DIR = "report";
    /** The report page's file name. */
    public static final String HTML = "report.html";

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private RunReport() {}

    /**
     * Where the report of a run goes by default.
     *
     * @param runDir the run directory
     * @return {@code runDir/report}
     */
    public static Path defaultOutDir(Path runDir) {
        return runDir.resolve(DIR);
    }

    /**
     * Writes the report of a run.
     *
     * @param runDir the run directory (with {@code metrics.jsonl}; {@code summary.json} is optional)
     * @param compare run directories to overlay in the charts and compare in a table (may be empty)
     * @param outDir the directory to write to (created when missing)
     * @return the written files: {@code report.html} first, then one PNG per chart
     * @throws IllegalArgumentException (one line naming the file and line) when a directory is not a run
     *     directory or a file is malformed
     * @throws UncheckedIOException when a file cannot be read or written
     */
    public static List<Path> write(Path runDir, List<Path> compare, Path outDir) {
        List<Path> dirs = new ArrayList<>();
        dirs.add(runDir);
        dirs.addAll(compare);
        List<String> names = names(dirs);
        List<RunData> runs = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            runs.add(RunData.read(dirs.get(i), names.get(i)));
        }
        List<Charts.Chart> charts = Charts.render(runs);
        List<Path> written = new ArrayList<>();
        Path html = outDir.resolve(HTML);
        written.add(html);
        try {
            Files.createDirectories(outDir);
            for (Charts.Chart c : charts) {
                Path png = outDir.resolve(c.id() + ".png");
                Files.write(png, c.png());
                written.add(png);
            }
            Files.writeString(html, Html.page(runs, charts), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + outDir, e);
        }
        return List.copyOf(written);
    }

    /** Display names: directory names, with the parent added (and then a counter) where two clash. */
    static List<String> names(List<Path> dirs) {
        List<String> names = new ArrayList<>();
        for (Path d : dirs) {
            Path abs = d.toAbsolutePath().normalize();
            names.add(abs.getFileName() == null ? abs.toString() : abs.getFileName().toString());
        }
        Map<String, Integer> count = new HashMap<>();
        names.forEach(n -> count.merge(n, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < dirs.size(); i++) {
            String n = names.get(i);
            if (count.get(n) > 1) {
                Path parent = dirs.get(i).toAbsolutePath().normalize().getParent();
                n = (parent != null && parent.getFileName() != null ? parent.getFileName() + "/" : "") + n;
            }
            int k = seen.merge(n, 1, Integer::sum);
            out.add(k == 1 ? n : n + " #" + k);
        }
        return out;
    }
}
