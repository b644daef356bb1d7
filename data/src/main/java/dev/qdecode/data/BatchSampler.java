package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Seeded training batches: each epoch is a fresh shuffle of all items, cut into batches. The order
 * depends only on the items, the seed and the epoch number, so the same seed gives the same batches
 * and a run can resume at any epoch.
 *
 * @param <T> the item type
 */
public final class BatchSampler<T> {
  private final List<T> items;
  private final int batchSize;
  private final boolean dropLast;
  private final long seed;

  /**
   * Creates a sampler.
   *
   * @param items the items (copied; at least one)
   * @param batchSize items per batch, at least 1
   * @param dropLast drop an epoch's last batch when it is short; otherwise keep it
   * @param seed the random seed
   * @throws IllegalArgumentException if there are no items, the batch size is below 1, or dropping
   *     the last batch would leave no batch
   */
  public BatchSampler(List<T> items, int batchSize, boolean dropLast, long seed) {
    Objects.requireNonNull(items, "items");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1 but was " + batchSize);
    }
    if (items.isEmpty() || (dropLast && items.size() < batchSize)) {
      throw new IllegalArgumentException(
          "cannot make a batch of " + batchSize + " from " + items.size() + " items");
    }
    this.items = List.copyOf(items);
    this.batchSize = batchSize;
    this.dropLast = dropLast;
    this.seed = seed;
  }

  /**
   * Batches per epoch.
   *
   * @return {@code floor(n / batchSize)} when dropping the last batch, else {@code ceil}
   */
  public int batchesPerEpoch() {
    int n = items.size();
    return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
  }

  /**
   * The batches of one epoch.
   *
   * @param epoch the epoch number, from 0
   * @return immutable batches; all items appear once (except a dropped short batch)
   */
  public List<List<T>> epoch(int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
    int[] order = Splits.permutation(items.size(), epochSeed(seed, epoch));
    int count = batchesPerEpoch();
    List<List<T>> batches = new ArrayList<>(count);
    for (int b = 0; b < count; b++) {
      int from = b * batchSize;
      int to = Math.min(from + batchSize, order.length);
      List<T> batch = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        batch.add(items.get(order[i]));
      }
      batches.add(Collections.unmodifiableList(batch));
    }
    return Collections.unmodifiableList(batches);
  }

  /** A well-mixed seed per epoch (SplitMix64 finaliser), so epochs are independent shuffles. */
  static long epochSeed(long seed, int epoch) {
    long z = seed + (epoch + 1L) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
