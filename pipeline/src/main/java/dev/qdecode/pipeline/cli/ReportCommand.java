package dev.qdecode.pipeline.cli;

import dev.qdecode.data.Datasets;
import dev.qdecode.pipeline.report.RunReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code qdecode report}: charts and a self-contained HTML page of a training run. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Write a training run's report: PNG charts of its metrics and a self-contained report.html.",
        description = {
            "Charts of the run's metrics.jsonl (reward, KL, perplexity, distinct-n and length, repetition, loss and "
                + "Q-values, speed; the base model dashed) and report.html (self-contained: summary base vs trained, "
                + "charts, examples, config, provenance). 'qdecode train' writes it at the end of every run.",
            "It rewrites the run's own report (RUN_DIR/report, or an --out holding a report of the same run); an "
                + "--out holding anything else (another run's report, other files) is refused unless --overwrite "
                + "is given."
        })
final class ReportCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory (holds metrics.jsonl).")
    Path runDir;

    @Option(names = "--compare", paramLabel = "RUN_DIR", arity = "1..*",
            description = "Other runs to overlay in the charts and compare in a table (repeatable): runs of the "
                    + "same task; other models or rewards are compared with a warning.")
    List<Path> compare = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: RUN_DIR/report).")
    Path out;

    @Mixin OverwriteOption overwrite;

    @Override
    public Integer call() {
        List<Path> runs = new ArrayList<>(List.of(runDir));
        for (Path c : compare) {
            for (Path earlier : runs) {
                if (Datasets.sameFile(c, earlier)) {
                    throw new CliException("--compare " + c + ": the same run as " + earlier + " (expected each run "
                            + "once)", ExitCodes.USAGE);
                }
            }
            runs.add(c);
        }
        Path dir = out != null ? out : RunReport.defaultOutDir(runDir);
        checkOut(dir);
        List<Path> written;
        PrintWriter err = spec.commandLine().getErr();
        try {
            written = RunReport.write(runDir, compare, dir, warning -> {
                err.println("qdecode: warning: " + warning);
                err.flush();
            });
        } catch (RunReport.IncomparableRunsException e) {
            throw new CliException(e.getMessage(), ExitCodes.USAGE);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage(), ExitCodes.BAD_INPUT);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println("report: " + written.get(0));
        o.println("charts: " + (written.size() - 1) + " PNG files in " + dir);
        o.flush();
        return ExitCodes.OK;
    }

    /**
     * Refuses, before any work, an output directory that holds anything but this run's own report (the
     * default RUN_DIR/report, or a directory whose record names this run), unless --overwrite is given;
     * a file is refused even then.
     */
    private void checkOut(Path dir) {
        OtherWork.refuse("--out", dir, OtherWork.Kind.REPORT); // e.g. --out the run directory itself
        boolean own = Datasets.sameFile(dir, RunReport.defaultOutDir(runDir)) || RunReport.isReportOf(dir, runDir);
        if (!own) {
            String other = Files.isDirectory(dir) ? RunReport.runOf(dir) : null;
            if (other != null) {
                overwrite.check(dir, RunReport.RECORD, "the report of " + other);
            }
        }
        if (!own || (Files.exists(dir) && !Files.isDirectory(dir))) {
            overwrite.checkEmpty(dir, "the report of " + runDir, "");
        }
    }
}
