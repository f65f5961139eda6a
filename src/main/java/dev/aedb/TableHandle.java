package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.TypeCheck;
import dev.aedb.codec.ByteWriter;
import dev.aedb.codec.RowCodec;
import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.model.Row;
import dev.aedb.model.Value;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;

import java.util.List;

/**
 * Zero-allocation reads of one table at the latest snapshot, by encoded primary key: encode a key once with
 * {@link #encodeKey} and reuse the bytes (wrapped in any {@link DirectBuffer}); rows are handed to a
 * {@link RowVisitor} in the engine's row encoding, which {@link #decodeRow} turns into a {@link Row}. Thread-safe;
 * cheap to keep.
 */
public final class TableHandle
{
    private final ReadView db;
    private final String projectId;
    private final String scopeId;
    private final String table;
    /**
     * The table of the catalog version last read through this handle: immutable, so a racy read sees a whole pair. A
     * catalog version changes only with DDL, so the lookup (three map reads) is skipped on every other read.
     */
    private Resolved resolved;

    TableHandle(final ReadView db, final String projectId, final String scopeId, final String table)
    {
        this.db = db;
        this.projectId = projectId;
        this.scopeId = scopeId;
        this.table = table;
    }

    /**
     * Reads one row by encoded primary key and hands it to {@code visitor}. Allocates nothing.
     *
     * @param encodedKey holds the key at {@code [offset, offset + length)}; not null.
     * @param visitor    gets the row if it exists; not null.
     * @return true when the row exists (and was visited).
     * @throws AedbException INVALID_ARGUMENT naming a null argument or a range outside {@code encodedKey};
     *                       TABLE_NOT_FOUND once the table is dropped.
     */
    public boolean get(final DirectBuffer encodedKey, final int offset, final int length, final RowVisitor visitor)
    {
        Reads.checkRange(encodedKey, "encodedKey", offset, length, false);
        AedbInstance.requireArgument(visitor, "visitor");
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = db.pinnedSeq(slot);
            final KeySpace ks = table(seq).rows();
            final long node = ks.find(encodedKey, offset, length);
            final long v = node == 0 ? 0 : ks.liveVersionAt(node, seq);
            if (v == 0)
            {
                return false;
            }
            visitor.visit(ks.payloadBuffer(v), ks.payloadOffset(v), ks.payloadLength(v), ks.versionSeq(v));
            return true;
        }
        finally
        {
            db.unpin(slot);
        }
    }

    /**
     * Visits up to {@code limit} rows in key order from {@code start}. Allocates nothing.
     *
     * @param start   holds the first encoded key (inclusive) at {@code [offset, offset + length)}; null = first row.
     * @param limit   most rows to visit, > 0.
     * @param visitor gets each row; not null; returns false to stop.
     * @return rows visited.
     * @throws AedbException INVALID_ARGUMENT for a range outside {@code start}, a limit below 1 or a null visitor.
     */
    public int scan(final DirectBuffer start, final int offset, final int length, final int limit, final RowVisitor visitor)
    {
        Reads.checkRange(start, "start", offset, length, true);
        Reads.checkScan(limit, visitor);
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = db.pinnedSeq(slot);
            final KeySpace ks = table(seq).rows();
            return Reads.scan(ks, seq, start, offset, length, false, null, 0, 0, limit, visitor);
        }
        finally
        {
            db.unpin(slot);
        }
    }

    /**
     * Encodes a primary key the way the store orders this table's rows: the bytes {@link #get} and {@link #scan}
     * take. Unsigned byte order of two encodings is the order of the keys ({@link Value#compare} column by column).
     *
     * @param primaryKey the key values in key order; not null, no NULL elements, of the key columns' types.
     * @return a new array holding the encoded key.
     * @throws AedbException ARITY_MISMATCH, NULL_NOT_ALLOWED, TYPE_MISMATCH or INVALID_VALUE for a key that does not
     *                       fit the table; TABLE_NOT_FOUND once the table is dropped.
     */
    public byte[] encodeKey(final List<Value> primaryKey)
    {
        AedbInstance.requireArgument(primaryKey, "primaryKey");
        final CatalogState.TableState t = latestTable();
        final ByteWriter out = new ByteWriter(64);
        TypeCheck.encodeKey(t, primaryKey, out, Integer.MAX_VALUE);
        return out.toByteArray();
    }

    /**
     * Decodes a row handed to a {@link RowVisitor} by this handle, with the table's current schema. Allocates.
     *
     * @param buffer holds the encoded row at {@code [offset, offset + length)}; not null.
     * @return the row.
     * @throws AedbException INVALID_ARGUMENT for a null buffer or a range outside it; TABLE_NOT_FOUND once the table
     *                       is dropped.
     */
    public Row decodeRow(final DirectBuffer buffer, final int offset, final int length)
    {
        Reads.checkRange(buffer, "buffer", offset, length, false);
        return RowCodec.decode(buffer, offset, length, latestTable().schema().columns());
    }

    private CatalogState.TableState latestTable()
    {
        final int slot = db.pin(ConsistencyMode.AT_LATEST);
        try
        {
            return table(db.pinnedSeq(slot));
        }
        finally
        {
            db.unpin(slot);
        }
    }

    private CatalogState.TableState table(final long seq)
    {
        final CatalogState catalog = db.catalogAt(seq);
        final Resolved r = resolved;
        if (r != null && r.catalog() == catalog)
        {
            return r.table();
        }
        resolved = null; // a dropped table throws below: keep nothing of it
        final CatalogState.TableState t = catalog.table(projectId, scopeId, table);
        resolved = new Resolved(catalog, t);
        return t;
    }

    private record Resolved(CatalogState catalog, CatalogState.TableState table)
    {
    }
}
