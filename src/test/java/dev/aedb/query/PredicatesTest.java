package dev.aedb.query;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exact INTEGER-FLOAT order where doubles cannot hold the long, and LIKE on the patterns that backtrack. */
class PredicatesTest
{
    @Test
    void shouldCompareALongAndADoubleExactly()
    {
        assertEquals(-1, Predicates.compareExact(Long.MAX_VALUE, 0x1p63), "2^63 - 1 < 2^63");
        assertEquals(1, Predicates.compareExact(Long.MAX_VALUE, 0x1p63 - 1024), "(double)Long.MAX_VALUE rounds up to 2^63");
        assertEquals(0, Predicates.compareExact(Long.MIN_VALUE, -0x1p63));
        assertEquals(1, Predicates.compareExact(Long.MIN_VALUE, -0x1p63 - 2048));
        assertEquals(-1, Predicates.compareExact((1L << 53) + 1, (double)((1L << 53) + 2)), "2^53 + 1 rounds in a double");
        assertEquals(1, Predicates.compareExact((1L << 53) + 1, (double)(1L << 53)));
        assertEquals(1, Predicates.compareExact(3, 2.5));
        assertEquals(-1, Predicates.compareExact(2, 2.5));
        assertEquals(-1, Predicates.compareExact(-3, -2.5));
        assertEquals(1, Predicates.compareExact(-2, -2.5));
        assertEquals(0, Predicates.compareExact(5, 5.0));
        assertEquals(0, Predicates.compareExact(0, -0.0));
    }

    @Test
    void shouldMatchLikeByCodePointsWithoutExponentialBacktracking()
    {
        assertTrue(Predicates.like("\uD83D\uDE00x", "_x"), "one _ is one code point, a surrogate pair included");
        assertFalse(Predicates.like("\uD83D\uDE00x", "__x"));
        assertTrue(Predicates.like("abc", "a%c"));
        assertTrue(Predicates.like("", "%"));
        assertFalse(Predicates.like("", "_"));
        assertFalse(Predicates.like("Abc", "a%"), "case-sensitive");
        final String text = "a".repeat(5000);
        assertFalse(Predicates.like(text, "%a%a%a%a%a%a%a%a%b"), "fails in O(text x pattern), not exponentially");
    }
}
