package dev.aedb.codec;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads little-endian primitives from a buffer range with bounds checks: a read past the limit throws
 * {@link DecodeException} rather than returning garbage. Not thread-safe.
 */
public final class ByteReader
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int position;
    private int limit;

    public ByteReader wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.position = offset;
        this.limit = offset + length;
        return this;
    }

    public int position()
    {
        return position;
    }

    public int remaining()
    {
        return limit - position;
    }

    private void need(final int n)
    {
        if (n < 0 || position + n > limit)
        {
            throw new DecodeException("read of " + n + " bytes at position " + position + " past limit " + limit);
        }
    }

    public int getByte()
    {
        need(1);
        return buffer.getByte(position++) & 0xFF;
    }

    public int getShort()
    {
        need(2);
        final int v = buffer.getShort(position, LE) & 0xFFFF;
        position += 2;
        return v;
    }

    public int getInt()
    {
        need(4);
        final int v = buffer.getInt(position, LE);
        position += 4;
        return v;
    }

    public long getLong()
    {
        need(8);
        final long v = buffer.getLong(position, LE);
        position += 8;
        return v;
    }

    public byte[] getBytes(final int length)
    {
        need(length);
        final byte[] out = new byte[length];
        buffer.getBytes(position, out);
        position += length;
        return out;
    }

    public byte[] getSizedBytes()
    {
        return getBytes(getInt());
    }

    public String getString()
    {
        final int length = getInt();
        if (length == -1)
        {
            return null;
        }
        need(length);
        final byte[] bytes = getBytes(length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public void expectEnd()
    {
        if (position != limit)
        {
            throw new DecodeException((limit - position) + " trailing bytes at position " + position);
        }
    }
}
