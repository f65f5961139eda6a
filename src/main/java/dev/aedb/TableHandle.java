package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;

/**
 * Zero-allocation reads of one table at the latest snapshot, by encoded primary key (encode keys with
 * {@code dev.aedb.codec.KeyCodec} into a reused {@code ByteWriter}). Rows are handed to a {@link RowVisitor} in
 * the {@code dev.aedb.codec.RowCodec} format. Thread-safe; cheap to keep.
 */
public final class TableHandle
{
    private final ReadView db;
    private final String projectId;
    private final String scopeId;
    private final String table;

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

    private CatalogState.TableState table(final long seq)
    {
        return db.catalogAt(seq).table(projectId, scopeId, table);
    }
}
