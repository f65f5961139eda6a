package dev.aedb.store;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Interval trimming against a model: random batches of writes and deletes (through the writer's own path: push,
 * trim-on-write, sweep queue, reclaim after each batch), one-shot pins and expirable snapshot pins taken, released and
 * left to expire on a fake clock, reads at every pinned seq, and "stalled" reads that grab a chain pointer, let writes,
 * trims, sweeps and reclaims run, and only then walk on. Every read must return exactly the model's value at its seq,
 * and after each write the key's chain may hold at most one version at or below the horizon per distinct pin below it,
 * plus one. Set -Daedb.trim.seed to replay a failure.
 */
class IntervalTrimModelTest
{
    private static final int KEYS = 24;
    private static final int SLOTS = 12;
    private static final long MAX_AGE_NANOS = 5_000_000;
    private static final int TOMBSTONE = -1;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1);
    private final List<TreeMap<Long, Integer>> model = new ArrayList<>();
    private final List<Pin> pins = new ArrayList<>();
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[4]);
    private final boolean[] created = new boolean[1];
    private Random random;
    private long seed;
    private ReaderRegistry registry;
    private Store store;
    private KeySpace ks;
    private long seq;
    private long reads;
    private long stalledReads;
    private long expiredReads;

    /** A claimed slot: a one-shot read (snapshot null) or an expirable snapshot, maybe in the middle of a read. */
    private static final class Pin
    {
        final int slot;
        final long seq;
        final PinnedSlot snapshot;
        int stalledKey = -1;
        long stalledVersion;

        Pin(final int slot, final long seq, final PinnedSlot snapshot)
        {
            this.slot = slot;
            this.seq = seq;
            this.snapshot = snapshot;
        }
    }

    private static UnsafeBuffer key(final int i)
    {
        return new UnsafeBuffer(String.format("key-%04d", i).getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void shouldReadExactlyTheModelAtEveryPinAndKeepChainsShortWhenPinsComeAndGo()
    {
        seed = Long.getLong("aedb.trim.seed", System.nanoTime());
        System.out.println("IntervalTrimModelTest seed=" + seed + " (rerun with -Daedb.trim.seed=" + seed + ")");
        random = new Random(seed);
        final long retained = random.nextInt(3) == 0 ? 0 : random.nextInt(40);
        registry = new ReaderRegistry(SLOTS, MAX_AGE_NANOS, clock::get);
        try (Store s = new Store(dir, 1 << 20, registry, retained))
        {
            store = s;
            ks = store.newKeySpace();
            for (int k = 0; k < KEYS; k++)
            {
                model.add(new TreeMap<>());
            }
            for (int op = 0; op < 60_000; op++)
            {
                final int dice = random.nextInt(100);
                if (dice < 50)
                {
                    batch();
                }
                else if (dice < 57)
                {
                    pin(false);
                }
                else if (dice < 63)
                {
                    pin(true);
                }
                else if (dice < 71)
                {
                    unpin();
                }
                else if (dice < 88)
                {
                    readAtRandomPin();
                }
                else if (dice < 93)
                {
                    stallRandomPin();
                }
                else if (dice < 97)
                {
                    clock.addAndGet(random.nextInt(1_000_000));
                }
                else
                {
                    store.sweep(1 + random.nextInt(64));
                    store.reclaim();
                }
                if (op % 5_000 == 0)
                {
                    checkEveryPinAndKey();
                }
            }
            checkEveryPinAndKey();
            while (!pins.isEmpty())
            {
                release(pins.remove(pins.size() - 1));
            }
            assertEquals(0, registry.activeCount(), "seed=" + seed);
            assertTrue(store.arena().freeBytes() > 0, "seed=" + seed + ": trimming must have freed blocks");
            assertTrue(reads > 1_000 && stalledReads > 100, "seed=" + seed + " reads=" + reads + " stalled=" + stalledReads);
            System.out.printf("IntervalTrimModelTest: retained=%d seq=%d reads=%d stalled=%d expired=%d trimVisits/write=%.2f%n",
                retained, seq, reads, stalledReads, expiredReads, (double)ks.trimVisits() / Math.max(1, writes));
        }
    }

    private long writes;

    /** One group commit: 1-4 envelopes of 1-2 mutations, published together, then a reclaim, as the sequencer does. */
    private void batch()
    {
        final int envelopes = 1 + random.nextInt(4);
        for (int e = 0; e < envelopes; e++)
        {
            seq++;
            final int mutations = 1 + random.nextInt(2);
            for (int m = 0; m < mutations; m++)
            {
                write(random.nextInt(KEYS), random.nextInt(6) == 0);
            }
        }
        store.publishVisible(seq);
        store.reclaim();
    }

    private void write(final int k, final boolean delete)
    {
        final UnsafeBuffer kb = key(k);
        final long node;
        if (delete)
        {
            node = ks.find(kb, 0, kb.capacity());
            if (node == 0 || ks.newest(node) == 0 || ks.isTombstone(ks.newest(node)))
            {
                return;
            }
            ks.push(node, seq, true, value, 0, 0);
            model.get(k).put(seq, TOMBSTONE);
        }
        else
        {
            node = ks.findOrInsert(kb, 0, kb.capacity(), created);
            value.putInt(0, (int)seq);
            ks.push(node, seq, false, value, 0, 4);
            model.get(k).put(seq, (int)seq);
        }
        writes++;
        if (ks.trim(node) > 1 || delete)
        {
            ks.markGarbage(node, seq);
        }
        int atOrBelowHorizon = 0;
        for (long v = ks.newest(node); v != 0; v = ks.olderVersion(v))
        {
            if (ks.versionSeq(v) <= registry.horizon())
            {
                atOrBelowHorizon++;
            }
        }
        if (atOrBelowHorizon > 1 + registry.pinCount())
        {
            fail("seed=" + seed + " key " + k + " keeps " + atOrBelowHorizon + " versions at or below the horizon "
                + registry.horizon() + " with " + registry.pinCount() + " pins below it");
        }
    }

    private void pin(final boolean snapshot)
    {
        final long head = store.visibleHead();
        final long horizon = registry.horizon();
        final long at = random.nextBoolean() ? head : horizon + (long)(random.nextDouble() * (head - horizon + 1));
        final int slot = registry.claim(Math.min(at, head));
        if (slot < 0)
        {
            return;
        }
        final long pinned = registry.pinned(slot);
        assertTrue(pinned >= registry.horizon(), "a claim at or above the horizon stays valid");
        pins.add(new Pin(slot, pinned, snapshot ? new PinnedSlot(registry, slot, pinned) : null));
    }

    private void unpin()
    {
        if (pins.isEmpty())
        {
            return;
        }
        final Pin p = pins.get(random.nextInt(pins.size()));
        if (p.stalledKey >= 0)
        {
            finishStalled(p);
        }
        pins.remove(p);
        release(p);
    }

    private void release(final Pin p)
    {
        if (p.stalledKey >= 0)
        {
            finishStalled(p);
        }
        if (p.snapshot != null)
        {
            p.snapshot.run();
        }
        else
        {
            registry.release(p.slot);
        }
    }

    /** @return whether the read may go ahead; false when the snapshot expired (and is then dropped). */
    private boolean enter(final Pin p)
    {
        if (p.snapshot == null)
        {
            return true;
        }
        final PinnedSlot.Admission admission = p.snapshot.enter();
        if (admission == PinnedSlot.Admission.READ)
        {
            return true;
        }
        assertEquals(PinnedSlot.Admission.EXPIRED, admission, "seed=" + seed);
        assertTrue(p.snapshot.ageNanos() > MAX_AGE_NANOS, "seed=" + seed + " expired too early");
        assertTrue(p.snapshot.released(), "seed=" + seed + " an expired snapshot gives its slot back");
        expiredReads++;
        pins.remove(p);
        return false;
    }

    private void leave(final Pin p)
    {
        if (p.snapshot != null)
        {
            p.snapshot.leave();
        }
    }

    private void readAtRandomPin()
    {
        if (pins.isEmpty())
        {
            return;
        }
        final Pin p = pins.get(random.nextInt(pins.size()));
        if (p.stalledKey >= 0)
        {
            finishStalled(p);
            return;
        }
        if (enter(p))
        {
            for (int n = 0; n < 4; n++)
            {
                check(p, random.nextInt(KEYS));
            }
            leave(p);
        }
    }

    /** Starts a read and stops it on a chain pointer; writes, trims, sweeps and reclaims run before it walks on. */
    private void stallRandomPin()
    {
        if (pins.isEmpty())
        {
            return;
        }
        final Pin p = pins.get(random.nextInt(pins.size()));
        if (p.stalledKey >= 0 || !enter(p))
        {
            return;
        }
        final int k = random.nextInt(KEYS);
        final UnsafeBuffer kb = key(k);
        final long node = ks.find(kb, 0, kb.capacity());
        final long v = node == 0 ? 0 : ks.newest(node);
        if (v == 0)
        {
            check(p, k);
            leave(p);
            return;
        }
        p.stalledKey = k;
        p.stalledVersion = v;
    }

    private void finishStalled(final Pin p)
    {
        long v = p.stalledVersion;
        while (v != 0 && ks.versionSeq(v) > p.seq)
        {
            v = ks.olderVersion(v);
        }
        expect(p, p.stalledKey, v, "stalled read");
        stalledReads++;
        p.stalledKey = -1;
        leave(p);
    }

    private void check(final Pin p, final int k)
    {
        final UnsafeBuffer kb = key(k);
        final long node = ks.find(kb, 0, kb.capacity());
        expect(p, k, node == 0 ? 0 : ks.versionAt(node, p.seq), "read");
        reads++;
    }

    private void expect(final Pin p, final int k, final long version, final String what)
    {
        final Map.Entry<Long, Integer> e = model.get(k).floorEntry(p.seq);
        final boolean absent = e == null || e.getValue() == TOMBSTONE;
        final boolean gotAbsent = version == 0 || ks.isTombstone(version);
        final String where = "seed=" + seed + " " + what + " of key " + k + " at seq " + p.seq + " (head " + seq + ", horizon "
            + registry.horizon() + ")";
        assertEquals(absent, gotAbsent, where + ": presence");
        if (version != 0)
        {
            assertTrue(e != null, where + ": a version the model does not have");
            assertEquals((long)e.getKey(), ks.versionSeq(version), where + ": version seq");
        }
        if (!absent)
        {
            assertEquals((int)e.getValue(), ks.payloadBuffer(version).getInt(ks.payloadOffset(version)), where + ": value");
        }
    }

    private void checkEveryPinAndKey()
    {
        for (final Pin p : new ArrayList<>(pins))
        {
            if (p.stalledKey < 0 && enter(p))
            {
                for (int k = 0; k < KEYS; k++)
                {
                    check(p, k);
                }
                leave(p);
            }
        }
    }
}
