package dev.aedb.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Appends little-endian primitives to a growable heap buffer. Reusable: {@link #reset()} keeps the capacity.
 * An optional {@link #limit(int)} caps the position, so that encoding input of any size stops early with
 * {@link LimitExceededException} instead of growing the buffer until the JVM gives up. Not thread-safe.
 */
public final class ByteWriter
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final ExpandableArrayBuffer buffer;
    private int position;
    private int limit = Integer.MAX_VALUE - 8; // the largest array ExpandableArrayBuffer can grow to

    /** Thrown by a put that would take the position past the {@link #limit(int)}; nothing is written then. */
    public static final class LimitExceededException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        LimitExceededException(final int limit)
        {
            super("encoding exceeds the limit of " + limit + " bytes", null, false, false);
        }
    }

    /** @param initialCapacity bytes allocated up front; the buffer grows as needed. */
    public ByteWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    /**
     * @param limit the most bytes this writer may hold (position after any put), at least 0.
     * @return this.
     */
    public ByteWriter limit(final int limit)
    {
        if (limit < 0 || limit > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("limit must be in 0.." + (Integer.MAX_VALUE - 8) + ", limit=" + limit);
        }
        this.limit = limit;
        return this;
    }

    private void ensure(final int bytes)
    {
        if (bytes < 0 || bytes > limit - position) // bytes < 0: a length plus its header overflowed
        {
            throw new LimitExceededException(limit);
        }
    }

    public ByteWriter reset()
    {
        position = 0;
        return this;
    }

    public int position()
    {
        return position;
    }

    public void position(final int position)
    {
        this.position = position;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    public byte[] array()
    {
        return buffer.byteArray();
    }

    public byte[] toByteArray()
    {
        final byte[] out = new byte[position];
        buffer.getBytes(0, out);
        return out;
    }

    public ByteWriter putByte(final int v)
    {
        ensure(1);
        buffer.putByte(position, (byte)v);
        position += 1;
        return this;
    }

    public ByteWriter putShort(final int v)
    {
        ensure(2);
        buffer.putShort(position, (short)v, LE);
        position += 2;
        return this;
    }

    public ByteWriter putInt(final int v)
    {
        ensure(4);
        buffer.putInt(position, v, LE);
        position += 4;
        return this;
    }

    public ByteWriter putIntAt(final int index, final int v)
    {
        buffer.putInt(index, v, LE);
        return this;
    }

    public ByteWriter putLong(final long v)
    {
        ensure(8);
        buffer.putLong(position, v, LE);
        position += 8;
        return this;
    }

    public ByteWriter putBytes(final byte[] src)
    {
        ensure(src.length);
        buffer.putBytes(position, src);
        position += src.length;
        return this;
    }

    public ByteWriter putBytes(final byte[] src, final int offset, final int length)
    {
        ensure(length);
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    public ByteWriter putBytes(final org.agrona.DirectBuffer src, final int offset, final int length)
    {
        ensure(length);
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    /** Writes a u32 length then the bytes. */
    public ByteWriter putSizedBytes(final byte[] src)
    {
        ensure(4 + src.length);
        putInt(src.length);
        return putBytes(src);
    }

    /** Writes a u32 byte length then the UTF-8 bytes; null is written as length -1. */
    public ByteWriter putString(final String s)
    {
        if (s == null)
        {
            return putInt(-1);
        }
        final int length = s.length();
        ensure(4 + length); // UTF-8 takes at least a byte per char: refuse a huge string before encoding it
        for (int i = 0; i < length; i++)
        {
            if (s.charAt(i) >= 0x80)
            {
                return putSizedBytes(s.getBytes(StandardCharsets.UTF_8));
            }
        }
        // ASCII (namespace and column names, nearly always): its UTF-8 bytes are its chars, written without a copy
        putInt(length);
        buffer.putStringWithoutLengthAscii(position, s);
        position += length;
        return this;
    }
}
