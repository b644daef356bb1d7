package dev.qdecode.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The one definition of a decimal number that option values, reward weights, lexicon values and
 * numeric label names share (it was written out in five places: Main, SftCommand, SpecParser (also
 * read by RewardParams), LexiconFile, Binding).
 */
class DecimalsTest {

    @Test
    void decimalNumbersAreAccepted() {
        for (String s : List.of("0", "3", "3.", "0.5", ".5", "-1", "+2", "1e-4", "2.5E+3", "-.5e3", "1e400",
                "007")) {
            assertTrue(Decimals.isDecimal(s), s);
        }
        for (String s : List.of("0", "3.", ".5", "1e-4", "6E+2")) {
            assertTrue(Decimals.isUnsignedDecimal(s), s);
        }
    }

    @Test
    void javasOtherSpellingsAreNot() {
        // Double.parseDouble reads every one of the first eight
        for (String s : List.of("1d", "2f", "0x1p-10", "NaN", "Infinity", "-Infinity", " 1", "1 ", "", ".", "1e",
                "e5", "+-1", "1.2.3", "1,5", "1e+", "١")) {
            assertFalse(Decimals.isDecimal(s), s);
            assertFalse(Decimals.isUnsignedDecimal(s), s);
        }
        assertFalse(Decimals.isUnsignedDecimal("+5"));
        assertFalse(Decimals.isUnsignedDecimal("-5"));
    }

    @Test
    void nullIsNamed() {
        assertEquals("text", assertThrows(NullPointerException.class, () -> Decimals.isDecimal(null)).getMessage());
        assertEquals("text",
                assertThrows(NullPointerException.class, () -> Decimals.isUnsignedDecimal(null)).getMessage());
    }
}
