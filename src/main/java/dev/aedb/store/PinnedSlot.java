package dev.aedb.store;

/**
 * The reader slot of one long-lived snapshot, and the action that releases it: run by the snapshot's
 * {@code close()} or, if the snapshot becomes unreachable unclosed, by a {@link java.lang.ref.Cleaner}. It holds
 * no reference to the snapshot (a Cleaner action that did would keep it reachable for ever).
 * <p>
 * Each read brackets its store accesses with {@link #enter()} and {@link #leave()}: the first reader in marks the
 * slot {@link ReaderRegistry#BUSY} and then checks the snapshot's age, the last one out clears it (the handshake
 * with the writer is described on {@link ReaderRegistry}). A release requested while reads are in flight (a
 * {@code close()} from another thread, or an expiry) happens when the last of them leaves, so the slot is never
 * freed under a reader and never touched again once freed. Thread-safe: the transitions are serialised on this
 * object; reads themselves run concurrently.
 */
public final class PinnedSlot implements Runnable
{
    /** What {@link #enter()} decided. */
    public enum Admission
    {
        /** The slot is busy for this reader until {@link #leave()}. */
        READ,
        /** The snapshot is older than the maximum age: its slot is (or is being) released. */
        EXPIRED,
        /** The slot was released by {@link #run()}. */
        RELEASED
    }

    private final ReaderRegistry registry;
    private final int slot;
    private final long seq;
    private final long claimNanos;
    private int readers;
    private boolean releasing;
    private boolean released;
    private boolean expired;

    /**
     * Takes over a slot claimed at {@code seq} (see {@link ReaderRegistry#claim}) and stamps its claim time, which
     * makes its pin expirable.
     */
    public PinnedSlot(final ReaderRegistry registry, final int slot, final long seq)
    {
        this.registry = registry;
        this.slot = slot;
        this.seq = seq;
        final long now = registry.clock().getAsLong();
        this.claimNanos = now == 0 ? 1 : now; // 0 marks a one-shot read
        registry.stamp(slot, claimNanos);
    }

    /** @return nanoseconds since the claim, on the registry's clock. */
    public long ageNanos()
    {
        return registry.clock().getAsLong() - claimNanos;
    }

    /**
     * Starts a read: marks the slot busy, then checks the age (in this order, see {@link ReaderRegistry}).
     *
     * @return {@link Admission#READ} when the caller may read and must call {@link #leave()}; otherwise it must not
     *         touch the store (and must not call {@link #leave()}).
     */
    public synchronized Admission enter()
    {
        if (releasing)
        {
            return expired ? Admission.EXPIRED : Admission.RELEASED;
        }
        if (readers == 0)
        {
            registry.beginRead(slot, seq);
        }
        readers++;
        if (registry.clock().getAsLong() - claimNanos > registry.maxAgeNanos())
        {
            expired = true;
            releasing = true;
            leave();
            return Admission.EXPIRED;
        }
        return Admission.READ;
    }

    /** Ends a read started by a successful {@link #enter()}. */
    public synchronized void leave()
    {
        if (--readers == 0)
        {
            registry.endRead(slot, seq);
            if (releasing)
            {
                releaseNow();
            }
        }
    }

    /** Releases the slot now, or when the reads in flight have left. Idempotent. */
    @Override
    public synchronized void run()
    {
        releasing = true;
        if (readers == 0)
        {
            releaseNow();
        }
    }

    private void releaseNow()
    {
        if (!released)
        {
            released = true;
            registry.release(slot);
        }
    }

    /** @return whether the slot has been given back to the registry. */
    public synchronized boolean released()
    {
        return released;
    }
}
