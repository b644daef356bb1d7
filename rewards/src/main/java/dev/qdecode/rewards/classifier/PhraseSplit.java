package dev.qdecode.rewards.classifier;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * A train/validation split that keeps phrases of a held-out sentence out of training.
 *
 * <p>SST-2's training set holds the labelled phrases of each parse tree ("hide new secretions from
 * the parental units" and also "the parental units"). A random split leaks: most validation phrases
 * have their sub- and super-phrases in training, and accuracy is overstated (an under-regularised
 * MLP scores 0.92 there but 0.77 on dev). This split works on whitespace tokens: a <em>root</em> is a
 * text that is not a contiguous token span of another text. A seeded random {@code fraction} of the
 * roots is held out as the validation set (full sentences, like SST-2 dev), and every text that is a
 * token span of a held-out root (the root itself included) is removed from training. On data
 * without such structure every text is a root and this is an ordinary random split.
 *
 * @param train indices of the training examples, ascending
 * @param validation indices of the validation examples, ascending
 * @param roots how many roots (distinct full sentences) the data has
 * @param dropped how many examples were left out of both sets (phrases of held-out sentences)
 */
public record PhraseSplit(int[] train, int[] validation, int roots, int dropped) {

    /**
     * Checks that {@code train} and {@code validation} are given.
     *
     * @param train see the record description
     * @param validation see the record description
     * @param roots see the record description
     * @param dropped see the record description
     * @throws NullPointerException naming {@code train} or {@code validation} when it is null
     */
    public PhraseSplit {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(validation, "validation");
    }

    /**
     * Splits the texts.
     *
     * @param texts the training texts
     * @param fraction the share of roots to hold out (0 = none)
     * @param seed the shuffle seed
     * @return the split
     * @throws NullPointerException naming {@code texts} when it is null
     */
    public static PhraseSplit of(List<String> texts, double fraction, long seed) {
        Objects.requireNonNull(texts, "texts");
        int n = texts.size();
        List<String> norm = new ArrayList<>(n);
        Map<String, List<Integer>> byText = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String t = normalize(texts.get(i));
            norm.add(t);
            byText.computeIfAbsent(t, k -> new ArrayList<>()).add(i);
        }
        if (fraction == 0) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return new PhraseSplit(all, new int[0], byText.size(), 0);
        }
        Set<String> contained = new HashSet<>();
        for (String t : byText.keySet()) {
            forEachSpan(t, byText.keySet(), false, contained);
        }
        List<String> roots = new ArrayList<>();
        for (String t : byText.keySet()) {
            if (!contained.contains(t)) {
                roots.add(t);
            }
        }
        Collections.sort(roots);
        Collections.shuffle(roots, new Random(seed));
        int held = (int) Math.max(1, Math.round(fraction * roots.size()));
        if (held >= roots.size()) {
            throw new IllegalArgumentException("validation split: only " + roots.size()
                    + " distinct full sentences, too few to hold out " + fraction + " of them");
        }
        Set<String> heldRoots = new HashSet<>(roots.subList(0, held));
        Set<String> blocked = new HashSet<>();
        for (String r : heldRoots) {
            forEachSpan(r, byText.keySet(), true, blocked);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String t = norm.get(i);
            if (heldRoots.contains(t)) {
                val.add(i);
            } else if (!blocked.contains(t)) {
                train.add(i);
            }
        }
        if (train.isEmpty()) {
            throw new IllegalArgumentException("validation split: no training example left after holding out "
                    + held + " sentences; lower validationFraction");
        }
        return new PhraseSplit(toArray(train), toArray(val), roots.size(), n - train.size() - val.size());
    }

    static String normalize(String text) {
        return String.join(" ", text.trim().split("\\s+"));
    }

    /** Adds to {@code out} every token span of {@code text} found in {@code known}. */
    private static void forEachSpan(String text, Set<String> known, boolean includeWhole, Set<String> out) {
        String[] tok = text.isEmpty() ? new String[0] : text.split(" ");
        int len = tok.length;
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < len; i++) {
            sb.setLength(0);
            for (int j = i; j < len; j++) {
                if (j > i) {
                    sb.append(' ');
                }
                sb.append(tok[j]);
                if (!includeWhole && i == 0 && j == len - 1) {
                    continue;
                }
                String span = sb.toString();
                if (known.contains(span)) {
                    out.add(span);
                }
            }
        }
    }

    private static int[] toArray(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }
}
