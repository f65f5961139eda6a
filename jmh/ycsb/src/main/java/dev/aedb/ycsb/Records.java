package dev.aedb.ycsb;

import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A YCSB record (field name to bytes) as one value in a key-value engine, the same for every binding here:
 * {@code [int fieldCount]} then per field {@code [int nameLength][name, UTF-8][int valueLength][value]}, big-endian.
 * An update that names some fields is a read, a {@link #merge} and a write, as in YCSB's own key-value bindings.
 */
final class Records
{
    private Records()
    {
    }

    /** @return the record holding {@code values} (each iterator is consumed). */
    static byte[] encode(final Map<String, ByteIterator> values)
    {
        final Map<String, byte[]> fields = new LinkedHashMap<>();
        values.forEach((name, value) -> fields.put(name, value.toArray()));
        return encodeBytes(fields);
    }

    /** @return {@code record} with the fields of {@code values} added or replaced. */
    static byte[] merge(final byte[] record, final Map<String, ByteIterator> values)
    {
        final Map<String, byte[]> fields = decodeBytes(record);
        values.forEach((name, value) -> fields.put(name, value.toArray()));
        return encodeBytes(fields);
    }

    /** Puts the fields of {@code record} named in {@code wanted} (null = all) into {@code result}. */
    static void decode(final byte[] record, final Set<String> wanted, final Map<String, ByteIterator> result)
    {
        decodeBytes(record).forEach((name, value) ->
        {
            if (wanted == null || wanted.contains(name))
            {
                result.put(name, new ByteArrayByteIterator(value));
            }
        });
    }

    private static byte[] encodeBytes(final Map<String, byte[]> fields)
    {
        int size = 4;
        final byte[][] names = new byte[fields.size()][];
        int i = 0;
        for (final Map.Entry<String, byte[]> e : fields.entrySet())
        {
            names[i] = e.getKey().getBytes(StandardCharsets.UTF_8);
            size += 8 + names[i].length + e.getValue().length;
            i++;
        }
        final ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(fields.size());
        i = 0;
        for (final byte[] value : fields.values())
        {
            out.putInt(names[i].length).put(names[i]).putInt(value.length).put(value);
            i++;
        }
        return out.array();
    }

    private static Map<String, byte[]> decodeBytes(final byte[] record)
    {
        final ByteBuffer in = ByteBuffer.wrap(record);
        final int count = in.getInt();
        if (count < 0)
        {
            throw new IllegalStateException("corrupt record: field count " + count);
        }
        final Map<String, byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] name = new byte[in.getInt()];
            in.get(name);
            final byte[] value = new byte[in.getInt()];
            in.get(value);
            fields.put(new String(name, StandardCharsets.UTF_8), value);
        }
        return fields;
    }
}
