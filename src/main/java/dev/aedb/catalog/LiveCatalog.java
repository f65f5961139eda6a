package dev.aedb.catalog;

/**
 * The catalog in force: the newest {@link CatalogState} and, through its {@link CatalogState#previous()} links, the
 * versions that readers at older seqs still need.
 * <p>
 * Threading: one writer (the commit sequencer, or recovery before it starts) calls {@link #publish} and
 * {@link #pruneHistory}; any thread may call {@link #at} and {@link #newest}. A reader must first learn a seq from
 * the store's visible head (a volatile read that follows the writer's publication of that seq); the version it then
 * finds here is the one that commit published.
 */
public final class LiveCatalog
{
    private volatile CatalogState newest = CatalogState.empty();

    /** @return the newest version (the writer's base for the next DDL). */
    public CatalogState newest()
    {
        return newest;
    }

    /**
     * @param readSeq a seq the caller has pinned.
     * @return the version visible at {@code readSeq}.
     */
    public CatalogState at(final long readSeq)
    {
        return newest.at(readSeq);
    }

    /**
     * Writer only: makes {@code next} (built from {@link #newest()} with its {@code with...} methods) the version in
     * force from {@code commitSeq}.
     */
    public void publish(final long commitSeq, final CatalogState next)
    {
        newest = next.publishedAt(commitSeq, newest);
    }

    /**
     * Recovery only, before any reader: the catalog restored from a checkpoint becomes the version in force, with no
     * history (nothing older than the checkpoint is readable).
     */
    public void restore(final CatalogState restored)
    {
        newest = restored;
    }

    /** Writer only: forgets the versions no reader at or above {@code horizon} can need. */
    public void pruneHistory(final long horizon)
    {
        CatalogState c = newest;
        while (c != null && c.seq() > horizon)
        {
            c = c.previous();
        }
        if (c != null)
        {
            c.cutHistory();
        }
    }
}
