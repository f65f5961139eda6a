package dev.aedb.bench;

import dev.aedb.AedbInstance;
import dev.aedb.Durability;
import dev.aedb.KvGetResult;
import dev.aedb.KvHandle;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An instance holding {@value #KEYS} KV entries (keys 0..KEYS-1 of {@link BenchData}), loaded through OS_BUFFERED
 * envelopes of 1000 KvSets and then {@code sync()}ed, plus the precomputed key material the read benchmarks use.
 * Not a JMH state itself: {@link PointGetBench} and {@link ScanBench} own one each and call {@link #open}/{@link #close}
 * from their trial-level setup/teardown, so the load happens once per fork.
 */
final class LoadedStore
{
    static final int KEYS = 1_000_000;
    static final int LOAD_ENVELOPE = 1000;
    /** Length of the precomputed random index sequence (a power of two, walked with a mask). */
    static final int RANDOM_COUNT = 1 << 20;

    Path dir;
    AedbInstance db;
    KvHandle kv;
    /** All keys back to back, key i at offset i * 16. */
    UnsafeBuffer allKeys;
    /** The same keys as arrays, for the allocating API. */
    byte[][] keyArrays;
    long loadMillis;

    void open(final String name)
    {
        dir = BenchData.tempDir(name);
        db = BenchData.open(dir, Durability.OS_BUFFERED);
        final long t0 = System.nanoTime();
        BenchData.load(db, KEYS, LOAD_ENVELOPE);
        loadMillis = (System.nanoTime() - t0) / 1_000_000;
        kv = db.kvHandle(BenchData.PROJECT, BenchData.SCOPE);

        final byte[] flat = new byte[KEYS * BenchData.KEY_BYTES];
        keyArrays = new byte[KEYS][];
        for (int i = 0; i < KEYS; i++)
        {
            BenchData.key(i, flat, i * BenchData.KEY_BYTES);
            keyArrays[i] = Arrays.copyOfRange(flat, i * BenchData.KEY_BYTES, (i + 1) * BenchData.KEY_BYTES);
        }
        allKeys = new UnsafeBuffer(flat);
        verify();
        System.out.printf("%n[aedb-jmh] loaded %,d keys in %,d ms (%,.0f puts/s), store %s%n", KEYS, loadMillis,
            KEYS * 1000.0 / Math.max(1, loadMillis), db.storeStats());
    }

    /** Checks that the loaded data reads back exactly, through both APIs, before anything is measured. */
    private void verify()
    {
        final UnsafeBuffer dst = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        final byte[] got = new byte[BenchData.VALUE_BYTES];
        final int[] probe = BenchData.randomIndexes(10_000, KEYS, 0x5EED_CAFEL);
        for (final int i : probe)
        {
            final byte[] expected = BenchData.value(i);
            final int len = kv.get(allKeys, i * BenchData.KEY_BYTES, BenchData.KEY_BYTES, dst, 0);
            if (len != BenchData.VALUE_BYTES)
            {
                throw new IllegalStateException("KvHandle.get of loaded key " + i + " returned length " + len);
            }
            dst.getBytes(0, got);
            if (!Arrays.equals(expected, got))
            {
                throw new IllegalStateException("KvHandle.get of loaded key " + i + " returned wrong bytes");
            }
            final KvGetResult r = db.kvGet(BenchData.PROJECT, BenchData.SCOPE, keyArrays[i]);
            if (!r.found() || !Arrays.equals(expected, r.value()))
            {
                throw new IllegalStateException("AedbInstance.kvGet of loaded key " + i + " returned " + r);
            }
        }
        final byte[] absent = BenchData.key(KEYS + 7);
        if (kv.get(new UnsafeBuffer(absent), 0, absent.length, dst, 0) != -1)
        {
            throw new IllegalStateException("KvHandle.get of an absent key did not return -1");
        }
        // A full ordered scan: every key once, in index order, with its value.
        final long[] expectedIndex = {0};
        final int visited = kv.scan(null, 0, 0, KEYS + 10, (kb, ko, kl, vb, vo, vl, version) ->
        {
            final long idx = kb.getLong(ko + 8, java.nio.ByteOrder.BIG_ENDIAN);
            if (kl != BenchData.KEY_BYTES || vl != BenchData.VALUE_BYTES || idx != expectedIndex[0])
            {
                throw new IllegalStateException("full scan: at position " + expectedIndex[0] + " got key index " + idx
                    + " keyLength " + kl + " valueLength " + vl);
            }
            expectedIndex[0]++;
            return true;
        });
        if (visited != KEYS)
        {
            throw new IllegalStateException("full scan visited " + visited + " entries, expected " + KEYS);
        }
    }

    void close()
    {
        try
        {
            if (db != null)
            {
                db.close();
            }
        }
        finally
        {
            BenchData.deleteRecursively(dir);
        }
    }
}
