package dev.qdecode.pipeline.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A progress line on standard error: bar, count, rate, ETA and a free-form status (e.g. the latest
 * reward). On a terminal it redraws one line; otherwise it prints a line at most every few seconds.
 */
final class ProgressBar implements AutoCloseable {
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;
    /** The writers on which a bar's redrawn line is open (drawn without its line break), for {@link #endLine}. */
    private static final Map<PrintWriter, Boolean> OPEN = Collections.synchronizedMap(new WeakHashMap<>());
    private final PrintWriter err;
    private final String what;
    private final long total;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private long lastPrint;
    private final long start;
    private long done;
    private String status = "";

    /**
     * Starts a progress bar.
     *
     * @param err where to draw
     * @param what the unit being counted (e.g. "prompts", "episodes")
     * @param total the total count (&gt; 0)
     */
    public ProgressBar(PrintWriter err, String what, long total) {
        this(err, what, total, 0);
    }

    /**
     * Starts a progress bar for work that resumes part-way: the rate and ETA count only the items
     * done after {@code alreadyDone}.
     *
     * @param err where to draw
     * @param what the unit being counted (e.g. "steps")
     * @param total the total count (&gt; 0)
     * @param alreadyDone items finished before this process started (0 for a fresh run)
     */
    public ProgressBar(PrintWriter err, String what, long total, long alreadyDone) {
        this(err, what, total, alreadyDone,
                System.console() != null && System.getenv("QDECODE_NO_PROGRESS_REDRAW") == null);
    }

    /**
     * A bar that redraws one line ({@code terminal}) or logs whole lines, whatever the process runs at (for tests).
     *
     * @param err where to draw
     * @param what the unit being counted
     * @param total the total count (&gt; 0)
     * @param alreadyDone items finished before this process started
     * @param terminal whether to redraw one line, as on a terminal
     */
    ProgressBar(PrintWriter err, String what, long total, long alreadyDone, boolean terminal) {
        this.err = err;
        this.what = what;
        this.total = Math.max(1, total);
        this.start = Math.max(0, alreadyDone);
        this.done = this.start;
        this.terminal = terminal;
    }

    /**
     * Updates the count and status; redraws when due.
     *
     * @param doneCount items finished so far
     * @param statusText extra text shown after the ETA (may be empty)
     */
    public void update(long doneCount, String statusText) {
        this.done = doneCount;
        this.status = statusText == null ? "" : statusText;
        long now = System.nanoTime();
        // In a log, the finished line is close()'s (with the time taken), not a second one here.
        if (terminal || now - lastPrint >= LOG_EVERY_NANOS && done < total) {
            lastPrint = now;
            draw(false);
        }
    }

    private void draw(boolean fin) {
        double secs = (System.nanoTime() - startNanos) / 1e9;
        double frac = Math.min(1.0, done / (double) total);
        int width = 24;
        int filled = (int) Math.round(frac * width);
        String bar = "=".repeat(filled) + (filled < width ? ">" + " ".repeat(width - filled - 1) : "");
        double rate = secs > 0 ? (done - start) / secs : 0;
        // Under a second in, a rate (and so an ETA) would be measured on almost nothing.
        boolean early = secs < 1 && !fin;
        String eta = early ? "-" : rate > 0 && done < total ? hms((total - done) / rate) : "0:00";
        String line = String.format(Locale.ROOT, "[%s] %d/%d %s  %s/s  %s %s%s", bar, done, total, what,
                early ? "-" : String.format(Locale.ROOT, "%.1f", rate), fin ? "took" : "ETA", fin ? hms(secs) : eta,
                status.isEmpty() ? "" : "  " + status);
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            if (fin) {
                err.println();
                OPEN.remove(err);
            } else {
                OPEN.put(err, Boolean.TRUE);
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    /**
     * Ends the line a bar left open on {@code err} (a terminal's redrawn line, not yet finished), so that what is
     * printed next starts a line of its own; prints nothing when no bar's line is open there (no bar, a bar that
     * finished, or one that logs whole lines because standard error is not a terminal).
     *
     * @param err the writer
     * @return whether a line was ended
     */
    static boolean endLine(PrintWriter err) {
        if (OPEN.remove(err) == null) {
            return false;
        }
        err.println();
        return true;
    }

    static String hms(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Draws the final line. */
    @Override
    public void close() {
        draw(true);
    }
}
