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
 * sorts before its extensions. Keys hold no NULLs (key columns are non-nullable).
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
