package dev.qdecode.pipeline.dqn;

/**
 * A binary tree over {@code n} non-negative leaf values giving their sum, their minimum over
 * non-zero leaves, and the leaf where a prefix sum falls, each in O(log n). Used for proportional
 * prioritized replay (Schaul et al. 2016). Sums are kept in doubles.
 */
final class SumTree {
    private final int capacity;
    private final int leaves;
    private final double[] sum;
    private final double[] min;

    /**
     * Creates a tree with every leaf 0.
     *
     * @param capacity the number of leaves
     */
    SumTree(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("sum tree capacity must be positive: " + capacity);
        }
        long l = leaves(capacity);
        if (2 * l > Integer.MAX_VALUE - 8) { // the arrays below could not be allocated
            throw new IllegalArgumentException("sum tree capacity " + capacity + " needs " + l + " leaves, more than "
                    + "an array holds (expected at most 2^29 = 536870912)");
        }
        this.capacity = capacity;
        this.leaves = (int) l;
        this.sum = new double[2 * (int) l];
        this.min = new double[2 * (int) l];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
    }

    int capacity() {
        return capacity;
    }

    /**
     * Sets a leaf (0 removes it from the minimum).
     *
     * @param i the leaf
     * @param value the value (≥ 0, finite)
     */
    void set(int i, double value) {
        if (!(value >= 0) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("priority must be finite and >= 0: " + value);
        }
        int p = i + leaves;
        sum[p] = value;
        min[p] = value > 0 ? value : Double.POSITIVE_INFINITY;
        p >>= 1;
        while (p >= 1) {
            sum[p] = sum[2 * p] + sum[2 * p + 1];
            min[p] = Math.min(min[2 * p], min[2 * p + 1]);
            p >>= 1;
        }
    }

    /**
     * A leaf's value.
     *
     * @param i the leaf
     * @return the value
     */
    double get(int i) {
        return sum[i + leaves];
    }

    /**
     * The sum of all leaves.
     *
     * @return the total
     */
    double total() {
        return sum[1];
    }

    /**
     * The smallest non-zero leaf.
     *
     * @return the minimum, or +∞ when every leaf is 0
     */
    double minPositive() {
        return min[1];
    }

    /**
     * The leaf i with {@code prefix(i) <= u < prefix(i) + value(i)}, skipping zero leaves.
     *
     * @param u a value in [0, total)
     * @return the leaf
     */
    int find(double u) {
        int p = 1;
        while (p < leaves) {
            int left = 2 * p;
            if (u < sum[left] || sum[left + 1] <= 0) {
                p = left;
            } else {
                u -= sum[left];
                p = left + 1;
            }
        }
        int i = p - leaves;
        // Rounding can land on an empty leaf at the edge: step back to the nearest non-empty one.
        while (i > 0 && sum[i + leaves] <= 0) {
            i--;
        }
        return i;
    }

    /**
     * Bytes held by the tree's arrays.
     *
     * @return the size
     */
    long bytes() {
        return bytes(capacity);
    }

    /**
     * Bytes a tree of this capacity holds: two arrays of doubles over the leaves (a power of two) and
     * their inner nodes.
     *
     * @param capacity the number of leaves asked for
     * @return the size
     */
    static long bytes(long capacity) {
        return 32L + 16L * leaves(capacity) * 2;
    }

    /** The leaves of a tree for {@code capacity}: the smallest power of two not below it. */
    private static long leaves(long capacity) {
        long l = 1; // long: an int overflows past 2^30 and the doubling never ends
        while (l < capacity) {
            l <<= 1;
        }
        return l;
    }
}
