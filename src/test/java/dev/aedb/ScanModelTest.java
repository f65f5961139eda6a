package dev.aedb;

import dev.aedb.model.Durability;
import dev.aedb.model.Mutation;
import dev.aedb.model.TransactionEnvelope;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Ordered scans (which prefetch ahead from 16 entries on) against a TreeMap model, on a KV space filled in random key
 * order with updates and deletes: {@code kvScanRange} pages followed by their cursors, bounded and unbounded, and
 * {@code KvHandle.scan}, from random start keys with limits from 1 to 3,000. Set -Daedb.scan.seed to replay.
 */
class ScanModelTest
{
    @TempDir
    Path dir;

    private static byte[] key(final int i)
    {
        return String.format("k%07d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Test
    void scansMatchTheModelWithAndWithoutPrefetch()
    {
        final long seed = Long.getLong("aedb.scan.seed", System.nanoTime());
        System.out.println("ScanModelTest seed: -Daedb.scan.seed=" + seed);
        final Random random = new Random(seed);
        final TreeMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
        final int keys = 20_000;
        try (AedbInstance db = AedbInstance.open(TestSupport.smallConfig().durability(Durability.OS_BUFFERED), dir))
        {
            db.createProject("p");
            for (int round = 0; round < 40; round++)
            {
                final List<Mutation> batch = new ArrayList<>();
                for (int i = 0; i < 1000; i++)
                {
                    final byte[] k = key(random.nextInt(keys));
                    if (random.nextInt(8) == 0)
                    {
                        batch.add(new Mutation.KvDel("p", "app", k));
                        model.remove(k);
                    }
                    else
                    {
                        final byte[] v = new byte[1 + random.nextInt(120)];
                        random.nextBytes(v);
                        batch.add(new Mutation.KvSet("p", "app", k, v));
                        model.put(k, v);
                    }
                }
                db.commit(TransactionEnvelope.of(batch.toArray(new Mutation[0])));
            }
            final KvHandle handle = db.kvHandle("p", "app");
            for (int probe = 0; probe < 400; probe++)
            {
                final byte[] start = key(random.nextInt(keys));
                final byte[] end = random.nextBoolean() ? null : key(random.nextInt(keys));
                final int limit = random.nextInt(4) == 0 ? 1 + random.nextInt(15) : 16 + random.nextInt(3000);
                final String what = "seed=" + seed + " probe " + probe + " from " + new String(start) + " to "
                    + (end == null ? "the end" : new String(end)) + " limit " + limit;
                final NavigableMap<byte[], byte[]> range = end == null ? model.tailMap(start, true)
                    : Arrays.compareUnsigned(start, end) < 0 ? model.subMap(start, true, end, false) : new TreeMap<>();
                final List<Map.Entry<byte[], byte[]>> expected = new ArrayList<>(range.entrySet());

                // every page of the range, each from the previous page's cursor
                final List<KvEntry> got = new ArrayList<>();
                ScanCursor cursor = null;
                do
                {
                    final KvScanResult page = db.kvScanRange("p", "app", start, end, limit, cursor, null);
                    got.addAll(page.entries());
                    cursor = page.next();
                }
                while (cursor != null);
                assertEquals(expected.size(), got.size(), what);
                for (int i = 0; i < got.size(); i++)
                {
                    assertArrayEquals(expected.get(i).getKey(), got.get(i).key(), what + " entry " + i);
                    assertArrayEquals(expected.get(i).getValue(), got.get(i).value(), what + " entry " + i);
                }

                // the zero-allocation handle, unbounded, up to the limit
                final List<byte[]> visitedKeys = new ArrayList<>();
                final int n = handle.scan(new UnsafeBuffer(start), 0, start.length, limit,
                    (kb, ko, kl, vb, vo, vl, version) ->
                    {
                        final byte[] k = new byte[kl];
                        kb.getBytes(ko, k);
                        final byte[] v = new byte[vl];
                        vb.getBytes(vo, v);
                        assertArrayEquals(model.get(k), v, what + " handle value of " + new String(k));
                        visitedKeys.add(k);
                        return true;
                    });
                final List<byte[]> want = new ArrayList<>(model.tailMap(start, true).keySet());
                assertEquals(Math.min(limit, want.size()), n, what + " handle count");
                for (int i = 0; i < n; i++)
                {
                    assertArrayEquals(want.get(i), visitedKeys.get(i), what + " handle entry " + i);
                }
            }
        }
    }
}
