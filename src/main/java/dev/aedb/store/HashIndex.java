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
 * written before its slot is published with a release store. A resize builds a new array and publishes it with a
 * volatile store; a reader still probing the old array keeps it alive by reference (direct memory is released
 * only when the garbage collector finds it unreachable), and every key that reader may see at its pinned seq is
 * in the old array too (keys added after the swap only carry newer versions).
 */
final class HashIndex
{
    private static final long EMPTY = 0;
    private static final long TOMBSTONE = 1;
    private static final long ADDRESS_MASK = (1L << 48) - 1;
    private static final int INITIAL_CAPACITY = 1024;

    private final KeySpace keySpace;
    private volatile UnsafeBuffer table;
    private int mask;
    private int live;
    private int tombstones;

    HashIndex(final KeySpace keySpace)
    {
        this.keySpace = keySpace;
        this.table = allocate(INITIAL_CAPACITY);
        this.mask = INITIAL_CAPACITY - 1;
    }

    private static UnsafeBuffer allocate(final int capacity)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity * 8, 64));
        buffer.setMemory(0, capacity * 8, (byte)0);
        return buffer;
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
        final long h = hash(key, offset, length);
        final long tag = h >>> 48;
        final UnsafeBuffer t = table;
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

    /** Writer: adds a key record known to be absent. */
    void insert(final long node, final DirectBuffer key, final int offset, final int length)
    {
        if ((live + tombstones + 1) * 2 > mask + 1)
        {
            resize();
        }
        final long h = hash(key, offset, length);
        final UnsafeBuffer t = table;
        for (int i = (int)h & mask; ; i = (i + 1) & mask)
        {
            final long slot = t.getLong(i << 3);
            if (slot == EMPTY || slot == TOMBSTONE)
            {
                if (slot == TOMBSTONE)
                {
                    tombstones--;
                }
                t.putLongRelease(i << 3, (h & ~ADDRESS_MASK) | node);
                live++;
                return;
            }
        }
    }

    /** Writer: removes a key record's slot (before the record is retired). */
    void remove(final long node, final DirectBuffer key, final int offset, final int length)
    {
        final long h = hash(key, offset, length);
        final UnsafeBuffer t = table;
        for (int i = (int)h & mask; ; i = (i + 1) & mask)
        {
            final long slot = t.getLong(i << 3);
            if (slot == EMPTY)
            {
                return;
            }
            if (slot != TOMBSTONE && (slot & ADDRESS_MASK) == node)
            {
                t.putLongRelease(i << 3, TOMBSTONE);
                live--;
                tombstones++;
                return;
            }
        }
    }

    private void resize()
    {
        int capacity = mask + 1;
        while (live * 4 >= capacity)
        {
            capacity <<= 1;
        }
        final UnsafeBuffer old = table;
        final int oldCapacity = mask + 1;
        final UnsafeBuffer next = allocate(capacity);
        final int nextMask = capacity - 1;
        for (int j = 0; j < oldCapacity; j++)
        {
            final long slot = old.getLong(j << 3);
            if (slot == EMPTY || slot == TOMBSTONE)
            {
                continue;
            }
            final long node = slot & ADDRESS_MASK;
            final long h = keySpace.hashOf(node);
            for (int i = (int)h & nextMask; ; i = (i + 1) & nextMask)
            {
                if (next.getLong(i << 3) == EMPTY)
                {
                    next.putLong(i << 3, slot);
                    break;
                }
            }
        }
        mask = nextMask;
        tombstones = 0;
        table = next;
    }
}
