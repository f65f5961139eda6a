package dev.aedb.store;

import dev.aedb.model.AedbException;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.LongHashSet;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.aedb.store.NodeDescriptor.CHAIN_OFFSET;
import static dev.aedb.store.NodeDescriptor.KEY_LENGTH_OFFSET;
import static dev.aedb.store.NodeDescriptor.LEVEL_OFFSET;
import static dev.aedb.store.NodeDescriptor.MAX_LEVEL;
import static dev.aedb.store.NodeDescriptor.NEXT_OFFSET;
import static dev.aedb.store.VersionDescriptor.FLAGS_OFFSET;
import static dev.aedb.store.VersionDescriptor.LENGTH_OFFSET;
import static dev.aedb.store.VersionDescriptor.PAYLOAD_OFFSET;
import static dev.aedb.store.VersionDescriptor.SEQ_OFFSET;
import static dev.aedb.store.VersionDescriptor.TOMBSTONE;

/**
 * One ordered key space (a table's rows or a scope's KV pairs): an off-heap skip list of key records
 * ({@link NodeDescriptor}), each heading a newest-first chain of versions ({@link VersionDescriptor}).
 * <p>
 * Threading: methods documented "writer" are called by the sequencer thread only; the others by any thread that
 * holds a reader slot pinned at the seq it reads (see {@link ReaderRegistry}). Readers take no locks and never
 * block the writer.
 */
public final class KeySpace
{
    private static final long[] NO_PINS = new long[0];

    private final Store store;
    private final Arena arena;
    private final long head;
    /** Writer: the path of the last key searched (its predecessor at every level), while {@link #pathValid}. */
    private final long[] preds = new long[MAX_LEVEL];
    private boolean pathValid;
    private final HashIndex hashIndex;
    private volatile int topLevel = 1;
    private long random = 0x9E3779B97F4A7C15L;
    // Sweep queue: key records that may hold reclaimable versions or be dead, FIFO by the seq at or above which the
    // effective horizon must be before a visit can reclaim anything. A record is queued at most once (gcQueued).
    private long[] gcNodes = new long[16];
    private long[] gcSeqs = new long[16];
    private int gcHead;
    private int gcSize;
    private long gcLastSeq;
    private final LongHashSet gcQueued = new LongHashSet();
    private long trimVisits;
    boolean inSweepList;
    // Relocation into key order (writer): inserts placed away from their neighbours since the last pass began, the
    // pass under way, the key it stopped after (-1: from the head) and the last record it left where it was.
    private long outOfPlace;
    private boolean relocating;
    private final ExpandableArrayBuffer relocationCursor = new ExpandableArrayBuffer(64);
    private int relocationCursorLength = -1;
    private long relocationAnchor;
    private boolean relocationMovedLast;
    private long relocatedRecords;
    boolean inRelocateList;
    /** Whether enough keys lie away from their neighbours in memory for a scan's prefetch to pay (written by the writer). */
    private volatile boolean scattered;

    KeySpace(final Store store)
    {
        this.store = store;
        this.arena = store.arena();
        this.head = arena.allocate(NodeDescriptor.nodeSize(MAX_LEVEL, 0));
        final UnsafeBuffer b = arena.buffer(head);
        final int o = Arena.offset(head);
        b.putLong(o + CHAIN_OFFSET, 0);
        b.putInt(o + KEY_LENGTH_OFFSET, 0);
        b.putInt(o + LEVEL_OFFSET, MAX_LEVEL);
        for (int i = 0; i < MAX_LEVEL; i++)
        {
            b.putLong(o + NEXT_OFFSET + 8 * i, 0);
        }
        this.hashIndex = new HashIndex(this, store.preparation());
    }

    /**
     * A key space restored from a checkpoint image: its head record, key records and versions are already in the
     * store's image segments, linked, and its hash index is the image's array.
     */
    KeySpace(final Store store, final long head, final int topLevel, final ImageBlock hashTable, final int live)
    {
        this.store = store;
        this.arena = store.arena();
        this.head = head;
        this.topLevel = Math.max(1, topLevel);
        this.hashIndex = new HashIndex(this, store.preparation(), hashTable, live);
    }

    /** @return the address of the head record (the checkpoint writer links the image's copy the same way). */
    long head()
    {
        return head;
    }

    /** @return the highest skip-list level in use. */
    int topLevel()
    {
        return topLevel;
    }

    // ---------------------------------------------------------------- reader side

    private long nextAcquire(final long node, final int level)
    {
        return arena.buffer(node).getLongVolatile(Arena.offset(node) + NEXT_OFFSET + 8 * level);
    }

    private int compareKey(final long node, final DirectBuffer key, final int offset, final int length)
    {
        final UnsafeBuffer b = arena.buffer(node);
        final int o = Arena.offset(node);
        final int level = b.getInt(o + LEVEL_OFFSET);
        return KeyCompare.compare(b, o + NodeDescriptor.keyOffset(level), b.getInt(o + KEY_LENGTH_OFFSET), key, offset, length);
    }

    /**
     * Compares two keys in the order this store keeps them: unsigned lexicographic bytes, a prefix first.
     *
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}.
     */
    public static int compareKeys(final DirectBuffer a, final int aOffset, final int aLength, final DirectBuffer b,
        final int bOffset, final int bLength)
    {
        return KeyCompare.compare(a, aOffset, aLength, b, bOffset, bLength);
    }

    /** @return whether the key range {@code [offset, offset + length)} starts with the first {@code prefixLength} bytes of {@code prefix}. */
    public static boolean startsWith(final DirectBuffer key, final int offset, final int length, final DirectBuffer prefix,
        final int prefixLength)
    {
        return length >= prefixLength && KeyCompare.compare(key, offset, prefixLength, prefix, 0, prefixLength) == 0;
    }

    /** @return whether the key of record {@code node} starts with the first {@code prefixLength} bytes of {@code prefix}. */
    public boolean keyStartsWith(final long node, final DirectBuffer prefix, final int prefixLength)
    {
        return startsWith(keyBuffer(node), keyOffset(node), keyLength(node), prefix, prefixLength);
    }

    /** @return the key record for the key (through the hash index), or 0 when the key space has none. */
    public long find(final DirectBuffer key, final int offset, final int length)
    {
        return hashIndex.find(key, offset, length);
    }

    boolean keyEquals(final long node, final DirectBuffer key, final int offset, final int length)
    {
        final UnsafeBuffer b = arena.buffer(node);
        final int o = Arena.offset(node);
        return b.getInt(o + KEY_LENGTH_OFFSET) == length && compareKey(node, key, offset, length) == 0;
    }

    /** @return whether the hash index is moving slots into a larger array (tests). */
    boolean hashIndexMigrating()
    {
        return hashIndex.migrating();
    }

    /** @return the slots of the hash index's current array (for tests). */
    int hashIndexCapacity()
    {
        return hashIndex.capacity();
    }

    long hashOf(final long node)
    {
        return HashIndex.hash(arena.buffer(node), keyOffset(node), keyLength(node));
    }

    /**
     * @param inclusive whether a record equal to the key qualifies.
     * @return the first key record at or after (or strictly after) the key, or 0.
     */
    public long seek(final DirectBuffer key, final int offset, final int length, final boolean inclusive)
    {
        return nextAcquire(descend(key, offset, length, inclusive, 0), 0);
    }

    /**
     * Reader: descends from the top level to level {@code bottom}.
     *
     * @return the last record (or the head) before the key at level {@code bottom}, or before-or-equal when not
     *         {@code inclusive}.
     */
    private long descend(final DirectBuffer key, final int offset, final int length, final boolean inclusive, final int bottom)
    {
        long x = head;
        for (int level = topLevel - 1; level >= bottom; level--)
        {
            while (true)
            {
                final long next = nextAcquire(x, level);
                if (next == 0)
                {
                    break;
                }
                final int c = compareKey(next, key, offset, length);
                if (c < 0 || (c == 0 && !inclusive))
                {
                    x = next;
                }
                else
                {
                    break;
                }
            }
        }
        return x;
    }

    /** @return the first key record, or 0. */
    public long first()
    {
        return nextAcquire(head, 0);
    }

    /** @return the key record after {@code node}, or 0. */
    public long next(final long node)
    {
        return nextAcquire(node, 0);
    }

    /** @return the newest version of the key with seq at or below {@code seq}, or 0; may be a tombstone. */
    public long versionAt(final long node, final long seq)
    {
        final UnsafeBuffer nb = arena.buffer(node);
        long v = nb.getLongVolatile(Arena.offset(node) + CHAIN_OFFSET);
        while (v != 0)
        {
            final UnsafeBuffer b = arena.buffer(v);
            final int o = Arena.offset(v);
            if (b.getLong(o + SEQ_OFFSET) <= seq)
            {
                return v;
            }
            v = b.getLongVolatile(o + VersionDescriptor.NEXT_OFFSET);
        }
        return 0;
    }

    /** @return the next older version after {@code version} (0 = none), read as a reader walking the chain does. */
    long olderVersion(final long version)
    {
        return arena.buffer(version).getLongVolatile(Arena.offset(version) + VersionDescriptor.NEXT_OFFSET);
    }

    /** @return the live (non-tombstone) version visible at {@code seq}, or 0. */
    public long liveVersionAt(final long node, final long seq)
    {
        final long v = versionAt(node, seq);
        return v != 0 && !isTombstone(v) ? v : 0;
    }

    /** @return the newest version regardless of visibility (writer view), or 0. */
    public long newest(final long node)
    {
        return arena.buffer(node).getLongVolatile(Arena.offset(node) + CHAIN_OFFSET);
    }

    public boolean isTombstone(final long version)
    {
        return (arena.buffer(version).getInt(Arena.offset(version) + FLAGS_OFFSET) & TOMBSTONE) != 0;
    }

    public long versionSeq(final long version)
    {
        return arena.buffer(version).getLong(Arena.offset(version) + SEQ_OFFSET);
    }

    /** @return the buffer holding a version's payload (see {@link #payloadOffset}). */
    public UnsafeBuffer payloadBuffer(final long version)
    {
        return arena.buffer(version);
    }

    public int payloadOffset(final long version)
    {
        return Arena.offset(version) + PAYLOAD_OFFSET;
    }

    public int payloadLength(final long version)
    {
        return arena.buffer(version).getInt(Arena.offset(version) + LENGTH_OFFSET);
    }

    /** @return the buffer holding a key record's key bytes (see {@link #keyOffset}). */
    public UnsafeBuffer keyBuffer(final long node)
    {
        return arena.buffer(node);
    }

    public int keyOffset(final long node)
    {
        final UnsafeBuffer b = arena.buffer(node);
        final int o = Arena.offset(node);
        return o + NodeDescriptor.keyOffset(b.getInt(o + LEVEL_OFFSET));
    }

    public int keyLength(final long node)
    {
        return arena.buffer(node).getInt(Arena.offset(node) + KEY_LENGTH_OFFSET);
    }

    // ---------------------------------------------------------------- reader side: scan prefetch

    /**
     * Reader: whether the key records of this key space lie away from their neighbours in key order (keys inserted out
     * of order since the last relocation pass ended), so that a long scan should {@link #prefetch}: over records in
     * key order (after a pass, in a checkpoint image, loaded in order) the prefetch's descents and lanes cost more than
     * the misses they would hide.
     */
    public boolean scattered()
    {
        return scattered;
    }

    /** Scans shorter than this are not prefetched (the two descents would cost more than they save). */
    public static final int PREFETCH_MIN_ENTRIES = 16;
    /** Anchors are the records linked at this level (0-based): one in 4^2 = 16 records on average. */
    static final int ANCHOR_LEVEL = 2;
    /** Stretches between anchors walked at once by one {@link #prefetch} (about 8 x 16 = 128 records). */
    static final int PREFETCH_LANES = 8;
    /** Most records one lane walks: 3x the expected stretch, so that a long stretch between anchors ends a lane early. */
    static final int PREFETCH_STEPS = 48;

    /**
     * Reader: the first anchor (a record linked at {@link #ANCHOR_LEVEL}) at or after (or strictly after) the key, for
     * {@link #prefetch}.
     *
     * @return the anchor, or 0 when there is none (a key space too small to have that level, or none after the key).
     */
    public long seekAnchor(final DirectBuffer key, final int offset, final int length, final boolean inclusive)
    {
        if (topLevel <= ANCHOR_LEVEL)
        {
            return 0;
        }
        return nextAcquire(descend(key, offset, length, inclusive, ANCHOR_LEVEL), ANCHOR_LEVEL);
    }

    /** Reader: @return the first anchor of the key space, or 0 (see {@link #seekAnchor}). */
    public long firstAnchor()
    {
        return topLevel <= ANCHOR_LEVEL ? 0 : nextAcquire(head, ANCHOR_LEVEL);
    }

    /**
     * Reader hint for a scan about to walk level 0 from {@code from}: loads the key records of about {@code entries}
     * records from there, and the newest version of each, so that the scan then finds them in the cache. A key space
     * filled in random key order has neighbouring keys far apart in memory, and a walk along level 0 waits for one
     * cache miss after another; this walk follows the anchors first (one dependent miss per 16 records), then walks
     * the stretches between consecutive anchors side by side, up to {@link #PREFETCH_LANES} at once, so that their
     * misses overlap. It reads only and decides nothing: a record inserted or unlinked meanwhile at worst makes a
     * lane stop early or run on for {@link #PREFETCH_STEPS} records, which costs time, never correctness.
     *
     * @param anchor the first anchor at or after {@code from} ({@link #seekAnchor}, {@link #firstAnchor},
     *               {@link #nextAnchor}); 0 = none, then nothing is loaded.
     * @return the last anchor reached: when the scan gets there it calls again from it, with {@link #nextAnchor} of
     *         it; 0 = nothing more to prefetch.
     */
    public long prefetch(final long from, final long anchor, final int entries)
    {
        if (anchor == 0 || from == 0)
        {
            return 0;
        }
        if (anchor == from)
        {
            return prefetch(from, nextAnchor(from), entries);
        }
        // Lane k walks from anchor k (anchor 0 = from) to anchor k + 1. Eight lanes in locals, not in an array: a
        // per-call array would allocate, and a ThreadLocal lookup cost more than the misses it saves.
        final int lanes = Math.min(PREFETCH_LANES, entries / 16 + 1);
        final long a1 = anchor;
        final long a2 = lanes > 1 ? nextAnchorOrZero(a1) : 0;
        final long a3 = lanes > 2 ? nextAnchorOrZero(a2) : 0;
        final long a4 = lanes > 3 ? nextAnchorOrZero(a3) : 0;
        final long a5 = lanes > 4 ? nextAnchorOrZero(a4) : 0;
        final long a6 = lanes > 5 ? nextAnchorOrZero(a5) : 0;
        final long a7 = lanes > 6 ? nextAnchorOrZero(a6) : 0;
        final long a8 = lanes > 7 ? nextAnchorOrZero(a7) : 0;
        long c0 = from;
        long c1 = lanes > 1 ? a1 : 0;
        long c2 = lanes > 2 ? a2 : 0;
        long c3 = lanes > 3 ? a3 : 0;
        long c4 = lanes > 4 ? a4 : 0;
        long c5 = lanes > 5 ? a5 : 0;
        long c6 = lanes > 6 ? a6 : 0;
        long c7 = lanes > 7 ? a7 : 0;
        for (int step = 0; step < PREFETCH_STEPS && (c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) != 0; step++)
        {
            c0 = touchAndStep(c0, a1);
            c1 = touchAndStep(c1, a2);
            c2 = touchAndStep(c2, a3);
            c3 = touchAndStep(c3, a4);
            c4 = touchAndStep(c4, a5);
            c5 = touchAndStep(c5, a6);
            c6 = touchAndStep(c6, a7);
            c7 = touchAndStep(c7, a8);
        }
        return switch (lanes)
        {
            case 1 -> a1;
            case 2 -> a2;
            case 3 -> a3;
            case 4 -> a4;
            case 5 -> a5;
            case 6 -> a6;
            case 7 -> a7;
            default -> a8;
        };
    }

    private long nextAnchorOrZero(final long anchor)
    {
        return anchor == 0 ? 0 : nextAcquire(anchor, ANCHOR_LEVEL);
    }

    /**
     * One step of a prefetch lane: loads {@code cur}'s record and its newest version's first bytes.
     *
     * @return the record after {@code cur}, or 0 where the lane ends (at {@code end}, at the last record, or when
     *         {@code cur} is 0).
     */
    private long touchAndStep(final long cur, final long end)
    {
        if (cur == 0)
        {
            return 0;
        }
        final UnsafeBuffer b = arena.buffer(cur);
        final int o = Arena.offset(cur);
        final long v = b.getLongVolatile(o + CHAIN_OFFSET);
        // The version's seq is loaded and tested, so the JIT keeps the load; no version has seq -1 (a lane that saw
        // one would only end early).
        if (v != 0 && arena.buffer(v).getLong(Arena.offset(v) + SEQ_OFFSET) == -1)
        {
            return 0;
        }
        final long next = b.getLongVolatile(o + NEXT_OFFSET);
        return next == end ? 0 : next;
    }

    /** Reader: @return the anchor after anchor {@code anchor}, or 0. */
    public long nextAnchor(final long anchor)
    {
        return nextAcquire(anchor, ANCHOR_LEVEL);
    }

    // ---------------------------------------------------------------- writer side

    private long nextPlain(final long node, final int level)
    {
        return arena.buffer(node).getLong(Arena.offset(node) + NEXT_OFFSET + 8 * level);
    }

    /**
     * Writer: sets {@link #preds} to the key's predecessor at every level (the last record before the key there, or
     * the head).
     * <p>
     * The search starts from the previous one's predecessors where it can (a finger search, as RocksDB's memtable
     * inserts a batch through a "splice"): {@code preds} always holds the path of the last key searched, and along a
     * path a level's predecessor is at or after the level above's. So while the search at the levels above stopped on
     * the old path, the old predecessor at this level is a start at or after the current one, and usable when it
     * sorts before the new key: a key just after the last one (ascending inserts, a sorted batch) walks no level from
     * the head. Every record of the old path is linked: an insert links the new record before it becomes a
     * predecessor, and an unlink searches (so the record unlinked is not on the path) before it unlinks.
     */
    private void findPredecessors(final DirectBuffer key, final int offset, final int length)
    {
        long x = head;
        boolean onPath = pathValid;
        for (int level = MAX_LEVEL - 1; level >= 0; level--)
        {
            if (onPath)
            {
                final long start = preds[level];
                if (start != x)
                {
                    if (compareKey(start, key, offset, length) < 0)
                    {
                        x = start;
                    }
                    else
                    {
                        onPath = false;
                    }
                }
            }
            long next;
            while ((next = nextPlain(x, level)) != 0 && compareKey(next, key, offset, length) < 0)
            {
                x = next;
                onPath = false;
            }
            preds[level] = x;
        }
        pathValid = true;
    }

    private int randomLevel()
    {
        long r = random;
        r ^= r << 13;
        r ^= r >>> 7;
        r ^= r << 17;
        random = r;
        int level = 1;
        while (level < MAX_LEVEL && (r & 3) == 0)
        {
            level++;
            r >>>= 2;
        }
        return level;
    }

    /** Writer: see {@link HashIndex#touch(long[], int)}; {@code hashes} are {@link #hashOf}-style key hashes. */
    long touch(final long[] hashes, final int count)
    {
        return hashIndex.touch(hashes, count);
    }

    /**
     * Writer: finds the key record, inserting one with an empty chain when absent.
     *
     * @return the key record; {@code created[0]} tells whether it was inserted.
     */
    long findOrInsert(final DirectBuffer key, final int offset, final int length, final boolean[] created)
    {
        final long h = HashIndex.hash(key, offset, length);
        final long existing = hashIndex.find(h, key, offset, length);
        if (existing != 0)
        {
            created[0] = false;
            return existing;
        }
        findPredecessors(key, offset, length);
        final long candidate = nextPlain(preds[0], 0);
        if (candidate != 0 && compareKey(candidate, key, offset, length) == 0)
        {
            created[0] = false;
            return candidate;
        }
        final int level = randomLevel();
        final long node = arena.allocate(NodeDescriptor.nodeSize(level, length));
        final UnsafeBuffer b = arena.buffer(node);
        final int o = Arena.offset(node);
        b.putLong(o + CHAIN_OFFSET, 0);
        b.putInt(o + KEY_LENGTH_OFFSET, length);
        b.putInt(o + LEVEL_OFFSET, level);
        for (int i = 0; i < level; i++)
        {
            b.putLong(o + NEXT_OFFSET + 8 * i, nextPlain(preds[i], i));
        }
        b.putBytes(o + NodeDescriptor.keyOffset(level), key, offset, length);
        hashIndex.insert(node, h);
        final long before = preds[0];
        for (int i = 0; i < level; i++)
        {
            final long p = preds[i];
            arena.buffer(p).putLongRelease(Arena.offset(p) + NEXT_OFFSET + 8 * i, node);
            preds[i] = node; // the path of a key just after this one
        }
        if (level > topLevel)
        {
            topLevel = level;
        }
        if (!near(before, node) && !near(node, b.getLong(o + NEXT_OFFSET)))
        {
            outOfPlace++;
            if (relocationWanted())
            {
                if (!scattered)
                {
                    scattered = true;
                }
                store.markRelocatable(this);
            }
        }
        created[0] = true;
        return node;
    }

    /**
     * Writer: pushes a new newest version onto the key's chain and publishes it with one release store.
     *
     * @return the version's address.
     */
    long push(final long node, final long seq, final boolean tombstone, final DirectBuffer payload, final int offset,
        final int length)
    {
        final long v = arena.allocate(VersionDescriptor.recordSize(length));
        final UnsafeBuffer b = arena.buffer(v);
        final int o = Arena.offset(v);
        final UnsafeBuffer nb = arena.buffer(node);
        final int no = Arena.offset(node);
        b.putLong(o + SEQ_OFFSET, seq);
        b.putLong(o + VersionDescriptor.NEXT_OFFSET, nb.getLong(no + CHAIN_OFFSET));
        b.putInt(o + FLAGS_OFFSET, tombstone ? TOMBSTONE : 0);
        b.putInt(o + LENGTH_OFFSET, length);
        if (length > 0)
        {
            b.putBytes(o + PAYLOAD_OFFSET, payload, offset, length);
        }
        nb.putLongRelease(no + CHAIN_OFFSET, v);
        return v;
    }

    /**
     * Writer: undoes a {@link #push} of an envelope that failed. Readers may still hold the version (its seq is
     * above every pinned one), so it is retired, not freed, and its next pointer is left intact.
     */
    void pop(final long node, final long version)
    {
        final UnsafeBuffer nb = arena.buffer(node);
        final long next = arena.buffer(version).getLong(Arena.offset(version) + VersionDescriptor.NEXT_OFFSET);
        nb.putLongRelease(Arena.offset(node) + CHAIN_OFFSET, next);
        store.retire(version, Store.KIND_VERSION_SINGLE);
        markGarbage(node, versionSeq(version));
    }

    /**
     * Writer: cuts the versions of a key that no reader can reach, by the horizon and the pins of the last
     * {@link Store#reclaim()} (see {@link #trim(long, long, long[], int)}). This is the trim-on-write.
     *
     * @return the number of versions left in the chain.
     */
    int trim(final long node)
    {
        final ReaderRegistry registry = store.registry();
        return trim(node, registry.horizon(), registry.pins(), registry.pinCount());
    }

    /**
     * Writer: as if no pin were below {@code horizon}: keeps the versions above it and the newest at or below it.
     *
     * @return the number of versions left in the chain.
     */
    int trim(final long node, final long horizon)
    {
        return trim(node, horizon, NO_PINS, 0);
    }

    /**
     * Writer: keeps every version above {@code horizon}, the newest at or below it, and for each pin the newest
     * version at or below the pin; unlinks the rest. A run of garbage between two kept versions is unlinked with one
     * release store and retired version by version (their own next pointers stay intact, so a reader standing on
     * one walks on to what it needs); below the oldest pin's version the chain is cut and retired as a whole. Cost:
     * the versions above the horizon, one per distinct pin, and the garbage removed (each version is removed once),
     * never the number of versions the pins keep alive.
     *
     * @param pins     distinct pinned seqs below {@code horizon}, newest first.
     * @param pinCount how many of {@code pins} are valid.
     * @return the number of versions left in the chain.
     */
    int trim(final long node, final long horizon, final long[] pins, final int pinCount)
    {
        long v = newest(node);
        int kept = 0;
        while (v != 0 && versionSeq(v) > horizon)
        {
            kept++;
            v = nextVersion(v);
        }
        trimVisits += kept;
        if (v == 0)
        {
            return kept;
        }
        int p = 0;
        while (true)
        {
            kept++;
            trimVisits++;
            final long keptSeq = versionSeq(v);
            while (p < pinCount && pins[p] >= keptSeq)
            {
                p++; // v is the newest version at or below this pin too
            }
            final long next = nextVersion(v);
            if (next == 0)
            {
                return kept;
            }
            if (p == pinCount)
            {
                cut(v, 0);
                store.retire(next, Store.KIND_VERSION_CHAIN);
                return kept;
            }
            final long pin = pins[p];
            long g = next;
            while (g != 0 && versionSeq(g) > pin)
            {
                trimVisits++;
                final long after = nextVersion(g);
                store.retire(g, Store.KIND_VERSION_SINGLE);
                g = after;
            }
            if (g != next)
            {
                cut(v, g);
            }
            if (g == 0)
            {
                return kept;
            }
            v = g;
        }
    }

    private long nextVersion(final long version)
    {
        return arena.buffer(version).getLong(Arena.offset(version) + VersionDescriptor.NEXT_OFFSET);
    }

    private void cut(final long version, final long next)
    {
        arena.buffer(version).putLongRelease(Arena.offset(version) + VersionDescriptor.NEXT_OFFSET, next);
    }

    /** @return versions visited by trims since the key space was made (tests: the cost of trim-on-write). */
    long trimVisits()
    {
        return trimVisits;
    }

    /**
     * Writer: queues a key record for the sweeper: it has versions that only become unreachable once the effective
     * horizon reaches {@code seq}, or it may be dead (a tombstone, or an empty chain left by a rejected envelope).
     * A record already queued stays where it is; the visit re-queues it if it still has work left.
     */
    void markGarbage(final long node, final long seq)
    {
        if (!gcQueued.add(node))
        {
            return;
        }
        if (gcSize == gcNodes.length)
        {
            final long[] nodes = new long[gcNodes.length * 2];
            final long[] seqs = new long[gcSeqs.length * 2];
            for (int i = 0; i < gcSize; i++)
            {
                nodes[i] = gcNodes[(gcHead + i) & (gcNodes.length - 1)];
                seqs[i] = gcSeqs[(gcHead + i) & (gcSeqs.length - 1)];
            }
            gcNodes = nodes;
            gcSeqs = seqs;
            gcHead = 0;
        }
        // Seqs stay non-decreasing along the queue, so a visit can stop at the first entry above the horizon.
        gcLastSeq = Math.max(gcLastSeq, seq);
        final int tail = (gcHead + gcSize) & (gcNodes.length - 1);
        gcNodes[tail] = node;
        gcSeqs[tail] = gcLastSeq;
        gcSize++;
        store.markSweepable(this);
    }

    boolean hasGarbage()
    {
        return gcSize > 0;
    }

    /** @return key records waiting in the sweep queue (tests, metrics). */
    int sweepQueueSize()
    {
        return gcSize;
    }

    /**
     * Writer: visits up to {@code budget} queued key records whose seq the horizon has reached, trimming their chains
     * and unlinking those absent at every readable seq. Work is proportional to what was written, never to the size
     * of the key space.
     *
     * @return records visited.
     */
    int sweep(final int budget, final long horizon)
    {
        return sweep(budget, horizon, horizon, NO_PINS, 0);
    }

    /**
     * Writer: as {@link #sweep(int, long)}, visiting records queued at or below the effective horizon
     * {@code horizon} (so a record whose versions a pin keeps alive is not revisited until the pin moves) and
     * trimming them by {@code trimHorizon} and the pins (see {@link #trim(long, long, long[], int)}). A visit that
     * leaves more than one version, or a tombstone, queues the record again at its newest seq, which is above
     * {@code horizon} in both cases, so one call never visits a record twice.
     *
     * @return records visited.
     */
    int sweep(final int budget, final long horizon, final long trimHorizon, final long[] pins, final int pinCount)
    {
        int visited = 0;
        while (gcSize > 0 && visited < budget && gcSeqs[gcHead] <= horizon)
        {
            final long x = gcNodes[gcHead];
            gcHead = (gcHead + 1) & (gcNodes.length - 1);
            gcSize--;
            gcQueued.remove(x);
            visited++;
            final int kept = trim(x, trimHorizon, pins, pinCount);
            final long newest = newest(x);
            if (newest == 0 || (kept == 1 && isTombstone(newest) && versionSeq(newest) <= horizon))
            {
                unlink(x);
            }
            else if (kept > 1 || isTombstone(newest))
            {
                markGarbage(x, versionSeq(newest));
            }
        }
        return visited;
    }

    /** Tests: the sweeper's unlink of one key record. */
    void unlinkForTest(final long node)
    {
        unlink(node);
    }

    private void unlink(final long node)
    {
        final UnsafeBuffer nb = arena.buffer(node);
        final int no = Arena.offset(node);
        final int level = nb.getInt(no + LEVEL_OFFSET);
        hashIndex.remove(node, nb, no + NodeDescriptor.keyOffset(level), nb.getInt(no + KEY_LENGTH_OFFSET));
        findPredecessors(nb, no + NodeDescriptor.keyOffset(level), nb.getInt(no + KEY_LENGTH_OFFSET));
        for (int i = level - 1; i >= 0; i--)
        {
            final long p = preds[i];
            if (nextPlain(p, i) == node)
            {
                arena.buffer(p).putLongRelease(Arena.offset(p) + NEXT_OFFSET + 8 * i, nextPlain(node, i));
            }
        }
        store.retire(node, Store.KIND_NODE);
    }

    // ---------------------------------------------------------------- writer side: relocation into key order

    /** Records at most this far after the previous one in key order count as its neighbours in memory. */
    static final int NEAR_BYTES = 2048;
    /** A pass starts once this many inserts landed away from their neighbours... */
    static final int RELOCATE_MIN_INSERTS = 1024;
    /** ...and they are at least 1 in this many of the keys. */
    static final int RELOCATE_FRACTION = 16;
    /** Newest versions up to this size (header included) move with their key record. */
    static final int RELOCATE_VERSION_BYTES = 1024;

    private static boolean near(final long from, final long to)
    {
        final long d = to - from;
        return d > 0 && d <= NEAR_BYTES;
    }

    /** Writer: whether enough inserts landed out of key order since the last pass began to make another worth it. */
    boolean relocationWanted()
    {
        return outOfPlace >= RELOCATE_MIN_INSERTS && outOfPlace * RELOCATE_FRACTION >= hashIndex.live();
    }

    /** Writer: whether a pass is under way. */
    boolean relocating()
    {
        return relocating;
    }

    /** Writer: ends the pass under way (a full disk); the records stay where they are, nothing else changes. */
    void abandonRelocation()
    {
        relocating = false;
        outOfPlace = 0;
    }

    /** @return key records moved by relocation since the key space was made (tests, metrics). */
    long relocatedRecords()
    {
        return relocatedRecords;
    }

    /**
     * Writer, in idle time: one step of a pass that walks the key space in key order and moves each key record that
     * does not lie next to its neighbours in memory, with its newest version, to the end of the arena
     * ({@link Arena#allocateFresh}), so that after a pass neighbouring keys are neighbours in memory (the layout of a
     * checkpoint image) and a scan or a checkpoint reads them without a cache miss per record. A record is left where
     * it is when it lies within {@link #NEAR_BYTES} after the last record left in place, or just before its successor
     * (so a run in order stays a run, and one record out of place does not move the rest); a record queued for the
     * sweeper is left alone.
     * <p>
     * A move copies the record (its chain head, level, next pointers and key), and the newest version when it is at
     * most {@link #RELOCATE_VERSION_BYTES} (the copy then heads the chain, whose older versions are shared), then
     * publishes the copy with release stores: the hash slot, then each level's predecessor. The old record and version
     * are retired, not freed: a reader standing on them sees the key as it was when it moved, and every version
     * committed later has a seq above any such reader's (the argument of an unlink, docs/design.md §6). Between steps
     * the position is the key moved last, searched again at the next step, so commits may insert and unlink anything
     * meanwhile.
     *
     * @param budget most records to move in this step (about 8 times as many may be visited).
     * @return records visited (at least 1 while a pass runs).
     * @throws AedbException DISK_FULL when the arena needs a segment it cannot create: the caller ends the pass
     *                       ({@link #abandonRelocation}); what moved before stays valid.
     */
    int relocateStep(final int budget)
    {
        if (!relocating)
        {
            relocating = true;
            outOfPlace = 0;
            relocationCursorLength = -1;
            relocationAnchor = 0;
            relocationMovedLast = false;
        }
        if (relocationCursorLength < 0)
        {
            java.util.Arrays.fill(preds, head);
            pathValid = true;
        }
        else
        {
            findPredecessors(relocationCursor, 0, relocationCursorLength);
            final long at = nextPlain(preds[0], 0);
            if (at != 0 && compareKey(at, relocationCursor, 0, relocationCursorLength) == 0)
            {
                stepOver(at);
            }
        }
        int visited = 0;
        int moved = 0;
        while (moved < budget && visited < budget * 8)
        {
            final long x = nextPlain(preds[0], 0);
            long next = 0;
            if (x == 0)
            {
                relocating = false;
                scattered = relocationWanted(); // the inserts during the pass may have scattered it again
                return visited + 1;
            }
            visited++;
            if (gcQueued.contains(x))
            {
                stepOver(x);
            }
            else if (near(relocationAnchor, x) || near(x, (next = nextPlain(x, 0))))
            {
                relocationAnchor = x;
                relocationMovedLast = false;
                stepOver(x);
            }
            else if (!relocationMovedLast && next != 0 && near(relocationAnchor, next))
            {
                stepOver(x); // one record out of place between two in order: a copy would be just as far from both
            }
            else
            {
                stepOver(move(x));
                relocationMovedLast = true;
                moved++;
            }
        }
        final long last = preds[0];
        final int length = keyLength(last);
        relocationCursor.putBytes(0, arena.buffer(last), keyOffset(last), length);
        relocationCursorLength = length;
        return visited;
    }

    /** Writer: {@code x} follows the path at level 0; the path becomes that of a key just after {@code x}. */
    private void stepOver(final long x)
    {
        final int level = arena.buffer(x).getInt(Arena.offset(x) + LEVEL_OFFSET);
        for (int i = 0; i < level; i++)
        {
            preds[i] = x;
        }
    }

    /** Writer: moves {@code x}, which follows the path at level 0, to the end of the arena (see {@link #relocateStep}). */
    private long move(final long x)
    {
        final UnsafeBuffer b = arena.buffer(x);
        final int o = Arena.offset(x);
        final int level = b.getInt(o + LEVEL_OFFSET);
        final int keyLength = b.getInt(o + KEY_LENGTH_OFFSET);
        final int size = NodeDescriptor.nodeSize(level, keyLength);
        final long moved = arena.allocateFresh(size);
        final UnsafeBuffer mb = arena.buffer(moved);
        final int mo = Arena.offset(moved);
        mb.putBytes(mo, b, o, size);
        final long v = b.getLong(o + CHAIN_OFFSET);
        long movedVersion = 0;
        if (v != 0)
        {
            final UnsafeBuffer vb = arena.buffer(v);
            final int vo = Arena.offset(v);
            final int versionSize = VersionDescriptor.recordSize(vb.getInt(vo + LENGTH_OFFSET));
            if (versionSize <= RELOCATE_VERSION_BYTES)
            {
                try
                {
                    movedVersion = arena.allocateFresh(versionSize);
                }
                catch (final AedbException e)
                {
                    arena.free(moved, size); // never published
                    throw e;
                }
                arena.buffer(movedVersion).putBytes(Arena.offset(movedVersion), vb, vo, versionSize);
                mb.putLong(mo + CHAIN_OFFSET, movedVersion);
            }
        }
        hashIndex.replace(x, HashIndex.hash(b, o + NodeDescriptor.keyOffset(level), keyLength), moved);
        for (int i = 0; i < level; i++)
        {
            final long p = preds[i];
            arena.buffer(p).putLongRelease(Arena.offset(p) + NEXT_OFFSET + 8 * i, moved);
        }
        store.retire(x, Store.KIND_NODE_RECORD);
        if (movedVersion != 0)
        {
            store.retire(v, Store.KIND_VERSION_SINGLE);
        }
        relocatedRecords++;
        return moved;
    }

    /** Writer: frees every node and version of a key space no reader can reach any more. */
    void destroy()
    {
        long x = nextPlain(head, 0);
        while (x != 0)
        {
            final long next = nextPlain(x, 0);
            freeNode(arena, x);
            x = next;
        }
        arena.free(head, NodeDescriptor.nodeSize(MAX_LEVEL, 0));
    }

    static void freeNode(final Arena arena, final long node)
    {
        freeVersionChain(arena, arena.buffer(node).getLong(Arena.offset(node) + CHAIN_OFFSET));
        freeNodeRecord(arena, node);
    }

    /** Frees the key record alone (its chain was freed, or belongs to a copy made by relocation). */
    static void freeNodeRecord(final Arena arena, final long node)
    {
        final UnsafeBuffer b = arena.buffer(node);
        final int o = Arena.offset(node);
        arena.free(node, NodeDescriptor.nodeSize(b.getInt(o + LEVEL_OFFSET), b.getInt(o + KEY_LENGTH_OFFSET)));
    }

    static void freeVersion(final Arena arena, final long version)
    {
        arena.free(version, VersionDescriptor.recordSize(arena.buffer(version).getInt(Arena.offset(version) + LENGTH_OFFSET)));
    }

    static void freeVersionChain(final Arena arena, final long first)
    {
        long v = first;
        while (v != 0)
        {
            final long next = arena.buffer(v).getLong(Arena.offset(v) + VersionDescriptor.NEXT_OFFSET);
            freeVersion(arena, v);
            v = next;
        }
    }
}
