/**
 * The run report ({@code qdecode report}, and the end of every {@code qdecode train}): charts and a
 * self-contained HTML page from a run directory.
 *
 * <p>Entry point: {@link dev.qdecode.pipeline.report.RunReport} (public). Package-private pieces:
 * {@code RunData} (reads {@code metrics.jsonl} and {@code summary.json}; every numeric field is
 * optional, the x axis is {@code episode}, {@code step} or the line index), {@code Charts} (one XChart
 * line chart per known metric group, unknown numeric fields in an "other" chart, PNG) and
 * {@code Html} (the page: inline CSS, charts as base64 data URIs, every run value HTML-escaped).
 */
package dev.qdecode.pipeline.report;
