package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;
import java.util.function.LongFunction;

/**
 * Checks that a store holds what the benchmarks put into it, through the same {@link Engine.Session} calls that are
 * measured. Every check throws {@link IllegalStateException} naming the engine and the key on the first wrong answer,
 * so a benchmark whose setup or teardown runs a check fails instead of reporting a number for a broken store.
 */
final class StoreCheck
{
    private final String engine;
    private final Engine.Session session;
    private final UnsafeBuffer oneKey = new UnsafeBuffer(new byte[BenchData.KEY_BYTES]);
    private final byte[] got = new byte[1024];

    StoreCheck(final String engine, final Engine.Session session)
    {
        this.engine = engine;
        this.session = session;
    }

    /** Gets key {@code index} and compares the value with {@code expected}, byte for byte. */
    void get(final long index, final byte[] expected)
    {
        BenchData.key(index, oneKey.byteArray(), 0);
        final int length = session.get(oneKey, 0);
        if (length != expected.length)
        {
            throw new IllegalStateException(engine + ": get of key " + index + " returned length " + length
                + ", expected " + expected.length);
        }
        session.value().getBytes(0, got, 0, length);
        if (!Arrays.equals(got, 0, length, expected, 0, length))
        {
            throw new IllegalStateException(engine + ": get of key " + index + " returned wrong bytes");
        }
    }

    /** Gets {@code samples} fixed-seed random keys among {@code 0..count-1}, plus the first and the last. */
    void gets(final long count, final int samples, final long seed, final LongFunction<byte[]> expected)
    {
        gets(count, samples, seed, n -> n, expected);
    }

    /**
     * As {@link #gets(long, int, long, LongFunction)} for a store whose n-th key written is {@code key(keyIndex(n))}
     * with value {@code expected(n)}.
     */
    void gets(final long count, final int samples, final long seed, final java.util.function.LongUnaryOperator keyIndex,
        final LongFunction<byte[]> expected)
    {
        if (count <= 0)
        {
            return;
        }
        get(keyIndex.applyAsLong(0), expected.apply(0));
        get(keyIndex.applyAsLong(count - 1), expected.apply(count - 1));
        for (final int i : BenchData.randomIndexes(samples, (int)Math.min(count, Integer.MAX_VALUE), seed))
        {
            get(keyIndex.applyAsLong(i), expected.apply(i));
        }
    }

    /** Gets key {@code index}, which must be absent. */
    void absent(final long index)
    {
        BenchData.key(index, oneKey.byteArray(), 0);
        final int length = session.get(oneKey, 0);
        if (length != -1)
        {
            throw new IllegalStateException(engine + ": get of absent key " + index + " returned length " + length);
        }
    }

    /**
     * Scans {@code limit} entries from key {@code start} of a store holding {@code key(i) -> value(i)} for
     * {@code i < count}: the scan must visit {@code min(limit, count - start)} entries, keys {@code start, start+1, ...}
     * in order, each with its exact value when {@code checkValues}.
     */
    void scan(final long start, final long count, final int limit, final boolean checkValues)
    {
        BenchData.key(start, oneKey.byteArray(), 0);
        final long[] expectedIndex = {start};
        final int visited = session.scan(oneKey, 0, limit, (key, keyOffset, keyLength, value, valueOffset, valueLength) ->
        {
            final long index = BenchData.keyIndex(key, keyOffset, keyLength);
            if (index != expectedIndex[0] || valueLength != BenchData.VALUE_BYTES)
            {
                throw new IllegalStateException(engine + ": scan from key " + start + " visited key index " + index
                    + " (length " + keyLength + ", value length " + valueLength + ") where key " + expectedIndex[0]
                    + " belongs");
            }
            if (checkValues && !sameBytes(value, valueOffset, BenchData.value(index)))
            {
                throw new IllegalStateException(engine + ": scan from key " + start + " returned wrong bytes for key " + index);
            }
            expectedIndex[0]++;
        });
        final long expected = Math.min(limit, count - start);
        if (visited != expected || expectedIndex[0] != start + expected)
        {
            throw new IllegalStateException(engine + ": scan from key " + start + " with limit " + limit + " visited "
                + visited + " entries, expected " + expected);
        }
    }

    /**
     * The checks run on a freshly loaded store of {@code count} keys before anything is measured: 10,000 random gets
     * (exact bytes) and one absent key; for ordered engines also one scan over everything (each key once, in order)
     * and 1,000 scans of 100 entries from random starts (exact bytes).
     */
    void loaded(final int count, final boolean ordered)
    {
        gets(count, 10_000, 0x5EED_CAFEL, BenchData::value);
        absent(count + 7L);
        if (ordered)
        {
            scan(0, count, count + 10, false);
            for (final int start : BenchData.randomIndexes(1000, count, 0x0DDB_A11L))
            {
                scan(start, count, 100, true);
            }
        }
    }

    private static boolean sameBytes(final DirectBuffer buffer, final int offset, final byte[] expected)
    {
        for (int i = 0; i < expected.length; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }
}
