package dev.aedb.store;

import java.nio.ByteOrder;

/**
 * How a CRC32C changes when bytes of the message it covers change, without reading the message again. CRC32C is
 * linear over GF(2): for two messages {@code A} and {@code B} of the same length, {@code crc(A xor B) = crc(A) xor
 * crc(B) xor crc(zeros)}. So when the bytes at {@code [at, at + 8)} of an {@code n}-byte message change by {@code d}
 * (old xor new), the CRC changes by the CRC register that {@code d} alone leaves (from a zero register, no final
 * xor), carried through the {@code n - at - 8} bytes after it as if they were zeros. Carrying a register through
 * {@code k} zero bytes is a linear map, applied here as the product of the maps for the powers of two in {@code k}
 * (each one a 32 x 32 bit matrix, squared from the one for a single byte): O(log k) per change.
 * <p>
 * The image writer uses it for the skip-list links it writes into a segment after the segment itself was written.
 */
final class Crc32cPatch
{
    /** CRC32C's polynomial, bit-reversed (as {@link java.util.zip.CRC32C} computes it). */
    private static final int POLY = 0x82F63B78;
    private static final int POWERS = 48;
    /** {@code ZEROS[k]}: the map of a register through {@code 2^k} zero bytes, as its 32 columns. */
    private static final int[][] ZEROS = new int[POWERS][];

    static
    {
        final int[] oneByte = new int[32];
        for (int bit = 0; bit < 32; bit++)
        {
            int r = 1 << bit;
            for (int i = 0; i < 8; i++)
            {
                r = (r >>> 1) ^ (POLY & -(r & 1));
            }
            oneByte[bit] = r;
        }
        ZEROS[0] = oneByte;
        for (int k = 1; k < POWERS; k++)
        {
            final int[] previous = ZEROS[k - 1];
            final int[] squared = new int[32];
            for (int bit = 0; bit < 32; bit++)
            {
                squared[bit] = apply(previous, previous[bit]);
            }
            ZEROS[k] = squared;
        }
    }

    private Crc32cPatch()
    {
    }

    /**
     * @param from   the old value of the 8 bytes, as the file holds them (native byte order).
     * @param to     the new value.
     * @param after  bytes of the message after the 8 changed ones.
     * @return what to xor into the message's CRC32C.
     */
    static int delta(final long from, final long to, final long after)
    {
        final long d = from ^ to;
        int r = 0;
        for (int i = 0; i < 8; i++)
        {
            final int shift = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 8 * i : 56 - 8 * i;
            r ^= (int)(d >>> shift) & 0xFF;
            for (int b = 0; b < 8; b++)
            {
                r = (r >>> 1) ^ (POLY & -(r & 1));
            }
        }
        return throughZeros(r, after);
    }

    /** @return the register {@code crc} becomes through {@code bytes} zero bytes. */
    static int throughZeros(final int crc, final long bytes)
    {
        int r = crc;
        long k = bytes;
        for (int power = 0; k != 0 && r != 0; power++, k >>>= 1)
        {
            if ((k & 1) != 0)
            {
                r = apply(ZEROS[power], r);
            }
        }
        return r;
    }

    private static int apply(final int[] columns, final int vector)
    {
        int out = 0;
        int v = vector;
        for (int bit = 0; v != 0; bit++, v >>>= 1)
        {
            if ((v & 1) != 0)
            {
                out ^= columns[bit];
            }
        }
        return out;
    }
}
