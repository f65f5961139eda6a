package dev.aedb.codec;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Appends little-endian primitives to a growable heap buffer. Reusable: {@link #reset()} keeps the capacity.
 * Not thread-safe.
 */
public final class ByteWriter
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private final ExpandableArrayBuffer buffer;
    private int position;

    public ByteWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
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
        buffer.putByte(position, (byte)v);
        position += 1;
        return this;
    }

    public ByteWriter putShort(final int v)
    {
        buffer.putShort(position, (short)v, LE);
        position += 2;
        return this;
    }

    public ByteWriter putInt(final int v)
    {
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
        buffer.putLong(position, v, LE);
        position += 8;
        return this;
    }

    public ByteWriter putBytes(final byte[] src)
    {
        buffer.putBytes(position, src);
        position += src.length;
        return this;
    }

    public ByteWriter putBytes(final byte[] src, final int offset, final int length)
    {
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    /** Writes a u32 length then the bytes. */
    public ByteWriter putSizedBytes(final byte[] src)
    {
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
        return putSizedBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
