package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.model.AedbException;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.store.PinnedSlot;

/**
 * What snapshots and handles read through: reader slots of the store (the pin protocol itself is
 * {@code Store.pinLatest}/{@code pinAt}), the catalog version of a pinned seq, and the owner's open check. One
 * implementation per open instance ({@link InstanceReadView}).
 */
interface ReadView
{
    /**
     * Claims a reader slot for one read or a snapshot at {@code mode} (null is not allowed here), checking after the
     * claim that the owner is still open.
     *
     * @return the slot; give it back with {@link #unpin} or hand it to {@link #hold}.
     * @throws AedbException CLOSED, PREVIOUS_FAILURE, SNAPSHOT_LIMIT, and for AtSeq SEQ_NOT_VISIBLE or
     *                       SNAPSHOT_EXPIRED.
     */
    int pin(ConsistencyMode mode);

    /** @return the seq a claimed slot reads at. */
    long pinnedSeq(int slot);

    /** Releases a claimed slot that was not handed to {@link #hold}. */
    void unpin(int slot);

    /** @return a long-lived owner of a claimed slot (for a {@link Snapshot}; see {@link PinnedSlot}). */
    PinnedSlot hold(int slot);

    /** @return the catalog version visible at a pinned {@code seq}. */
    CatalogState catalogAt(long seq);

    /**
     * @throws AedbException CLOSED or PREVIOUS_FAILURE when the owner can no longer serve reads.
     */
    void checkOpen();

    /** @return the age, in milliseconds, after which a held snapshot expires. */
    long maxSnapshotAgeMillis();

    /** @return the instance's random key that signs query cursors (so they do not outlive it). */
    byte[] cursorKey();
}
