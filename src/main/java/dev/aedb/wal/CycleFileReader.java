package dev.aedb.wal;

import dev.aedb.codec.FrameDescriptor;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static dev.aedb.wal.CycleFileDescriptor.END_OF_DATA;
import static dev.aedb.wal.CycleFileDescriptor.HEADER_LENGTH;
import static dev.aedb.wal.CycleFileDescriptor.MAX_METADATA_EXCERPT;
import static dev.aedb.wal.CycleFileDescriptor.MAX_STORE_HEADER;
import static dev.aedb.wal.CycleFileDescriptor.isMetaData;
import static dev.aedb.wal.CycleFileDescriptor.isNotComplete;
import static dev.aedb.wal.CycleFileDescriptor.length;
import static dev.aedb.wal.CycleFileDescriptor.next;

/**
 * Reads one Chronicle cycle file read-only, through its own bounds-checked mapping (never past the file's size, so
 * a damaged or truncated file cannot fault the JVM), and walks its excerpts as {@link CycleFileDescriptor} lays them
 * out. It stops at the first structural problem and says where; what the data excerpts hold is the caller's
 * business. Not thread-safe.
 */
final class CycleFileReader implements AutoCloseable
{
    /** Longest data excerpt accepted: an aedb frame holds at most a 16 MiB payload plus its header and trailer. */
    static final int MAX_DATA_EXCERPT = (16 << 20) + 64;
    private static final long WINDOW = 64L << 20;
    private static final long SLACK = 18L << 20;
    private static final byte[] NOTHING = new byte[0];

    /** How the walk of a file ended. */
    enum EndKind
    {
        /** A 0 header: nothing was written after it. */
        ZERO,
        /** Chronicle's end-of-cycle marker. */
        END_OF_CYCLE,
        /** The file stops where the next header should be: it was cut short. */
        FILE_END,
        /** A header or excerpt that cannot be what Chronicle writes. */
        DAMAGED
    }

    /**
     * @param kind     how the walk ended.
     * @param position the byte position of the header where it ended.
     * @param problem  for {@link EndKind#DAMAGED} and {@link EndKind#FILE_END}, what is wrong; else null.
     */
    record End(EndKind kind, long position, String problem)
    {
    }

    /** Receives each data excerpt; its content is readable with {@link #copy} while the call lasts. */
    interface ExcerptConsumer
    {
        void onData(long n, long position, int length);
    }

    private final String name;
    private final FileChannel channel;
    private final long size;
    private final UnsafeBuffer window = new UnsafeBuffer(NOTHING);
    private MappedByteBuffer mapped;
    private long base;
    private long mappedLength;

    private CycleFileReader(final String name, final FileChannel channel, final long size)
    {
        this.name = name;
        this.channel = channel;
        this.size = size;
    }

    static CycleFileReader open(final Path file) throws IOException
    {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try
        {
            return new CycleFileReader(file.getFileName().toString(), channel, channel.size());
        }
        catch (final RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    String name()
    {
        return name;
    }

    long size()
    {
        return size;
    }

    /** @return the little-endian int at {@code position}; the caller checks {@code position + 4 <= size()}. */
    int intAt(final long position) throws IOException
    {
        map(position, 4);
        return window.getInt((int)(position - base), ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies {@code length} bytes at {@code position} (within the file) into {@code dst}. */
    void copy(final long position, final byte[] dst, final int length) throws IOException
    {
        map(position, length);
        window.getBytes((int)(position - base), dst, 0, length);
    }

    /**
     * @return the first 4-byte aligned position at or after {@code from} holding the little-endian int {@code value},
     *         or -1 (a raw scan, eight bytes at a time: fast over the zeros that fill most of a cycle file).
     */
    long find(final long from, final int value) throws IOException
    {
        long p = (from + 3) & ~3L;
        while (p + 4 <= size)
        {
            map(p, 4);
            int o = (int)(p - base);
            final int end = (int)mappedLength;
            while ((o & 7) != 0 && o + 4 <= end)
            {
                if (window.getInt(o, ByteOrder.LITTLE_ENDIAN) == value)
                {
                    return base + o;
                }
                o += 4;
            }
            while (o + 8 <= end)
            {
                final long word = window.getLong(o, ByteOrder.LITTLE_ENDIAN);
                if (word != 0)
                {
                    if ((int)word == value)
                    {
                        return base + o;
                    }
                    if ((int)(word >>> 32) == value)
                    {
                        return base + o + 4;
                    }
                }
                o += 8;
            }
            if (o + 4 <= end && window.getInt(o, ByteOrder.LITTLE_ENDIAN) == value)
            {
                return base + o;
            }
            p = base + ((o + 4 <= end) ? o + 4 : o);
        }
        return -1;
    }

    private void map(final long position, final int length) throws IOException
    {
        if (position >= base && position + length <= base + mappedLength)
        {
            return;
        }
        unmap();
        base = position & ~4095L;
        mappedLength = Math.min(size - base, WINDOW + SLACK);
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, base, mappedLength);
        window.wrap(mapped, 0, (int)mappedLength);
    }

    private void unmap()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
            mapped = null;
            window.wrap(NOTHING);
            mappedLength = 0;
        }
    }

    /**
     * Walks the file from its store header, handing each data excerpt to {@code consumer} in order.
     */
    End walk(final ExcerptConsumer consumer) throws IOException
    {
        if (size < HEADER_LENGTH)
        {
            return new End(EndKind.DAMAGED, 0, "the file is " + size + " bytes, too short for Chronicle's store header");
        }
        final int first = intAt(0);
        if (first == 0 || isNotComplete(first) || !isMetaData(first) || length(first) > MAX_STORE_HEADER
            || HEADER_LENGTH + (long)length(first) > size)
        {
            return new End(EndKind.DAMAGED, 0, "bad store header 0x" + Integer.toHexString(first) + " (not a complete Chronicle "
                + "store header of at most " + MAX_STORE_HEADER + " bytes)");
        }
        long position = next(0, length(first));
        long n = 0;
        while (true)
        {
            if (position + HEADER_LENGTH > size)
            {
                return new End(EndKind.FILE_END, position, "the file ends at byte " + size + ", where the next excerpt header "
                    + "should be: it was cut short");
            }
            final int header = intAt(position);
            if (header == 0)
            {
                return new End(EndKind.ZERO, position, null);
            }
            if (header == END_OF_DATA)
            {
                return new End(EndKind.END_OF_CYCLE, position, null);
            }
            final int length = length(header);
            if (isNotComplete(header))
            {
                return new End(EndKind.DAMAGED, position, "excerpt header 0x" + Integer.toHexString(header)
                    + " is marked incomplete (Chronicle never leaves one in a mapped file)");
            }
            final long content = position + HEADER_LENGTH;
            if (content + length > size)
            {
                return new End(EndKind.DAMAGED, position, "excerpt header 0x" + Integer.toHexString(header) + " claims " + length
                    + " bytes, past the end of the file (" + size + " bytes)");
            }
            if (isMetaData(header))
            {
                if (length > MAX_METADATA_EXCERPT)
                {
                    return new End(EndKind.DAMAGED, position, "metadata excerpt header 0x" + Integer.toHexString(header)
                        + " claims " + length + " bytes, more than any Chronicle index structure");
                }
                if (length >= 4 && intAt(content) == FrameDescriptor.MAGIC)
                {
                    return new End(EndKind.DAMAGED, position, "an aedb frame is marked as Chronicle metadata (header 0x"
                        + Integer.toHexString(header) + ")");
                }
            }
            else
            {
                if (length > MAX_DATA_EXCERPT)
                {
                    return new End(EndKind.DAMAGED, position, "excerpt header 0x" + Integer.toHexString(header) + " claims "
                        + length + " bytes, more than any aedb frame");
                }
                consumer.onData(n++, content, length);
            }
            position = next(position, length);
        }
    }

    @Override
    public void close() throws IOException
    {
        unmap();
        channel.close();
    }
}
