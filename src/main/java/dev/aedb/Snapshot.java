package dev.aedb;

import dev.aedb.catalog.Value;
import dev.aedb.commit.CatalogState;
import dev.aedb.query.Query;
import dev.aedb.query.QueryExecutor;
import dev.aedb.query.QueryOptions;
import dev.aedb.query.QueryResult;
import dev.aedb.store.KeySpace;

import java.util.List;

/**
 * A pinned snapshot: every read through it sees exactly the state after commit {@link #seq()}, whatever commits
 * after. Not thread-safe; close it promptly (see {@link AedbInstance#snapshot}).
 */
public final class Snapshot implements AutoCloseable
{
    private final AedbInstance db;
    private final CallerContext caller;
    private final int slot;
    private final long seq;
    private boolean closed;

    Snapshot(final AedbInstance db, final CallerContext caller, final int slot, final long seq)
    {
        this.db = db;
        this.caller = caller;
        this.slot = slot;
        this.seq = seq;
    }

    /** @return who reads through this snapshot; null = anonymous. Permission checks will key off it. */
    public CallerContext caller()
    {
        return caller;
    }

    /** @return the commit seq this snapshot reads at. */
    public long seq()
    {
        return seq;
    }

    private CatalogState catalog()
    {
        if (closed)
        {
            throw new AedbException(ErrorCode.CLOSED, "snapshot is closed");
        }
        db.checkOpen();
        return db.catalogAt(seq);
    }

    public RowResult get(final String projectId, final String scopeId, final String table, final List<Value> primaryKey)
    {
        return Reads.get(catalog(), seq, projectId, scopeId, table, primaryKey, db.config().maxKvKeyBytes());
    }

    public KvGetResult kvGet(final String projectId, final String scopeId, final byte[] key)
    {
        if (key == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "key=null");
        }
        return Reads.kvGet(catalog(), seq, projectId, scopeId, key);
    }

    public KvScanResult kvScanPrefix(final String projectId, final String scopeId, final byte[] prefix, final int limit,
        final ScanCursor cursor)
    {
        if (prefix == null)
        {
            throw new AedbException(ErrorCode.INVALID_ARGUMENT, "prefix=null");
        }
        return kvScanRange(projectId, scopeId, prefix, Reads.prefixEnd(prefix), limit, cursor);
    }

    public KvScanResult kvScanRange(final String projectId, final String scopeId, final byte[] start, final byte[] end,
        final int limit, final ScanCursor cursor)
    {
        final KeySpace ks = catalog().scope(projectId, scopeId).kv();
        checkCursor(cursor);
        if (cursor != null && start != null && java.util.Arrays.compareUnsigned(cursor.lastKey(), start) < 0)
        {
            return Reads.kvScan(ks, seq, start, false, end, limit);
        }
        return cursor == null ? Reads.kvScan(ks, seq, start, false, end, limit) : Reads.kvScan(ks, seq, cursor.lastKey(), true, end, limit);
    }

    public TableScanResult scanTable(final String projectId, final String scopeId, final String table, final int limit,
        final ScanCursor cursor)
    {
        final CatalogState.TableState t = catalog().table(projectId, scopeId, table);
        checkCursor(cursor);
        return Reads.tableScan(t, seq, cursor == null ? null : cursor.lastKey(), limit);
    }

    public QueryResult query(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        if (query == null || query.table() == null)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "query needs a table: Query.select(..).from(table)");
        }
        return QueryExecutor.execute(catalog().table(projectId, scopeId, query.table()), seq, query, options);
    }

    private void checkCursor(final ScanCursor cursor)
    {
        if (cursor != null && (cursor.snapshotSeq() != seq || cursor.lastKey() == null))
        {
            throw new AedbException(ErrorCode.INVALID_CURSOR, "cursor belongs to snapshot " + cursor.snapshotSeq()
                + ", not " + seq);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            db.unpin(slot);
        }
    }
}
