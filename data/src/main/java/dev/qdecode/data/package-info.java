/**
 * Task data sets for qdecode: streaming readers for TSV, CSV and JSON-lines files, validated
 * example records per task kind, and seeded splits, subsets and training batches.
 *
 * <p>Entry point: {@link dev.qdecode.data.Datasets}. Every problem with the data is reported as a
 * {@link dev.qdecode.data.DataException} whose message is one line naming the file, the line, the
 * column and what was expected. Bad rows are skipped only when {@link
 * dev.qdecode.data.ReadOptions#skipBadRows()} is set, and then counted in a {@link
 * dev.qdecode.data.ReadReport}.
 */
package dev.qdecode.data;
