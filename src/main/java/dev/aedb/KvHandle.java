package dev.aedb;

import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.catalog.CatalogState;
import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Zero-allocation reads of one scope's KV space at the latest snapshot. Thread-safe; cheap to keep.
 */
public final class KvHandle
{
    private final ReadView db;
    private final String projectId;
    private final String scopeId;
    /**
     * The key space of the catalog version last read through this handle: immutable, so a racy read sees a whole
     * pair. A catalog version changes only with DDL, so the scope lookup (two map reads) is skipped on every other read.
     */
    private Resolved resolved;

    private record Resolved(CatalogState catalog, KeySpace kv)
    {
    }

    KvHandle(final ReadView db, final String projectId, final String scopeId)
    {
        this.db = db;
        this.projectId = projectId;
        this.scopeId = scopeId;
    }

    /**
     * Copies the value of {@code key} into {@code dst} at {@code dstOffset}. Allocates nothing.
     *
     * @param key       holds the key at {@code [offset, offset + length)}; not null.
     * @param dst       receives the value; not null. Must have room for it unless it is expandable.
     * @param dstOffset where the value goes, {@code 0..dst.capacity()}.
     * @return the value's length, or -1 when the key is absent.
     * @throws AedbException INVALID_ARGUMENT naming a null buffer, a range outside its buffer, or a value that does
     *                       not fit {@code dst}; SCOPE_NOT_FOUND once the scope is dropped.
     */
    public int get(final DirectBuffer key, final int offset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        Reads.checkRange(key, "key", offset, length, false);
        Reads.checkDestination(dst, dstOffset);
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = pinnedSeq(slot);
            final KeySpace ks = kv(seq);
            return Reads.kvGetInto(ks, seq, key, offset, length, dst, dstOffset);
        }
        finally
        {
            db.unpin(slot);
        }
    }

    /**
     * Visits up to {@code limit} entries with keys at or after {@code start} in ascending unsigned byte order.
     * Allocates nothing.
     *
     * @param start   holds the first key at {@code [offset, offset + length)}; null = from the first key (then
     *                offset and length are ignored).
     * @param limit   most entries to visit, > 0.
     * @param visitor gets each entry; not null; returns false to stop.
     * @return entries visited.
     * @throws AedbException INVALID_ARGUMENT for a range outside {@code start}, a limit below 1 or a null visitor.
     */
    public int scan(final DirectBuffer start, final int offset, final int length, final int limit, final KvVisitor visitor)
    {
        Reads.checkRange(start, "start", offset, length, true);
        Reads.checkScan(limit, visitor);
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = pinnedSeq(slot);
            final KeySpace ks = kv(seq);
            return Reads.scan(ks, seq, start, offset, length, false, null, 0, 0, limit, visitor);
        }
        finally
        {
            db.unpin(slot);
        }
    }

    private long pinnedSeq(final int slot)
    {
        return db.pinnedSeq(slot);
    }

    /** @return this handle's key space in the catalog version in force at {@code seq} (a pinned, visible seq). */
    private KeySpace kv(final long seq)
    {
        final CatalogState catalog = db.catalogAt(seq);
        final Resolved r = resolved;
        if (r != null && r.catalog() == catalog)
        {
            return r.kv();
        }
        resolved = null; // a dropped scope throws below: keep nothing of it
        final KeySpace ks = catalog.scope(projectId, scopeId).kv();
        resolved = new Resolved(catalog, ks);
        return ks;
    }
}
