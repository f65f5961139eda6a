package dev.aedb.store;

import dev.aedb.model.AedbException;
import dev.aedb.model.ErrorCode;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Off-heap memory for version records and index nodes: fixed-size segment files, each written with zeros to its
 * full length before it is mapped (a sparse mapping on a full disk would raise SIGBUS on first touch; a
 * pre-written one fails cleanly at creation instead), wrapped in Agrona {@link UnsafeBuffer}s.
 * <p>
 * An address is {@code segment << 32 | offset}; 0 is never a valid address (every segment starts with a
 * {@link #SEGMENT_HEADER_LENGTH}-byte header). Blocks are 16-byte aligned and never span segments. Freed blocks go
 * to per-size-class free lists (exact 16-byte classes up to 2 KiB, powers of two above) and are reused first.
 * <p>
 * Threading: {@link #allocate} and {@link #free} are called by the single writer thread only; {@link #buffer}
 * and {@link #offset} by any thread. The next segment is created ahead of need by the store's
 * {@link PreparationAgent}.
 */
final class Arena implements AutoCloseable
{
    public static final int SEGMENT_HEADER_LENGTH = 64;
    public static final int ALIGNMENT = 16;
    private static final int SMALL_LIMIT = 2048;
    private static final int SMALL_CLASSES = SMALL_LIMIT / ALIGNMENT + 1;
    private static final int MAX_SEGMENTS = 65_535;
    private static final long SEGMENT_MAGIC = 0x3147455341424541L; // "AEBASEG1"

    private final Path directory;
    private final int segmentBytes;
    private final PreparationAgent preparer;
    private final List<FileChannel> channels = new ArrayList<>();
    private final List<MappedByteBuffer> mappings = new ArrayList<>();
    private final long[] freeHeads = new long[SMALL_CLASSES + 32];
    private volatile UnsafeBuffer[] segments = new UnsafeBuffer[0];
    /** The checkpoint image's blocks this arena starts from (segments 0..n-1, verified on first use), or empty. */
    private final ImageBlock[] image;
    private final long imageBytes;
    private final boolean readOnly;
    /** The next segment, queued for creation ahead of need by the preparation agent (writer thread field), or null. */
    private Preparation<Segment> nextSegment;
    private int bump;
    private long allocatedBytes;
    private long freeBytes;

    /**
     * @param directory    where segment files live; existing segment files are deleted (the arena is rebuilt from
     *                     the WAL at every open).
     * @param segmentBytes size of each segment, a power of two.
     * @param preparer     where the next segment is queued for creation ahead of need.
     */
    Arena(final Path directory, final int segmentBytes, final PreparationAgent preparer)
    {
        this(directory, segmentBytes, preparer, new ImageBlock[0], 0, false);
    }

    /**
     * A read-only arena over a checkpoint image's segments (mapped read-only): no files of its own, nothing to allocate.
     */
    static Arena imageOnly(final ImageBlock[] image, final long imageBytes)
    {
        return new Arena(image, imageBytes);
    }

    private Arena(final ImageBlock[] image, final long imageBytes)
    {
        this.image = image;
        this.imageBytes = imageBytes;
        this.allocatedBytes = imageBytes;
        this.segments = new UnsafeBuffer[image.length];
        this.directory = null;
        this.segmentBytes = 0;
        this.preparer = null;
        this.readOnly = true;
    }

    /**
     * An arena whose first segments are a checkpoint image's arena blocks, mapped copy-on-write: addresses written in
     * the image stay valid, segment {@code i} is {@code image[i]} (verified the first time anything touches it), and
     * new blocks are allocated in segments after them. Its first own segment is queued for the preparation agent, not
     * made here: an open does not wait for a segment's zero-fill (tens of ms for 64 MiB); the first allocation takes it.
     *
     * @param imageBytes the bytes of the image's blocks in use (they count as allocated).
     */
    Arena(final Path directory, final int segmentBytes, final PreparationAgent preparer, final ImageBlock[] image,
        final long imageBytes)
    {
        this(directory, segmentBytes, preparer, image, imageBytes, true);
    }

    private Arena(final Path directory, final int segmentBytes, final PreparationAgent preparer, final ImageBlock[] image,
        final long imageBytes, final boolean deferFirstSegment)
    {
        this.readOnly = false;
        this.image = image;
        this.imageBytes = imageBytes;
        this.allocatedBytes = imageBytes;
        this.segments = new UnsafeBuffer[image.length];
        this.directory = directory;
        this.segmentBytes = segmentBytes;
        this.preparer = preparer;
        try
        {
            Files.createDirectories(directory);
            try (var stream = Files.list(directory))
            {
                for (final Path p : (Iterable<Path>)stream::iterator)
                {
                    if (p.getFileName().toString().endsWith(".seg"))
                    {
                        Files.delete(p);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (deferFirstSegment)
        {
            bump = segmentBytes; // full: the first allocation adds the segment the agent prepared meanwhile
            prepareNextSegment();
        }
        else
        {
            addSegment();
        }
    }

    /** A created, zero-filled and mapped segment file, not yet part of the arena. */
    private record Segment(int index, Path file, FileChannel channel, MappedByteBuffer mapping)
    {
    }

    /** @return the buffer holding the block at {@code address}. */
    public UnsafeBuffer buffer(final long address)
    {
        final UnsafeBuffer b = segments[(int)(address >>> 32)];
        return b != null ? b : imageSegment((int)(address >>> 32));
    }

    /**
     * Any thread: the first touch of an image segment verifies it (CHECKPOINT_CORRUPT when it fails its CRC32C, so
     * none of its bytes is used) and publishes it.
     */
    private UnsafeBuffer imageSegment(final int index)
    {
        if (index >= image.length)
        {
            throw new IllegalStateException("no arena segment " + index);
        }
        final UnsafeBuffer b = image[index].verified();
        synchronized (this)
        {
            final UnsafeBuffer[] current = segments;
            if (current[index] == null)
            {
                final UnsafeBuffer[] next = current.clone();
                next[index] = b;
                segments = next;
            }
        }
        return b;
    }

    /** @return the image blocks this arena started from (segments 0..n-1). */
    ImageBlock[] image()
    {
        return image;
    }

    /** @return the offset of {@code address} inside its segment buffer. */
    public static int offset(final long address)
    {
        return (int)address;
    }

    /** @return the size a request of {@code size} bytes really occupies. */
    public static int blockSize(final int size)
    {
        if (size <= SMALL_LIMIT)
        {
            return (size + ALIGNMENT - 1) & -ALIGNMENT;
        }
        return 1 << (32 - Integer.numberOfLeadingZeros(size - 1));
    }

    private static int sizeClass(final int blockSize)
    {
        if (blockSize <= SMALL_LIMIT)
        {
            return blockSize / ALIGNMENT;
        }
        return SMALL_CLASSES + (31 - Integer.numberOfLeadingZeros(blockSize));
    }

    /**
     * @param size bytes needed, at most half a segment.
     * @return the address of a block of at least {@code size} bytes; its contents are undefined.
     * @throws AedbException DISK_FULL when a new segment cannot be created; the arena is unchanged then.
     */
    public long allocate(final int size)
    {
        if (readOnly)
        {
            throw new IllegalStateException("a checkpoint image read as it is allocates nothing");
        }
        final int block = blockSize(size);
        if (block > segmentBytes - SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("block of " + size + " bytes does not fit a segment of " + segmentBytes);
        }
        final int cls = sizeClass(block);
        final long head = freeHeads[cls];
        if (head != 0)
        {
            freeHeads[cls] = buffer(head).getLong(offset(head));
            freeBytes -= block;
            allocatedBytes += block;
            return head;
        }
        return bump(block);
    }

    /**
     * As {@link #allocate}, but always from the end of the newest segment, never from a free list: consecutive calls
     * return adjacent blocks (until a segment fills), which is what {@link KeySpace}'s relocation into key order needs.
     *
     * @param size bytes needed, at most half a segment.
     * @return the address of a block of at least {@code size} bytes; its contents are undefined.
     * @throws AedbException DISK_FULL when a new segment cannot be created; the arena is unchanged then.
     */
    long allocateFresh(final int size)
    {
        if (readOnly)
        {
            throw new IllegalStateException("a checkpoint image read as it is allocates nothing");
        }
        final int block = blockSize(size);
        if (block > segmentBytes - SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("block of " + size + " bytes does not fit a segment of " + segmentBytes);
        }
        return bump(block);
    }

    private long bump(final int block)
    {
        if (bump + block > segmentBytes)
        {
            addSegment();
        }
        else if (nextSegment == null && bump > segmentBytes >>> 1 && segments.length < MAX_SEGMENTS)
        {
            prepareNextSegment();
        }
        final long address = ((long)(segments.length - 1) << 32) | bump;
        bump += block;
        allocatedBytes += block;
        return address;
    }

    /**
     * @param address a block from {@link #allocate} that no reader can reach any more.
     * @param size    the size it was allocated with.
     */
    public void free(final long address, final int size)
    {
        final int block = blockSize(size);
        final int cls = sizeClass(block);
        buffer(address).putLong(offset(address), freeHeads[cls]);
        freeHeads[cls] = address;
        freeBytes += block;
        allocatedBytes -= block;
    }

    /** @return bytes in blocks currently allocated. */
    public long allocatedBytes()
    {
        return allocatedBytes;
    }

    /** @return bytes in blocks on the free lists. */
    public long freeBytes()
    {
        return freeBytes;
    }

    /** @return bytes of segment files on disk. */
    public long fileBytes()
    {
        return (long)(segments.length - image.length) * segmentBytes + imageBytes;
    }

    /**
     * Writer thread: queues the creation of the next segment for the preparation agent, so that the writer does not
     * stall for the zero-fill of a whole segment (about 100-200 ms for 64 MiB on the test machines) when the current
     * one runs out. If the agent has not started it by then (or the queue was full), the writer creates it inline.
     */
    private void prepareNextSegment()
    {
        final int index = segments.length;
        nextSegment = new Preparation<>(() -> createSegment(index));
        preparer.submit(nextSegment);
    }

    private void addSegment()
    {
        final int index = segments.length;
        if (index >= MAX_SEGMENTS)
        {
            throw new IllegalStateException("arena is full: " + MAX_SEGMENTS + " segments");
        }
        Segment segment = null;
        final Preparation<Segment> prepared = nextSegment;
        nextSegment = null;
        if (prepared != null)
        {
            try
            {
                // Usually done long ago; if under way, it is further along than a fresh start; null if never started.
                segment = prepared.take();
            }
            catch (final RuntimeException ex)
            {
                segment = null; // it cleaned up after itself; try once more here, which reports DISK_FULL if it fails
            }
        }
        if (segment == null)
        {
            try
            {
                segment = createSegment(index);
            }
            catch (final IOException ex)
            {
                // Nothing was changed (the half-made file is gone), so the caller can reject and carry on.
                throw new AedbException(ErrorCode.DISK_FULL, "cannot create store segment "
                    + directory.resolve(segmentName(index)) + " (" + ex.getMessage() + "); commit refused, nothing written", ex);
            }
        }
        channels.add(segment.channel());
        mappings.add(segment.mapping());
        synchronized (this) // an image segment may be published by a reader meanwhile
        {
            final UnsafeBuffer[] next = java.util.Arrays.copyOf(segments, index + 1);
            next[index] = new UnsafeBuffer(segment.mapping());
            segments = next;
        }
        bump = SEGMENT_HEADER_LENGTH;
    }

    private static String segmentName(final int index)
    {
        return String.format("arena-%06d.seg", index);
    }

    /** Any thread: creates, zero-fills and maps one segment file; on failure deletes it again and throws. */
    private Segment createSegment(final int index) throws IOException
    {
        final Path file = directory.resolve(segmentName(index));
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            long written = 0;
            while (written < segmentBytes)
            {
                zeros.clear();
                zeros.limit((int)Math.min(zeros.capacity(), segmentBytes - written));
                written += channel.write(zeros, written);
            }
            final MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentBytes);
            final UnsafeBuffer buffer = new UnsafeBuffer(mapping);
            buffer.putLong(0, SEGMENT_MAGIC);
            buffer.putInt(8, 1);
            buffer.putInt(12, index);
            return new Segment(index, file, channel, mapping);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            Files.deleteIfExists(file);
            throw ex;
        }
    }

    @Override
    public void close()
    {
        close(true);
    }

    /**
     * Deletes the segment files.
     *
     * @param unmap true to unmap at once (no reader may run any more); false to leave the mappings to the garbage
     *              collector, for when a reader may still hold a pointer.
     */
    public void close(final boolean unmap)
    {
        if (readOnly)
        {
            return; // its mappings go with the garbage collector: a reader may hold a pointer as long as it holds the view
        }
        final Preparation<Segment> prepared = nextSegment;
        nextSegment = null;
        if (prepared != null)
        {
            try
            {
                final Segment segment = prepared.take(); // null: never started, and now it never will be
                if (segment != null)
                {
                    channels.add(segment.channel());
                    mappings.add(segment.mapping()); // no reader has seen it: unmapped below like the others, or left to GC
                }
            }
            catch (final RuntimeException ignore)
            {
                // the background creation failed and removed its file; nothing to release
            }
        }
        if (unmap)
        {
            segments = new UnsafeBuffer[0];
            for (final MappedByteBuffer m : mappings)
            {
                IoUtil.unmap(m);
            }
            for (final ImageBlock b : image)
            {
                b.unmap();
            }
        }
        mappings.clear();
        for (final FileChannel c : channels)
        {
            try
            {
                c.close();
            }
            catch (final IOException ignore)
            {
                // closing a channel whose mapping is gone; nothing to recover
            }
        }
        channels.clear();
        try (var stream = Files.list(directory))
        {
            for (final Path p : (Iterable<Path>)stream::iterator)
            {
                if (p.getFileName().toString().endsWith(".seg"))
                {
                    Files.deleteIfExists(p);
                }
            }
        }
        catch (final IOException ignore)
        {
            // best effort: the next open deletes leftovers before it maps anything
        }
    }
}
