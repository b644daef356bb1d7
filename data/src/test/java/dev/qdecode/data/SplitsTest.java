package dev.qdecode.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Seeded splits, subsets and batches: deterministic, complete, and group-preserving. */
class SplitsTest {
  static final List<Integer> ITEMS = IntStream.range(0, 1000).boxed().toList();
  static final double[] F = {0.8, 0.1, 0.1};

  static <T> void assertPartition(List<T> all, List<List<T>> parts) {
    List<T> joined = new ArrayList<>();
    parts.forEach(joined::addAll);
    assertEquals(all.size(), joined.size());
    assertEquals(new HashSet<>(all), new HashSet<>(joined));
  }

  @Test
  void splitIsDeterministicCompleteAndSized() {
    List<List<Integer>> a = Splits.split(ITEMS, F, 42);
    assertEquals(a, Splits.split(ITEMS, F, 42));
    assertNotEquals(a, Splits.split(ITEMS, F, 43));
    assertEquals(List.of(800, 100, 100), a.stream().map(List::size).toList());
    assertPartition(ITEMS, a);
    for (List<Integer> part : a) {
      assertEquals(part.stream().sorted().toList(), part, "parts keep input order");
    }
    List<List<Integer>> odd =
        Splits.split(IntStream.range(0, 7).boxed().toList(), new double[] {0.5, 0.5}, 1);
    assertEquals(List.of(4, 3), odd.stream().map(List::size).toList());
  }

  @Test
  void subsetsAreNestedAndDeterministic() {
    List<Integer> small = Splits.subset(ITEMS, 50, 7);
    List<Integer> large = Splits.subset(ITEMS, 200, 7);
    assertEquals(small, Splits.subset(ITEMS, 50, 7));
    assertEquals(50, new HashSet<>(small).size());
    assertTrue(large.containsAll(small));
    assertEquals(ITEMS, Splits.subset(ITEMS, 1000, 7));
    assertThrows(IllegalArgumentException.class, () -> Splits.subset(ITEMS, 1001, 7));
    assertEquals(new HashSet<>(ITEMS), new HashSet<>(Splits.shuffled(ITEMS, 3)));
    assertNotEquals(ITEMS, Splits.shuffled(ITEMS, 3));
  }

  @Test
  void badFractionsAreRejected() {
    assertThrows(
        IllegalArgumentException.class, () -> Splits.split(ITEMS, new double[] {0.5, 0.4}, 1));
    assertThrows(
        IllegalArgumentException.class, () -> Splits.split(ITEMS, new double[] {1.2, -0.2}, 1));
    assertThrows(IllegalArgumentException.class, () -> Splits.split(ITEMS, new double[] {}, 1));
  }

  static <T> void assertGroupsIntact(List<List<T>> parts, Function<T, ?> key) {
    Set<Object> seen = new HashSet<>();
    for (List<T> part : parts) {
      Set<Object> keys = part.stream().map(key).collect(Collectors.toSet());
      for (Object k : keys) {
        assertTrue(seen.add(k), "group " + k + " is in two parts");
      }
    }
  }

  @Test
  void dialoguesStayTogether() {
    Path file = SharedDataTest.DATA.resolve("xdailydialog/pairs_en_dev.tsv");
    List<DialogueExample> pairs = Datasets.dialogue(file, ReadOptions.defaults()).examples();
    List<List<DialogueExample>> parts =
        Splits.splitByGroup(pairs, DialogueExample::dialogId, F, 11);
    assertEquals(parts, Splits.splitByGroup(pairs, DialogueExample::dialogId, F, 11));
    assertPartition(pairs, parts);
    assertGroupsIntact(parts, DialogueExample::dialogId);
    // Whole dialogues (up to 35 pairs) cannot be cut: sizes follow the fractions within 2%.
    int n = pairs.size();
    for (int j = 0; j < F.length; j++) {
      assertEquals(F[j], parts.get(j).size() / (double) n, 0.02, "part " + j);
    }
  }

  @Test
  void duplicateSst2SentencesStayTogether() {
    Path file = SharedDataTest.DATA.resolve("sst2/train.tsv");
    List<ClassificationExample> rows =
        Datasets.classification(file, ReadOptions.defaults()).examples();
    List<List<ClassificationExample>> parts =
        Splits.splitByGroup(rows, ClassificationExample::text, new double[] {0.9, 0.1}, 5);
    assertPartition(rows, parts);
    assertGroupsIntact(parts, ClassificationExample::text);
    assertEquals(0.1, parts.get(1).size() / (double) rows.size(), 0.001);
  }

  @Test
  void batchesAreSeededPerEpoch() {
    BatchSampler<Integer> s = new BatchSampler<>(ITEMS.subList(0, 103), 10, false, 99);
    assertEquals(11, s.batchesPerEpoch());
    List<List<Integer>> e0 = s.epoch(0);
    assertEquals(e0, new BatchSampler<>(ITEMS.subList(0, 103), 10, false, 99).epoch(0));
    assertNotEquals(e0, s.epoch(1));
    assertNotEquals(e0, new BatchSampler<>(ITEMS.subList(0, 103), 10, false, 100).epoch(0));
    assertEquals(3, e0.get(10).size());
    List<Integer> all = new ArrayList<>();
    e0.forEach(all::addAll);
    assertEquals(new HashSet<>(ITEMS.subList(0, 103)), new HashSet<>(all));
    assertEquals(103, all.size());

    BatchSampler<Integer> dropping = new BatchSampler<>(ITEMS.subList(0, 103), 10, true, 99);
    assertEquals(10, dropping.batchesPerEpoch());
    assertTrue(dropping.epoch(3).stream().allMatch(b -> b.size() == 10));
    assertThrows(IllegalArgumentException.class, () -> new BatchSampler<>(List.of(1), 2, true, 0));
    assertThrows(IllegalArgumentException.class, () -> new BatchSampler<>(List.of(1), 0, false, 0));
  }
}
