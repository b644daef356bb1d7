package dev.qdecode.rewards.bleu;

import java.util.List;

/**
 * Corpus-level statistics shared by BLEU and chrF: per-segment sufficient statistics summed over
 * the corpus, plus the reference count for the signature ({@code var} when it differs).
 */
final class CorpusStats {
    /** The failure of a segment whose references are all empty or whitespace-only. */
    static final String NO_REFERENCE =
            "no non-blank reference (empty and whitespace-only references are skipped)";

    /** Fills {@code out} with one segment's statistics and returns its non-blank reference count. */
    @FunctionalInterface
    interface Segment {
        int stats(Workspace ws, String hypothesis, List<String> references, long[] out);
    }

    /** The summed statistics and the signature's {@code nrefs} value. */
    record Sum(long[] sums, String nrefs) {}

    private CorpusStats() {}

    /**
     * Sums segment statistics over a corpus.
     *
     * @throws IllegalArgumentException when the lists differ in length, are empty, hold a null
     *     element ({@code hypotheses[i] is null}, {@code references[i] is null},
     *     {@code references[i][j] is null}) or a segment is
     *     invalid (the message names the segment index)
     */
    static Sum sum(List<String> hypotheses, List<? extends List<String>> references, int size, Segment segment) {
        long[][] per = new long[hypotheses.size()][];
        String nrefs = segments(hypotheses, references, size, segment, per);
        return new Sum(add(per, null), nrefs);
    }

    /**
     * Element-wise sum of segment statistics.
     *
     * @param rows the segments' statistics (all of one length)
     * @param idx the rows to add, with repeats (a bootstrap resample), or null for every row once
     * @return the sums
     */
    static long[] add(long[][] rows, int[] idx) {
        int size = rows[0].length;
        long[] s = new long[size];
        int n = idx == null ? rows.length : idx.length;
        for (int i = 0; i < n; i++) {
            long[] row = rows[idx == null ? i : idx[i]];
            for (int k = 0; k < size; k++) {
                s[k] += row[k];
            }
        }
        return s;
    }

    /**
     * Each segment's statistics, for resampling.
     *
     * @throws IllegalArgumentException as {@link #sum}
     */
    static long[][] perSegment(List<String> hypotheses, List<? extends List<String>> references, int size,
            Segment segment) {
        long[][] per = new long[hypotheses.size()][];
        segments(hypotheses, references, size, segment, per);
        return per;
    }

    /** Fills {@code out} with every segment's statistics; returns the signature's {@code nrefs}. */
    private static String segments(List<String> hypotheses, List<? extends List<String>> references, int size,
            Segment segment, long[][] out) {
        if (hypotheses.size() != references.size()) {
            throw new IllegalArgumentException(hypotheses.size() + " hypotheses but "
                    + references.size() + " reference lists");
        }
        if (hypotheses.isEmpty()) {
            throw new IllegalArgumentException("no hypotheses to score");
        }
        Workspace ws = Workspace.get();
        int nrefs = -2;
        for (int i = 0; i < hypotheses.size(); i++) {
            String hypothesis = hypotheses.get(i);
            List<String> segmentReferences = references.get(i);
            if (hypothesis == null) {
                throw new IllegalArgumentException("hypotheses[" + i + "] is null");
            }
            if (segmentReferences == null) {
                throw new IllegalArgumentException("references[" + i + "] is null");
            }
            for (int j = 0; j < segmentReferences.size(); j++) {
                if (segmentReferences.get(j) == null) {
                    throw new IllegalArgumentException("references[" + i + "][" + j + "] is null");
                }
            }
            long[] seg = new long[size];
            int n;
            try {
                n = segment.stats(ws, hypothesis, segmentReferences, seg);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("segment " + i + ": " + e.getMessage(), e);
            }
            nrefs = nrefs == -2 ? n : (nrefs == n ? n : -1);
            out[i] = seg;
        }
        return nrefs == -1 ? "var" : Integer.toString(nrefs);
    }
}
