package dev.aedb.bench;

import dev.aedb.AedbConfig;
import dev.aedb.AedbInstance;
import dev.aedb.Durability;
import dev.aedb.commit.Mutation;
import dev.aedb.commit.TransactionEnvelope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic data shared by the benchmarks: 16-byte keys (8-byte ASCII prefix + big-endian long index, so key
 * order is index order) and 100-byte values derived from the index.
 */
final class BenchData
{
    static final String PROJECT = "bench";
    static final String SCOPE = "app"; // the default scope that createProject makes
    static final int KEY_BYTES = 16;
    static final int VALUE_BYTES = 100;
    private static final byte[] PREFIX = {'a', 'e', 'd', 'b', 'b', 'n', 'c', 'h'};

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

    static AedbInstance open(final Path dir, final Durability durability)
    {
        final AedbInstance db = AedbInstance.open(new AedbConfig().durability(durability).storeSegmentBytes(64 << 20), dir);
        db.createProject(PROJECT);
        return db;
    }

    /** Loads keys {@code 0..count-1} in OS_BUFFERED-style envelopes of {@code perEnvelope} KvSets, then syncs. */
    static void load(final AedbInstance db, final int count, final int perEnvelope)
    {
        for (int base = 0; base < count; base += perEnvelope)
        {
            final int n = Math.min(perEnvelope, count - base);
            final List<Mutation> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                batch.add(new Mutation.KvSet(PROJECT, SCOPE, key(base + i), value(base + i)));
            }
            db.commit(TransactionEnvelope.of(batch));
        }
        db.sync();
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
