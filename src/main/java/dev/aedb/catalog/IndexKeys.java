package dev.aedb.catalog;

import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.KeyCodec;
import dev.aedb.model.Row;
import dev.aedb.model.Value;

import org.agrona.DirectBuffer;

/**
 * The keys of secondary-index entries. An entry of row r in index i is
 * <pre>
 *   KeyCodec.encodeIndexValue(r[c0]) | ... | KeyCodec.encodeIndexValue(r[cn-1]) | primary key of r (KeyCodec.encode)
 * </pre>
 * with an empty payload: entries sort by the indexed values (NULL first), then by primary key, and every encoding is
 * self-delimiting, so the primary key is what follows the n-th value ({@link #primaryKeyOffset}).
 */
public final class IndexKeys
{
    private IndexKeys()
    {
    }

    /**
     * @param index  the index.
     * @param row    a row of its table.
     * @param pk     the row's encoded primary key.
     * @param pkLen  its length.
     * @param writer reset, then the entry key is written at position 0.
     */
    public static void entryKey(final CatalogState.IndexState index, final Row row, final DirectBuffer pk, final int pkLen,
        final ByteWriter writer)
    {
        writer.reset();
        for (final int c : index.columnIndexes())
        {
            KeyCodec.encodeIndexValue(row.get(c), writer);
        }
        writer.putBytes(pk, 0, pkLen);
    }

    /** @return the length of the indexed-values part of an entry key of {@code index} written by {@link #entryKey}. */
    public static int valuesLength(final CatalogState.IndexState index, final DirectBuffer key, final int offset, final int length)
    {
        return primaryKeyOffset(index.columnIndexes().length, key, offset, length) - offset;
    }

    /** @return whether one of the row's indexed values is NULL (such a row never conflicts in a unique index). */
    public static boolean hasNull(final CatalogState.IndexState index, final Row row)
    {
        for (final int c : index.columnIndexes())
        {
            if (row.get(c) instanceof Value.Null)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param columns the number of indexed columns.
     * @return the offset of the primary key in an entry key at {@code offset}.
     * @throws IllegalArgumentException when the key does not hold {@code columns} encoded values.
     */
    public static int primaryKeyOffset(final int columns, final DirectBuffer key, final int offset, final int length)
    {
        int at = offset;
        for (int i = 0; i < columns; i++)
        {
            at = KeyCodec.skipValue(key, at, offset + length);
        }
        return at;
    }
}
