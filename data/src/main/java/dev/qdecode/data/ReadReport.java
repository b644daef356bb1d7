package dev.qdecode.data;

import java.util.List;
import java.util.Objects;

/**
 * What a reader did with a file: rows read, examples accepted, bad rows skipped and the first few
 * messages about them.
 *
 * @param source the file, as named in messages (e.g. {@code sst2/train.tsv})
 * @param rowsRead data rows read (good and bad, header excluded)
 * @param accepted rows turned into examples
 * @param skipped bad rows skipped (only ever non-zero with {@link ReadOptions#skipBadRows()})
 * @param firstErrors the messages of the first {@value #MAX_MESSAGES} skipped rows
 */
public record ReadReport(
    String source, long rowsRead, long accepted, long skipped, List<String> firstErrors) {

  /** How many skip messages a report keeps. */
  public static final int MAX_MESSAGES = 10;

  /**
   * Validates and copies.
   *
   * @param source the file, as named in messages (e.g. {@code sst2/train.tsv})
   * @param rowsRead data rows read (good and bad, header excluded)
   * @param accepted rows turned into examples
   * @param skipped bad rows skipped (only ever non-zero with {@link ReadOptions#skipBadRows()})
   * @param firstErrors the messages of the first {@value #MAX_MESSAGES} skipped rows
   * @throws NullPointerException naming {@code firstErrors} when it is null
   */
  public ReadReport {
    Objects.requireNonNull(firstErrors, "firstErrors");
    Objects.requireNonNull(source, "source");
    firstErrors = List.copyOf(firstErrors);
    if (rowsRead < 0 || accepted < 0 || skipped < 0 || accepted + skipped > rowsRead) {
      throw new IllegalArgumentException(
          "inconsistent counts: read "
              + rowsRead
              + ", accepted "
              + accepted
              + ", skipped "
              + skipped);
    }
  }

  /**
   * One line for logs and the CLI, e.g. {@code sst2/train.tsv: 67349 rows read, 67349 accepted, 0
   * skipped}, followed by the first skip message if any.
   *
   * @return the summary line
   */
  public String summary() {
    String s =
        source + ": " + rowsRead + " rows read, " + accepted + " accepted, " + skipped + " skipped";
    return firstErrors.isEmpty() ? s : s + " (first: " + firstErrors.get(0) + ")";
  }
}
