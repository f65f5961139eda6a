package dev.aedb;

import dev.aedb.catalog.CatalogState;
import dev.aedb.catalog.LiveCatalog;
import dev.aedb.model.ConsistencyMode;
import dev.aedb.store.PinnedSlot;
import dev.aedb.store.Store;

/** The {@link ReadView} of an open {@link AedbInstance}: its store's reader slots and its live catalog. */
final class InstanceReadView implements ReadView
{
    private final Store store;
    private final LiveCatalog catalog;
    private final Runnable openCheck;
    private final long maxSnapshotAgeMillis;
    private final byte[] cursorKey;

    InstanceReadView(final Store store, final LiveCatalog catalog, final Runnable openCheck, final long maxSnapshotAgeMillis,
        final byte[] cursorKey)
    {
        this.cursorKey = cursorKey;
        this.store = store;
        this.catalog = catalog;
        this.openCheck = openCheck;
        this.maxSnapshotAgeMillis = maxSnapshotAgeMillis;
    }

    @Override
    public int pin(final ConsistencyMode mode)
    {
        if (mode instanceof ConsistencyMode.AtSeq at)
        {
            return store.pinAt(at.seq(), openCheck);
        }
        // AT_CHECKPOINT reaches only the view over a checkpoint image (the facade picks it), whose latest is the checkpoint
        return store.pinLatest(openCheck);
    }

    @Override
    public byte[] cursorKey()
    {
        return cursorKey;
    }

    @Override
    public long pinnedSeq(final int slot)
    {
        return store.pinnedSeq(slot);
    }

    @Override
    public void unpin(final int slot)
    {
        store.unpin(slot);
    }

    @Override
    public PinnedSlot hold(final int slot)
    {
        return store.hold(slot);
    }

    @Override
    public CatalogState catalogAt(final long seq)
    {
        return catalog.at(seq);
    }

    @Override
    public void checkOpen()
    {
        openCheck.run();
    }

    @Override
    public long maxSnapshotAgeMillis()
    {
        return maxSnapshotAgeMillis;
    }
}
