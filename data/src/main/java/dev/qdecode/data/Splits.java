package dev.qdecode.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * Deterministic splits, subsets and shuffles: the same input, fractions and seed give the same
 * result on every run and every Java version ({@link Random} is fully specified).
 */
public final class Splits {
  private Splits() {}

  /**
   * Splits items at random into parts of the given fractions. Part sizes are the fractions times
   * the item count, rounded by largest remainder so that they add up exactly; each part keeps the
   * input order.
   *
   * @param items the items
   * @param fractions positive fractions adding up to 1 (within 1e-6), e.g. {@code {0.8, 0.1, 0.1}}
   * @param seed the random seed
   * @param <T> the item type
   * @return one immutable list per fraction; together they hold every item exactly once
   */
  public static <T> List<List<T>> split(List<T> items, double[] fractions, long seed) {
    Objects.requireNonNull(items, "items");
    checkFractions(fractions);
    int n = items.size();
    int[] order = permutation(n, seed);
    int[] sizes = sizes(n, fractions);
    List<List<T>> parts = new ArrayList<>(fractions.length);
    int from = 0;
    for (int size : sizes) {
      int[] chosen = Arrays.copyOfRange(order, from, from + size);
      Arrays.sort(chosen);
      parts.add(pick(items, chosen));
      from += size;
    }
    return Collections.unmodifiableList(parts);
  }

  /**
   * Splits items at random so that items with the same group key land in the same part (e.g. the
   * pairs of one dialogue, or duplicate SST-2 sentences). Groups are shuffled by the seed and laid
   * end to end; each group goes to the part its middle falls in, so part sizes follow the fractions
   * as closely as whole groups allow (a part may come out empty when there are few groups). Each
   * part keeps the input order.
   *
   * @param items the items
   * @param groupKey the key of an item's group (non-null, with consistent equals/hashCode)
   * @param fractions positive fractions adding up to 1 (within 1e-6)
   * @param seed the random seed
   * @param <T> the item type
   * @return one immutable list per fraction; together they hold every item exactly once
   */
  public static <T> List<List<T>> splitByGroup(
      List<T> items, Function<? super T, ?> groupKey, double[] fractions, long seed) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(groupKey, "groupKey");
    checkFractions(fractions);
    Map<Object, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < items.size(); i++) {
      Object key = groupKey.apply(items.get(i));
      if (key == null) {
        throw new IllegalArgumentException("group key of item " + i + " is null");
      }
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
    }
    List<List<Integer>> byGroup = new ArrayList<>(groups.values());
    int[] order = permutation(byGroup.size(), seed);
    double[] bounds = new double[fractions.length];
    double cumulative = 0;
    for (int j = 0; j < fractions.length; j++) {
      cumulative += fractions[j];
      bounds[j] = cumulative;
    }
    bounds[fractions.length - 1] = Double.POSITIVE_INFINITY;
    List<List<Integer>> partIndices = new ArrayList<>();
    for (int j = 0; j < fractions.length; j++) {
      partIndices.add(new ArrayList<>());
    }
    double n = items.size();
    long start = 0;
    for (int g : order) {
      List<Integer> members = byGroup.get(g);
      double middle = (start + members.size() / 2.0) / n;
      int part = 0;
      while (middle >= bounds[part]) {
        part++;
      }
      partIndices.get(part).addAll(members);
      start += members.size();
    }
    List<List<T>> parts = new ArrayList<>(fractions.length);
    for (List<Integer> indices : partIndices) {
      int[] chosen = indices.stream().mapToInt(Integer::intValue).sorted().toArray();
      parts.add(pick(items, chosen));
    }
    return Collections.unmodifiableList(parts);
  }

  /**
   * Picks {@code n} items at random, keeping the input order. Subsets are nested: with the same
   * seed, a smaller subset is contained in a larger one.
   *
   * @param items the items
   * @param n how many to pick, at most {@code items.size()}
   * @param seed the random seed
   * @param <T> the item type
   * @return an immutable list of {@code n} items
   * @throws IllegalArgumentException if {@code n} is negative or larger than the item count
   */
  public static <T> List<T> subset(List<T> items, int n, long seed) {
    Objects.requireNonNull(items, "items");
    if (n < 0 || n > items.size()) {
      throw new IllegalArgumentException(
          "cannot pick " + n + " items from " + items.size() + ": expected 0.." + items.size());
    }
    int[] chosen = Arrays.copyOf(permutation(items.size(), seed), n);
    Arrays.sort(chosen);
    return pick(items, chosen);
  }

  /**
   * The items in a random order.
   *
   * @param items the items
   * @param seed the random seed
   * @param <T> the item type
   * @return an immutable shuffled copy
   */
  public static <T> List<T> shuffled(List<T> items, long seed) {
    Objects.requireNonNull(items, "items");
    return pick(items, permutation(items.size(), seed));
  }

  /** A random permutation of 0..n-1 (Fisher–Yates driven by {@link Random}). */
  static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    Random random = new Random(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static <T> List<T> pick(List<T> items, int[] indices) {
    List<T> out = new ArrayList<>(indices.length);
    for (int i : indices) {
      out.add(items.get(i));
    }
    return Collections.unmodifiableList(out);
  }

  /** Part sizes by largest remainder; ties go to the earlier part. */
  private static int[] sizes(int n, double[] fractions) {
    int[] sizes = new int[fractions.length];
    double[] remainder = new double[fractions.length];
    int total = 0;
    for (int j = 0; j < fractions.length; j++) {
      double exact = fractions[j] * n;
      sizes[j] = (int) Math.floor(exact);
      remainder[j] = exact - sizes[j];
      total += sizes[j];
    }
    while (total < n) {
      int best = 0;
      for (int j = 1; j < fractions.length; j++) {
        if (remainder[j] > remainder[best]) {
          best = j;
        }
      }
      sizes[best]++;
      remainder[best] = -1;
      total++;
    }
    while (total > n) { // only through rounding of fractions that add up to slightly over 1
      int largest = 0;
      for (int j = 1; j < sizes.length; j++) {
        if (sizes[j] > sizes[largest]) {
          largest = j;
        }
      }
      sizes[largest]--;
      total--;
    }
    return sizes;
  }

  private static void checkFractions(double[] fractions) {
    Objects.requireNonNull(fractions, "fractions");
    if (fractions.length == 0) {
      throw new IllegalArgumentException("expected at least one fraction");
    }
    double sum = 0;
    for (double f : fractions) {
      if (!(f > 0 && f <= 1)) {
        throw new IllegalArgumentException(
            "fractions must be in (0, 1] but got " + Arrays.toString(fractions));
      }
      sum += f;
    }
    if (Math.abs(sum - 1) > 1e-6) {
      throw new IllegalArgumentException(
          "fractions must add up to 1 but " + Arrays.toString(fractions) + " add up to " + sum);
    }
  }
}
