package dev.aedb.store;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static dev.aedb.store.NodeDescriptor.CHAIN_OFFSET;
import static dev.aedb.store.NodeDescriptor.KEY_LENGTH_OFFSET;
import static dev.aedb.store.NodeDescriptor.LEVEL_OFFSET;
import static dev.aedb.store.NodeDescriptor.MAX_LEVEL;
import static dev.aedb.store.NodeDescriptor.NEXT_OFFSET;

/**
 * Writes the store's key spaces, as they are at one commit seq, into a checkpoint image in the arena's own format, so
 * that an open maps the image and serves it directly (no per-row parse, no index rebuild):
 * <ul>
 *   <li><b>segments</b> of at most {@value #SEGMENT_BYTES} bytes (larger only for one oversized record): a 64-byte
 *   header (magic {@code AECSSEG1}, version, index), then, per key space, its head record and, in key order, each key
 *   live at the seq as a key record ({@link NodeDescriptor}, the live record's level) followed by its one version
 *   ({@link VersionDescriptor}: the seq that wrote it, no older version). Addresses are {@code segment << 32 | offset}
 *   as in the arena, segment {@code i} being the image's i-th segment; the skip list is linked in the image.</li>
 *   <li>one <b>hash-index array</b> per key space ({@link HashIndex} slots, a power of two at most 3/8 full).</li>
 * </ul>
 * Blocks are written in order at page-aligned positions from the start position, and each gets a CRC32C. Everything is
 * in native byte order (the image records which).
 * <p>
 * Reading: the writer's thread pins a reader slot at the seq for the whole write (the caller does), and reads the key
 * spaces with the reader-side methods only, while the sequencer goes on committing. Writing: a segment is kept in
 * memory until the next one is full (links into it are then rare) and then handed to the writer's I/O thread, which
 * writes segments, hash arrays, the rare later links and the periodic fsyncs (page cache only) in that order, while
 * this thread reads on; segment and hash array writes go out in paced pieces of {@value #WRITE_PIECE} bytes at most.
 * A segment's CRC32C is taken as it is handed over and moved with each later link ({@link Crc32cPatch}): nothing is
 * read back.
 * Off-heap staging: three segments, the hash array being built and at most 64 MiB of built ones not yet written, and
 * 32 bytes per key of the key space being written; the heap use does not grow with the number of keys.
 */
public final class StoreImageWriter implements AutoCloseable
{
    /** The size of an image segment (except one holding a single larger record). */
    public static final int SEGMENT_BYTES = 4 << 20;
    /** A block of arena records. */
    public static final int KIND_SEGMENT = 1;
    /** A key space's hash-index array. */
    public static final int KIND_HASH = 2;
    private static final long SEGMENT_MAGIC = 0x3147455353434541L; // "AECSSEG1" in native little-endian order
    private static final int PAGE = 4096;
    private static final int MIN_HASH_SLOTS = 1024;
    private static final long ADDRESS_MASK = (1L << 48) - 1;

    /**
     * One block of the image.
     *
     * @param kind     {@link #KIND_SEGMENT} or {@link #KIND_HASH}.
     * @param position its offset in the file.
     * @param length   its length in bytes (a multiple of the page size).
     * @param crc      CRC32C of its bytes.
     */
    public record Block(int kind, long position, int length, int crc)
    {
    }

    /**
     * A key space as written.
     *
     * @param head      the address of its head record.
     * @param topLevel  the highest level of its skip list.
     * @param hashBlock the index (in {@link #blocks()}) of its hash-index array.
     * @param live      keys written.
     * @param bytes     bytes of its records (key records and versions, 16-byte blocks).
     */
    public record KeySpaceRecord(long head, int topLevel, int hashBlock, long live, long bytes)
    {
    }

    /**
     * Paces the image's writes: called on the I/O thread before each write of a segment's or hash array's bytes (at
     * most {@value #WRITE_PIECE} of them), it may wait before the write goes ahead.
     */
    @FunctionalInterface
    public interface Pacer
    {
        /** A pacer that never waits. */
        Pacer NONE = bytes -> { };

        /**
         * @param bytes the length of the write about to be issued.
         * @throws InterruptedIOException when the I/O thread is interrupted while it waits.
         */
        void beforeWrite(int bytes) throws InterruptedIOException;
    }

    /** Makes what was written so far durable (the checkpointer's fsync, with its failure handling). */
    @FunctionalInterface
    public interface Flusher
    {
        /** @throws IOException when the fsync fails. */
        void flush() throws IOException;
    }

    /**
     * Written bytes after which the image is flushed, so a WAL fsync never waits behind a whole image's writeback
     * (only when the image goes through the page cache: a direct channel leaves no dirty pages behind).
     */
    static final long FLUSH_EVERY_BYTES = 16L << 20;
    /**
     * The longest single write of segment or hash array bytes. Through a direct channel, a write's requests are all
     * queued on the device at once, and a WAL sync issued meanwhile waits behind them: a 4 MiB write in one call
     * doubled a durable commit's p99 during a checkpoint; in pieces of 256 KiB it waits for at most one.
     */
    public static final int WRITE_PIECE = 256 << 10;
    /** Keys written between two yields of the core (a power of two). */
    private static final int YIELD_EVERY_KEYS = 64;
    /** Key records gathered (with their versions) before any is copied. */
    private static final int READ_BATCH = 32;
    /** Staging segments: one being filled, one held for links into it, one being written. */
    private static final int STAGING_SEGMENTS = 3;
    /** Hash-array slots per bucket of the counting sort that makes the array's build sweep it in order. */
    private static final int SLOTS_PER_BUCKET_SHIFT = 11;
    /** Hash arrays waiting for the I/O thread beyond which the next one waits for them to be written. */
    private static final long MAX_PENDING_HASH_BYTES = 64L << 20;

    private final FileChannel channel;
    /** Where segments and hash arrays go: {@link #channel} itself, or the same file opened for direct I/O. */
    private final FileChannel bulk;
    private final Flusher flusher;
    private final Pacer pacer;
    /** I/O thread: a write through {@link #bulk} failed, so the rest of the image goes through {@link #channel}. */
    private boolean bulkFailed;
    private final IoLane io;
    /** Bytes of hash arrays handed to the I/O thread and not yet written (segments are bounded by the staging pool). */
    private final AtomicLong pendingHashBytes = new AtomicLong();
    private long unflushed;
    private final List<Block> blocks = new ArrayList<>();
    private final List<Integer> segmentBlocks = new ArrayList<>();
    /** Per segment handed to the I/O thread: its CRC32C as handed over, and how the later links change it. */
    private final List<SegmentCrc> segmentCrcs = new ArrayList<>();
    /** Per hash array handed to the I/O thread: its block's index and its CRC32C (set there). */
    private final List<Integer> hashBlocks = new ArrayList<>();
    private final List<SegmentCrc> hashCrcs = new ArrayList<>();
    private final ArrayBlockingQueue<UnsafeBuffer> pool = new ArrayBlockingQueue<>(STAGING_SEGMENTS);
    private final long[] last = new long[MAX_LEVEL];
    private final CRC32C crc = new CRC32C();
    /** The segment being filled, its index and the bytes of it used. */
    private UnsafeBuffer current;
    private int currentIndex = -1;
    private int used;
    /** The previous segment, complete but not yet handed to the I/O thread: links into it are still likely. */
    private UnsafeBuffer held;
    private int heldIndex = -1;
    private int heldUsed;
    private long position;
    private long recordBytes;
    private final AtomicLong progress;
    /** (hash, address) per key of the key space being written; grown by doubling, freed at {@link #close()}. */
    private OffHeap.Allocation pairMemory = OffHeap.allocate(16 * 4096, 64);
    private UnsafeBuffer pairs = pairMemory.buffer();
    private int pairCount;
    private final long[] batchNodes = new long[READ_BATCH];
    private final long[] batchVersions = new long[READ_BATCH];
    /** Keeps the batch's version loads from being optimised away. */
    long sink;

    /**
     * @param channel  the image file, open for writing.
     * @param position where the first block goes (page-aligned).
     */
    public StoreImageWriter(final FileChannel channel, final long position)
    {
        this(channel, position, () -> { });
    }

    /**
     * @param flusher called after every {@value #FLUSH_EVERY_BYTES} bytes written: on file systems that write back in
     *                journal order (ext4 data=ordered), a WAL fsync during the checkpoint would otherwise wait for
     *                the whole image's dirty pages. It runs on the writer's I/O thread, overlapping what follows.
     */
    public StoreImageWriter(final FileChannel channel, final long position, final Flusher flusher)
    {
        this(channel, position, flusher, new AtomicLong());
    }

    /**
     * @param progress set to {@link #recordBytes()} every {@value #YIELD_EVERY_KEYS} keys (a release store), so that
     *                 another thread can see how far the image has come.
     */
    public StoreImageWriter(final FileChannel channel, final long position, final Flusher flusher, final AtomicLong progress)
    {
        this(channel, channel, position, flusher, progress, Pacer.NONE);
    }

    /**
     * @param channel  the image file, open for writing: the rare later links (8 bytes into a segment already written)
     *                 go through it.
     * @param bulk     where the segments and hash arrays are written: {@code channel}, or the same file opened with
     *                 {@code O_DIRECT} (every block is page-aligned, a multiple of the page size long and written from
     *                 page-aligned memory). A direct channel puts the bytes on the device as they are written instead of
     *                 in dirty pages that the next fsync (the image's or, on a file system that journals in order, the
     *                 WAL's) pushes out in one burst, and it is not flushed every {@value #FLUSH_EVERY_BYTES}.
     * @param position where the first block goes (page-aligned).
     * @param flusher  see {@link #StoreImageWriter(FileChannel, long, Flusher)}; not called when {@code bulk} is a
     *                 channel of its own.
     * @param progress see {@link #StoreImageWriter(FileChannel, long, Flusher, AtomicLong)}.
     * @param pacer    called before each write of at most {@value #WRITE_PIECE} bytes to {@code bulk}, on the I/O
     *                 thread.
     */
    public StoreImageWriter(final FileChannel channel, final FileChannel bulk, final long position, final Flusher flusher,
        final AtomicLong progress, final Pacer pacer)
    {
        this.progress = progress;
        this.channel = channel;
        this.bulk = bulk;
        this.pacer = pacer;
        this.position = position;
        this.flusher = flusher;
        for (int i = 0; i < STAGING_SEGMENTS; i++)
        {
            pool.add(new UnsafeBuffer(BufferUtil.allocateDirectAligned(SEGMENT_BYTES, PAGE)));
        }
        this.io = new IoLane();
    }

    /** @return the blocks written so far, in file order of their indexes. */
    public List<Block> blocks()
    {
        return blocks;
    }

    /** @return the end of what was written (page-aligned). */
    public long position()
    {
        return position;
    }

    /** @return bytes of the records written (key records and versions), the store bytes the image holds. */
    public long recordBytes()
    {
        return recordBytes;
    }

    /**
     * Writes {@code keySpace} as it is at {@code seq}: every key whose newest version at or below {@code seq} is not a
     * tombstone, with that version. The caller holds a reader slot
     * pinned at {@code seq} for the whole write, so nothing it reads is reclaimed under it.
     *
     * @return where the key space is in the image.
     * @throws IOException when a write fails (the file is then abandoned by the caller).
     */
    public KeySpaceRecord write(final KeySpace keySpace, final long seq) throws IOException
    {
        final long bytesBefore = recordBytes;
        final int headSize = Arena.blockSize(NodeDescriptor.nodeSize(MAX_LEVEL, 0));
        final long head = reserve(headSize);
        final UnsafeBuffer hb = current; // reserve() just placed it there
        final int ho = Arena.offset(head);
        hb.putLong(ho + CHAIN_OFFSET, 0);
        hb.putInt(ho + KEY_LENGTH_OFFSET, 0);
        hb.putInt(ho + LEVEL_OFFSET, MAX_LEVEL);
        for (int i = 0; i < MAX_LEVEL; i++)
        {
            hb.putLong(ho + NEXT_OFFSET + 8 * i, 0);
            last[i] = head;
        }
        recordBytes += headSize;
        pairCount = 0;
        int topLevel = 1;
        long live = 0;
        long node = keySpace.first();
        while (node != 0)
        {
            // Gather a batch first: the walk along the level-0 links is a chain of dependent loads, one cache miss per
            // key record at random insertion order, but the load of each record's version depends only on its record,
            // so in this short loop it is in flight together with the next record's. The copy below then finds both in
            // cache; with the copy in the same loop, its length kept the two misses apart (JFR: the read was bound by
            // the record and payload loads). Measured: the read's thread CPU time 9% lower (medians of three
            // interleaved runs at 1 M keys); walking eight skip-list spans side by side as well gained nothing more.
            int batch = 0;
            long touched = 0;
            while (node != 0 && batch < READ_BATCH)
            {
                final long version = keySpace.versionAt(node, seq);
                if (version != 0)
                {
                    batchNodes[batch] = node;
                    batchVersions[batch] = version;
                    batch++;
                    final int length = keySpace.payloadLength(version);
                    final int keyLength = keySpace.keyLength(node);
                    touched += keyLength == 0 ? 0 : keySpace.keyBuffer(node).getByte(keySpace.keyOffset(node) + keyLength - 1);
                    touched += length == 0 ? 0
                        : keySpace.payloadBuffer(version).getByte(keySpace.payloadOffset(version) + length - 1);
                }
                node = keySpace.next(node);
            }
            sink += touched;
            for (int k = 0; k < batch; k++)
            {
                final int level = copy(keySpace, batchNodes[k], batchVersions[k]);
                if (level == 0)
                {
                    continue;
                }
                topLevel = Math.max(topLevel, level);
                live++;
                if ((live & (YIELD_EVERY_KEYS - 1)) == 0)
                {
                    progress.lazySet(recordBytes);
                    // Background work: give the core to a commit waiting for one (on 2 cores a woken sequencer
                    // otherwise waits behind this thread and the I/O thread; measured: commit p99.9 during a checkpoint
                    // 2.8 ms without, 0.4-0.7 ms with, twice the commits per second), at ~0.5 us a call when nothing
                    // waits.
                    Thread.yield();
                }
            }
        }
        final int hashBlock = writeHashArray(live);
        return new KeySpaceRecord(head, topLevel, hashBlock, live, recordBytes - bytesBefore);
    }

    /**
     * Copies one key record and its version into the image, links it at each of its levels and records its hash.
     *
     * @return the key record's level, or 0 when the version is a tombstone (nothing is copied).
     */
    private int copy(final KeySpace keySpace, final long node, final long version) throws IOException
    {
        if (keySpace.isTombstone(version))
        {
            return 0;
        }
        final UnsafeBuffer nb = keySpace.keyBuffer(node);
        final int no = Arena.offset(node);
        final int level = nb.getInt(no + LEVEL_OFFSET);
        final int keyLength = nb.getInt(no + KEY_LENGTH_OFFSET);
        final int payloadLength = keySpace.payloadLength(version);
        final int nodeBlock = Arena.blockSize(NodeDescriptor.nodeSize(level, keyLength));
        final int versionBlock = Arena.blockSize(VersionDescriptor.recordSize(payloadLength));
        final long at = reserve(nodeBlock + versionBlock);
        final long versionAt = at + nodeBlock;
        final UnsafeBuffer b = current;
        final int o = Arena.offset(at);
        b.putLong(o + CHAIN_OFFSET, versionAt);
        b.putInt(o + KEY_LENGTH_OFFSET, keyLength);
        b.putInt(o + LEVEL_OFFSET, level);
        for (int i = 0; i < level; i++)
        {
            b.putLong(o + NEXT_OFFSET + 8 * i, 0);
        }
        b.putBytes(o + NodeDescriptor.keyOffset(level), nb, no + NodeDescriptor.keyOffset(level), keyLength);
        final int vo = o + nodeBlock;
        b.putLong(vo + VersionDescriptor.SEQ_OFFSET, keySpace.versionSeq(version));
        b.putLong(vo + VersionDescriptor.NEXT_OFFSET, 0);
        b.putInt(vo + VersionDescriptor.FLAGS_OFFSET, 0);
        b.putInt(vo + VersionDescriptor.LENGTH_OFFSET, payloadLength);
        if (payloadLength > 0)
        {
            b.putBytes(vo + VersionDescriptor.PAYLOAD_OFFSET, keySpace.payloadBuffer(version), keySpace.payloadOffset(version),
                payloadLength);
        }
        for (int i = 0; i < level; i++)
        {
            link(last[i], i, at);
            last[i] = at;
        }
        addPair(HashIndex.hash(b, o + NodeDescriptor.keyOffset(level), keyLength), at);
        recordBytes += nodeBlock + versionBlock;
        return level;
    }

    private void addPair(final long hash, final long address)
    {
        if ((pairCount + 1) * 16L > pairs.capacity())
        {
            final OffHeap.Allocation bigger = OffHeap.allocate(pairs.capacity() * 2, 64);
            OffHeap.copy(pairs.addressOffset(), bigger.buffer().addressOffset(), pairCount * 16L);
            pairMemory.free();
            pairMemory = bigger;
            pairs = bigger.buffer();
        }
        pairs.putLong(pairCount * 16, hash);
        pairs.putLong(pairCount * 16 + 8, address);
        pairCount++;
    }

    private int writeHashArray(final long live) throws IOException
    {
        int slots = MIN_HASH_SLOTS;
        while (slots * 3L < live * 8) // at most 3/8 full: the live index queues its next array at 3/8 and grows at 1/2
        {
            slots <<= 1;
        }
        // OffHeap, not allocateDirect, for this array and the sorted pairs: a direct buffer's zeroing in one call
        // holds up every safepoint (171 ms for the 128 MiB array of a 4 M-key store stalled every commit)
        final OffHeap.Allocation memory = OffHeap.allocateZeroed(slots * 8, PAGE);
        final UnsafeBuffer table = memory.buffer();
        final int mask = slots - 1;
        // Inserting in key order would touch the array at random (a cache and TLB miss per key at 1 M keys); a counting
        // sort of the pairs by their home slot's bucket first makes the insertion sweep the array in order. Linear
        // probing gives a valid table in any insertion order.
        final int bucketShift = Math.max(0, Integer.numberOfTrailingZeros(slots) - SLOTS_PER_BUCKET_SHIFT);
        final int buckets = slots >>> bucketShift;
        final int[] starts = new int[buckets + 1];
        for (int p = 0; p < pairCount; p++)
        {
            starts[(((int)pairs.getLong(p * 16) & mask) >>> bucketShift) + 1]++;
        }
        for (int b = 0; b < buckets; b++)
        {
            starts[b + 1] += starts[b];
        }
        final OffHeap.Allocation sortedMemory = OffHeap.allocate(Math.max(16, pairCount * 16), 64);
        final UnsafeBuffer sorted = sortedMemory.buffer();
        for (int p = 0; p < pairCount; p++)
        {
            final long h = pairs.getLong(p * 16);
            final int to = starts[((int)h & mask) >>> bucketShift]++;
            sorted.putLong(to * 16, h);
            sorted.putLong(to * 16 + 8, pairs.getLong(p * 16 + 8));
        }
        for (int p = 0; p < pairCount; p++)
        {
            final long h = sorted.getLong(p * 16);
            int i = (int)h & mask;
            while (table.getLong(i << 3) != 0)
            {
                i = (i + 1) & mask;
            }
            table.putLong(i << 3, (h & ~ADDRESS_MASK) | sorted.getLong(p * 16 + 8));
        }
        sortedMemory.free();
        final long at = position;
        final long bytes = slots * 8L;
        if (pendingHashBytes.get() + bytes > MAX_PENDING_HASH_BYTES)
        {
            io.drain(); // many key spaces in one segment could otherwise queue their arrays without bound
        }
        pendingHashBytes.addAndGet(bytes);
        final SegmentCrc c = new SegmentCrc(slots * 8);
        hashCrcs.add(c);
        hashBlocks.add(blocks.size());
        // the I/O thread takes the CRC32C as it writes (through a direct buffer: a file write needs one), then frees
        io.submit(() -> c.handedOver = io.writeFrom(table, this::writeBulk, at), () ->
        {
            memory.free();
            pendingHashBytes.addAndGet(-bytes);
        });
        countWritten(bytes);
        blocks.add(new Block(KIND_HASH, position, slots * 8, 0)); // its CRC once the I/O thread has written it
        position += slots * 8L;
        return blocks.size() - 1;
    }

    /** Links {@code from}'s next pointer at {@code level} to {@code to}, in a staged segment or in the file. */
    private void link(final long from, final int level, final long to) throws IOException
    {
        final int segment = (int)(from >>> 32);
        final int offset = Arena.offset(from) + NEXT_OFFSET + 8 * level;
        if (segment == currentIndex)
        {
            current.putLong(offset, to);
            return;
        }
        if (segment == heldIndex)
        {
            held.putLong(offset, to);
            return;
        }
        // The segment was handed to the I/O thread, which writes in order: the patch lands after the segment. The slot
        // held 0 (each slot is linked once), and the segment's CRC moves with the patch (Crc32cPatch).
        final long at = blocks.get(segmentBlocks.get(segment)).position() + offset;
        final SegmentCrc c = segmentCrcs.get(segment);
        c.patches ^= Crc32cPatch.delta(0, to, c.length - offset - 8L);
        io.check();
        io.submit(() ->
        {
            final ByteBuffer patch = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            patch.putLong(0, to);
            writeFully(channel, patch, at);
        });
    }

    /** @return the address of {@code size} bytes in the current segment, starting a new one if they do not fit. */
    private long reserve(final int size) throws IOException
    {
        if (current == null || used + size > current.capacity())
        {
            if (current != null)
            {
                dispatchHeld();
                held = current;
                heldIndex = currentIndex;
                heldUsed = used;
            }
            currentIndex = segmentBlocks.size();
            segmentBlocks.add(-1); // its block index is known when it is handed to the I/O thread
            if (Arena.SEGMENT_HEADER_LENGTH + size > SEGMENT_BYTES)
            {
                final int length = (Arena.SEGMENT_HEADER_LENGTH + size + PAGE - 1) & -PAGE;
                current = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, PAGE));
            }
            else
            {
                current = takeStaging();
            }
            current.putLong(0, SEGMENT_MAGIC);
            current.putInt(8, 1);
            current.putInt(12, currentIndex);
            used = Arena.SEGMENT_HEADER_LENGTH;
        }
        final long address = ((long)currentIndex << 32) | used;
        used += size;
        return address;
    }

    private UnsafeBuffer takeStaging() throws IOException
    {
        io.check();
        try
        {
            return pool.take(); // the I/O thread gives every buffer back, also after a failure
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing a checkpoint image");
        }
    }

    /** Hands the held segment to the I/O thread, at the next position of the file. */
    private void dispatchHeld() throws IOException
    {
        if (held == null)
        {
            return;
        }
        final UnsafeBuffer buffer = held;
        final int length = (heldUsed + PAGE - 1) & -PAGE;
        final long at = position;
        segmentBlocks.set(heldIndex, blocks.size());
        blocks.add(new Block(KIND_SEGMENT, position, length, 0)); // its CRC once every link into it is known
        final SegmentCrc c = new SegmentCrc(length);
        segmentCrcs.add(c); // segments are handed over in index order
        position += length;
        held = null;
        heldIndex = -1;
        io.check();
        io.submit(() ->
        {
            final ByteBuffer bytes = buffer.byteBuffer().duplicate();
            bytes.clear().limit(length);
            c.handedOver = io.crc(bytes.duplicate());
            writeBulk(bytes, at);
        }, () ->
        {
            if (buffer.capacity() == SEGMENT_BYTES)
            {
                OffHeap.zero(buffer.addressOffset(), length); // a direct buffer: its address is its memory's
                pool.add(buffer);
            }
        });
        countWritten(length);
    }

    /** Counts bytes handed to the I/O thread and queues an fsync after every {@value #FLUSH_EVERY_BYTES}. */
    private void countWritten(final long bytes)
    {
        if (bulk != channel)
        {
            return;
        }
        unflushed += bytes;
        if (unflushed >= FLUSH_EVERY_BYTES)
        {
            unflushed = 0;
            io.submit(flusher::flush);
        }
    }

    /**
     * Writes what is still staged, waits for the I/O thread, and completes the segments' CRC32Cs: each was taken as
     * the segment was handed to the I/O thread and moved with every link written into it later ({@link Crc32cPatch}),
     * so nothing is read back.
     *
     * @return every block, in index order; segment {@code i} of the image is the i-th block of kind
     *         {@link #KIND_SEGMENT}.
     * @throws IOException the first failure of a write or fsync, whichever thread met it.
     */
    public List<Block> finish() throws IOException
    {
        dispatchHeld();
        if (current != null)
        {
            held = current;
            heldIndex = currentIndex;
            heldUsed = used;
            current = null;
            currentIndex = -1;
            dispatchHeld();
        }
        io.drain(); // also makes the I/O thread's CRCs visible here
        for (int segment = 0; segment < segmentCrcs.size(); segment++)
        {
            final int i = segmentBlocks.get(segment);
            final Block b = blocks.get(i);
            final SegmentCrc c = segmentCrcs.get(segment);
            blocks.set(i, new Block(b.kind(), b.position(), b.length(), c.handedOver ^ c.patches));
        }
        for (int k = 0; k < hashBlocks.size(); k++)
        {
            final int i = hashBlocks.get(k);
            final Block b = blocks.get(i);
            blocks.set(i, new Block(b.kind(), b.position(), b.length(), hashCrcs.get(k).handedOver));
        }
        return blocks;
    }

    /**
     * I/O thread: writes segment or hash array bytes (all of {@code bytes}' remaining ones, the first at {@code at})
     * through {@link #bulk}, in
     * pieces of at most {@value #WRITE_PIECE}, each after the {@link #pacer} let it go. A direct write that fails (a
     * file system that opens {@code O_DIRECT} but refuses the writes) is written again through the page cache, and so
     * is everything after it in this image: a real I/O error shows there again (a full disk as ENOSPC, a device error
     * at the fsync at the latest), while a direct path that does not work costs the image nothing.
     */
    private void writeBulk(final ByteBuffer bytes, final long at) throws IOException
    {
        final int start = bytes.position();
        final int end = bytes.limit();
        for (int from = start; from < end; from += WRITE_PIECE)
        {
            final int n = Math.min(WRITE_PIECE, end - from);
            pacer.beforeWrite(n);
            bytes.limit(from + n).position(from);
            writePiece(bytes, at + (from - start));
        }
    }

    private void writePiece(final ByteBuffer bytes, final long at) throws IOException
    {
        if (bulk != channel && !bulkFailed)
        {
            final int start = bytes.position();
            try
            {
                writeFully(bulk, bytes, at);
                return;
            }
            catch (final IOException ex)
            {
                bulkFailed = true;
                System.getLogger(StoreImageWriter.class.getName()).log(System.Logger.Level.WARNING,
                    "a direct write of the checkpoint image failed (" + ex + "); the rest of this image goes through the page cache");
                bytes.position(start);
            }
        }
        writeFully(channel, bytes, at);
    }

    private static void writeFully(final FileChannel to, final ByteBuffer bytes, final long at) throws IOException
    {
        long p = at;
        while (bytes.hasRemaining())
        {
            p += to.write(bytes, p);
        }
    }

    /** A segment's CRC32C: as handed to the I/O thread (set there), and the xor of its later links' changes. */
    private static final class SegmentCrc
    {
        final int length;
        int handedOver;
        int patches;

        SegmentCrc(final int length)
        {
            this.length = length;
        }
    }

    /** A positional write of all of a buffer's remaining bytes, run on the I/O thread. */
    @FunctionalInterface
    private interface BulkWrite
    {
        void write(ByteBuffer bytes, long at) throws IOException;
    }

    /** A file write or fsync, run on the I/O thread. */
    @FunctionalInterface
    private interface IoTask
    {
        void run() throws IOException;
    }

    /**
     * The writer's I/O thread: runs writes and fsyncs in the order they were submitted, so that segment writes and
     * fsyncs overlap the reading of the next keys. After the first failure it skips what follows (returning staging
     * buffers still); the failure is rethrown on the writer's thread by {@link #check()} and {@link #drain()}.
     */
    private static final class IoLane
    {
        private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "aedb-checkpoint-io");
            t.setDaemon(true);
            return t;
        });
        private volatile Throwable failure;
        private final CRC32C crc = new CRC32C();
        private ByteBuffer scratch;

        /**
         * I/O thread: writes {@code source} at {@code at}, {@value #WRITE_PIECE} bytes at a time through a page-aligned
         * direct buffer of its own (a file write needs a ByteBuffer, a direct channel page-aligned memory, and copying
         * in pieces keeps safepoints reachable).
         *
         * @return the CRC32C of what it wrote.
         */
        int writeFrom(final UnsafeBuffer source, final BulkWrite channel, final long at) throws IOException
        {
            if (scratch == null)
            {
                scratch = BufferUtil.allocateDirectAligned(WRITE_PIECE, PAGE);
            }
            crc.reset();
            final long scratchAddress = BufferUtil.address(scratch);
            for (int done = 0; done < source.capacity(); done += WRITE_PIECE)
            {
                final int n = Math.min(WRITE_PIECE, source.capacity() - done);
                OffHeap.copy(source.addressOffset() + done, scratchAddress, n);
                scratch.clear().limit(n);
                crc.update(scratch.duplicate());
                channel.write(scratch, at + done);
            }
            return (int)crc.getValue();
        }

        /** I/O thread: the CRC32C of {@code bytes}' remaining bytes. */
        int crc(final ByteBuffer bytes)
        {
            crc.reset();
            crc.update(bytes);
            return (int)crc.getValue();
        }

        void submit(final IoTask task)
        {
            submit(task, () -> { });
        }

        /** @param after runs after {@code task} in every case, also when it was skipped or failed. */
        void submit(final IoTask task, final Runnable after)
        {
            executor.execute(() ->
            {
                try
                {
                    if (failure == null)
                    {
                        task.run();
                    }
                }
                catch (final Throwable t)
                {
                    if (failure == null)
                    {
                        failure = t;
                    }
                }
                finally
                {
                    after.run();
                }
            });
        }

        void check() throws IOException
        {
            final Throwable t = failure;
            if (t instanceof IOException io)
            {
                throw io;
            }
            if (t instanceof RuntimeException r)
            {
                throw r;
            }
            if (t instanceof Error e)
            {
                throw e;
            }
            if (t != null)
            {
                throw new IOException(t);
            }
        }

        /** Waits until everything submitted ran, then rethrows the first failure. */
        void drain() throws IOException
        {
            final CountDownLatch done = new CountDownLatch(1);
            executor.execute(done::countDown);
            try
            {
                done.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing a checkpoint image");
            }
            check();
        }

        /** Stops the thread once what was submitted ran (a failure after the writer gave up is of no interest). */
        void close()
        {
            executor.shutdown();
            boolean interrupted = false;
            while (true)
            {
                try
                {
                    if (executor.awaitTermination(1, TimeUnit.MINUTES))
                    {
                        break;
                    }
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits for the I/O thread to finish what it was given (the caller closes the file after this) and stops it. */
    @Override
    public void close()
    {
        io.close();
        current = null;
        held = null;
        pairMemory.free();
    }
}
