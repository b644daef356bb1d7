package dev.qdecode.data;

import java.util.List;
import java.util.Objects;

/**
 * Examples loaded from one file, with the report of how they were read.
 *
 * @param source the file, as named in messages (e.g. {@code sst2/train.tsv})
 * @param examples the examples in file order (immutable)
 * @param report rows read, accepted and skipped
 * @param <T> the example type
 */
public record Dataset<T>(String source, List<T> examples, ReadReport report) {

  /**
   * Validates and copies.
   *
   * @param source the file, as named in messages (e.g. {@code sst2/train.tsv})
   * @param examples the examples in file order (immutable)
   * @param report rows read, accepted and skipped
   * @throws NullPointerException naming {@code examples} when it is null
   */
  public Dataset {
    Objects.requireNonNull(examples, "examples");
    Objects.requireNonNull(source, "source");
    examples = List.copyOf(examples);
    Objects.requireNonNull(report, "report");
  }

  /**
   * The number of examples.
   *
   * @return {@code examples().size()}
   */
  public int size() {
    return examples.size();
  }
}
