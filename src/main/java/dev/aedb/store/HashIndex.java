package dev.aedb.store;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Off-heap hash index from key bytes to key-record address, beside a {@link KeySpace}'s skip list, so a point
 * lookup costs one or two cache misses instead of a walk down the list. Open addressing with linear probing over
 * a power-of-two array of 8-byte slots in direct memory:
 * <pre>
 *   slot = 0                         empty (ends a probe)
 *   slot = 1                         tombstone (a removed key; probing continues)
 *   slot = tag:16 | address:48       a key record; tag = top 16 bits of the key's hash
 * </pre>
 * One writer (the sequencer) inserts, removes and resizes; readers probe without locks. A key record is fully
 * written before its slot is published with a release store.
 * <p>
 * Growth is incremental, so no single insert pays for rehashing the whole table (at 4 M keys a one-shot rehash
 * stalled the sequencer for hundreds of milliseconds): when the load passes one half, the writer publishes a new,
 * larger array as {@code table} and keeps the old one as {@code previous}; every later insert first moves
 * {@value #MIGRATE_SLOTS} old slots into the new array, and when the last one has moved, {@code previous} is
 * cleared. New keys go to the new array only; a removal tombstones the key in both. Readers read {@code table},
 * then {@code previous}, and probe the new array, then the old one while there is one. A reader that sees
 * {@code previous == null} sees every migrated slot (the clear is a volatile store after them). A reader still
 * probing an array from before a swap keeps it alive by reference (direct memory is released only when the
 * garbage collector finds it unreachable), and every key that reader may see at its pinned seq is in that array
 * (keys added after the swap only carry newer versions).
 */
final class HashIndex
{
    private static final long EMPTY = 0;
    private static final long TOMBSTONE = 1;
    private static final long ADDRESS_MASK = (1L << 48) - 1;
    private static final int INITIAL_CAPACITY = 1024;
    /** Old slots moved to the new array per insert while a resize is in progress. */
    static final int MIGRATE_SLOTS = 16;
    /** Arrays at least this large (slots) are allocated ahead by the preparation agent: zeroing 128 MiB takes ~90 ms. */
    private static final int BACKGROUND_ALLOCATION_SLOTS = 1 << 18;
    /**
     * Arrays of this size and more come from {@link OffHeap} (zeroed without holding up safepoints; not counted as
     * direct memory, so a dropped one waits for a GC that collects its buffer), smaller ones are direct buffers (their
     * zeroing takes ~3 ms at most, scaling the ~200 ms of 256 MiB).
     */
    private static final int OFF_HEAP_BYTES = 4 << 20;

    private final KeySpace keySpace;
    private final PreparationAgent preparer;
    private volatile UnsafeBuffer table;
    /** A checkpoint image's array this index starts from, adopted as {@code table} on first use (verified then), or null. */
    private final ImageBlock imageTable;
    private volatile UnsafeBuffer previous;
    /** The next array, queued for allocation (and zeroing) ahead of the resize by the preparation agent, or null. */
    private Preparation<UnsafeBuffer> nextTable;
    private int mask;
    private int previousMask;
    private int migrated;
    private int live;
    private int tombstones;

    HashIndex(final KeySpace keySpace, final PreparationAgent preparer)
    {
        this.keySpace = keySpace;
        this.preparer = preparer;
        this.table = allocate(INITIAL_CAPACITY);
        this.mask = INITIAL_CAPACITY - 1;
        this.imageTable = null;
    }

    /**
     * An index over a checkpoint image's array (written by {@link StoreImageWriter}, a power-of-two number of slots,
     * {@code live} keys, no tombstones), mapped copy-on-write and verified the first time it is used.
     */
    HashIndex(final KeySpace keySpace, final PreparationAgent preparer, final ImageBlock imageTable, final int live)
    {
        this.keySpace = keySpace;
        this.preparer = preparer;
        this.imageTable = imageTable;
        this.mask = (imageTable.length() >> 3) - 1;
        this.live = live;
    }

    /** Any thread: the current array; an image's array is verified (CHECKPOINT_CORRUPT if damaged) and adopted first. */
    private UnsafeBuffer current()
    {
        final UnsafeBuffer t = table;
        if (t != null)
        {
            return t;
        }
        final UnsafeBuffer adopted = imageTable.verified();
        synchronized (this)
        {
            if (table == null)
            {
                table = adopted;
            }
            return table;
        }
    }

    private static UnsafeBuffer allocate(final int capacity)
    {
        final int bytes = capacity * 8;
        if (bytes < OFF_HEAP_BYTES)
        {
            return new UnsafeBuffer(BufferUtil.allocateDirectAligned(bytes, 64)); // direct buffers come zeroed
        }
        // not allocateDirect: its zeroing in one call holds up every safepoint (200 ms for the 256 MiB array of 32 M
        // slots); freed once no reader holds the buffer
        return OffHeap.allocateZeroed(bytes, 64).buffer();
    }

    /** A 64-bit hash of the key bytes (mixes 8-byte words, then a finaliser). */
    static long hash(final DirectBuffer key, final int offset, final int length)
    {
        long h = 0x9E3779B97F4A7C15L ^ (length * 0xC2B2AE3D27D4EB4FL);
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = Long.rotateLeft(h ^ (key.getLong(offset + i) * 0xFF51AFD7ED558CCDL), 29) * 0x9E3779B97F4A7C15L;
        }
        for (; i < length; i++)
        {
            h = (h ^ (key.getByte(offset + i) & 0xFF)) * 0x100000001B3L;
        }
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }

    /** Any thread: @return the key record for the key, or 0. */
    long find(final DirectBuffer key, final int offset, final int length)
    {
        return find(hash(key, offset, length), key, offset, length);
    }

    /** Any thread: @return the key record for the key whose {@link #hash} is {@code h}, or 0. */
    long find(final long h, final DirectBuffer key, final int offset, final int length)
    {
        final UnsafeBuffer t = current();
        final UnsafeBuffer p = previous;
        final long node = probe(t, h, key, offset, length);
        if (node != 0 || p == null)
        {
            return node;
        }
        return probe(p, h, key, offset, length);
    }

    /**
     * Writer: loads what {@link #find} loads first for each of the hashes, the home slot in the current array, in one
     * pass, then the key records whose tags match in a second, so that the cache misses of a batch overlap (lookups one
     * after another wait for each in turn). Changes nothing.
     *
     * @return a value derived from the loads (to keep them).
     */
    long touch(final long[] hashes, final int count)
    {
        final UnsafeBuffer t = current();
        final int m = mask;
        long sink = 0;
        for (int i = 0; i < count; i++)
        {
            sink += t.getLong(((int)hashes[i] & m) << 3);
        }
        for (int i = 0; i < count; i++)
        {
            final long h = hashes[i];
            final long slot = t.getLong(((int)h & m) << 3);
            if (slot != EMPTY && slot != TOMBSTONE && (slot >>> 48) == (h >>> 48))
            {
                sink += keySpace.keyLength(slot & ADDRESS_MASK);
            }
        }
        return sink;
    }

    private long probe(final UnsafeBuffer t, final long h, final DirectBuffer key, final int offset, final int length)
    {
        final long tag = h >>> 48;
        final int m = (t.capacity() >> 3) - 1;
        for (int i = (int)h & m; ; i = (i + 1) & m)
        {
            final long slot = t.getLongVolatile(i << 3);
            if (slot == EMPTY)
            {
                return 0;
            }
            if (slot != TOMBSTONE && (slot >>> 48) == tag)
            {
                final long node = slot & ADDRESS_MASK;
                if (keySpace.keyEquals(node, key, offset, length))
                {
                    return node;
                }
            }
        }
    }

    /** Writer: adds a key record known to be absent, whose key's {@link #hash} is {@code h}. */
    void insert(final long node, final long h)
    {
        current();
        if (previous != null)
        {
            migrate(MIGRATE_SLOTS);
        }
        if ((live + tombstones + 1) * 2 > mask + 1)
        {
            startResize();
        }
        else if (nextTable == null && previous == null && (mask + 1) * 4L >= BACKGROUND_ALLOCATION_SLOTS
            && (live + tombstones + 1) * 8L > (mask + 1) * 3L)
        {
            final int capacity = (mask + 1) * 4; // what the resize at half load picks when few slots are tombstones
            nextTable = new Preparation<>(() -> allocate(capacity));
            preparer.submit(nextTable);
        }
        put(table, mask, h, (h & ~ADDRESS_MASK) | node);
        live++;
    }

    /** Writer: stores a slot value in the first empty or tombstone slot of the probe sequence of hash {@code h}. */
    private void put(final UnsafeBuffer t, final int m, final long h, final long slotValue)
    {
        for (int i = (int)h & m; ; i = (i + 1) & m)
        {
            final long slot = t.getLong(i << 3);
            if (slot == EMPTY || slot == TOMBSTONE)
            {
                if (slot == TOMBSTONE)
                {
                    tombstones--;
                }
                t.putLongRelease(i << 3, slotValue);
                return;
            }
        }
    }

    /** Writer: removes a key record's slot (before the record is retired). */
    void remove(final long node, final DirectBuffer key, final int offset, final int length)
    {
        final long h = hash(key, offset, length);
        boolean found = tombstone(current(), mask, h, node);
        if (found)
        {
            tombstones++;
        }
        final UnsafeBuffer p = previous;
        if (p != null && tombstone(p, previousMask, h, node))
        {
            found = true;
        }
        if (found)
        {
            live--;
        }
    }

    /**
     * Writer: points the slot of key record {@code node} at {@code moved}, a copy of it (same key, so same hash and
     * tag), in the current array and in the one being migrated from; one release store each, so a reader probing
     * meanwhile finds either record.
     */
    void replace(final long node, final long h, final long moved)
    {
        replace(current(), mask, h, node, moved);
        final UnsafeBuffer p = previous;
        if (p != null)
        {
            replace(p, previousMask, h, node, moved);
        }
    }

    private static void replace(final UnsafeBuffer t, final int m, final long h, final long node, final long moved)
    {
        for (int i = (int)h & m; ; i = (i + 1) & m)
        {
            final long slot = t.getLong(i << 3);
            if (slot == EMPTY)
            {
                return;
            }
            if (slot != TOMBSTONE && (slot & ADDRESS_MASK) == node)
            {
                t.putLongRelease(i << 3, (slot & ~ADDRESS_MASK) | moved);
                return;
            }
        }
    }

    /** @return the keys indexed. */
    int live()
    {
        return live;
    }

    private static boolean tombstone(final UnsafeBuffer t, final int m, final long h, final long node)
    {
        for (int i = (int)h & m; ; i = (i + 1) & m)
        {
            final long slot = t.getLong(i << 3);
            if (slot == EMPTY)
            {
                return false;
            }
            if (slot != TOMBSTONE && (slot & ADDRESS_MASK) == node)
            {
                t.putLongRelease(i << 3, TOMBSTONE);
                return true;
            }
        }
    }

    private void startResize()
    {
        if (previous != null)
        {
            migrate(Integer.MAX_VALUE); // grew twice during one migration (not reached with the step above)
        }
        int capacity = mask + 1;
        while (live * 4 >= capacity)
        {
            capacity <<= 1;
        }
        UnsafeBuffer next = null;
        if (nextTable != null)
        {
            // null: the agent never started it (allocated inline below); a failed allocation throws here as it would inline
            final UnsafeBuffer prepared = nextTable.take();
            nextTable = null;
            if (prepared != null && (prepared.capacity() >> 3) >= capacity)
            {
                next = prepared;
                capacity = prepared.capacity() >> 3;
            }
        }
        if (next == null)
        {
            next = allocate(capacity);
        }
        final UnsafeBuffer old = table;
        previousMask = mask;
        migrated = 0;
        previous = old; // before the swap: a reader that sees the new table also sees the old one
        mask = capacity - 1;
        tombstones = 0;
        table = next;
    }

    /** Writer: moves up to {@code slots} slots of the old array into the new one; clears {@code previous} at the end. */
    private void migrate(final int slots)
    {
        final UnsafeBuffer old = previous;
        final int end = (int)Math.min(previousMask + 1L, (long)migrated + slots);
        final UnsafeBuffer t = table;
        for (int j = migrated; j < end; j++)
        {
            final long slot = old.getLong(j << 3);
            if (slot != EMPTY && slot != TOMBSTONE)
            {
                // the probe start comes from the low bits of the hash, which the slot does not keep
                put(t, mask, keySpace.hashOf(slot & ADDRESS_MASK), slot);
            }
        }
        migrated = end;
        if (end == previousMask + 1)
        {
            previous = null;
        }
    }

    /** @return the slots of the array new keys go to (for tests). */
    int capacity()
    {
        return mask + 1;
    }

    /** @return whether a resize is still moving slots (for tests). */
    boolean migrating()
    {
        return previous != null;
    }
}
