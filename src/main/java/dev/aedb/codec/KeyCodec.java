package dev.aedb.codec;

import dev.aedb.model.Value;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Order-preserving encoding of primary keys. The ordering contract: for values a and b of one type, the unsigned
 * order of encode(a), encode(b) == {@link Value#compare}(a, b); a composite key sorts like its values compared column
 * by column with {@link Value#compare}. A composite key is the concatenation of its columns' encodings:
 * <pre>
 *   INTEGER    0x10 | 8 bytes big-endian of (v XOR 0x8000000000000000)
 *   TIMESTAMP  0x11 | same as INTEGER
 *   U64        0x12 | 8 bytes big-endian
 *   U256       0x13 | 32 bytes big-endian
 *   FLOAT      0x14 | 8 bytes big-endian of the sign-mapped bits (-0.0 is encoded as 0.0, every NaN as the
 *                     canonical NaN of Double.doubleToLongBits, above +Infinity)
 *   BOOLEAN    0x15 | 0x00 or 0x01
 *   TEXT       0x16 | UTF-8 bytes (whose order is code point order), each 0x00 written as 0x00 0xFF | 0x00
 *   JSON       0x17 | as TEXT
 *   BLOB       0x18 | as TEXT (so blobs sort lexicographically)
 * </pre>
 * The terminator 0x00 sorts below both an escaped zero (0x00 0xFF) and any following column's tag, so a prefix
 * sorts before its extensions. Primary keys hold no NULLs (key columns are non-nullable); secondary-index entries
 * ({@link #encodeIndexValue}) write a NULL as the single byte 0x01, below every other tag, so NULLs sort first.
 * Every encoding is self-delimiting ({@link #skipValue}), so a concatenation decodes column by column.
 */
public final class KeyCodec
{
    private KeyCodec()
    {
    }

    /**
     * @param key    the key values, already type-checked.
     * @param writer destination; the encoding is appended at its position.
     */
    public static void encode(final List<Value> key, final ByteWriter writer)
    {
        for (int i = 0, n = key.size(); i < n; i++)
        {
            encodeValue(key.get(i), writer);
        }
    }

    /**
     * @param key the key values, already type-checked.
     * @return a new array holding the encoding.
     */
    public static byte[] encode(final List<Value> key)
    {
        final ByteWriter writer = new ByteWriter(64);
        encode(key, writer);
        return writer.toByteArray();
    }

    /** The encoding of a NULL in a secondary-index entry. */
    public static final int NULL_TAG = 0x01;
    /** A byte above {@link #NULL_TAG} and below every value tag: a seek to it skips the NULLs of a column. */
    public static final int ABOVE_NULL = 0x02;

    /**
     * Appends one value of an index entry: as {@link #encode} for a non-NULL value, {@link #NULL_TAG} for NULL.
     *
     * @param value  the value, already type-checked.
     * @param writer destination.
     */
    public static void encodeIndexValue(final Value value, final ByteWriter writer)
    {
        if (value instanceof Value.Null)
        {
            writer.putByte(NULL_TAG);
        }
        else
        {
            encodeValue(value, writer);
        }
    }

    /**
     * @param buffer the encoding.
     * @param offset where one value's encoding starts.
     * @param end    the end of the encoding.
     * @return the offset just after that value.
     * @throws IllegalArgumentException when the bytes there are not one value's encoding.
     */
    public static int skipValue(final org.agrona.DirectBuffer buffer, final int offset, final int end)
    {
        if (offset >= end)
        {
            throw new IllegalArgumentException("no value at " + offset);
        }
        final int tag = buffer.getByte(offset) & 0xFF;
        final int fixed = switch (tag)
        {
            case NULL_TAG -> 0;
            case 0x10, 0x11, 0x12, 0x14 -> 8;
            case 0x13 -> 32;
            case 0x15 -> 1;
            case 0x16, 0x17, 0x18 -> -1;
            default -> throw new IllegalArgumentException("unknown key tag " + tag + " at " + offset);
        };
        if (fixed >= 0)
        {
            if (offset + 1 + fixed > end)
            {
                throw new IllegalArgumentException("truncated value at " + offset);
            }
            return offset + 1 + fixed;
        }
        int i = offset + 1;
        while (i < end)
        {
            if (buffer.getByte(i) == 0)
            {
                if (i + 1 < end && (buffer.getByte(i + 1) & 0xFF) == 0xFF)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated value at " + offset);
    }

    /**
     * @param buffer the encoding.
     * @param offset where one value's encoding starts ({@link #skipValue} finds the next).
     * @param end    the end of the encoding.
     * @return the value encoded there ({@link Value#NULL} for {@link #NULL_TAG}); a FLOAT -0.0 decodes as 0.0.
     * @throws IllegalArgumentException when the bytes there are not one value's encoding.
     */
    public static Value decodeValue(final org.agrona.DirectBuffer buffer, final int offset, final int end)
    {
        final int next = skipValue(buffer, offset, end);
        final int tag = buffer.getByte(offset) & 0xFF;
        switch (tag)
        {
            case NULL_TAG:
                return Value.NULL;
            case 0x10:
                return Value.integer(buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE);
            case 0x11:
                return Value.timestamp(buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN) ^ Long.MIN_VALUE);
            case 0x12:
                return Value.u64(buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN));
            case 0x13:
            {
                final byte[] raw = new byte[32];
                buffer.getBytes(offset + 1, raw);
                return new Value.U256(raw);
            }
            case 0x14:
            {
                final long e = buffer.getLong(offset + 1, ByteOrder.BIG_ENDIAN);
                return Value.float64(Double.longBitsToDouble(e < 0 ? e ^ Long.MIN_VALUE : ~e));
            }
            case 0x15:
                return Value.bool(buffer.getByte(offset + 1) != 0);
            default:
            {
                final byte[] raw = unescape(buffer, offset + 1, next - 1);
                if (tag == 0x18)
                {
                    return Value.blob(raw);
                }
                final String text = new String(raw, StandardCharsets.UTF_8);
                return tag == 0x16 ? Value.text(text) : Value.json(text);
            }
        }
    }

    private static byte[] unescape(final org.agrona.DirectBuffer buffer, final int from, final int to)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++)
        {
            final byte b = buffer.getByte(i);
            out.write(b);
            if (b == 0)
            {
                i++; // the escape byte 0xFF
            }
        }
        return out.toByteArray();
    }

    /**
     * Appends the UTF-8 bytes of {@code prefix} escaped as in a TEXT encoding, after the TEXT tag and without the
     * terminator: every TEXT value starting with {@code prefix} has an encoding starting with these bytes.
     *
     * @param prefix the text prefix.
     * @param writer destination.
     */
    public static void encodeTextPrefix(final String prefix, final ByteWriter writer)
    {
        writer.putByte(0x16);
        for (final byte b : prefix.getBytes(StandardCharsets.UTF_8))
        {
            writer.putByte(b);
            if (b == 0)
            {
                writer.putByte(0xFF);
            }
        }
    }

    private static void encodeValue(final Value value, final ByteWriter w)
    {
        if (value instanceof Value.Int v)
        {
            w.putByte(0x10);
            putLongBigEndian(w, v.value() ^ Long.MIN_VALUE);
        }
        else if (value instanceof Value.Timestamp v)
        {
            w.putByte(0x11);
            putLongBigEndian(w, v.value() ^ Long.MIN_VALUE);
        }
        else if (value instanceof Value.U64 v)
        {
            w.putByte(0x12);
            putLongBigEndian(w, v.value());
        }
        else if (value instanceof Value.U256 v)
        {
            w.putByte(0x13);
            w.putBytes(Value.rawBytes(v));
        }
        else if (value instanceof Value.Float64 v)
        {
            w.putByte(0x14);
            final double d = v.value() == 0.0 ? 0.0 : v.value();
            final long bits = Double.doubleToLongBits(d);
            putLongBigEndian(w, bits < 0 ? ~bits : bits ^ Long.MIN_VALUE);
        }
        else if (value instanceof Value.Bool v)
        {
            w.putByte(0x15);
            w.putByte(v.value() ? 1 : 0);
        }
        else if (value instanceof Value.Text v)
        {
            w.putByte(0x16);
            putEscaped(w, v.value().getBytes(StandardCharsets.UTF_8));
        }
        else if (value instanceof Value.Json v)
        {
            w.putByte(0x17);
            putEscaped(w, v.value().getBytes(StandardCharsets.UTF_8));
        }
        else if (value instanceof Value.Blob v)
        {
            w.putByte(0x18);
            putEscaped(w, Value.rawBytes(v));
        }
        else
        {
            throw new IllegalArgumentException("key values cannot be " + value);
        }
    }

    private static void putLongBigEndian(final ByteWriter w, final long v)
    {
        w.buffer().putLong(w.position(), v, ByteOrder.BIG_ENDIAN);
        w.position(w.position() + 8);
    }

    private static void putEscaped(final ByteWriter w, final byte[] bytes)
    {
        for (final byte b : bytes)
        {
            w.putByte(b);
            if (b == 0)
            {
                w.putByte(0xFF);
            }
        }
        w.putByte(0x00);
    }
}
