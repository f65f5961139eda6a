package dev.aedb.store;

import org.agrona.BufferUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
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
 * spaces with the reader-side methods only, while the sequencer goes on committing. Off-heap staging: one segment and
 * one hash array at a time, and 16 bytes per key of the key space being written; the heap use does not grow with the
 * number of keys.
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

    /** Makes what was written so far durable (the checkpointer's fsync, with its failure handling). */
    @FunctionalInterface
    public interface Flusher
    {
        /** @throws IOException when the fsync fails. */
        void flush() throws IOException;
    }

    /** Written bytes after which the image is flushed, so a WAL fsync never waits behind a whole image's writeback. */
    static final long FLUSH_EVERY_BYTES = 16L << 20;

    private final FileChannel channel;
    private final Flusher flusher;
    private long unflushed;
    private final List<Block> blocks = new ArrayList<>();
    private final List<Integer> segmentBlocks = new ArrayList<>();
    private final ByteBuffer stagingMemory = BufferUtil.allocateDirectAligned(SEGMENT_BYTES, PAGE);
    private final UnsafeBuffer staging = new UnsafeBuffer(stagingMemory);
    private final ByteBuffer patch = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long[] last = new long[MAX_LEVEL];
    private final CRC32C crc = new CRC32C();
    private UnsafeBuffer oversized;
    private UnsafeBuffer current;
    private int currentIndex = -1;
    private int used;
    private long position;
    private long recordBytes;
    private UnsafeBuffer pairs = new UnsafeBuffer(BufferUtil.allocateDirectAligned(16 * 4096, 64));
    private int pairCount;

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
     *                the whole image's dirty pages.
     */
    public StoreImageWriter(final FileChannel channel, final long position, final Flusher flusher)
    {
        this.channel = channel;
        this.position = position;
        this.flusher = flusher;
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
        for (long node = keySpace.first(); node != 0; node = keySpace.next(node))
        {
            final long version = keySpace.versionAt(node, seq);
            if (version == 0 || keySpace.isTombstone(version))
            {
                continue;
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
            topLevel = Math.max(topLevel, level);
            addPair(HashIndex.hash(b, o + NodeDescriptor.keyOffset(level), keyLength), at);
            recordBytes += nodeBlock + versionBlock;
            live++;
        }
        final int hashBlock = writeHashArray(live);
        return new KeySpaceRecord(head, topLevel, hashBlock, live, recordBytes - bytesBefore);
    }

    private void addPair(final long hash, final long address)
    {
        if ((pairCount + 1) * 16L > pairs.capacity())
        {
            final UnsafeBuffer bigger = new UnsafeBuffer(BufferUtil.allocateDirectAligned(pairs.capacity() * 2, 64));
            bigger.putBytes(0, pairs, 0, pairCount * 16);
            pairs = bigger; // the old buffer's memory goes with its ByteBuffer
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
        final ByteBuffer memory = BufferUtil.allocateDirectAligned(slots * 8, PAGE); // comes zeroed
        final UnsafeBuffer table = new UnsafeBuffer(memory);
        final int mask = slots - 1;
        for (int p = 0; p < pairCount; p++)
        {
            final long h = pairs.getLong(p * 16);
            final long address = pairs.getLong(p * 16 + 8);
            int i = (int)h & mask;
            while (table.getLong(i << 3) != 0)
            {
                i = (i + 1) & mask;
            }
            table.putLong(i << 3, (h & ~ADDRESS_MASK) | address);
        }
        crc.reset();
        crc.update(memory.duplicate().clear());
        final int value = (int)crc.getValue();
        writeFully(memory.duplicate().clear(), position);
        blocks.add(new Block(KIND_HASH, position, slots * 8, value));
        position += slots * 8L;
        return blocks.size() - 1;
    }

    /** Links {@code from}'s next pointer at {@code level} to {@code to}, in the staging segment or in the file. */
    private void link(final long from, final int level, final long to) throws IOException
    {
        final int segment = (int)(from >>> 32);
        final int offset = Arena.offset(from) + NEXT_OFFSET + 8 * level;
        if (segment == currentIndex)
        {
            current.putLong(offset, to);
            return;
        }
        patch.clear();
        patch.putLong(0, to);
        writeFully(patch, blocks.get(segmentBlocks.get(segment)).position() + offset);
    }

    /** @return the address of {@code size} bytes in the current segment, starting a new one if they do not fit. */
    private long reserve(final int size) throws IOException
    {
        if (current == null || used + size > current.capacity())
        {
            flushSegment();
            currentIndex = segmentBlocks.size();
            segmentBlocks.add(-1); // its block index is known when it is flushed
            if (Arena.SEGMENT_HEADER_LENGTH + size > SEGMENT_BYTES)
            {
                final int length = (Arena.SEGMENT_HEADER_LENGTH + size + PAGE - 1) & -PAGE;
                oversized = new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, PAGE));
                current = oversized;
            }
            else
            {
                current = staging;
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

    private void flushSegment() throws IOException
    {
        if (current == null)
        {
            return;
        }
        final int length = (used + PAGE - 1) & -PAGE;
        final ByteBuffer bytes = current.byteBuffer().duplicate();
        bytes.clear().limit(length);
        writeFully(bytes, position);
        segmentBlocks.set(currentIndex, blocks.size());
        blocks.add(new Block(KIND_SEGMENT, position, length, 0)); // its CRC once every link into it is written
        position += length;
        if (current == staging)
        {
            staging.setMemory(0, length, (byte)0);
        }
        current = null;
        oversized = null;
    }

    /**
     * Writes what is still staged and computes the segments' CRC32Cs (read back: links into a segment are written
     * until the last key of its key space).
     *
     * @return every block, in index order; segment {@code i} of the image is the i-th block of kind
     *         {@link #KIND_SEGMENT}.
     */
    public List<Block> finish() throws IOException
    {
        flushSegment();
        currentIndex = -1;
        for (int i = 0; i < blocks.size(); i++)
        {
            final Block b = blocks.get(i);
            if (b.kind() == KIND_SEGMENT)
            {
                final MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, b.position(), b.length());
                try
                {
                    crc.reset();
                    crc.update(m);
                    blocks.set(i, new Block(b.kind(), b.position(), b.length(), (int)crc.getValue()));
                }
                finally
                {
                    IoUtil.unmap(m);
                }
            }
        }
        return blocks;
    }

    private void writeFully(final ByteBuffer bytes, final long at) throws IOException
    {
        long p = at;
        while (bytes.hasRemaining())
        {
            final int n = channel.write(bytes, p);
            p += n;
            unflushed += n;
        }
        if (unflushed >= FLUSH_EVERY_BYTES)
        {
            unflushed = 0;
            flusher.flush();
        }
    }

    @Override
    public void close()
    {
        current = null;
        oversized = null;
    }
}
