package dev.aedb.bench;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deterministic data shared by every engine and benchmark: 16-byte keys (8-byte ASCII prefix + big-endian long index,
 * so unsigned byte order is index order) and 100-byte values derived from the index. Loaded stores hold
 * {@code key(i) -> value(i)}; the write benchmarks put {@code key(n) -> writeValue(n)}.
 */
final class BenchData
{
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 100;
    /** Length of the precomputed random index sequences (a power of two, walked with a mask). */
    static final int RANDOM_COUNT = 1 << 20;
    private static final byte[] PREFIX = {'a', 'e', 'd', 'b', 'b', 'n', 'c', 'h'};
    private static final int WRITE_VALUES = 1024;
    /** value(0..1023), so the write benchmarks do not spend their time generating values. */
    private static final byte[][] WRITE_VALUE_RING = new byte[WRITE_VALUES][];

    static
    {
        for (int i = 0; i < WRITE_VALUES; i++)
        {
            WRITE_VALUE_RING[i] = value(i);
        }
    }

    private BenchData()
    {
    }

    /** Writes key {@code index} into {@code dst} at {@code offset}. */
    static void key(final long index, final byte[] dst, final int offset)
    {
        System.arraycopy(PREFIX, 0, dst, offset, PREFIX.length);
        for (int i = 0; i < 8; i++)
        {
            dst[offset + 8 + i] = (byte)(index >>> (56 - 8 * i));
        }
    }

    static byte[] key(final long index)
    {
        final byte[] k = new byte[KEY_BYTES];
        key(index, k, 0);
        return k;
    }

    /** @return the value stored under key {@code index}. */
    static byte[] value(final long index)
    {
        final byte[] v = new byte[VALUE_BYTES];
        long x = index * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < VALUE_BYTES; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            v[i] = (byte)x;
        }
        return v;
    }

    /** @return the value the write benchmarks put under key {@code index}: value(index mod 1024), shared, not to be modified. */
    static byte[] writeValue(final long index)
    {
        return WRITE_VALUE_RING[(int)(index & (WRITE_VALUES - 1))];
    }

    /** @return keys {@code 0..count-1} back to back in one buffer, key i at offset i * 16. */
    static UnsafeBuffer keyTable(final int count)
    {
        final byte[] flat = new byte[count * KEY_BYTES];
        for (int i = 0; i < count; i++)
        {
            key(i, flat, i * KEY_BYTES);
        }
        return new UnsafeBuffer(flat);
    }

    /** @return the index of the 16-byte key at {@code offset} of {@code key}, or -1 when it is not a bench key. */
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

    /**
     * A bijection of the 64-bit indexes (two odd multiplications and xor-shifts, each invertible): the write
     * benchmarks' n-th new key in {@link InsertOrder#RANDOM} order is {@code key(scramble(n))}, so the keys are new
     * every time, spread over the key space in no order, and known again for the read-back check.
     */
    static long scramble(final long n)
    {
        long x = (n + LOAD_SEED) * 0x9E3779B97F4A7C15L;
        x ^= x >>> 31;
        x *= 0xBF58476D1CE4E5B9L;
        return x ^ (x >>> 29);
    }

    /**
     * The seed of the insertion order of loaded stores ({@link #insertionOrder}): fixed, so every engine and every run
     * loads the same permutation.
     */
    static final long LOAD_SEED = 0x5EED_10ADL;

    /** The order in which a loaded store's keys are inserted. */
    enum InsertOrder
    {
        /** A seeded random permutation of {@code 0..count-1} ({@link #LOAD_SEED}), as real workloads insert. */
        RANDOM,
        /** Key order {@code 0, 1, 2, ...} (what the suite did before issue 10): the best case for an append-ordered store. */
        SEQUENTIAL;

        static InsertOrder of(final String name)
        {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }

        /** @return "random (seed 0x5eed10ad)" or "sequential", for log lines. */
        String describe()
        {
            return this == RANDOM ? "random (seed 0x" + Long.toHexString(LOAD_SEED) + ")" : "sequential";
        }
    }

    /**
     * @return the indexes {@code 0..count-1} in the order a store of {@code count} keys is loaded: for
     *         {@link InsertOrder#RANDOM} a Fisher-Yates shuffle driven by a xorshift seeded with {@link #LOAD_SEED}
     *         (the same permutation every time).
     */
    static int[] insertionOrder(final int count, final InsertOrder order)
    {
        final int[] out = new int[count];
        for (int i = 0; i < count; i++)
        {
            out[i] = i;
        }
        if (order == InsertOrder.RANDOM)
        {
            long x = LOAD_SEED;
            for (int i = count - 1; i > 0; i--)
            {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                final int j = (int)Long.remainderUnsigned(x, i + 1);
                final int t = out[i];
                out[i] = out[j];
                out[j] = t;
            }
        }
        return out;
    }

    /** A fixed-seed xorshift sequence of indexes in {@code [0, bound)}. */
    static int[] randomIndexes(final int count, final int bound, final long seed)
    {
        final int[] out = new int[count];
        long x = seed;
        for (int i = 0; i < count; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            out[i] = (int)Long.remainderUnsigned(x, bound);
        }
        return out;
    }

    static Path tempDir(final String name)
    {
        try
        {
            return Files.createTempDirectory("aedb-jmh-" + name + "-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return whether {@code dir} does not exist or holds nothing (a store to create, not to reopen). */
    static boolean isEmptyDirectory(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return true;
        }
        try (var entries = Files.list(dir))
        {
            return entries.findAny().isEmpty();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dir, ex);
        }
    }

    /** @return the total size of the files under {@code dir} (apparent size: a sparse file counts in full). */
    static long fileBytes(final Path dir)
    {
        try (var files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(file ->
            {
                try
                {
                    return Files.size(file);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot stat " + file, ex);
                }
            }).sum();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot walk " + dir, ex);
        }
    }

    static void deleteRecursively(final Path dir)
    {
        if (dir == null || !Files.exists(dir))
        {
            return;
        }
        try
        {
            Files.walkFileTree(dir, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path d, final IOException exc) throws IOException
                {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }
}
