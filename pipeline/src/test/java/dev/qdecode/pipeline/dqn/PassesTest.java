package dev.qdecode.pipeline.dqn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Shuffled passes: every item once per pass, a fresh order each pass, and draws that depend only on their index. */
class PassesTest {
    private static int[] draws(Passes p, long from, int count) {
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = p.at(from + i);
        }
        return out;
    }

    @Test
    void eachPassVisitsEveryItemOnceInAFreshOrder() {
        int n = 97;
        Passes p = new Passes(n, 5, 3);
        int[] first = draws(p, 0, n);
        int[] second = draws(p, n, n);
        int[] all = IntStream.range(0, n).toArray();
        assertArrayEquals(all, Arrays.stream(first).sorted().toArray());
        assertArrayEquals(all, Arrays.stream(second).sorted().toArray());
        assertFalse(Arrays.equals(first, all), "the first pass is shuffled");
        assertFalse(Arrays.equals(first, second), "each pass has its own order");
        // Independent draws (the former scheme) would leave about n/e items unseen in n draws.
        assertEquals(n, Arrays.stream(first).distinct().count());
    }

    @Test
    void drawsDependOnlyOnSeedStreamAndIndex() {
        int n = 50;
        int[] straight = draws(new Passes(n, 11, 3), 0, 3 * n);
        // A resumed run starts at its episode count with a new object: the same draws follow.
        Passes resumed = new Passes(n, 11, 3);
        assertArrayEquals(Arrays.copyOfRange(straight, 70, 3 * n), draws(resumed, 70, 3 * n - 70));
        // Going back to an earlier pass gives that pass's order again.
        assertArrayEquals(Arrays.copyOfRange(straight, 0, n), draws(resumed, 0, n));
        assertFalse(Arrays.equals(straight, draws(new Passes(n, 12, 3), 0, 3 * n)), "another seed");
        assertFalse(Arrays.equals(straight, draws(new Passes(n, 11, 4), 0, 3 * n)), "another stream");
    }

    @Test
    void rejectsAnEmptyPool() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Passes(0, 1, 1));
        assertTrue(e.getMessage().contains("at least one item"), e.getMessage());
        assertEquals(0, new Passes(1, 1, 1).at(41));
    }
}
