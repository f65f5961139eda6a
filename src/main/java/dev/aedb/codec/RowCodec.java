package dev.aedb.codec;

import dev.aedb.model.ColumnDef;
import dev.aedb.model.ColumnType;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Row encoding, little-endian:
 * <pre>
 *   u16 columnCount | null bitmap, ceil(columnCount / 8) bytes, bit i set = column i is NULL |
 *   each non-null column in order:
 *     INTEGER, TIMESTAMP, U64: 8 bytes | FLOAT: 8 bytes (IEEE bits) | BOOLEAN: 1 byte | U256: 32 bytes big-endian |
 *     TEXT, JSON, BLOB: u32 length | bytes
 * </pre>
 * A row written before an ALTER TABLE ADD COLUMN has fewer columns; the missing trailing columns decode as NULL.
 */
public final class RowCodec
{
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private RowCodec()
    {
    }

    /**
     * @param row    the row, already type-checked against {@code columns}.
     * @param writer destination; appended at its position.
     */
    public static void encode(final Row row, final ByteWriter writer)
    {
        final int n = row.size();
        writer.putShort(n);
        final int bitmapAt = writer.position();
        final int bitmapBytes = (n + 7) >>> 3;
        for (int i = 0; i < bitmapBytes; i++)
        {
            writer.putByte(0);
        }
        for (int i = 0; i < n; i++)
        {
            final Value v = row.get(i);
            if (v == Value.NULL || v instanceof Value.Null)
            {
                final int at = bitmapAt + (i >>> 3);
                writer.buffer().putByte(at, (byte)(writer.buffer().getByte(at) | (1 << (i & 7))));
                continue;
            }
            putBody(v, writer);
        }
    }

    /**
     * Writes a non-null value's body: 8 bytes for INTEGER, TIMESTAMP, U64 and FLOAT bits, 1 for BOOLEAN, 32 for
     * U256 (big-endian), u32 length + bytes for TEXT, JSON and BLOB.
     */
    public static void putBody(final Value v, final ByteWriter writer)
    {
        if (v instanceof Value.Int x)
        {
            writer.putLong(x.value());
        }
        else if (v instanceof Value.Timestamp x)
        {
            writer.putLong(x.value());
        }
        else if (v instanceof Value.U64 x)
        {
            writer.putLong(x.value());
        }
        else if (v instanceof Value.Float64 x)
        {
            writer.putLong(Double.doubleToRawLongBits(x.value()));
        }
        else if (v instanceof Value.Bool x)
        {
            writer.putByte(x.value() ? 1 : 0);
        }
        else if (v instanceof Value.U256 x)
        {
            writer.putBytes(Value.rawBytes(x));
        }
        else
        {
            writer.putSizedBytes(Value.rawBytes(v));
        }
    }

    /**
     * @param buffer  holding the encoding.
     * @param offset  start of the encoding.
     * @param length  length of the encoding.
     * @param columns the table's current columns.
     * @return the decoded row, padded with NULL for columns added after it was written.
     */
    public static Row decode(final DirectBuffer buffer, final int offset, final int length, final List<ColumnDef> columns)
    {
        return decode(buffer, offset, length, columns, null);
    }

    /**
     * As {@link #decode(DirectBuffer, int, int, List)}, building values only for the {@code wanted} columns (null:
     * all); the others read as {@link Value#NULL} without being decoded (no string or array is made for them).
     */
    public static Row decode(final DirectBuffer buffer, final int offset, final int length, final List<ColumnDef> columns,
        final boolean[] wanted)
    {
        final Value[] values = new Value[columns.size()];
        final int n = buffer.getShort(offset, LE) & 0xFFFF;
        if (n > values.length)
        {
            throw new DecodeException("row has " + n + " columns, schema has " + values.length);
        }
        final int bitmapAt = offset + 2;
        int p = bitmapAt + ((n + 7) >>> 3);
        final int end = offset + length;
        for (int i = 0; i < n; i++)
        {
            if ((buffer.getByte(bitmapAt + (i >>> 3)) & (1 << (i & 7))) != 0)
            {
                values[i] = Value.NULL;
                continue;
            }
            final ColumnType type = columns.get(i).type();
            if (wanted != null && !wanted[i])
            {
                values[i] = Value.NULL;
                if ((type == ColumnType.TEXT || type == ColumnType.JSON || type == ColumnType.BLOB) && buffer.getInt(p, LE) < 0)
                {
                    throw new DecodeException("column " + i + " length " + buffer.getInt(p, LE) + " overruns the row");
                }
                p += width(type, buffer, p);
                if (p > end)
                {
                    throw new DecodeException("row overruns its length at column " + i);
                }
                continue;
            }
            switch (type)
            {
                case INTEGER -> values[i] = Value.integer(buffer.getLong(p, LE));
                case TIMESTAMP -> values[i] = Value.timestamp(buffer.getLong(p, LE));
                case U64 -> values[i] = Value.u64(buffer.getLong(p, LE));
                case FLOAT -> values[i] = Value.float64(Double.longBitsToDouble(buffer.getLong(p, LE)));
                case BOOLEAN -> values[i] = Value.bool(buffer.getByte(p) != 0);
                case U256 ->
                {
                    final byte[] b = new byte[32];
                    buffer.getBytes(p, b);
                    values[i] = new Value.U256(b);
                }
                case TEXT, JSON, BLOB ->
                {
                    final int len = buffer.getInt(p, LE);
                    if (len < 0 || p + 4 + len > end)
                    {
                        throw new DecodeException("column " + i + " length " + len + " overruns the row");
                    }
                    final byte[] b = new byte[len];
                    buffer.getBytes(p + 4, b);
                    values[i] = type == ColumnType.BLOB ? Value.blob(b)
                        : type == ColumnType.TEXT ? Value.text(new String(b, StandardCharsets.UTF_8))
                        : Value.json(new String(b, StandardCharsets.UTF_8));
                }
                default -> throw new DecodeException("unknown column type " + type);
            }
            p += width(type, buffer, p);
            if (p > end)
            {
                throw new DecodeException("row overruns its length at column " + i);
            }
        }
        for (int i = n; i < values.length; i++)
        {
            values[i] = Value.NULL;
        }
        return Row.of(values);
    }

    /**
     * Reads one INTEGER/TIMESTAMP/U64 column without decoding the row (zero allocation).
     *
     * @return the column's raw 64 bits, or {@code nullValue} when it is NULL or absent.
     */
    public static long getLong(final DirectBuffer buffer, final int offset, final List<ColumnDef> columns, final int column,
        final long nullValue)
    {
        final int at = columnOffset(buffer, offset, columns, column);
        return at < 0 ? nullValue : buffer.getLong(at, LE);
    }

    /**
     * @return the offset of a non-null column's encoding, or -1 when it is NULL or absent.
     */
    public static int columnOffset(final DirectBuffer buffer, final int offset, final List<ColumnDef> columns, final int column)
    {
        final int n = buffer.getShort(offset, LE) & 0xFFFF;
        if (column >= n)
        {
            return -1;
        }
        final int bitmapAt = offset + 2;
        int p = bitmapAt + ((n + 7) >>> 3);
        for (int i = 0; i <= column; i++)
        {
            if ((buffer.getByte(bitmapAt + (i >>> 3)) & (1 << (i & 7))) != 0)
            {
                if (i == column)
                {
                    return -1;
                }
                continue;
            }
            if (i == column)
            {
                return p;
            }
            p += width(columns.get(i).type(), buffer, p);
        }
        return -1;
    }

    private static int width(final ColumnType type, final DirectBuffer buffer, final int p)
    {
        return switch (type)
        {
            case INTEGER, TIMESTAMP, U64, FLOAT -> 8;
            case BOOLEAN -> 1;
            case U256 -> 32;
            case TEXT, JSON, BLOB -> 4 + buffer.getInt(p, LE);
        };
    }
}
