package dev.aedb;

import dev.aedb.store.KeySpace;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Zero-allocation reads of one scope's KV space at the latest snapshot. Thread-safe; cheap to keep.
 */
public final class KvHandle
{
    private final AedbInstance db;
    private final String projectId;
    private final String scopeId;

    KvHandle(final AedbInstance db, final String projectId, final String scopeId)
    {
        this.db = db;
        this.projectId = projectId;
        this.scopeId = scopeId;
    }

    /**
     * Copies the value of {@code key} into {@code dst} at {@code dstOffset}.
     *
     * @return the value's length, or -1 when the key is absent.
     */
    public int get(final DirectBuffer key, final int offset, final int length, final MutableDirectBuffer dst, final int dstOffset)
    {
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = pinnedSeq(slot);
            final KeySpace ks = db.catalogAt(seq).scope(projectId, scopeId).kv();
            return Reads.kvGetInto(ks, seq, key, offset, length, dst, dstOffset);
        }
        finally
        {
            db.unpin(slot);
        }
    }

    /**
     * Visits up to {@code limit} entries with keys at or after {@code start} (null = from the first key).
     *
     * @return entries visited.
     */
    public int scan(final DirectBuffer start, final int offset, final int length, final int limit, final KvVisitor visitor)
    {
        final int slot = db.pin(ConsistencyMode.AT_LATEST); // checks that the instance is open, after the claim
        try
        {
            final long seq = pinnedSeq(slot);
            final KeySpace ks = db.catalogAt(seq).scope(projectId, scopeId).kv();
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
}
