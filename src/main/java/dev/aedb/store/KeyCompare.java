package dev.aedb.store;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * Unsigned lexicographic comparison of byte ranges, eight bytes at a time.
 */
final class KeyCompare
{
    private KeyCompare()
    {
    }

    /** @return negative, zero or positive as range a sorts before, equal to or after range b. */
    static int compare(final DirectBuffer a, final int aOffset, final int aLength, final DirectBuffer b, final int bOffset,
        final int bLength)
    {
        final int n = Math.min(aLength, bLength);
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            final long x = a.getLong(aOffset + i, ByteOrder.BIG_ENDIAN);
            final long y = b.getLong(bOffset + i, ByteOrder.BIG_ENDIAN);
            if (x != y)
            {
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < n; i++)
        {
            final int x = a.getByte(aOffset + i) & 0xFF;
            final int y = b.getByte(bOffset + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return Integer.compare(aLength, bLength);
    }
}
