package dev.aedb.cli;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * The deterministic data of {@code aedb bench}. Keys are 16 bytes, as in the JMH suite: the ASCII prefix
 * {@code aedbbnch} and the big-endian index, so unsigned byte order is index order. The value of key {@code i} is
 * {@code size} bytes of a xorshift sequence seeded by {@code i}, written 8 bytes (little-endian) at a time, so a
 * reader can check a value against its key without keeping the data.
 */
final class BenchData
{
    static final int KEY_BYTES = 16;
    private static final byte[] PREFIX = {'a', 'e', 'd', 'b', 'b', 'n', 'c', 'h'};

    private BenchData()
    {
    }

    /** Writes key {@code index} into {@code dst} at 0. */
    static void key(final long index, final MutableDirectBuffer dst)
    {
        dst.putBytes(0, PREFIX);
        dst.putLong(PREFIX.length, index, ByteOrder.BIG_ENDIAN);
    }

    static byte[] key(final long index)
    {
        final byte[] k = new byte[KEY_BYTES];
        System.arraycopy(PREFIX, 0, k, 0, PREFIX.length);
        for (int i = 0; i < 8; i++)
        {
            k[PREFIX.length + i] = (byte)(index >>> (56 - 8 * i));
        }
        return k;
    }

    /** @return the index of a bench key, or -1 when {@code key} is not one. */
    static long keyIndex(final DirectBuffer key, final int offset, final int length)
    {
        if (length != KEY_BYTES)
        {
            return -1;
        }
        for (int i = 0; i < PREFIX.length; i++)
        {
            if (key.getByte(offset + i) != PREFIX[i])
            {
                return -1;
            }
        }
        return key.getLong(offset + PREFIX.length, ByteOrder.BIG_ENDIAN);
    }

    /** @return the value of key {@code index}. */
    static byte[] value(final long index, final int size)
    {
        final byte[] v = new byte[size];
        long x = seed(index);
        for (int at = 0; at < size; at += 8)
        {
            x = next(x);
            for (int b = 0; b < 8 && at + b < size; b++)
            {
                v[at + b] = (byte)(x >>> (8 * b));
            }
        }
        return v;
    }

    /** @return whether {@code length} bytes at {@code offset} of {@code buffer} are the value of key {@code index}. */
    static boolean isValue(final long index, final int size, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != size)
        {
            return false;
        }
        long x = seed(index);
        int at = 0;
        for (; at + 8 <= size; at += 8)
        {
            x = next(x);
            if (buffer.getLong(offset + at, ByteOrder.LITTLE_ENDIAN) != x)
            {
                return false;
            }
        }
        if (at < size)
        {
            x = next(x);
            for (int b = 0; at + b < size; b++)
            {
                if (buffer.getByte(offset + at + b) != (byte)(x >>> (8 * b)))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return whether the first (up to 8) bytes at {@code offset} are those of the value of key {@code index}. */
    static boolean startsLikeValue(final long index, final int size, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length != size)
        {
            return false;
        }
        final long x = next(seed(index));
        if (size >= 8)
        {
            return buffer.getLong(offset, ByteOrder.LITTLE_ENDIAN) == x;
        }
        for (int b = 0; b < size; b++)
        {
            if (buffer.getByte(offset + b) != (byte)(x >>> (8 * b)))
            {
                return false;
            }
        }
        return true;
    }

    private static long seed(final long index)
    {
        return index * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL;
    }

    private static long next(long x)
    {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }
}
