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

    /**
     * Reads a row by primary key. Keys of any length are looked up (maxKvKeyBytes limits what new commits store).
     *
     * @param projectId  the project; not null.
     * @param scopeId    the scope; not null.
     * @param table      the table; not null.
     * @param primaryKey the key values in key order; not null, no NULL elements.
     * @return the row, or a result with {@code found() == false}.
     * @throws AedbException INVALID_ARGUMENT naming a null argument; PROJECT/SCOPE/TABLE_NOT_FOUND; ARITY_MISMATCH,
     *                       TYPE_MISMATCH or NULL_NOT_ALLOWED for a key that does not fit the table.
     */
    public RowResult get(final String projectId, final String scopeId, final String table, final List<Value> primaryKey)
    {
        checkTable(projectId, scopeId, table);
        AedbInstance.requireArgument(primaryKey, "primaryKey");
        return Reads.get(catalog(), seq, projectId, scopeId, table, primaryKey);
    }

    /**
     * Reads a KV key.
     *
     * @param key the key; not null.
     * @return the value, or a result with {@code found() == false}.
     * @throws AedbException INVALID_ARGUMENT naming a null argument; PROJECT/SCOPE_NOT_FOUND.
     */
    public KvGetResult kvGet(final String projectId, final String scopeId, final byte[] key)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(key, "key");
        return Reads.kvGet(catalog(), seq, projectId, scopeId, key);
    }

    /**
     * Scans KV keys starting with {@code prefix}, as {@link AedbInstance#kvScanPrefix}.
     *
     * @param prefix the prefix; not null (use {@link #kvScanRange} with null bounds for every key).
     * @param limit  most entries in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public KvScanResult kvScanPrefix(final String projectId, final String scopeId, final byte[] prefix, final int limit,
        final ScanCursor cursor)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(prefix, "prefix");
        return kvScanRange(projectId, scopeId, prefix, Reads.prefixEnd(prefix), limit, cursor);
    }

    /**
     * Scans KV keys in {@code [start, end)}, as {@link AedbInstance#kvScanRange}.
     *
     * @param start  first key, inclusive; null = unbounded.
     * @param end    end key, exclusive; null = unbounded.
     * @param limit  most entries in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public KvScanResult kvScanRange(final String projectId, final String scopeId, final byte[] start, final byte[] end,
        final int limit, final ScanCursor cursor)
    {
        checkScope(projectId, scopeId);
        final KeySpace ks = catalog().scope(projectId, scopeId).kv();
        checkCursor(cursor);
        if (cursor != null && start != null && java.util.Arrays.compareUnsigned(cursor.lastKey(), start) < 0)
        {
            return Reads.kvScan(ks, seq, start, false, end, limit);
        }
        return cursor == null ? Reads.kvScan(ks, seq, start, false, end, limit) : Reads.kvScan(ks, seq, cursor.lastKey(), true, end, limit);
    }

    /**
     * Scans a table in primary-key order, as {@link AedbInstance#scanTable}.
     *
     * @param limit  most rows in the page, > 0 (Integer.MAX_VALUE = all).
     * @param cursor null for the first page, else the previous page's cursor (of this snapshot).
     */
    public TableScanResult scanTable(final String projectId, final String scopeId, final String table, final int limit,
        final ScanCursor cursor)
    {
        checkTable(projectId, scopeId, table);
        final CatalogState.TableState t = catalog().table(projectId, scopeId, table);
        checkCursor(cursor);
        return Reads.tableScan(t, seq, cursor == null ? null : cursor.lastKey(), limit);
    }

    /**
     * Runs a query at this snapshot; the options' consistency is ignored.
     *
     * @param query   the query; not null, with a table.
     * @param options not null ({@link QueryOptions#defaults()}).
     * @throws AedbException INVALID_ARGUMENT naming a null argument; INVALID_QUERY, COLUMN_NOT_FOUND or TYPE_MISMATCH
     *                       for a query that does not fit the table.
     */
    public QueryResult query(final String projectId, final String scopeId, final Query query, final QueryOptions options)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(query, "query");
        AedbInstance.requireArgument(options, "options");
        if (query.table() == null)
        {
            throw new AedbException(ErrorCode.INVALID_QUERY, "query needs a table: Query.select(..).from(table)");
        }
        return QueryExecutor.execute(catalog().table(projectId, scopeId, query.table()), seq, query, options);
    }

    private static void checkScope(final String projectId, final String scopeId)
    {
        AedbInstance.requireArgument(projectId, "projectId");
        AedbInstance.requireArgument(scopeId, "scopeId");
    }

    private static void checkTable(final String projectId, final String scopeId, final String table)
    {
        checkScope(projectId, scopeId);
        AedbInstance.requireArgument(table, "table");
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
